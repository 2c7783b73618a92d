// The Raft lab, used as a learner would: real clicks on accessible names.
import { test, expect } from './fixtures';
import type { Page, Locator } from '@playwright/test';

const leaderGlyph = (page: Page): Locator => page.getByRole('button', { name: /^S\d, leader, term \d+/ });
const stepOf = async (page: Page): Promise<number> =>
  Number((await page.locator('.clock .step').textContent())!.replace('step ', ''));
const serverLabels = async (page: Page): Promise<string[]> =>
  page.locator('.server').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));

/** Stops playback with the keyboard (Space toggles play), unless the lab
 * has already paused itself. */
async function stopPlaying(page: Page) {
  const play = page.locator('.transport button.play');
  for (let i = 0; i < 3 && (await play.getAttribute('aria-label')) === 'Pause'; i++) {
    await page.keyboard.press('Space');
    await page.waitForTimeout(100);
  }
  await expect(play).toHaveAttribute('aria-label', 'Play');
}

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

test('home → Raft lab → elect, crash, re-elect, rewind, share', async ({ page, context }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: /Distributed systems/ })).toBeVisible();
  await page.getByRole('link', { name: 'Raft consensus' }).click();
  await expect(page.getByRole('heading', { name: 'Raft', exact: true })).toBeVisible();
  await expect(page).toHaveURL(/lab=raft/);

  // Play until the scenario pauses itself where it makes its point: a leader exists.
  await page.getByRole('combobox', { name: 'Speed' }).selectOption({ label: '0.25×' });
  await page.getByRole('button', { name: 'Play' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'makes its point' })).toBeVisible({ timeout: 20_000 });
  await expect(leaderGlyph(page)).toHaveCount(1);
  const first = (await leaderGlyph(page).getAttribute('aria-label'))!;
  const [, oldName, oldTerm] = first.match(/^(S\d), leader, term (\d+)/)!;
  const beforeCrash = await stepOf(page);
  const labelsBefore = await serverLabels(page);

  // Crash it from its own menu.
  await leaderGlyph(page).click();
  await page.getByRole('button', { name: `Crash ${oldName}` }).click();
  await expect(page.getByRole('button', { name: new RegExp(`^${oldName}, crashed`) })).toBeVisible();
  expect(await stepOf(page)).toBe(beforeCrash + 1);

  // A new leader of a later term appears.
  await page.getByRole('button', { name: 'Play' }).click();
  await expect(leaderGlyph(page)).toHaveCount(1, { timeout: 30_000 });
  await stopPlaying(page);
  const second = (await leaderGlyph(page).getAttribute('aria-label'))!;
  const [, newName, newTerm] = second.match(/^(S\d), leader, term (\d+)/)!;
  expect(newName).not.toBe(oldName);
  expect(Number(newTerm)).toBeGreaterThan(Number(oldTerm));

  // Step back restores the earlier state, exactly.
  const now = await stepOf(page);
  await page.getByRole('button', { name: 'Step back' }).click();
  expect(await stepOf(page)).toBe(now - 1);
  await page.getByLabel('Timeline position').fill(String(beforeCrash));
  expect(await stepOf(page)).toBe(beforeCrash);
  expect(await serverLabels(page)).toEqual(labelsBefore);
  await expect(page.getByRole('button', { name: new RegExp(`^${oldName}, leader, term ${oldTerm}`) })).toBeVisible();

  // Go forward again past the crash, then share the link.
  await page.getByLabel('Timeline position').fill(String(now));
  const labelsNow = await serverLabels(page);
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.getByRole('status')).toContainText('Link copied');
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toContain('inj=');
  expect(link).toContain(`step=${now}`);

  const other = await context.newPage();
  await other.goto(link);
  await expect(other.locator('.clock .step')).toHaveText(`step ${now}`);
  expect(await serverLabels(other)).toEqual(labelsNow);
  await other.close();
});

test('bad links show a message and safe defaults', async ({ page }) => {
  await page.goto('/?lab=raft&sc=bogus&seed=x&n=50&inj=%%%,3:crash.77&step=abc');
  const banner = page.getByRole('alert').filter({ hasText: 'could not be used' });
  await expect(banner).toContainText("no Raft scenario called 'bogus'");
  await expect(banner).toContainText('n=50 is outside 3–9');
  await expect(page.getByRole('button', { name: /^S9, follower, term 0/ })).toBeVisible();
  await banner.getByRole('button', { name: 'Dismiss' }).click();
  await expect(banner).toHaveCount(0);

  await page.goto('/?lab=paxos');
  await expect(page.getByRole('alert')).toContainText("no lab called 'paxos'");
  await expect(page.getByRole('link', { name: 'Raft consensus' })).toBeVisible();

  await page.goto('/?' + 'x'.repeat(13_000));
  await expect(page.getByRole('alert')).toContainText('too long');
});

test('keyboard: shortcuts, help overlay, stepping', async ({ page }) => {
  await page.goto('/raft.html?lab=raft');
  await expect(page.locator('.clock .step')).toHaveText('step 0');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(page.locator('.clock .step')).toHaveText('step 2');
  await page.keyboard.press('ArrowLeft');
  await expect(page.locator('.clock .step')).toHaveText('step 1');
  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
});

test('Figure 8 without the rule: the violation is found, told and reachable', async ({ page }) => {
  await page.goto('/raft.html?lab=raft&sc=figure-8-unsafe&step=200');
  await expect(page.getByRole('alert').filter({ hasText: 'violated' })).toContainText('Leader Completeness violated');
  await page.getByRole('tab', { name: /Invariants/ }).click();
  await expect(page.getByRole('listitem', { name: 'State Machine Safety: violated' })).toBeVisible();
  await expect(page.getByRole('listitem', { name: 'Election Safety: holds' })).toBeVisible();
  await page.getByRole('button', { name: /^Go to step \d+/ }).first().click();
  const step = await stepOf(page);
  expect(step).toBeLessThan(200);
  // One step earlier, the invariant still held.
  await page.getByRole('button', { name: 'Step back' }).click();
  await expect(page.getByRole('listitem', { name: 'Leader Completeness: holds' })).toBeVisible();
});

test('the Figure 16 experiment runs in the page and plots its CDFs', async ({ page }) => {
  await page.goto('/raft.html?lab=raft');
  await page.getByRole('tab', { name: 'Experiment' }).click();
  await page.getByRole('button', { name: 'Quick: 100 trials' }).click();
  await expect(page.locator('figure.chart svg')).toHaveCount(2, { timeout: 60_000 });
  await expect(page.locator('table.results tbody tr')).toHaveCount(10);
  await expect(page.locator('figure.chart').first()).toContainText('150–300 ms');
});

test('usable at phone width', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/raft.html?lab=raft');
  await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.getByRole('button', { name: 'Client request' }).click();
  await expect(page.locator('.clock .step')).toHaveText('step 1');
  await page.goto('/');
  const homeOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(homeOverflow).toBeLessThanOrEqual(0);
});

test('embed mode: the lab without site chrome, still a full simulation', async ({ page }) => {
  await page.goto('/raft.html?lab=raft&sc=leader-crash&step=40&embed=1');
  await expect(page.locator('.site-header')).toHaveCount(0);
  await expect(page.getByRole('tab', { name: 'Settings' })).toHaveCount(0);
  const open = page.getByRole('link', { name: /Open in dsviz/ });
  await expect(open).toHaveAttribute('href', /sc=leader-crash/);
  expect(await open.getAttribute('href')).not.toContain('embed=1');
  await expect(page.locator('.caption')).toContainText('Step 40');
  await page.getByRole('button', { name: 'Step forward' }).click();
  await expect(page.locator('.caption')).toContainText('Step 41');
  await expect(page).toHaveURL(/embed=1/);
});

test('the home page loads only its light bundle; old links reach the labs', async ({ page }) => {
  const wasm: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('.wasm')) wasm.push(new URL(r.url()).pathname);
  });
  await page.goto('/');
  await expect(page.getByRole('link', { name: 'Raft consensus' })).toBeVisible();
  expect(wasm.length).toBe(1);
  expect(wasm[0]).toMatch(/\/home-[0-9a-f]+_bg\.wasm$/);
  await expect(page.getByRole('link', { name: 'Raft consensus' })).toHaveAttribute('href', 'raft.html?lab=raft');
  // Every card's art is styled by the home page's own stylesheet.
  for (const sel of ['.art .lead', '.art-cap .minority', '.art-quorum .both']) {
    const fill = await page.locator(sel).first().evaluate((e) => getComputedStyle(e).fill);
    expect(fill, sel).not.toBe('rgb(0, 0, 0)');
  }

  // Links from before each lab had its own page are forwarded to it.
  await page.goto('/?lab=raft&sc=leader-crash&step=12');
  await expect(page).toHaveURL(/\/raft\.html\?lab=raft&sc=leader-crash&seed=2&step=12$/);
  await expect(page.locator('.clock .step')).toHaveText('step 12');
  await page.goto('/app.html?lab=cap&sc=cp-refuses-minority&step=5');
  await expect(page).toHaveURL(/\/cap\.html\?lab=cap&sc=cp-refuses-minority&seed=2&step=5$/);
  await expect(page.getByRole('heading', { name: 'CAP and PACELC', exact: true })).toBeVisible();
  await page.goto('/app.html?page=study');
  await expect(page).toHaveURL(/\/study\.html\?page=study$/);
  // A link to one lab that reached another lab's page goes where it belongs.
  await page.goto('/raft.html?lab=quorum');
  await expect(page).toHaveURL(/\/quorum\.html\?lab=quorum/);
});

test('a lab page loads only its own bundle', async ({ page }) => {
  for (const lab of ['raft', 'cap', 'quorum']) {
    const wasm: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('.wasm')) wasm.push(new URL(r.url()).pathname);
    });
    await page.goto(`/${lab}.html?lab=${lab}`);
    await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
    expect(wasm, lab).toHaveLength(1);
    expect(wasm[0]).toMatch(new RegExp(`/${lab}-[0-9a-f]+_bg\\.wasm$`));
    page.removeAllListeners('request');
  }
});

test('keyboard: arrow keys move along the side tabs, Play keeps the focus, the help dialog holds and returns it', async ({ page }) => {
  await page.goto('/raft.html');
  await page.getByRole('tab', { name: 'Scenario' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: 'Questions' })).toBeFocused();
  await expect(page.getByRole('tab', { name: 'Questions' })).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('End');
  await expect(page.getByRole('tab', { name: 'Experiment' })).toBeFocused();
  await page.getByRole('button', { name: 'Play' }).click();
  await expect(page.getByRole('button', { name: 'Pause' })).toBeFocused();
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
  const close = page.getByRole('dialog').getByRole('button', { name: 'Close' });
  await expect(close).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(close).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Keyboard shortcuts' })).toBeFocused();
});

test('the header: a Labs menu to every lab and Study mode; a toast that leaves', async ({ page }) => {
  await page.goto('/raft.html');
  await page.getByText('Labs', { exact: true }).click();
  await expect(page.getByRole('link', { name: /Raft consensus/ })).toHaveAttribute('aria-current', 'page');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('link', { name: /Clocks and causality/ })).toBeHidden();
  await page.getByText('Labs', { exact: true }).click();
  await page.locator('.caption').click(); // a click elsewhere closes it too
  await expect(page.getByRole('link', { name: /Clocks and causality/ })).toBeHidden();
  await page.getByText('Labs', { exact: true }).click();
  await page.getByRole('link', { name: /Clocks and causality/ }).click();
  await expect(page).toHaveURL(/clocks\.html/);
  await expect(page.getByRole('heading', { name: 'Clocks', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Copy link' }).click();
  const toast = page.locator('.site-header .toast');
  await expect(toast).toBeVisible();
  await page.getByRole('button', { name: 'Dismiss message' }).click();
  await expect(toast).toHaveCount(0);
});
