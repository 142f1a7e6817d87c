/**
 * bench:server: the rtk-stage server under N client sockets in one room (issue 4, Performance).
 *
 * This process runs the rtk-stage server, a plain `ws` server for comparison, and the host's
 * sockets; a forked process (bench/server-clients.ts) runs the N client sockets. Both read one
 * monotonic clock (see server-ipc.ts), so "sent here" and "received there" compare. Figures:
 *
 *   (a) rtk-stage fan-out: the host sends a command that changes the lists everyone sees
 *       (requestAccess → join → leave, cycled; the host's preset self-accepts); latency from
 *       the command frame sent to the LAST of the N clients receiving the 'pub' delta.
 *   (b) the same through a raw `ws` server: a trigger frame from the host socket, answered by a
 *       broadcast of the very bytes of (a)'s 'pub' frame to every socket. Rounds of (a) and (b)
 *       alternate (when the fd limit allows both socket sets at once), so machine noise hits
 *       both alike. Ratio (a)/(b) at p50 and p99.
 *   (c) 500 viewers send requestAccess at once; latency from each cmd frame sent to the host
 *       receiving that viewer's newStageRequest event. p99 per burst, median of bursts (the
 *       host denies them all between bursts). Reference: the same bursts through the raw server
 *       doing the same frame I/O (2 frames to the viewer, 2 to the host) and nothing else.
 *       Each figure also gets this process's CPU time per round/burst (the server and the host
 *       socket): on a busy machine, CPU time varies much less than latency.
 *   (d) server memory per client: heapUsed and RSS (after forced GC) before and after the N
 *       stage clients log in, divided by N. The raw ws server's figure is printed alongside.
 *
 *   npm run bench:server              # N=2000
 *   N=10000 npm run bench:server      # needs `ulimit -n` above N (+ N again to alternate)
 *   ROUNDS=50 WARMUP=5 BURSTS=5 REQUESTERS=500 npm run bench:server
 *
 * Everything listens on 127.0.0.1 and stops by itself.
 */
import { execSync, fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { cpuUsage } from 'node:process';
import { fileURLToPath } from 'node:url';
import { getHeapSpaceStatistics } from 'node:v8';
import { WebSocket, WebSocketServer } from 'ws';
import { MAX_FRAME_BYTES } from '../src/model/index.js';
import { createStageServer, signToken } from '../src/server/index.js';
import { nowMs, type Group, type ToChild, type ToParent } from './server-ipc.js';
import { percentile } from './stats.js';

const int = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`bench:server: ${name} must be a positive integer, got "${raw}".`);
    process.exit(2);
  }
  return n;
};

const N = int('N', 2000);
const ROUNDS = int('ROUNDS', 50);
const WARMUP = int('WARMUP', 5);
const BURSTS = int('BURSTS', 5);
const REQUESTERS = Math.min(int('REQUESTERS', 500), N);
const GAP_MS = 25;
const ROUND_TIMEOUT_MS = 20_000;
const DEADLINE_MS = int('DEADLINE_MS', 10 * 60_000);
/** VERBOSE=1: per-round figures, and clock marks to cut a --cpu-prof profile into phases. */
const VERBOSE = Boolean(process.env['VERBOSE']);
const TARGET = { ratio: 1.5, requestP99Ms: 100, perClientKB: 30 };

const SECRET = 'bench-server-secret-0123456789abcdef';
const ROOM = 'bench';
/** Each host command changes the lists everyone sees: OFF → ACCEPTED (seated) → ON (onStage) → OFF. */
const CYCLE = ['requestAccess', 'join', 'leave'] as const;

// ---- helpers ---------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A phase boundary on the shared clock (µs in a .cpuprofile = this × 1000). */
const mark = (what: string) => VERBOSE && console.log(`  [clock ${nowMs().toFixed(1)} ms] ${what}`);
const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = cpuUsage(since);
  return (d.user + d.system) / 1000;
};
const median = (xs: readonly number[]) => percentile(xs, 0.5);
const ms = (x: number) => `${x.toFixed(1)} ms`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');

/** The shell's `ulimit -n` (read once: with no descriptor left, a shell cannot start). */
let fdLimitRead: number | undefined;
function fdLimit(): number | undefined {
  if (fdLimitRead !== undefined) return fdLimitRead;
  try {
    const out = execSync('ulimit -n', { encoding: 'utf8', shell: '/bin/sh' }).trim();
    return (fdLimitRead = out === 'unlimited' ? Infinity : Number(out));
  } catch {
    return undefined;
  }
}

function emfileHelp(where: string): string {
  return (
    `${where} ran out of file descriptors (EMFILE). N=${N} needs more than ${N + 100} ` +
    `open files per process (${2 * N + 200} to alternate the two servers' rounds); ` +
    `this shell allows ${fdLimit() ?? 'unknown'}. Raise it with \`ulimit -n 65536\` and run again.`
  );
}

interface Burst {
  p50: number;
  p99: number;
  /** This process's CPU time from the first request sent to the host's last event. */
  cpu: number;
}

interface Memory {
  heap: number;
  rss: number;
  /** V8's young generation (reserved, resident): it grows under allocation, whatever N is. */
  young: number;
}

/** Forced GC (node --expose-gc), then memory figures. */
async function memory(): Promise<Memory> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await sleep(50);
  }
  const m = process.memoryUsage();
  const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  return { heap: m.heapUsed, rss: m.rss, young: young?.space_size ?? 0 };
}

// ---- the client process ----------------------------------------------------------------------

interface Waiter {
  match(m: ToParent): boolean;
  resolve(m: ToParent): void;
  reject(e: Error): void;
}

/** The forked client process and its messages, awaited by predicate. */
class Clients {
  private readonly child: ChildProcess;
  private readonly backlog: ToParent[] = [];
  private readonly waiters = new Set<Waiter>();
  private dead: Error | undefined;

  constructor() {
    const path = fileURLToPath(new URL('./server-clients.ts', import.meta.url));
    this.child = fork(path, [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    this.child.on('message', (m: ToParent) => this.receive(m));
    this.child.on('exit', (code, signal) => {
      this.fail(new Error(`the client process exited (${signal ?? code}) before the bench ended`));
    });
  }

  send(m: ToChild): void {
    if (this.dead) throw this.dead;
    this.child.send(m);
  }

  /** The next message matching, from the backlog or as it arrives. */
  next<T extends ToParent['op']>(
    op: T,
    what: string,
    match: (m: Extract<ToParent, { op: T }>) => boolean = () => true,
    timeoutMs = ROUND_TIMEOUT_MS,
  ): Promise<Extract<ToParent, { op: T }>> {
    const test = (m: ToParent): m is Extract<ToParent, { op: T }> =>
      m.op === op && match(m as Extract<ToParent, { op: T }>);
    const i = this.backlog.findIndex(test);
    if (i >= 0)
      return Promise.resolve(this.backlog.splice(i, 1)[0] as Extract<ToParent, { op: T }>);
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match: test,
        resolve: (m) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(m as Extract<ToParent, { op: T }>);
        },
        reject: (e) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          reject(e);
        },
      };
      const timer = setTimeout(() => void this.timedOut(waiter, what, timeoutMs), timeoutMs);
      this.waiters.add(waiter);
    });
  }

  async close(): Promise<void> {
    if (this.dead) return;
    this.child.removeAllListeners('exit');
    this.child.send({ op: 'exit' } satisfies ToChild);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.child.kill();
        resolve();
      }, 3000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.dead = new Error('closed');
  }

  private async timedOut(waiter: Waiter, what: string, timeoutMs: number): Promise<void> {
    let detail = '';
    try {
      this.child.send({ op: 'status' } satisfies ToChild);
      const s = await new Promise<ToParent>((resolve, reject) => {
        const w: Waiter = { match: (m) => m.op === 'status', resolve, reject };
        this.waiters.add(w);
        setTimeout(() => reject(new Error('no status')), 2000).unref();
      });
      if (s.op === 'status') detail = ` (client process: ${JSON.stringify(s.groups)})`;
    } catch {
      // the figure is lost either way
    }
    waiter.reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`));
  }

  private receive(m: ToParent): void {
    if (m.op === 'error') {
      const emfile = m.code === 'EMFILE' || m.code === 'ENFILE';
      return this.fail(
        new Error(emfile ? emfileHelp('the client process') : `client process: ${m.message}`),
      );
    }
    if (m.op === 'lost') {
      return this.fail(new Error(`a ${m.group} client socket closed ${m.code}: ${m.reason}`));
    }
    for (const w of this.waiters) {
      if (w.match(m)) {
        this.waiters.delete(w);
        return w.resolve(m);
      }
    }
    this.backlog.push(m);
  }

  private fail(error: Error): void {
    this.dead ??= error;
    for (const w of [...this.waiters]) w.reject(error);
  }
}

// ---- the host: a raw socket in this process ---------------------------------------------------

class Host {
  /** Every 'pub' frame received, as sent. */
  readonly pubs: string[] = [];
  /** newStageRequest events: userId → receive time. */
  readonly requests = new Map<string, number>();
  private readonly results = new Map<string, (frame: { ok: boolean; message?: string }) => void>();
  private onRequest: (() => void) | undefined;
  private seq = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const t = nowMs();
      const text = data.toString();
      const frame = JSON.parse(text) as {
        t: string;
        id?: string;
        ok?: boolean;
        message?: string;
        e?: { type: string; request?: { userId: string } };
      };
      if (frame.t === 'pub') this.pubs.push(text);
      else if (frame.t === 'ev' && frame.e?.type === 'newStageRequest') {
        this.requests.set(frame.e.request!.userId, t);
        this.onRequest?.();
      } else if (frame.t === 'result') {
        this.results.get(frame.id!)?.(frame as { ok: boolean; message?: string });
        this.results.delete(frame.id!);
      }
    });
  }

  /** A host socket: logged in with `token` (rtk-stage), or without one (the raw server). */
  static async connect(url: string, token?: string): Promise<Host> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      if (token === undefined) return void ws.once('open', () => resolve());
      ws.on('message', function first(data: Buffer) {
        if (!data.toString().startsWith('{"t":"welcome"')) return;
        ws.off('message', first);
        resolve();
      });
      ws.once('open', () => ws.send(JSON.stringify({ t: 'hello', v: 1, token })));
    });
    return new Host(ws);
  }

  /** Sends a command; resolves when its result comes back (rejects when it fails). */
  command(cmd: string, userIds?: string[]): { sent: Promise<void> } {
    const id = `h${++this.seq}`;
    const sent = new Promise<void>((resolve, reject) => {
      this.results.set(id, (r) =>
        r.ok ? resolve() : reject(new Error(`host ${cmd} failed: ${r.message}`)),
      );
    });
    this.ws.send(JSON.stringify({ t: 'cmd', id, cmd, ...(userIds ? { userIds } : {}) }));
    return { sent };
  }

  waitRequests(count: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.onRequest = undefined;
        reject(new Error(`the host saw ${this.requests.size} of ${count} newStageRequest events`));
      }, ROUND_TIMEOUT_MS);
      this.onRequest = () => {
        if (this.requests.size < count) return;
        clearTimeout(timer);
        this.onRequest = undefined;
        resolve();
      };
    });
  }
}

// ---- the bench -------------------------------------------------------------------------------

async function main(): Promise<void> {
  const limit = fdLimit();
  if (limit !== undefined && limit < N + 100) {
    throw new Error(
      `N=${N} needs more than ${N + 100} open files per process (${2 * N + 200} to alternate ` +
        `the two servers' rounds), and this shell allows ${limit}: raise it with ` +
        '`ulimit -n 65536` (or lower N) and run again.',
    );
  }
  const alternate = limit === undefined || limit >= 2 * N + 200;
  if (!(globalThis as { gc?: unknown }).gc) {
    console.warn('bench:server: no --expose-gc; memory figures are taken without a forced GC.');
  }
  console.log(
    `bench:server: N=${N} clients in one room, ${ROUNDS} rounds (+${WARMUP} warm-up), ` +
      `${REQUESTERS} requesters × ${BURSTS} bursts; loopback; node ${process.version}, ` +
      `${availableParallelism()} CPUs; ulimit -n ${limit ?? '?'}`,
  );

  const server = await createStageServer({
    port: 0,
    host: '127.0.0.1',
    secret: SECRET,
    logLevel: 'silent',
    rateLimit: { burst: 1e9, perSecond: 1e9, abuseLimit: 1e9 },
    maxConnectionsPerUser: 8,
  });
  const url = `ws://127.0.0.1:${server.port}/stage`;

  const raw = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    perMessageDeflate: false,
    maxPayload: MAX_FRAME_BYTES,
  });
  await new Promise<void>((resolve) => raw.once('listening', () => resolve()));
  const rawUrl = `ws://127.0.0.1:${(raw.address() as { port: number }).port}/`;
  /** What the raw server broadcasts for the next trigger (the bytes of the stage round's 'pub'). */
  let rawFrame = '';
  let trigger: WebSocket | undefined;
  raw.on('connection', (ws) => {
    if (!trigger) {
      trigger = ws; // the first socket is the host's
      ws.on('message', () => {
        for (const c of raw.clients) c.send(rawFrame);
      });
      return;
    }
    // (c) through the raw server: the same frame I/O as rtk-stage's requestAccess (a 'self'
    // frame and a 'result' to the viewer, an 'ev' and a 'priv' to the host), none of its work.
    ws.on('message', (data: Buffer) => {
      const f = JSON.parse(data.toString()) as { id: string; u: string };
      const request = {
        userId: f.u,
        displayName: `Viewer ${f.u.slice(1)}`,
        requestedAt: Date.now(),
      };
      const v = ++rawVersion;
      ws.send(JSON.stringify({ t: 'self', v, pv: v - 1, self: rawSelf }));
      trigger!.send(JSON.stringify({ t: 'ev', e: { type: 'newStageRequest', count: v, request } }));
      trigger!.send(
        JSON.stringify({ t: 'priv', v, pv: v - 1, queueAdd: [request], set: [request] }),
      );
      ws.send(JSON.stringify({ t: 'result', id: f.id, ok: true }));
    });
  });
  let rawVersion = 0;
  const rawSelf = {
    status: 'REQUESTED_TO_JOIN_STAGE',
    permissions: { stageEnabled: true, stageAccess: 'CAN_REQUEST', acceptStageRequests: false },
    displayName: 'Viewer 0',
    position: 0,
    requestedAt: Date.now(),
    o: 0,
  };

  const clients = new Clients();
  let finished = false;
  const deadline = setTimeout(() => {
    if (finished) return;
    console.error(`bench:server: still running after ${DEADLINE_MS} ms; stopping.`);
    process.exit(1);
  }, DEADLINE_MS);
  deadline.unref();

  try {
    await clients.next('ready', 'the client process to start', undefined, 30_000);
    const hostToken = await signToken(
      { sub: 'host', name: 'Host', room: ROOM, preset: 'host' },
      SECRET,
      '1h',
    );
    const host = await Host.connect(url, hostToken);
    const hostRaw = await Host.connect(rawUrl);

    const open = async (group: Group): Promise<number> => {
      const extra = group === 'stage' ? { secret: SECRET, room: ROOM } : {};
      clients.send({ op: 'open', group, url: group === 'stage' ? url : rawUrl, n: N, ...extra });
      const m = await clients.next(
        'opened',
        `${N} ${group} sockets`,
        (m) => m.group === group,
        120_000,
      );
      return m.ms;
    };
    const close = async (group: Group): Promise<void> => {
      clients.send({ op: 'close', group });
      await clients.next(
        'closed',
        `the ${group} sockets to close`,
        (m) => m.group === group,
        30_000,
      );
    };

    // (d) memory per client, around the N stage logins.
    const mem0 = await memory();
    const stageOpenMs = await open('stage');
    await sleep(200);
    const mem1 = await memory();
    console.log(`  ${N} stage clients logged in in ${(stageOpenMs / 1000).toFixed(1)} s`);
    let rawMem: { heap: number; rss: number } | undefined;
    if (alternate) rawMem = await openRaw();

    async function openRaw(): Promise<{ heap: number; rss: number }> {
      const before = await memory();
      const t = await open('raw');
      await sleep(200);
      const after = await memory();
      console.log(`  ${N} raw ws clients connected in ${(t / 1000).toFixed(1)} s`);
      return { heap: (after.heap - before.heap) / N, rss: (after.rss - before.rss) / N };
    }

    // (a) and (b): rounds.
    const stageLat: number[] = [];
    const rawLat: number[] = [];
    /** This process's CPU time (the server, and the host socket) per round: noise-resistant. */
    const stageCpu: number[] = [];
    const rawCpu: number[] = [];
    let stageRound = 0;
    let rawRound = 0;
    const roundStage = async (i: number): Promise<void> => {
      const idx = stageRound++;
      const pubs = host.pubs.length;
      const done = clients.next(
        'round',
        `stage round ${idx}`,
        (m) => m.group === 'stage' && m.idx === idx,
      );
      const cpu0 = cpuUsage();
      const t0 = nowMs();
      const { sent } = host.command(CYCLE[i % CYCLE.length]!);
      const [r] = await Promise.all([done, sent]);
      const cpu = cpuMs(cpu0);
      if (host.pubs.length !== pubs + 1) {
        throw new Error(
          `expected one 'pub' frame per host command, got ${host.pubs.length - pubs}`,
        );
      }
      if (i >= WARMUP) stageLat.push(r.last - t0);
      if (i >= WARMUP) stageCpu.push(cpu);
    };
    const roundRaw = async (i: number): Promise<void> => {
      const idx = rawRound++;
      rawFrame = host.pubs[i]!;
      const done = clients.next(
        'round',
        `raw round ${idx}`,
        (m) => m.group === 'raw' && m.idx === idx,
      );
      const cpu0 = cpuUsage();
      const t0 = nowMs();
      hostRaw.ws.send(`{"t":"cmd","id":"b${i}","cmd":"${CYCLE[i % CYCLE.length]}"}`);
      const r = await done;
      const cpu = cpuMs(cpu0);
      if (i >= WARMUP) rawLat.push(r.last - t0);
      if (i >= WARMUP) rawCpu.push(cpu);
    };

    const total = WARMUP + ROUNDS;
    mark('rounds (a)/(b) start');
    if (alternate) {
      for (let i = 0; i < total; i++) {
        await roundStage(i);
        await sleep(GAP_MS);
        await roundRaw(i);
        await sleep(GAP_MS);
      }
    } else {
      console.log(
        `  (ulimit -n ${limit} < ${2 * N + 200}: the two servers' rounds run one after the other)`,
      );
      for (let i = 0; i < total; i++) {
        await roundStage(i);
        await sleep(GAP_MS);
      }
    }

    // (c) requestAccess bursts.
    mark('bursts (c) start');
    const stageBursts: Burst[] = [];
    const rawBursts: Burst[] = [];
    const burst = async (group: Group): Promise<Burst> => {
      const h = group === 'stage' ? host : hostRaw;
      h.requests.clear();
      const seen = h.waitRequests(REQUESTERS);
      const cpu0 = cpuUsage();
      clients.send({ op: 'command', group, count: REQUESTERS, cmd: 'requestAccess' });
      const { userIds, times } = await clients.next('commanded', `the ${group} burst`);
      await seen;
      const cpu = cpuMs(cpu0);
      const lat = userIds.map((u, k) => h.requests.get(u)! - times[k]!);
      if (group === 'stage') await host.command('denyAccess', userIds).sent;
      await sleep(300);
      return { p50: percentile(lat, 0.5), p99: percentile(lat, 0.99), cpu };
    };
    for (let b = 0; b < BURSTS; b++) {
      stageBursts.push(await burst('stage'));
      if (alternate) rawBursts.push(await burst('raw'));
    }
    mark('bursts (c) end');
    const frameBytes = Buffer.byteLength(host.pubs[WARMUP]!);
    const frameSizes = host.pubs.slice(0, 3).map((f) => Buffer.byteLength(f));

    await close('stage');
    host.ws.close();
    if (alternate) await close('raw');

    if (!alternate) {
      rawMem = await openRaw();
      for (let i = 0; i < total; i++) {
        await roundRaw(i);
        await sleep(GAP_MS);
      }
      for (let b = 0; b < BURSTS; b++) rawBursts.push(await burst('raw'));
      await close('raw');
    }
    hostRaw.ws.close();

    // ---- summary --------------------------------------------------------------------------
    const a50 = percentile(stageLat, 0.5);
    const a99 = percentile(stageLat, 0.99);
    const b50 = percentile(rawLat, 0.5);
    const b99 = percentile(rawLat, 0.99);
    const r50 = a50 / b50;
    const r99 = a99 / b99;
    const c99 = median(stageBursts.map((b) => b.p99));
    const c50 = median(stageBursts.map((b) => b.p50));
    const cWorst = Math.max(...stageBursts.map((b) => b.p99));
    const cr99 = median(rawBursts.map((b) => b.p99));
    const cr50 = median(rawBursts.map((b) => b.p50));
    const aCpu = median(stageCpu);
    const bCpu = median(rawCpu);
    const cCpu = median(stageBursts.map((b) => b.cpu));
    const crCpu = median(rawBursts.map((b) => b.cpu));
    const heapPer = (mem1.heap - mem0.heap) / N;
    const rssPer = (mem1.rss - mem0.rss) / N;
    const youngPer = (mem1.young - mem0.young) / N;
    const perClient = Math.max(heapPer, rssPer);
    if (VERBOSE) {
      console.log(`  (a) per round, ms: ${stageLat.map((x) => x.toFixed(0)).join(' ')}`);
      console.log(`  (b) per round, ms: ${rawLat.map((x) => x.toFixed(0)).join(' ')}`);
      const p99s = (bs: Burst[]) => bs.map((b) => b.p99.toFixed(0)).join(' ');
      console.log(`  (c) p99 per burst, ms: ${p99s(stageBursts)}; raw ws: ${p99s(rawBursts)}`);
    }
    const lines = [
      '',
      `==== bench:server summary: N=${N}, ${ROUNDS} rounds after ${WARMUP} warm-up, 127.0.0.1 ====`,
      `(a) rtk-stage fan-out, host cmd -> last of ${N} gets 'pub' (${frameSizes.join('/')} B):  p50 ${ms(a50)}   p99 ${ms(a99)}`,
      `(b) raw ws broadcast of the same bytes, same trigger:            p50 ${ms(b50)}   p99 ${ms(b99)}`,
      `    ratio (a)/(b):  p50 ${r50.toFixed(2)}   p99 ${r99.toFixed(2)}      target <= ${TARGET.ratio}: ${verdict(r50 <= TARGET.ratio && r99 <= TARGET.ratio)}`,
      `    server-process CPU per round (median): rtk-stage ${ms(aCpu)}, raw ws ${ms(bCpu)}, ratio ${(aCpu / bCpu).toFixed(2)}`,
      `    (rounds ${alternate ? 'alternate between the two servers' : 'of (b) run after (a)'}; p99 of ${ROUNDS} rounds is their ${ROUNDS < 100 ? 'maximum' : '99th percentile'})`,
      `(c) requestAccess -> host's newStageRequest, ${REQUESTERS} at once: p99 ${ms(c99)}   p50 ${ms(c50)}   (median of ${BURSTS} bursts; worst p99 ${ms(cWorst)})`,
      `    target <= ${TARGET.requestP99Ms} ms: ${verdict(c99 <= TARGET.requestP99Ms)}`,
      `    reference, raw ws server doing the same frame I/O (4 frames per request): p99 ${ms(cr99)}   p50 ${ms(cr50)}   ratio p99 ${(c99 / cr99).toFixed(2)}`,
      `    server-process CPU per burst (median): rtk-stage ${ms(cCpu)}, raw ws ${ms(crCpu)}, ratio ${(cCpu / crCpu).toFixed(2)}`,
      `(d) server memory per client: heapUsed ${kb(heapPer)}, RSS ${kb(rssPer)}   target <= ${TARGET.perClientKB} KB (both): ${verdict(perClient <= TARGET.perClientKB * 1024)}`,
      `    (RSS includes ${kb(youngPer)}/client of V8 young-generation growth, which follows the login burst's allocation rate, not N;`,
      `     raw ws server, measured after, on a grown heap: heapUsed ${kb(rawMem!.heap)}, RSS ${kb(rawMem!.rss)} per client${(globalThis as { gc?: unknown }).gc ? '' : '; no --expose-gc'})`,
      `    frame sizes of the cycle requestAccess/join/leave; first measured frame ${frameBytes} B`,
      '',
    ];
    console.log(lines.join('\n'));
    finished = true;
    await server.close();
  } finally {
    finished = true;
    // After a failure sockets may still be open; the raw server's close waits for them, so
    // they are ended here, and the cleanup gets a few seconds at most.
    const cleanup = async () => {
      await clients.close();
      for (const c of raw.clients) c.terminate();
      await new Promise<void>((resolve) => raw.close(() => resolve()));
    };
    await Promise.race([cleanup(), sleep(5000)]);
  }
}

process.on('uncaughtException', (error: NodeJS.ErrnoException) => {
  console.error(
    error.code === 'EMFILE' || error.code === 'ENFILE'
      ? `bench:server failed: ${emfileHelp('the server process')}`
      : `bench:server: ${error.stack ?? error.message}`,
  );
  process.exit(1);
});

try {
  await main();
  process.exit(0);
} catch (error) {
  const e = error as NodeJS.ErrnoException;
  console.error(
    e.code === 'EMFILE' || e.code === 'ENFILE'
      ? `bench:server failed: ${emfileHelp('the server process')}`
      : `bench:server failed: ${e.message}`,
  );
  process.exit(1);
}
