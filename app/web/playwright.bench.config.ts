import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// Benchmarks of the page in the same headless chromium, apart from the tests: a time is measured
// and recorded here, never asserted in a test (docs/web.md, "Measured").
export default defineConfig({ ...base, testDir: 'bench', timeout: 300_000 });
