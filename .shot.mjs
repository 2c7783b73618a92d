// usage: node .shot.mjs URL OUT WIDTH [actions-json]
import { chromium } from 'playwright';
const [url, out, width, actions] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: Number(width), height: 900 } });
page.on('console', (m) => { if (m.type() === 'error') console.log('console error:', m.text()); });
await page.goto(url);
await page.waitForTimeout(800);
for (const a of JSON.parse(actions || '[]')) {
  if (a.key) { for (let i = 0; i < (a.n || 1); i++) await page.keyboard.press(a.key); }
  if (a.click) await page.locator(a.click).nth(a.nth ?? 0).click();
  if (a.role) await page.getByRole(a.role, { name: a.name, exact: true }).click();
  if (a.wait) await page.waitForTimeout(a.wait);
  if (a.scroll) await page.locator(a.scroll).first().scrollIntoViewIfNeeded();
}
await page.waitForTimeout(400);
await page.screenshot({ path: out, fullPage: true });
await browser.close();
