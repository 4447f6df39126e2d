import { defineConfig } from 'vite';

// A static single-page app: `npm run build` writes dist/, which `turbo localnet --web` serves.
export default defineConfig({
  build: { target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 400 },
  server: { port: 5173, strictPort: true },
});
