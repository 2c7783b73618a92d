// The Resilience lab, used as a learner would: a retry storm that outlives
// its cause, a breaker's cycle from a Show me link, faults from the
// buttons, charts that seek, and the page at phone width.
import { test, expect } from './fixtures';

test('home → Resilience lab → a retry storm outlives its cause, and a budget ends it', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('link', { name: 'Retries, timeouts and circuit breakers' }).click();
  await expect(page.getByRole('heading', { name: 'Resilience', exact: true })).toBeVisible();

  await page.getByRole('combobox', { name: 'Scenario' }).selectOption('metastable');
  await page.getByRole('combobox', { name: 'Speed' }).selectOption({ label: '10×' });
  await page.getByRole('button', { name: 'Play' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'makes its point' })).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('.status-strip')).toContainText('Goodput has not come back since the recovery');
  // The totals say why: A served calls whose callers had given up.
  await expect(page.getByText(/A: \d+ calls served for callers who had given up/)).toBeVisible();

  // The same storm with a 10% retry budget recovers.
  await page.getByRole('combobox', { name: 'Scenario' }).selectOption('metastable-budget');
  await page.getByRole('combobox', { name: 'Speed' }).selectOption({ label: '10×' });
  await page.getByRole('button', { name: 'Play' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'makes its point' })).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('.status-strip')).toContainText(/Recovered .* after the dependency/);
});

test('a Show me link lands on the breaker closing; faults from the buttons; a chart click seeks', async ({ page }) => {
  await page.goto('/resilience.html?sc=breaker&step=2031');
  const machine = page.locator('.res-machine');
  await expect(machine).toContainText("A's circuit breaker");
  await expect(machine.locator('.res-state.here')).toContainText('closed');
  await expect(machine).toContainText('half-open → closed: all 3 probes succeeded');
  await expect(page.locator('figure.ts')).toHaveCount(2);

  // Take A down: the status line says so and the button becomes "comes back".
  await page.getByRole('button', { name: 'Take A down' }).click();
  await expect(page.locator('.status-strip')).toContainText('A: down');
  await page.getByRole('button', { name: 'A comes back' }).click();
  await expect(page.locator('.status-strip')).not.toContainText('A: down');

  // A click early in the requests chart moves the cursor back in time.
  const chart = page.locator('figure.ts svg').first();
  const box = await chart.boundingBox();
  if (!box) throw new Error('no chart');
  await chart.click({ position: { x: box.width * 0.25, y: box.height / 2 } });
  await expect(page).toHaveURL(/step=\d+/);
  const step = Number(new URL(page.url()).searchParams.get('step'));
  expect(step).toBeLessThan(2031);

  // Compare with full jitter: a second run beside this one, kept in the link.
  await page.getByRole('combobox', { name: 'Compare with' }).selectOption({ label: 'full jitter' });
  await expect(page.getByRole('table', { name: 'This run and the comparison, side by side' })).toContainText('With full jitter');
  await expect(page).toHaveURL(/cmp=policy(%3A|:)full/);

  // The service's menu: crash it, then restart.
  await page.getByRole('button', { name: /^Service, up: .*Open its menu$/ }).click();
  await page.getByRole('button', { name: 'Crash the service' }).click();
  await expect(page.locator('.status-strip')).toContainText('Service crashed');
});

test('the Resilience page fits a phone', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/resilience.html?sc=bulkhead&step=1556');
  await expect(page.locator('.res-svg.tall')).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
