// Takes a full-page screenshot of a dsviz page in headless Chromium, for
// looking at what a change did (desktop and 390 px phone widths).
//
//   node scripts/screenshot.mjs URL OUT.png [width] [height] [playwright-js]
//
// The optional last argument is run with `page` in scope before the shot,
// e.g. "await page.getByRole('button', {name: 'Play'}).click()". Console
// errors are printed so a broken page is not mistaken for a quiet one.
import { chromium } from 'playwright-core';
const [url, out, w = '1400', h = '900', js = ''] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu','--disable-dev-shm-usage','--disable-background-networking','--disable-component-update','--disable-sync','--no-first-run'] });
const page = await browser.newPage({ viewport: { width: +w, height: +h }, deviceScaleFactor: 1 });
const errs = [];
page.on('console', m => { if (m.type() === 'error') errs.push(m.text()); });
page.on('pageerror', e => errs.push('pageerror ' + e.message));
await page.goto(url);
await page.waitForTimeout(800);
if (js) { await eval(`(async () => { ${js} })()`); }
await page.screenshot({ path: out, fullPage: true });
console.log('errors:', JSON.stringify(errs));
await browser.close();
