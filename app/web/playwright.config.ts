import { defineConfig } from '@playwright/test';
import { resolve } from 'node:path';

// Headless Debian Chromium (Playwright's own browser download cannot work here), against a
// `turbo localnet` the tests start themselves. Failures leave a screenshot under target/.
export default defineConfig({
  testDir: 'tests',
  outputDir: resolve(import.meta.dirname, '../../target/web-tests'),
  timeout: 60_000,
  expect: { timeout: 15_000 },
  workers: 1,
  reporter: [['list']],
  // Every flow runs on a desktop and on a phone (390×844, touch): a control that is off screen,
  // covered or too small to receive the click fails the phone project (no forced clicks).
  projects: [
    { name: 'desktop', use: { viewport: { width: 1280, height: 800 } } },
    { name: 'phone', use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } },
  ],
  use: {
    screenshot: 'only-on-failure',
    trace: 'off',
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
});
