// The Clocks lab and the shared space-time view, used as a learner would.
import { test, expect } from './fixtures';

test('home → Clocks lab → a reply stamped before its request, causal past, clock switch, share', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('link', { name: 'Clocks and causality' }).click();
  await expect(page.getByRole('heading', { name: 'Clocks', exact: true })).toBeVisible();

  // The scenario where a fast clock stamps a reply before its request.
  await page.getByRole('combobox', { name: 'Scenario' }).selectOption('reply-before-request');
  await page.getByRole('button', { name: 'Play' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'makes its point' })).toBeVisible({ timeout: 20_000 });
  await expect(page.locator('.status-strip')).toContainText('against causality');

  // Every event is a focusable dot named by what happened; pick the last receive.
  const dots = page.getByRole('button', { name: /^P\d: P\d\.\d+, / });
  expect(await dots.count()).toBeGreaterThan(2);
  const receive = page.getByRole('button', { name: /^P\d: P\d\.\d+, receive / }).last();
  await receive.click();
  await expect(page.locator('.st-caption')).toContainText('happened before it');
  await expect(page.locator('.st-event.past').first()).toBeVisible();

  // Label the same run with Lamport clocks: the run does not change, the link does.
  const before = await dots.count();
  await page.getByRole('button', { name: 'Lamport', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Lamport', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expect(page).toHaveURL(/clock=lamport/);
  expect(await dots.count()).toBe(before);
  const stamps = await page.locator('.st-stamp').allTextContents();
  expect(stamps.every((s) => /^\d+$/.test(s))).toBe(true);

  // A reload of the link shows the same clock.
  await page.reload();
  await expect(page.getByRole('button', { name: 'Lamport', exact: true })).toHaveAttribute('aria-pressed', 'true');

  // A process menu from its lane: step its clock ahead.
  await page.getByRole('button', { name: 'P2: open its menu' }).click();
  await page.getByRole('button', { name: 'Clock 100 ms ahead' }).click();
  await expect(page.locator('.status-strip')).toContainText('P2 −100.0 ms'); // it was 200 ms behind
});

test('a bad clock in the link is named and the wall clock shown', async ({ page }) => {
  await page.goto('/clocks.html?clock=sundial');
  await expect(page.getByText(/clock=sundial is not a clock/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Wall clock', exact: true })).toHaveAttribute('aria-pressed', 'true');
});

test('Raft shows its own run in the space-time tab', async ({ page }) => {
  await page.goto('/raft.html?sc=leader-crash');
  for (let i = 0; i < 40; i++) await page.keyboard.press('ArrowRight');
  await page.getByRole('tab', { name: 'Space-time' }).click();
  const dots = page.locator('.st-event');
  expect(await dots.count()).toBeGreaterThan(5);
  await dots.last().click();
  await expect(page.locator('.st-caption')).toContainText('events happened before it');
  await dots.nth(0).click();
  await expect(page.locator('.st-caption')).toContainText(/happened (before|after)|is concurrent with/);
});
