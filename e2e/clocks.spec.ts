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

test('a run goes out as a ShiViz log and comes back in through the Logs tab; a bad file is named by line', async ({ page }) => {
  await page.goto('/clocks.html?sc=vectors-expose-concurrency');
  for (let i = 0; i < 30; i++) await page.keyboard.press('ArrowRight');

  // Out: the download is the file ShiViz's upload reads (parser, blank delimiter line, log).
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download as ShiViz log' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^dsviz-clocks-vectors-expose-concurrency-seed\d+-step\d+\.log$/);
  const file = await download.path();
  const fs = await import('node:fs');
  const text = fs.readFileSync(file!, 'utf8');
  const lines = text.split('\n');
  expect(lines[0]).toBe('(?<host>\\S*) (?<clock>{.*})\\n(?<event>.*)');
  expect(lines[1]).toBe('');
  expect(lines[2]).toMatch(/^P\d \{"P\d":\d+/);

  // In: the same file, through the file picker.
  await page.getByRole('tab', { name: 'Logs' }).click();
  await page.getByLabel('Choose a log file').setInputFiles({ name: 'run.log', mimeType: 'text/plain', buffer: Buffer.from(text) });
  await expect(page.locator('.log-loaded h4')).toContainText(/^run\.log: \d hosts, \d+ events, \d+ messages/);
  await expect(page.getByText('Every vector clock is consistent with causality.')).toBeVisible();
  await expect(page.locator('.log-loaded .st-event').first()).toBeVisible();

  // A file with a broken clock: the message names the line, and run.log stays.
  // (The form now holds the parser run.log's header named: host and clock first.)
  const bad = 'P1 {"P1":1}\nfirst\nP1 {"P1":2, "P2":}\nsecond\n';
  await page.getByLabel('Choose a log file').setInputFiles({ name: 'bad.log', mimeType: 'text/plain', buffer: Buffer.from(bad) });
  await expect(page.getByRole('alert')).toContainText('Could not read bad.log: line 3');
  await expect(page.getByRole('alert')).toContainText('still here');
  await expect(page.locator('.log-loaded h4')).toContainText(/^run\.log:/);

  // A log whose clocks contradict causality: each bad event listed by line and ringed.
  const wrong = 'a {"a":1}\nsend\nb {"b":1, "a":1}\nrecv\na {"a":1}\nagain\n';
  await page.getByLabel('Paste a log').fill(wrong);
  await page.getByLabel('Parser regex').fill('(?<host>\\S*) (?<clock>{.*})\\n(?<event>.*)');
  await page.getByRole('button', { name: 'Read the pasted log' }).click();
  await expect(page.locator('.log-bad')).toContainText('Line 5, a');
  await expect(page.locator('.log-loaded .st-flag')).toHaveCount(1);
});

test('two picked events: every clock\'s verdict beside what happened', async ({ page }) => {
  await page.goto('/clocks.html?sc=reply-before-request');
  await page.getByRole('button', { name: 'Play' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'makes its point' })).toBeVisible({ timeout: 20_000 });
  // P1's request and P2's reply to it: P2's clock is behind, so the wall clock has them backwards.
  await page.getByRole('button', { name: /^P1: P1\.\d+, request / }).first().click();
  await page.getByRole('button', { name: /^P2: P2\.\d+, reply / }).first().click();
  const table = page.getByRole('table', { name: 'How each clock orders the two events' });
  await expect(table).toBeVisible();
  await expect(table.getByRole('row', { name: /Vector/ })).toContainText('agrees with causality');
  await expect(table.getByRole('row', { name: /Lamport/ })).toContainText('agrees with causality');
  await expect(table.getByRole('row', { name: /Wall clock/ })).toContainText('contradicts causality');
});
