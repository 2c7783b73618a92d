// The CAP and Quorum labs, used as a learner would: real clicks on accessible names.
import { test, expect } from './fixtures';
import type { Page, Locator } from '@playwright/test';

const stepOf = async (page: Page): Promise<number> =>
  Number((await page.locator('.clock .step').textContent())!.replace('step ', ''));

/** The counter cell for `row` (refused, stale, served…) on one side of the partition. */
const counter = (scope: Page | Locator, row: string, side: 'whole' | 'majority' | 'minority'): Locator =>
  scope.locator(`table.counters tr.row-${row} td[data-side="${side}"]`).first();

const asNumber = async (l: Locator): Promise<number> => Number((await l.textContent())!.trim().split(' ')[0]);

/** Plays at 1× until `done` holds (or the timeout passes), then pauses. */
async function playUntil(page: Page, done: () => Promise<boolean>, timeout = 20_000) {
  await page.getByRole('combobox', { name: 'Speed' }).selectOption({ label: '1×' });
  await page.getByRole('button', { name: 'Play' }).click();
  await expect.poll(done, { timeout }).toBe(true);
  await page.getByRole('button', { name: 'Pause' }).click();
}

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

test('home → CAP lab; a partition: CP refuses on the minority side, AP serves stale data there', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('link', { name: 'CAP and PACELC' }).click();
  await expect(page.getByRole('heading', { name: 'CAP and PACELC', exact: true })).toBeVisible();
  await expect(page).toHaveURL(/lab=cap/);
  await expect(page.getByRole('button', { name: /^R1, empty, up/ })).toBeVisible();

  // Partition first (step 0), then let the workload run.
  await page.getByRole('button', { name: 'Split minority | majority' }).click();
  await expect(page.locator('.status-strip')).toContainText('Partitioned: R1 R2 C1 | R3 R4 R5 C2');
  await playUntil(page, async () => (await asNumber(counter(page, 'refused', 'minority'))) >= 2);
  expect(await asNumber(counter(page, 'served', 'minority'))).toBe(0);
  expect(await asNumber(counter(page, 'served', 'majority'))).toBeGreaterThan(0);
  expect(await asNumber(counter(page, 'stale', 'minority'))).toBe(0);
  await expect(page.locator('.hop.refused').first()).toBeVisible();

  // The same run in AP: the partition is replayed at the same time.
  await page.getByRole('button', { name: /^AP/ }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Now AP' })).toBeVisible();
  await expect(page.locator('.status-strip')).toContainText('Partitioned');
  await playUntil(page, async () => (await asNumber(counter(page, 'stale', 'minority'))) >= 1);
  expect(await asNumber(counter(page, 'refused', 'minority'))).toBe(0);
  expect(await asNumber(counter(page, 'served', 'minority'))).toBeGreaterThan(0);
  await expect(page.locator('.hop.flagged').first()).toBeVisible();
  await expect(page.getByRole('alert').filter({ hasText: 'violated' })).toContainText('No stale reads violated');

  // The lab's own history fails the linearizability check, and says why.
  await page.getByRole('button', { name: 'Check', exact: true }).first().click();
  await expect(page.locator('.check-report').first()).toContainText('Not linearizable.');
  await expect(page.locator('.hop.culprit').first()).toBeVisible();
  await expect(page).toHaveURL(/mode=ap/);
  await expect(page).toHaveURL(/inj=0:part/);
});

test('a scenario pauses where it makes its point, and the link reproduces it', async ({ page, context }) => {
  await page.goto('/cap.html?lab=cap&sc=cp-refuses-minority');
  await expect(page.getByRole('heading', { name: 'CP: the minority side refuses' })).toBeVisible();
  await page.getByRole('combobox', { name: 'Speed' }).selectOption({ label: '1×' });
  await page.getByRole('button', { name: 'Play' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'makes its point' })).toBeVisible({ timeout: 15_000 });
  await expect(page.locator('.notice.reached')).toBeVisible();
  await expect(counter(page, 'refused', 'minority')).toHaveText('1');
  const step = await stepOf(page);
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Link copied' })).toBeVisible();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toContain(`step=${step}`);
  const other = await context.newPage();
  await other.goto(link);
  await expect(other.locator('.clock .step')).toHaveText(`step ${step}`);
  await expect(counter(other, 'refused', 'minority')).toHaveText('1');
  await other.close();
});

test('importing a bad history file says what and where, and loses nothing', async ({ page }) => {
  await page.goto('/cap.html?lab=cap&sc=ap-stale-read&step=40');
  const lanesBefore = await page.locator('.hist-lane').count();
  expect(lanesBefore).toBe(2);
  const bad = '[\n  {"client": 1, "op": "write", "value": 1, "invoke": 0, "response": 10},\n  {"client": 2, "op": "frobnicate", "invoke": 12}\n]\n';
  await page.getByLabel('Import a history file').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(bad) });
  const alert = page.getByRole('alert').filter({ hasText: 'Could not import' });
  await expect(alert).toContainText('broken.json');
  await expect(alert).toContainText('operation 1 (line 3)');
  await expect(alert).toContainText('Nothing changed');
  await expect(page.locator('.clock .step')).toHaveText('step 40');
  expect(await page.locator('.hist-lane').count()).toBe(lanesBefore);

  await page.getByLabel('Import a history file').setInputFiles({ name: 'not-json.json', mimeType: 'application/json', buffer: Buffer.from('{"oops": ') });
  await expect(page.getByRole('alert').filter({ hasText: 'Could not import not-json.json' })).toContainText('line 1');
});

test('a pasted non-linearizable history gets its verdict and its culprit', async ({ page }) => {
  await page.goto('/quorum.html?lab=quorum');
  // Jepsen-style: a write of 1 finishes, then a read returns the empty register.
  const history = JSON.stringify([
    { client: 1, op: 'write', value: 1, invoke: 0, response: 10 },
    { client: 2, op: 'read', value: 1, invoke: 12, response: 15 },
    { client: 3, op: 'read', value: null, invoke: 20, response: 30 },
  ]);
  await page.getByRole('button', { name: 'Paste' }).click();
  await page.getByLabel('History JSON').fill(history);
  await page.getByRole('button', { name: 'Load and check' }).click();
  await expect(page.locator('.import-banner')).toContainText('3 operations, 3 clients');
  const report = page.locator('.check-report');
  await expect(report).toContainText('Not linearizable.');
  await expect(report).toContainText('Sequentially consistent.');
  await expect(page.locator('.hop.culprit')).toHaveCount(1);
  await expect(page.locator('.hist-lane')).toHaveCount(3);
  // Back to the lab's own history, untouched.
  await page.getByRole('button', { name: "Back to the lab's history" }).click();
  await expect(page.locator('.import-banner')).toHaveCount(0);
  await expect(page.locator('.clock .step')).toHaveText('step 0');
});

test('compare view: CP and AP side by side under the same fault', async ({ page }) => {
  await page.goto('/cap.html?lab=cap');
  await page.getByLabel('Compare CP | AP').check();
  await expect(page).toHaveURL(/cmp=1/);
  const sides = page.locator('.compare-side');
  await expect(sides).toHaveCount(2);
  await expect(page.locator('svg.reg-diagram')).toHaveCount(2);
  await page.getByRole('button', { name: 'Split minority | majority' }).click();
  await expect(sides.nth(0).locator('.pill.warn')).toContainText('Partitioned');
  await expect(sides.nth(1).locator('.pill.warn')).toContainText('Partitioned');
  await playUntil(page, async () =>
    (await asNumber(counter(sides.nth(0), 'refused', 'minority'))) >= 1 && (await asNumber(counter(sides.nth(1), 'stale', 'minority'))) >= 1);
  expect(await asNumber(counter(sides.nth(0), 'stale', 'minority'))).toBe(0);
  expect(await asNumber(counter(sides.nth(1), 'refused', 'minority'))).toBe(0);
  await expect(page.getByRole('heading', { name: /^History: AP/ })).toBeVisible();
  // Stepping back moves both runs.
  await page.getByLabel('Timeline position').fill('1');
  await expect(counter(sides.nth(1), 'served', 'majority')).toHaveText('0');
});

test('PBS: the closed form for N=3, W=1, R=1 and a t-visibility run', async ({ page }) => {
  await page.goto('/quorum.html?lab=quorum&sc=quorum-stale');
  await expect(page.locator('.quorum-rule')).toContainText('W + R = 2 ≤ N = 3');
  await page.getByRole('tab', { name: 'PBS' }).click();
  await expect(page.getByLabel('Closed form')).toContainText('C(2, 1) / C(3, 1) = 2/3 ≈ 0.667');
  await page.getByRole('combobox', { name: 'Trials' }).selectOption('1000');
  await page.getByRole('button', { name: 'Run t-visibility' }).click();
  await expect(page.locator('.pbs figure.chart svg')).toBeVisible({ timeout: 20_000 });
  await expect(page.locator('.pbs-results table tbody tr')).toHaveCount(9);
  // W + R = N still misses a third of the time; W + R > N never does.
  await page.getByRole('button', { name: 'Increase W' }).click();
  await expect(page.getByLabel('Closed form')).toContainText('C(1, 1) / C(3, 1) = 1/3 ≈ 0.333');
  await page.getByRole('button', { name: 'Increase R' }).click();
  await expect(page.getByLabel('Closed form')).toContainText('= 0 ≈ 0.000');
  await expect(page.locator('.quorum-rule')).toContainText('W + R = 4 > N = 3');
  await expect(page).toHaveURL(/w=2&r=2/);
});

test('quorum lab: a stale read shows its read set missing the write set', async ({ page }) => {
  await page.goto('/quorum.html?lab=quorum&sc=quorum-stale');
  await page.getByRole('combobox', { name: 'Speed' }).selectOption({ label: '1×' });
  await page.getByRole('button', { name: 'Play' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'makes its point' })).toBeVisible({ timeout: 15_000 });
  await expect(page.locator('.focus-card')).toContainText('No overlap');
  await expect(page.locator('.focus-card')).toContainText('W + R ≤ N (1 + 1 ≤ 3)');
  await expect(page.locator('.set-ring.read')).toHaveCount(1);
  await expect(page.locator('.set-ring.write')).toHaveCount(1);
  await expect(page.getByRole('button', { name: /flagged stale/ })).toBeVisible();
});

test('bad register links show a message and safe defaults', async ({ page }) => {
  await page.goto('/quorum.html?lab=quorum&sc=bogus&mode=cp&w=9&n=2&inj=zz&step=x');
  const banner = page.getByRole('alert').filter({ hasText: 'could not be used' });
  await expect(banner).toContainText("no Quorums scenario called 'bogus'");
  await expect(banner).toContainText('mode=cp ignored');
  await expect(banner).toContainText('n=2 is outside 3–7');
  await expect(page.locator('.clock .step')).toHaveText('step 0');
  await expect(page.getByRole('button', { name: /^R1, empty, up/ })).toBeVisible();
});

test('keyboard: shortcuts and the help overlay', async ({ page }) => {
  await page.goto('/cap.html?lab=cap&sc=latency-cp');
  await expect(page.locator('.clock .step')).toHaveText('step 0');
  await page.keyboard.press('ArrowRight');
  await expect(page.locator('.clock .step')).toHaveText('step 1');
  // C1 is busy with the scenario's write; Shift+W asks C2 to write.
  await page.keyboard.press('Shift+W');
  await expect(page.locator('.clock .step')).toHaveText('step 2');
  await page.keyboard.press('m');
  await expect(page.getByRole('button', { name: /^AP/ })).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(dialog).toContainText('Compare CP and AP');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await page.keyboard.press('3');
  await expect(page.getByRole('menu')).toContainText('Isolate R3');
});

test('usable at phone width, and embeddable', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  for (const q of ['/?lab=cap', '/?lab=quorum', '/?lab=cap&cmp=1']) {
    await page.goto(q);
    await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, q).toBeLessThanOrEqual(0);
  }
  await page.getByRole('button', { name: 'C1 write' }).click();
  await expect(page.locator('.clock .step')).toHaveText('step 1');

  await page.setViewportSize({ width: 1200, height: 900 });
  await page.goto('/quorum.html?lab=quorum&sc=sloppy-quorum&step=30&embed=1');
  await expect(page.locator('.site-header')).toHaveCount(0);
  await expect(page.getByRole('tab', { name: 'PBS' })).toHaveCount(0);
  const open = page.getByRole('link', { name: /Open in dsviz/ });
  await expect(open).toHaveAttribute('href', /sc=sloppy-quorum/);
  expect(await open.getAttribute('href')).not.toContain('embed=1');
  await expect(page.locator('.caption')).toContainText('Step 30');
});
