/**
 * bench:core: 10,000 viewers connect and all ask to join at once; a host subscribed to
 * requests$ and onStage$ (as an element would be) grants them all in 100 batches, then kicks
 * them all in 100 batches. The same for 20,000, and the ratio of the two: linear cost means
 * a ratio near 2. Prints medians of RUNS runs (default 5).
 *
 *   npm run bench:core            # N=10000 and 2N
 *   N=50000 RUNS=3 npm run bench:core
 */
import { cpuUsage, hrtime } from 'node:process';
import { createLocalStage } from '../src/index.js';
import { median } from './stats.js';

const N = Number(process.env['N'] ?? 10_000);
const RUNS = Number(process.env['RUNS'] ?? 5);
const BATCHES = 100;

interface Figures {
  cpuMs: number;
  wallMs: number;
  commands: number;
}

async function cycle(n: number): Promise<Figures> {
  const room = createLocalStage({ reconnectGraceMs: 60_000 });
  const host = room.connect({ userId: 'host', displayName: 'Host', preset: 'host' });
  let lastRequests = 0;
  let lastOnStage = 0;
  const subs = [
    host.requests$.subscribe((r) => (lastRequests = r.length)),
    host.onStage$.subscribe((s) => (lastOnStage = s.length)),
  ];
  const cpu0 = cpuUsage();
  const t0 = hrtime.bigint();
  const viewers = [];
  for (let i = 0; i < n; i++) {
    viewers.push(room.connect({ userId: `v${i}`, displayName: `Viewer ${i}`, preset: 'viewer' }));
  }
  await Promise.all(viewers.map((v) => v.requestAccess()));
  const ids = viewers.map((v) => v.userId);
  const size = Math.ceil(n / BATCHES);
  for (let b = 0; b < BATCHES; b++) {
    const r = await host.grantAccess(ids.slice(b * size, (b + 1) * size));
    if (r.failed.length > 0) throw new Error(`grant failed: ${r.failed[0]!.message}`);
  }
  await Promise.all(viewers.map((v) => v.join()));
  if (lastOnStage !== n) throw new Error(`expected ${n} on stage, host saw ${lastOnStage}`);
  for (let b = 0; b < BATCHES; b++) {
    const r = await host.kick(ids.slice(b * size, (b + 1) * size));
    if (r.failed.length > 0) throw new Error(`kick failed: ${r.failed[0]!.message}`);
  }
  await Promise.resolve();
  const wallMs = Number(hrtime.bigint() - t0) / 1e6;
  const cpu = cpuUsage(cpu0);
  if (lastRequests !== 0 || lastOnStage !== 0) throw new Error('lists did not drain');
  for (const s of subs) s.unsubscribe();
  room.close();
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs, commands: n * 3 + BATCHES * 2 };
}

async function measure(n: number) {
  await cycle(Math.min(n, 2000)); // warm up the JIT
  const runs: Figures[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await cycle(n));
  const cpuMs = median(runs.map((r) => r.cpuMs));
  const wallMs = median(runs.map((r) => r.wallMs));
  const commands = runs[0]!.commands;
  console.log(
    `n=${n}: cpu ${cpuMs.toFixed(0)} ms, wall ${wallMs.toFixed(0)} ms, ` +
      `${Math.round(commands / (wallMs / 1000))} commands/s (median of ${RUNS})`,
  );
  return cpuMs;
}

const a = await measure(N);
const b = await measure(N * 2);
console.log(`ratio cpu(${N * 2})/cpu(${N}) = ${(b / a).toFixed(2)} (linear ≈ 2, target ≤ 2.5)`);
console.log(`target: the ${N} cycle under 1000 ms cpu: ${a < 1000 ? 'met' : 'NOT met'}`);
