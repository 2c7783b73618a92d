// Shared Playwright fixtures. Every spec imports `test` and `expect` from here
// (not from @playwright/test) so that any console error or uncaught page
// exception fails the test: a wasm panic usually shows up only as one of those,
// while the page still looks fine.
import { test as base, expect } from '@playwright/test';

type Fixtures = {
  /** Console-error texts a spec expects; matching messages are not failures. */
  allowedConsoleErrors: RegExp[];
  /** Collected problems; exposed so a spec can inspect them mid-test. */
  pageProblems: string[];
};

export const test = base.extend<Fixtures>({
  allowedConsoleErrors: [[], { option: true }],
  pageProblems: [
    async ({ page, allowedConsoleErrors }, use) => {
      const problems: string[] = [];
      page.on('console', (msg) => {
        if (msg.type() !== 'error') return;
        const text = msg.text();
        if (allowedConsoleErrors.some((re) => re.test(text))) return;
        const loc = msg.location();
        problems.push(`console.error: ${text}${loc.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
      });
      page.on('pageerror', (err) => problems.push(`pageerror: ${err.stack ?? err.message}`));
      await use(problems);
      expect(problems, 'console errors / page errors during the test').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
