/**
 * bench:redis: rtk-stage servers sharing a room through Redis, beside the in-memory server,
 * measured in the same run (issue 6, Performance).
 *
 * Processes: this one (redis-server started here on a free port, the host sockets, and the
 * orchestration); one process per stage server (bench/redis-node.ts): the in-memory server
 * "mem", and Redis nodes "A" and "B" on the same redis-server; one client process
 * (bench/redis-clients.ts) with every other socket. All read one monotonic clock. (Unlike
 * bench:server, the in-memory server runs in a process of its own, as the Redis nodes do.)
 * Figures:
 *
 *   (1) commands per second applied on one room: K viewer sockets each loop requestAccess /
 *       cancelRequestAccess, one command in flight each; ok results received within a fixed
 *       window, per second. Three set-ups, in rotation (TRIALS times each, medians): the
 *       in-memory server; Redis with 1 node (all K on A); Redis with 2 nodes (K/2 on A, K/2 on
 *       B, one room). Also the command latency, and the servers' CPU time per command
 *       (for Redis: the nodes plus redis-server), which noise on a shared machine moves less.
 *   (2) fan-out: a host sends a command that changes what everyone sees (requestAccess → join
 *       → leave, cycled; the host preset self-accepts), and the latency runs from the command
 *       frame sent to the LAST of N clients receiving the 'pub' delta. In memory: N clients on
 *       one server. Redis: the host on node A, N/2 clients on A and N/2 on B. Rounds of the two
 *       alternate, so machine noise hits both alike. Ratios Redis / in-memory at p50 and p99;
 *       target: p99 at most 2x.
 *
 *   npm run bench:redis                          # N=2000, K=16, TRIALS=5, ROUNDS=100
 *   N=4000 K=32 ROUNDS=200 npm run bench:redis   # N needs `ulimit -n` above 2N
 *   VERBOSE=1 npm run bench:redis                # per-trial and per-round figures
 *   PHASES=load SETUPS=1 PROFILE=1 npm run bench:redis
 *       # only figure (1), only the 1-node set-up; .cpuprofile files of each server process
 *       # in bench/results/redis-prof/<mem|A|B>/ (PHASES=load,fanout; SETUPS=mem,1,2)
 *
 * Everything listens on 127.0.0.1 and stops by itself (DEADLINE_MS, default 4 min).
 */
import { execSync, fork, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { signToken } from '../src/server/index.js';
import type { StageServerOptions } from '../src/server/index.js';
import { RedisProcess } from '../test/redis/support.js';
import { median, percentile } from './stats.js';
import {
  nowMs,
  type FromClients,
  type FromNode,
  type ToClients,
  type ToNode,
} from './redis-ipc.js';

const int = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`bench:redis: ${name} must be a positive integer, got "${raw}".`);
    process.exit(2);
  }
  return n;
};

/** Fan-out clients (half on each Redis node). */
const N = 2 * Math.ceil(int('N', 2000) / 2);
/** Command-loop sockets for the throughput figure (half on each node with 2 nodes). */
const K = 2 * Math.ceil(int('K', 16) / 2);
const TRIALS = int('TRIALS', 5);
const LOAD_WARMUP_MS = int('LOAD_WARMUP_MS', 500);
const LOAD_WINDOW_MS = int('LOAD_WINDOW_MS', 2000);
const ROUNDS = int('ROUNDS', 100);
const WARMUP = int('WARMUP', 5);
const GAP_MS = 25;
const ROUND_TIMEOUT_MS = 20_000;
const DEADLINE_MS = int('DEADLINE_MS', 4 * 60_000);
/** SETUPS=mem,1,2: which set-ups of (1) run (to profile one alone). */
const SETUPS = new Set((process.env['SETUPS'] ?? 'mem,1,2').split(',').map((s) => s.trim()));
const PHASES = new Set((process.env['PHASES'] ?? 'load,fanout').split(',').map((s) => s.trim()));
/** VERBOSE=1: per-round and per-trial figures. */
const VERBOSE = Boolean(process.env['VERBOSE']);
/**
 * PROFILE=1: each server process writes .cpuprofile files (its main thread and tsx's loader
 * thread; the largest is the main one) into PROFILE_DIR/<mem|A|B> when it stops.
 */
const PROFILE = Boolean(process.env['PROFILE']);
const PROFILE_DIR = process.env['PROFILE_DIR'] ?? 'bench/results/redis-prof';
const TARGET_P99_RATIO = 2;

const SECRET = 'bench-redis-secret-0123456789abcdef';
/** Each host command changes the lists everyone sees: OFF → ACCEPTED (seated) → ON → OFF. */
const CYCLE = ['requestAccess', 'join', 'leave'] as const;
const SERVER_OPTIONS: StageServerOptions = {
  secret: SECRET,
  rateLimit: { burst: 1e9, perSecond: 1e9, abuseLimit: 1e9 },
  maxConnectionsPerUser: 8,
};

// ---- helpers ---------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const ms = (x: number) => `${x.toFixed(1)} ms`;
const pad = (s: string, n: number) => s.padEnd(n);
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');

interface Waiter<M> {
  match(m: M): boolean;
  resolve(m: M): void;
  reject(e: Error): void;
}

/** A forked child and its messages, awaited by predicate (unclaimed ones wait in a backlog). */
class Child<In, Out extends { op: string }> {
  protected readonly child: ChildProcess;
  private readonly backlog: Out[] = [];
  private readonly waiters = new Set<Waiter<Out>>();
  private dead: Error | undefined;

  constructor(
    readonly name: string,
    script: string,
    execArgv: string[],
    env: NodeJS.ProcessEnv,
    private readonly onMessage?: (m: Out) => Error | undefined,
  ) {
    const path = fileURLToPath(new URL(script, import.meta.url));
    this.child = fork(path, [], {
      execArgv: ['--import', 'tsx', ...execArgv],
      env: { ...process.env, ...env },
      stdio: 'inherit',
    });
    this.child.on('message', (m: Out) => this.receive(m));
    this.child.on('exit', (code, signal) => {
      this.fail(new Error(`${name} exited (${signal ?? code}) before the bench ended`));
    });
  }

  send(m: In): void {
    if (this.dead) throw this.dead;
    this.child.send(m as object);
  }

  next<T extends Out['op']>(
    op: T,
    what: string,
    match: (m: Extract<Out, { op: T }>) => boolean = () => true,
    timeoutMs = ROUND_TIMEOUT_MS,
  ): Promise<Extract<Out, { op: T }>> {
    type M = Extract<Out, { op: T }>;
    const test = (m: Out): boolean => m.op === op && match(m as M);
    const i = this.backlog.findIndex(test);
    if (i >= 0) return Promise.resolve(this.backlog.splice(i, 1)[0] as M);
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        void this.describeTimeout().then((detail) =>
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`)),
        );
      }, timeoutMs);
      const waiter: Waiter<Out> = {
        match: test,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as M);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.waiters.add(waiter);
    });
  }

  /** Extra words for a timeout (the client process says how far its groups got). */
  protected describeTimeout(): Promise<string> {
    return Promise.resolve('');
  }

  /** Asks it to stop (`bye`), and kills it after 5 s. */
  async stop(bye: In): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.removeAllListeners('exit');
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    try {
      this.child.send(bye as object);
    } catch {
      // already disconnected
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    this.dead ??= new Error(`${this.name} stopped`);
  }

  private receive(m: Out): void {
    const error = this.onMessage?.(m);
    if (error) return this.fail(error);
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
    this.waiters.clear();
  }
}

/** A stage server process: in memory, or a node on Redis. */
class StageProcess extends Child<ToNode, FromNode> {
  port = 0;

  static async start(name: string, redisUrl?: string): Promise<StageProcess> {
    const prof = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}/${name}`] : [];
    const env = {
      BENCH_NODE_OPTIONS: JSON.stringify(SERVER_OPTIONS),
      BENCH_REDIS_URL: redisUrl ?? '',
    };
    const p = new StageProcess(name, './redis-node.ts', prof, env, (m) =>
      m.op === 'failed' ? new Error(`${name}: ${m.message}`) : undefined,
    );
    p.port = (await p.next('listening', `${name} to listen`, undefined, 30_000)).port;
    return p;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/stage`;
  }

  /** CPU time (user + system) the process has used, ms. */
  async cpu(): Promise<number> {
    this.send({ op: 'cpu' });
    return (await this.next('cpu', `${this.name}'s CPU time`)).us / 1000;
  }
}

/** The client process. */
class Clients extends Child<ToClients, FromClients> {
  constructor() {
    super('the client process', './redis-clients.ts', [], {}, (m) => {
      if (m.op === 'error') {
        const emfile = m.code === 'EMFILE' || m.code === 'ENFILE';
        return new Error(
          emfile
            ? `the client process ran out of file descriptors; raise \`ulimit -n\` (it needs more than ${2 * N + 2 * K + 100})`
            : `client process: ${m.message}`,
        );
      }
      if (m.op === 'lost') {
        return new Error(`a ${m.group} client socket closed ${m.code}: ${m.reason}`);
      }
      return undefined;
    });
  }

  protected override async describeTimeout(): Promise<string> {
    try {
      this.send({ op: 'status' });
      const s = await this.next('status', 'status', undefined, 2000);
      return ` (client process: ${JSON.stringify(s.groups)})`;
    } catch {
      return '';
    }
  }

  async open(
    group: string,
    room: string,
    targets: { url: string; n: number }[],
    timeoutMs = 120_000,
  ): Promise<number> {
    this.send({ op: 'open', group, room, secret: SECRET, targets });
    const n = targets.reduce((s, t) => s + t.n, 0);
    return (await this.next('opened', `${n} ${group} sockets`, (m) => m.group === group, timeoutMs))
      .ms;
  }

  async close(group: string): Promise<void> {
    this.send({ op: 'close', group });
    await this.next('closed', `${group} sockets to close`, (m) => m.group === group, 30_000);
  }
}

/** A host: a raw socket in this process, logged in with the host preset. */
class Host {
  pubs = 0;
  private readonly results = new Map<string, (frame: { ok: boolean; message?: string }) => void>();
  private seq = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const text = data.toString();
      if (text.startsWith('{"t":"pub"')) {
        this.pubs++;
        return;
      }
      if (!text.startsWith('{"t":"result"')) return;
      const frame = JSON.parse(text) as { id: string; ok: boolean; message?: string };
      this.results.get(frame.id)?.(frame);
      this.results.delete(frame.id);
    });
  }

  static async connect(url: string, room: string): Promise<Host> {
    const token = await signToken(
      { sub: 'host', name: 'Host', room, preset: 'host' },
      SECRET,
      '1h',
    );
    const ws = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.on('message', function first(data: Buffer) {
        if (!data.toString().startsWith('{"t":"welcome"')) return;
        ws.off('message', first);
        resolve();
      });
      ws.once('open', () => ws.send(JSON.stringify({ t: 'hello', v: 1, token })));
    });
    return new Host(ws);
  }

  /** Sends a command; the promise settles with its result. */
  command(cmd: string): Promise<void> {
    const id = `h${++this.seq}`;
    const done = new Promise<void>((resolve, reject) => {
      this.results.set(id, (r) =>
        r.ok ? resolve() : reject(new Error(`host ${cmd} failed: ${r.message}`)),
      );
    });
    this.ws.send(JSON.stringify({ t: 'cmd', id, cmd }));
    return done;
  }
}

/** redis-server's CPU time (user + system, all threads), ms. */
async function redisCpu(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  let total = 0;
  for (const line of info.split('\n')) {
    const m = /^used_cpu_(sys|user):([\d.]+)/.exec(line.trim());
    if (m) total += Number(m[2]);
  }
  return total * 1000;
}

/** Calls per command name since redis-server started (scripts' inner commands included). */
async function redisCalls(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const calls = new Map<string, number>();
  for (const line of info.split('\n')) {
    const m = /^cmdstat_([\w|]+):calls=(\d+)/.exec(line.trim());
    if (m) calls.set(m[1]!, Number(m[2]));
  }
  return calls;
}

/** The shell's `ulimit -n` (this process's children get the same). */
function fdLimit(): number | undefined {
  try {
    const out = execSync('ulimit -n', { encoding: 'utf8', shell: '/bin/sh' }).trim();
    return out === 'unlimited' ? Infinity : Number(out);
  } catch {
    return undefined;
  }
}

// ---- the bench -------------------------------------------------------------------------------

interface LoadTrial {
  rate: number;
  p50: number;
  p99: number;
  failed: number;
  firstFailure: string | undefined;
  /** Commands answered over the whole run (warm-up included): ok and failed. */
  okTotal: number;
  /** Server CPU per ok command over the whole run, µs: the stage server process(es), redis-server. */
  cpuNodes: number;
  cpuRedis: number;
  /**
   * Redis only, per step applied: compare-and-set appends that lost (the room moved on), and
   * catch-up reads. From INFO commandstats: script calls - PUBLISH (one per step) - XRANGE
   * (one per read) - HSET (one per checkpoint) = appends that lost.
   */
  storeCalls: number;
  reads: number;
}

interface Setup {
  /** Its name in SETUPS. */
  readonly key: 'mem' | '1' | '2';
  readonly label: string;
  readonly group: string;
  readonly room: string;
  readonly targets: { url: string; n: number }[];
  readonly servers: StageProcess[];
  readonly redis: boolean;
  readonly trials: LoadTrial[];
}

async function main(): Promise<void> {
  // The client process holds both fan-out groups at once (the rounds alternate).
  const needed = 2 * N + K + 200;
  const limit = fdLimit();
  if (limit !== undefined && limit < needed) {
    throw new Error(
      `N=${N} needs ${needed} open files in the client process and this shell allows ${limit}: ` +
        'raise it with `ulimit -n 65536` (or lower N) and run again.',
    );
  }
  console.log(
    `bench:redis: N=${N} fan-out clients, K=${K} command loops, ${TRIALS}×${LOAD_WINDOW_MS} ms load windows, ` +
      `${ROUNDS} fan-out rounds (+${WARMUP} warm-up); loopback; node ${process.version}, ` +
      `${availableParallelism()} CPUs`,
  );
  const redisProcess = await RedisProcess.start();
  // An abnormal exit still takes redis-server (and its temp dir) with it: stop() signals it
  // synchronously. Forked children exit by themselves when this process goes away.
  process.on('exit', () => {
    void redisProcess.stop();
    rmSync(redisProcess.dir, { recursive: true, force: true });
  });
  const redis = new Redis(redisProcess.url, { maxRetriesPerRequest: 1 });
  const version = (await redis.info('server')).match(/redis_version:(\S+)/)?.[1] ?? '?';

  const clients = new Clients();
  const [mem, a, b] = await Promise.all([
    StageProcess.start('mem'),
    StageProcess.start('A', redisProcess.url),
    StageProcess.start('B', redisProcess.url),
  ]);
  await clients.next('ready', 'the client process to start', undefined, 30_000);
  console.log(
    `  redis-server ${version} on :${redisProcess.port}; in-memory server :${mem.port}; ` +
      `Redis nodes A :${a.port}, B :${b.port}`,
  );

  const servers = [mem, a, b];
  const stopAll = async () => {
    await clients.stop({ op: 'exit' });
    await Promise.all(servers.map((s) => s.stop({ op: 'close' })));
    redis.disconnect();
    await redisProcess.close();
  };

  try {
    const cpuOf = async (procs: StageProcess[], withRedis: boolean): Promise<number[]> => {
      const parts = await Promise.all([
        ...procs.map((p) => p.cpu()),
        withRedis ? redisCpu(redis) : Promise.resolve(0),
      ]);
      return parts;
    };
    const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

    // ---- (1) commands per second on one room -------------------------------------------------
    const allSetups: Setup[] = [
      {
        key: 'mem',
        label: 'in-memory server',
        group: 'lm',
        room: 'load-mem',
        targets: [{ url: mem.url, n: K }],
        servers: [mem],
        redis: false,
        trials: [],
      },
      {
        key: '1',
        label: 'Redis, 1 node',
        group: 'l1',
        room: 'load-1',
        targets: [{ url: a.url, n: K }],
        servers: [a],
        redis: true,
        trials: [],
      },
      {
        key: '2',
        label: `Redis, 2 nodes (${K / 2}+${K / 2})`,
        group: 'l2',
        room: 'load-2',
        targets: [
          { url: a.url, n: K / 2 },
          { url: b.url, n: K / 2 },
        ],
        servers: [a, b],
        redis: true,
        trials: [],
      },
    ];
    const setups = allSetups.filter((s) => SETUPS.has(s.key));
    if (PHASES.has('load')) {
      for (const s of setups) await clients.open(s.group, s.room, s.targets);
      // Trial -1 warms every set-up up (JIT, connections, Redis scripts) and is not counted.
      for (let t = -1; t < TRIALS; t++) {
        for (const s of setups) {
          const before = await cpuOf(s.servers, s.redis);
          const calls0 = s.redis ? await redisCalls(redis) : undefined;
          clients.send({
            op: 'load',
            group: s.group,
            warmupMs: LOAD_WARMUP_MS,
            windowMs: LOAD_WINDOW_MS,
          });
          const r = await clients.next(
            'loaded',
            `the ${s.label} command load`,
            (m) => m.group === s.group,
            LOAD_WARMUP_MS + LOAD_WINDOW_MS + 15_000,
          );
          const after = await cpuOf(s.servers, s.redis);
          const calls1 = s.redis ? await redisCalls(redis) : undefined;
          const d = (name: string) => (calls1?.get(name) ?? 0) - (calls0?.get(name) ?? 0);
          const steps = Math.max(1, d('publish'));
          const perCmd = (x: number) => (x * 1000) / Math.max(1, r.okTotal);
          const cpu = after.map((x, i) => x - before[i]!);
          const trial: LoadTrial = {
            rate: (r.ok * 1000) / r.windowMs,
            p50: r.p50,
            p99: r.p99,
            failed: r.failed,
            firstFailure: r.firstFailure,
            okTotal: r.okTotal,
            cpuNodes: perCmd(sum(cpu.slice(0, -1))),
            cpuRedis: perCmd(cpu.at(-1)!),
            // Script calls (appends, reads, checkpoints) per step: below 1 when appends carry
            // several steps, above it when lost compare-and-sets make servers retry.
            storeCalls: (d('evalsha') + d('eval')) / steps,
            reads: d('xrange') / steps,
          };
          if (t >= 0) s.trials.push(trial);
          if (VERBOSE) {
            console.log(
              `  (1) ${pad(s.label, 26)} ${t < 0 ? 'warm-up' : `trial ${t}`}: ${trial.rate.toFixed(0)} cmd/s, p50 ${ms(trial.p50)}, ` +
                `p99 ${ms(trial.p99)}, CPU ${trial.cpuNodes.toFixed(0)}+${trial.cpuRedis.toFixed(0)} µs/cmd, ` +
                `${trial.storeCalls.toFixed(2)} store calls/step, ${trial.failed} failed` +
                (trial.firstFailure ? ` (${trial.firstFailure.slice(0, 200)})` : ''),
            );
          }
          await sleep(200);
        }
      }
      for (const s of setups) await clients.close(s.group);
    }

    // ---- (2) fan-out to N clients ------------------------------------------------------------
    const memLat: number[] = [];
    const redisLat: number[] = [];
    const lastOnA: number[] = [];
    const lastOnB: number[] = [];
    const memCpu: number[] = [];
    const redisCpuRound: number[][] = [];
    let openMem = 0;
    let openRedis = 0;
    if (PHASES.has('fanout')) {
      const hostMem = await Host.connect(mem.url, 'fan');
      const hostRedis = await Host.connect(a.url, 'fan');
      openMem = await clients.open('fm', 'fan', [{ url: mem.url, n: N }]);
      console.log(
        `  ${N} clients logged in on the in-memory server in ${(openMem / 1000).toFixed(1)} s`,
      );
      openRedis = await clients.open('fr', 'fan', [
        { url: a.url, n: N / 2 },
        { url: b.url, n: N / 2 },
      ]);
      console.log(
        `  ${N / 2}+${N / 2} clients logged in on Redis nodes A+B in ${(openRedis / 1000).toFixed(1)} s`,
      );
      await sleep(500);
      (globalThis as { gc?: () => void }).gc?.();

      let memRound = 0;
      let redisRound = 0;
      const round = async (
        host: Host,
        group: 'fm' | 'fr',
        idx: number,
        cmd: string,
        procs: StageProcess[],
        withRedis: boolean,
      ) => {
        const pubs = host.pubs;
        const done = clients.next(
          'round',
          `${group} round ${idx}`,
          (m) => m.group === group && m.idx === idx,
        );
        const before = await cpuOf(procs, withRedis);
        const t0 = nowMs();
        const [r] = await Promise.all([done, host.command(cmd)]);
        const after = await cpuOf(procs, withRedis);
        if (host.pubs !== pubs + 1) {
          throw new Error(
            `expected one 'pub' frame per host command, the host got ${host.pubs - pubs}`,
          );
        }
        return { r, t0, cpu: after.map((x, i) => x - before[i]!) };
      };

      for (let i = 0; i < WARMUP + ROUNDS; i++) {
        const cmd = CYCLE[i % CYCLE.length]!;
        const m = await round(hostMem, 'fm', memRound++, cmd, [mem], false);
        if (i >= WARMUP) {
          memLat.push(m.r.last - m.t0);
          memCpu.push(m.cpu[0]!);
        }
        await sleep(GAP_MS);
        const r = await round(hostRedis, 'fr', redisRound++, cmd, [a, b], true);
        if (i >= WARMUP) {
          redisLat.push(r.r.last - r.t0);
          lastOnA.push(r.r.lastPerTarget[0]! - r.t0);
          lastOnB.push(r.r.lastPerTarget[1]! - r.t0);
          redisCpuRound.push(r.cpu);
        }
        await sleep(GAP_MS);
      }
      if (VERBOSE) {
        console.log(`  (2) in-memory per round, ms: ${memLat.map((x) => x.toFixed(0)).join(' ')}`);
        console.log(
          `  (2) Redis per round, ms:     ${redisLat.map((x) => x.toFixed(0)).join(' ')}`,
        );
      }
      hostMem.ws.close();
      hostRedis.ws.close();
      await clients.close('fm');
      await clients.close('fr');
    }

    // ---- summary -----------------------------------------------------------------------------
    const lines = [
      '',
      `==== bench:redis summary: 127.0.0.1, redis-server ${version}, node ${process.version}, ${availableParallelism()} CPUs ====`,
    ];
    if (PHASES.has('load')) {
      const memSetup = setups.find((s) => s.key === 'mem');
      const base = memSetup ? median(memSetup.trials.map((t) => t.rate)) : NaN;
      lines.push(
        `(1) commands applied on one room: ${K} viewer sockets loop requestAccess/cancelRequestAccess, one in flight each;`,
        `    ok results per second in a ${LOAD_WINDOW_MS} ms window, median of ${TRIALS} trials (set-ups in rotation, after a warm-up round)`,
        `                                   cmd/s  vs mem   cmd->result p50/p99   CPU µs/cmd: server(s) + redis-server`,
      );
      const failures: string[] = [];
      for (const s of setups) {
        const med = (f: (t: LoadTrial) => number) => median(s.trials.map(f));
        const rate = med((t) => t.rate);
        const failed = s.trials.reduce((n, t) => n + t.failed, 0);
        const answered = s.trials.reduce((n, t) => n + t.failed + t.okTotal, 0);
        const first = s.trials.find((t) => t.firstFailure)?.firstFailure;
        const lat = `${med((t) => t.p50).toFixed(1)} / ${med((t) => t.p99).toFixed(1)} ms`;
        const cpu = s.redis
          ? `${med((t) => t.cpuNodes + t.cpuRedis).toFixed(0)} = ${med((t) => t.cpuNodes).toFixed(0)} + ${med((t) => t.cpuRedis).toFixed(0)}`
          : med((t) => t.cpuNodes).toFixed(0);
        const cas = s.redis
          ? `   store calls ${med((t) => t.storeCalls).toFixed(2)}/step, log reads ${med((t) => t.reads).toFixed(2)}/step`
          : '';
        lines.push(
          `    ${pad(s.label, 28)} ${rate.toFixed(0).padStart(7)}  ${(rate / base).toFixed(2).padStart(6)}   ${pad(lat, 19)}   ${cpu}${cas}`,
        );
        if (failed) {
          failures.push(
            `    ${s.label}: ${failed} of ${answered} commands FAILED, e.g. ${first?.slice(0, 140)}`,
          );
        }
      }
      lines.push(...failures);
    }
    if (PHASES.has('fanout')) {
      const m50 = percentile(memLat, 0.5);
      const m99 = percentile(memLat, 0.99);
      const r50 = percentile(redisLat, 0.5);
      const r99 = percentile(redisLat, 0.99);
      const cpuA = median(redisCpuRound.map((c) => c[0]!));
      const cpuB = median(redisCpuRound.map((c) => c[1]!));
      const cpuR = median(redisCpuRound.map((c) => c[2]!));
      const cpuRedisTotal = median(redisCpuRound.map((c) => c[0]! + c[1]! + c[2]!));
      lines.push(
        `(2) fan-out: host cmd (requestAccess/join/leave) -> LAST of ${N} clients gets the 'pub' delta; ${ROUNDS} rounds each, alternating`,
        `    in-memory, 1 server x ${N}:                 p50 ${ms(m50)}   p99 ${ms(m99)}`,
        `    Redis, host on A, ${N / 2} on A + ${N / 2} on B:     p50 ${ms(r50)}   p99 ${ms(r99)}` +
          `   (last on A p50 ${ms(median(lastOnA))}, on B p50 ${ms(median(lastOnB))})`,
        `    ratio Redis/in-memory:  p50 ${(r50 / m50).toFixed(2)}   p99 ${(r99 / m99).toFixed(2)}` +
          `      target p99 <= ${TARGET_P99_RATIO}x: ${verdict(r99 <= TARGET_P99_RATIO * m99)}`,
        `    CPU per round (median): in-memory server ${ms(median(memCpu))}; Redis ${ms(cpuRedisTotal)} ` +
          `(node A ${ms(cpuA)}, node B ${ms(cpuB)}, redis-server ${ms(cpuR)})`,
        `    logins: ${N} in memory in ${(openMem / 1000).toFixed(1)} s, ${N} through Redis in ${(openRedis / 1000).toFixed(1)} s` +
          `${ROUNDS < 100 ? `; p99 of ${ROUNDS} rounds is their maximum` : ''}`,
      );
    }
    lines.push('');
    console.log(lines.join('\n'));
  } finally {
    await Promise.race([stopAll(), sleep(10_000)]);
  }
}

const deadline = setTimeout(() => {
  console.error(`bench:redis: still running after ${DEADLINE_MS} ms; stopping.`);
  process.exit(1);
}, DEADLINE_MS);
deadline.unref();

try {
  await main();
  process.exit(0);
} catch (error) {
  console.error(`bench:redis failed: ${(error as Error).message}`);
  process.exit(1);
}
