// Interview questions beside the lab, predictions graded by the simulation,
// and study mode with progress that survives a reload.
import { test, expect } from './fixtures';

test('a prediction pauses the lab, grades the answer by running it, and is remembered', async ({ page }) => {
  await page.goto('/raft.html?lab=raft');
  await page.getByRole('tab', { name: 'Questions' }).click();
  const card = page.getByRole('article', { name: 'Question raft-split-vote' });
  await card.getByRole('link', { name: /Predict what happens/ }).first().click();
  const prediction = page.getByRole('region', { name: 'Prediction' });
  await expect(prediction).toBeVisible();
  await expect(page).toHaveURL(/predict=raft-split-vote~0/);
  const stepBefore = await page.locator('.clock .step').textContent();
  await prediction.getByRole('button', { name: '3' }).click();
  await expect(prediction.getByRole('status')).toContainText('Not quite.');
  await expect(prediction.getByRole('status')).toContainText('the simulation says 2');
  // The run plays on to the outcome.
  await expect(page.locator('.clock .step')).not.toHaveText(stepBefore!, { timeout: 10_000 });
  const stored = await page.evaluate(() => localStorage.getItem('dsviz.progress'));
  expect(JSON.parse(stored!).predictions['raft-split-vote#0']).toEqual({ right: 0, wrong: 1, last_right: false });
});

test('show me opens the step that demonstrates the answer', async ({ page }) => {
  await page.goto('/raft.html?lab=raft');
  await page.getByRole('tab', { name: 'Questions' }).click();
  const card = page.getByRole('article', { name: 'Question raft-split-vote' });
  const link = card.getByRole('link', { name: /Show me/ }).first();
  // Its caption would tell the answer, so it waits for the answer.
  await expect(link).toHaveText(/^▶ Show me in the lab/);
  await card.getByRole('button', { name: 'Reveal answer' }).click();
  await expect(link).toHaveText(/^▶ Show me: ./);
  const href = await link.getAttribute('href');
  await link.click();
  const step = new URL(href!, 'http://x').searchParams.get('step');
  await expect(page.locator('.clock .step')).toHaveText(`step ${step}`);
});

test('review cards, reload, progress persists; corrupt storage resets with a message', async ({ page }) => {
  await page.goto('/study.html?page=study');
  await expect(page.getByRole('heading', { name: 'Study' })).toBeVisible();
  await page.getByRole('combobox', { name: 'Concept' }).selectOption('raft');
  await page.getByRole('tab', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Reveal answer' }).click();
  await page.getByRole('button', { name: /^Good/ }).click();
  await page.getByRole('button', { name: 'Reveal answer' }).click();
  await page.getByRole('button', { name: /^Again/ }).click();
  await page.reload();
  await page.getByRole('tab', { name: 'Progress' }).click();
  await expect(page.getByText('cards reviewed')).toBeVisible();
  await expect(page.locator('.stats div').first()).toContainText('2');

  await page.evaluate(() => localStorage.setItem('dsviz.progress', '{"schema": 1, "cards": "garbage'));
  await page.reload();
  await expect(page.getByRole('alert')).toContainText('could not be read');
  await expect(page.getByRole('alert')).toContainText('reset');
  await page.getByRole('tab', { name: 'Progress' }).click();
  await expect(page.locator('.stats div').first()).toContainText('0');
  await page.reload();
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('filters, search and a mock interview', async ({ page }) => {
  await page.goto('/study.html?page=study');
  await page.getByRole('searchbox', { name: 'Search questions' }).fill('fencing');
  await expect(page.locator('article.question').first()).toBeVisible();
  const n = await page.locator('article.question').count();
  expect(n).toBeGreaterThan(0);
  expect(n).toBeLessThan(20);
  await page.getByRole('tab', { name: 'Mock interview' }).click();
  await expect(page.getByRole('timer')).toContainText(/[0-5]:[0-5]\d/);
  await page.getByRole('button', { name: "I'm done: reveal" }).click();
  await page.getByRole('checkbox', { name: 'Used a number or a bound' }).check();
  await page.getByRole('button', { name: /Save score \(1\/5\)/ }).click();
  await expect(page.getByRole('button', { name: 'Saved' })).toBeDisabled();
});

test('importing a bad progress file changes nothing and says why', async ({ page }) => {
  await page.goto('/study.html?page=study');
  await page.getByLabel('Import progress').setInputFiles({ name: 'p.json', mimeType: 'application/json', buffer: Buffer.from('{"schema": 7}') });
  await expect(page.getByRole('alert')).toContainText('format 7');
  await expect(page.getByRole('alert')).toContainText('not changed');
});
