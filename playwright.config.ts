// End-to-end tests against the release build in dist/ (scripts/test.sh builds
// it first). Browsers come from Debian (/usr/bin/chromium): never run
// `npx playwright install`, whose download hosts are unreachable here.
import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.DSVIZ_E2E_PORT ?? 4321);
const BASE = `http://127.0.0.1:${PORT}`;

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'e2e/test-results',
  // 2-core machines: one browser at a time is faster than thrashing.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 30_000,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  use: {
    baseURL: BASE,
    browserName: 'chromium',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      // --no-sandbox: Chromium's sandbox refuses to start as root (CI runs as root).
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  webServer: {
    command: `node e2e/serve.mjs --dir dist --port ${PORT} --host 127.0.0.1`,
    url: `${BASE}/`,
    // Never reuse whatever already listens on the port: it might serve a stale dist.
    reuseExistingServer: false,
    timeout: 15_000,
  },
});
