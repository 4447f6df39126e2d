/// <reference types="vite/client" />
// The generated client reads `process.env.NODE_ENV` to drop error messages from production
// builds; Vite replaces it at build time.
declare const process: { env: Record<string, string | undefined> };
