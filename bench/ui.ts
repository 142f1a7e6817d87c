/**
 * bench:ui: <rtk-stage-queue> with 10,000 pending requests against a plain non-virtualized Lit
 * list of the same rows, in headless Chromium (Debian's, never a downloaded one). Prints, as
 * medians of RUNS runs (default 7) with min–max: the time from setting the host's stage to the
 * first painted frame showing rows, and from one Approve click to the next painted frame
 * without that row; and the baseline/ours ratios. Targets: first <= 50 ms, update <= 8 ms.
 *
 *   npm run bench:ui
 *   N=20000 RUNS=5 CHROME_PATH=/usr/bin/chromium npm run bench:ui
 *
 * Each subject runs in a fresh page (the element, with the local room's own cost measured
 * alongside; then the baseline). Wall times include waiting for a CPU: on a busy machine (the
 * load average is printed) they grow, so a third, traced pass of the element also prints the
 * renderer main thread's CPU time inside the same spans, which barely moves with load.
 * DEBUG_TRACE=/tmp/trace.json keeps that trace for DevTools' Performance panel.
 *
 * The page (bench/ui-queue.html + bench/ui-page.ts) is served by @web/dev-server, which
 * compiles the TypeScript sources on the fly; Lit runs in its production build.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '@web/dev-server';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import puppeteer from 'puppeteer-core';
import type { Sample, UiBenchResult } from './ui-page.js';
import { median } from './stats.js';

const N = Number(process.env['N'] ?? 10_000);
const RUNS = Number(process.env['RUNS'] ?? 7);
const CHROME = process.env['CHROME_PATH'] ?? '/usr/bin/chromium';
const TARGET = { firstMs: 50, updateMs: 8 };

const root = fileURLToPath(new URL('..', import.meta.url));

const server = await startDevServer({
  config: {
    rootDir: root,
    hostname: '127.0.0.1',
    nodeResolve: { exportConditions: ['production'] },
    watch: false,
    open: false,
    plugins: [
      esbuildPlugin({
        ts: true,
        target: 'es2022',
        tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)),
      }),
    ],
  },
  readCliArgs: false,
  readFileConfig: false,
  logStartMessage: false,
});

const browser = await puppeteer.launch({
  executablePath: CHROME,
  headless: true,
  protocolTimeout: 600_000,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--js-flags=--expose-gc',
  ],
});

type Which = 'ours' | 'baseline';
type PageRun = { samples: Sample[]; core: Sample[]; cpu?: Map<string, number[]> };

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/**
 * Main-thread CPU time spent inside each performance measure of a trace, by measure name: the
 * thread time of the renderer's tasks, prorated to the part of each task inside the span.
 * Unlike wall time it barely moves when other processes compete for the CPU.
 */
function cpuPerMeasure(events: TraceEvent[]): Map<string, number[]> {
  const page = events.find((e) => /^(rtk-stage-queue|core):/.test(e.name))?.pid;
  const main = events.find(
    (e) =>
      e.ph === 'M' &&
      e.name === 'thread_name' &&
      e.args?.name === 'CrRendererMain' &&
      e.pid === page,
  );
  const tasks = events.filter(
    (e) => e.name === 'RunTask' && e.ph === 'X' && e.pid === main?.pid && e.tid === main?.tid,
  );
  const begins = new Map<string, number>();
  const out = new Map<string, number[]>();
  for (const e of events) {
    if (!/^(rtk-stage-queue|bench-plain-queue|core):/.test(e.name)) continue;
    if (e.ph === 'b') begins.set(e.name, e.ts);
    if (e.ph !== 'e' || !begins.has(e.name)) continue;
    const from = begins.get(e.name)!;
    let cpu = 0;
    for (const t of tasks) {
      const overlap = Math.min(e.ts, t.ts + t.dur!) - Math.max(from, t.ts);
      if (overlap > 0 && t.dur! > 0) cpu += (t.tdur ?? t.dur!) * (overlap / t.dur!);
    }
    out.set(e.name, [...(out.get(e.name) ?? []), cpu / 1000]);
  }
  return out;
}

/** One subject in a fresh page, so the other's teardown never lands in its figures. */
async function runIn(which: Which, traced = false): Promise<PageRun> {
  const page = await browser.newPage();
  try {
    await page.setViewport({ width: 1000, height: 800 });
    page.on('pageerror', (e) => console.error('page error:', e));
    page.on('console', (m) => {
      if (m.type() === 'error') console.error('page:', m.text());
    });
    const { hostname, port } = server.config;
    await page.goto(`http://${hostname}:${port}/bench/ui-queue.html`);
    await page.waitForFunction(() => 'runUiBench' in globalThis, { timeout: 60_000 });
    if (traced) {
      await page.tracing.start({
        categories: ['disabled-by-default-devtools.timeline', 'blink.user_timing'],
      });
    }
    const run = await page.evaluate(
      (n, runs, w) =>
        (
          globalThis as unknown as {
            runUiBench(n: number, runs: number, which: Which): Promise<PageRun>;
          }
        ).runUiBench(n, runs, w),
      N,
      RUNS,
      which,
    );
    if (traced) {
      const trace = JSON.parse(new TextDecoder().decode(await page.tracing.stop())) as {
        traceEvents: TraceEvent[];
      };
      run.cpu = cpuPerMeasure(trace.traceEvents);
      if (process.env['DEBUG_TRACE'])
        writeFileSync(process.env['DEBUG_TRACE'], JSON.stringify(trace));
    }
    return run;
  } finally {
    await page.close();
  }
}

let result: UiBenchResult;
let cpu: Map<string, number[]>;
try {
  const load = loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  console.log(
    `bench:ui: ${N} pending requests, median of ${RUNS} runs each, ${await browser.version()}, ` +
      `${cpus().length} cpus, load average ${load}`,
  );
  const ours = await runIn('ours');
  const baseline = await runIn('baseline');
  // A third pass, traced (tracing slows the page a little, so its wall times are not used).
  cpu = (await runIn('ours', true)).cpu!;
  result = { ours: ours.samples, core: ours.core, baseline: baseline.samples };
} finally {
  await browser.close();
  await server.stop();
}

const ms = (x: number) => `${x.toFixed(1)} ms`;
const spread = (xs: number[]) =>
  `${ms(median(xs))} (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;

function line(label: string, key: 'firstMs' | 'updateMs', target: number): boolean {
  const ours = result.ours.map((s: Sample) => s[key]);
  const base = result.baseline.map((s: Sample) => s[key]);
  const ok = median(ours) <= target;
  console.log(
    label.padEnd(26) +
      spread(ours).padEnd(26) +
      spread(base).padEnd(28) +
      `${(median(base) / median(ours)).toFixed(1)}x`.padEnd(10) +
      `<= ${target} ms ${ok ? 'met' : 'NOT met'}`,
  );
  return ok;
}

console.log('');
console.log(
  'median (min–max)'.padEnd(26) +
    'ours (virtualized)'.padEnd(26) +
    'baseline (all rows)'.padEnd(28) +
    'base/ours'.padEnd(10) +
    'target',
);
const firstOk = line('first render → paint', 'firstMs', TARGET.firstMs);
const updateOk = line('approve → paint', 'updateMs', TARGET.updateMs);
const core = (key: 'firstMs' | 'updateMs') => spread(result.core.map((s) => s[key]));
console.log(
  'of which the local room'.padEnd(26) +
    `${core('firstMs')} / ${core('updateMs')}  (subscribe / grant until requests$ emits; no DOM)`,
);
const cpuOf = (name: string) => spread(cpu.get(name) ?? [NaN]);
console.log(
  'main-thread CPU, ours'.padEnd(26) +
    `${cpuOf('rtk-stage-queue:first')} / ${cpuOf('rtk-stage-queue:update')}  ` +
    `(first / approve; room alone ${cpuOf('core:first')} / ${cpuOf('core:update')}; traced pass)`,
);
console.log(
  'rows in the DOM'.padEnd(26) +
    String(median(result.ours.map((s) => s.rowsInDom))).padEnd(26) +
    String(median(result.baseline.map((s) => s.rowsInDom))),
);
console.log('');
console.log(
  `targets: first render <= ${TARGET.firstMs} ms ${firstOk ? 'met' : 'NOT met'}, ` +
    `update <= ${TARGET.updateMs} ms ${updateOk ? 'met' : 'NOT met'}`,
);
