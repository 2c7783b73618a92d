// Browser benchmarks for dsviz, run by scripts/bench.sh against dist/ (not a test:
// it prints numbers and never fails on them).
//
//   node e2e/bench.mjs [port]
//
// Measures: time from navigation to an interactive Raft lab; Raft virtual
// seconds per wall second on a Timeline (rewind on); the Figure 16 experiment
// (1,000 trials per range); frame rate while playing.
import { chromium } from 'playwright-core';

const port = process.argv[2] ?? '4399';
const base = `http://127.0.0.1:${port}`;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
/** Frames per second and the 95th-percentile frame time over 4 s of play. */
async function frameRate(page, prefix) {
  const frames = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const times = [];
        const t0 = performance.now();
        const tick = (t) => {
          times.push(t);
          if (t - t0 < 4000) requestAnimationFrame(tick);
          else resolve(times);
        };
        requestAnimationFrame(tick);
      }),
  );
  const gaps = frames.slice(1).map((t, i) => t - frames[i]).sort((a, b) => a - b);
  return {
    [`${prefix}_fps`]: +((frames.length - 1) / ((frames.at(-1) - frames[0]) / 1000)).toFixed(1),
    [`${prefix}_frame_ms_p95`]: +gaps[Math.floor(gaps.length * 0.95)].toFixed(1),
  };
}

const out = {};
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });

// Time to interactive: from navigation start until the Play button exists and
// the lab has drawn its servers (measured in the page's own clock).
const homes = [];
for (let i = 0; i < 5; i++) {
  await page.goto(`${base}/`);
  await page.getByRole('link', { name: 'Raft consensus' }).waitFor();
  homes.push(await page.evaluate(() => performance.now()));
}
homes.sort((a, b) => a - b);
out.home_interactive_ms_median = +homes[2].toFixed(1);
const loads = [];
for (let i = 0; i < 5; i++) {
  await page.goto(`${base}/raft.html?lab=raft`);
  await page.getByRole('button', { name: 'Play' }).waitFor();
  await page.locator('.server').first().waitFor();
  loads.push(await page.evaluate(() => performance.now()));
}
loads.sort((a, b) => a - b);
out.interactive_ms_median = +loads[2].toFixed(1);
out.interactive_ms_all = loads.map((x) => +x.toFixed(1));

await page.waitForFunction(() => window.wasmBindings !== undefined);
out.raft_timeline_idle = JSON.parse(await page.evaluate(() => window.wasmBindings.bench_raft_timeline(300, 0)));
out.raft_timeline_requests_every_100ms = JSON.parse(await page.evaluate(() => window.wasmBindings.bench_raft_timeline(300, 100)));
out.fig16_1000_trials_ms = +(await page.evaluate(() => window.wasmBindings.bench_fig16(1000))).toFixed(0);

// Frame rate while playing at 0.25× (messages in flight, timers animating).
await page.goto(`${base}/raft.html?lab=raft`);
await page.getByRole('combobox', { name: 'Speed' }).selectOption({ label: '0.25×' });
await page.getByRole('button', { name: 'Play' }).click();
Object.assign(out, await frameRate(page, 'playing'));

// The Clocks lab: free play with 8 processes (its largest size) on a timeline,
// its experiments, and the frame rate while playing with the space-time diagram.
await page.goto(`${base}/clocks.html?sc=free-play&n=8`);
await page.waitForFunction(() => window.wasmBindings !== undefined);
out.clocks_timeline_8_processes = JSON.parse(await page.evaluate(() => window.wasmBindings.bench_clocks_timeline(8, 600)));
for (const id of ['clocks-hlc-bounds', 'clocks-commit-wait', 'clocks-lww-lost-updates']) {
  out[`${id}_ms`] = +(await page.evaluate((i) => window.wasmBindings.bench_experiment(i), id)).toFixed(0);
}
await page.goto(`${base}/clocks.html?sc=free-play&n=8`);
await page.getByRole('combobox', { name: 'Speed' }).selectOption({ index: 3 });
await page.getByRole('button', { name: 'Play' }).click();
await page.waitForTimeout(1500);
Object.assign(out, await frameRate(page, 'clocks_playing'));
out.clocks_speed = await page.getByRole('combobox', { name: 'Speed' }).inputValue();

// The Resilience lab: its longest scenario (a metastable retry storm) on a
// timeline, the charts' series over all of it, its experiments, and the
// frame rate while playing with the diagram and charts.
await page.goto(`${base}/resilience.html?sc=metastable`);
await page.waitForFunction(() => window.wasmBindings !== undefined);
out.resilience_timeline_metastable = JSON.parse(await page.evaluate(() => window.wasmBindings.bench_resilience_timeline('metastable', 600)));
for (const id of ['backoff-contention', 'retry-herd', 'breaker-trips']) {
  out[`${id}_ms`] = +(await page.evaluate((i) => window.wasmBindings.bench_experiment(i), id)).toFixed(0);
}
await page.goto(`${base}/resilience.html?sc=metastable`);
await page.getByRole('combobox', { name: 'Speed' }).selectOption({ index: 3 });
await page.getByRole('button', { name: 'Play' }).click();
await page.waitForTimeout(1500);
Object.assign(out, await frameRate(page, 'resilience_playing'));
out.resilience_speed = await page.getByRole('combobox', { name: 'Speed' }).inputValue();
await browser.close();
console.log(JSON.stringify(out, null, 2));
