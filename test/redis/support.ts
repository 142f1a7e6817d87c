// Real redis-server processes for the Redis tests, each on a free port in a temp dir.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import {
  connectStage,
  type ConnectStageOptions,
  type StageController,
  type StageParticipant,
  type StagePermissions,
  type StageStatus,
} from '../../src/index.js';
import type { Snapshot, SnapshotFrame, WelcomeFrame } from '../../src/model/index.js';
import type { StageServerOptions } from '../../src/server/index.js';
import {
  RawClient,
  SECRET,
  current,
  defer,
  eventually,
  ids,
  record,
  sleep,
  token,
  type TokenOptions,
} from '../server/support.js';

export const REDIS_SERVER = process.env['REDIS_SERVER'] ?? 'redis-server';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** A redis-server on loopback; `restart()` stops and starts it on the same port and data dir. */
export class RedisProcess {
  private child: ChildProcess | undefined;
  readonly dir = mkdtempSync(path.join(tmpdir(), 'rtk-stage-redis-'));

  private constructor(
    readonly port: number,
    private readonly persist: boolean,
  ) {}

  static async start(options: { persist?: boolean } = {}): Promise<RedisProcess> {
    const r = new RedisProcess(await freePort(), options.persist ?? false);
    await r.launch();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  private async launch(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--save',
      '',
      '--appendonly',
      this.persist ? 'yes' : 'no',
      '--protected-mode',
      'no',
    ];
    this.child = spawn(REDIS_SERVER, args, { stdio: 'ignore' });
    const started = Date.now();
    for (;;) {
      const probe = new Redis(this.url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      probe.on('error', () => {});
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        probe.disconnect();
        if (Date.now() - started > 10_000)
          throw new Error(`redis-server did not start on ${this.port}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Starts it again after `stop()` (same port and data dir), for outages of a chosen length. */
  async resume(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) return;
    await this.launch();
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---- Stage servers in child processes -----------------------------------------------------

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NODE_SCRIPT = fileURLToPath(new URL('./node-process.ts', import.meta.url));

/**
 * An rtk-stage server in its own process (test/redis/node-process.ts) on a shared Redis: two
 * of them are two nodes of a cluster. `kill()` is a crash (SIGKILL: no close frames, no
 * detach steps, the heartbeat just stops); `close()` is a graceful shutdown.
 */
export class StageNode {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly exited: Promise<void>,
    private readonly stderr: () => string,
  ) {}

  static async start(redisUrl: string, options: StageServerOptions = {}): Promise<StageNode> {
    const child = spawn(
      process.execPath,
      ['--enable-source-maps', '--import', 'tsx', NODE_SCRIPT],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          REDIS_URL: redisUrl,
          RTK_STAGE_SECRET: SECRET,
          STAGE_OPTIONS: JSON.stringify(options),
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the stage node did not start within 20 s: ${err}`));
      }, 20_000);
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n')[0]!;
        if (out.includes('\n')) {
          clearTimeout(timer);
          try {
            resolve((JSON.parse(line) as { port: number }).port);
          } catch {
            reject(new Error(`the stage node printed ${JSON.stringify(line)}: ${err}`));
          }
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`the stage node exited before listening: ${err}`));
      });
    });
    return new StageNode(child, port, exited, () => err);
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/stage`;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** What the node wrote on stderr (for failure messages). */
  get log(): string {
    return this.stderr();
  }

  /** GET /healthz: the HTTP status, or 0 when nothing answers. */
  async health(): Promise<number> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.port}/healthz`, {
        signal: AbortSignal.timeout(2000),
      });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return 0;
    }
  }

  /** A crash: SIGKILL, resolved once the process is gone. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Freezes the process (SIGSTOP): its sockets stay open, its heartbeat stops. */
  pause(): void {
    if (this.running) this.child.kill('SIGSTOP');
  }

  /** Lets a paused process run again (SIGCONT). */
  resume(): void {
    if (this.running) this.child.kill('SIGCONT');
  }

  /** A graceful shutdown (SIGTERM), a crash if it takes over 5 s. */
  async close(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGCONT');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}

// ---- Clients, observers and convergence ---------------------------------------------------

export { SECRET, current, defer, eventually, ids, record, sleep, token };

/** Permissions of a watcher that sees everything (queue, participants) and never goes on stage. */
export const WATCHER: StagePermissions = {
  stageEnabled: true,
  stageAccess: 'NOT_ALLOWED',
  acceptStageRequests: true,
};

/** A connectStage client on one or several nodes, disposed when the test ends. */
export async function stageClient(
  t: TestContext,
  url: string | readonly string[],
  sub: string,
  options: TokenOptions & Partial<Omit<ConnectStageOptions, 'url' | 'token'>> = {},
): Promise<StageController> {
  const ctrl = await connect(url, sub, options);
  defer(t, () => ctrl.dispose());
  return ctrl;
}

/** A connectStage client (the caller disposes it). */
export async function connect(
  url: string | readonly string[],
  sub: string,
  options: TokenOptions & Partial<Omit<ConnectStageOptions, 'url' | 'token'>> = {},
): Promise<StageController> {
  const { room, preset, perm, name, expiresIn, ...rest } = options;
  const tok = await token(sub, {
    ...(room ? { room } : {}),
    ...(preset ? { preset } : {}),
    ...(perm ? { perm } : {}),
    ...(name ? { name } : {}),
    ...(expiresIn ? { expiresIn } : {}),
  });
  return connectStage({ url, token: tok, ...rest });
}

type Stream = 'pub' | 'priv' | 'self';

/**
 * A raw privileged socket that records every frame, to check what the controllers cannot
 * show: that the versioned deltas a node sends never skip a version, and what the node's
 * replica holds right now (`sync`).
 */
export class Watcher {
  private syncs = 0;
  private constructor(
    readonly raw: RawClient,
    readonly welcome: Snapshot,
  ) {}

  static async open(url: string, room: string, userId = 'watcher'): Promise<Watcher> {
    const { raw, welcome } = await RawClient.login(
      undefined,
      url,
      await token(userId, { room, perm: WATCHER }),
    );
    return new Watcher(raw, (welcome as unknown as WelcomeFrame).snapshot);
  }

  /** The node's current snapshot for this watcher (its replica, without a step of the log). */
  async sync(): Promise<Snapshot> {
    const from = this.raw.frames.length;
    this.syncs++;
    this.raw.send({ t: 'sync' });
    const f = await this.raw.waitFor((f) => f.t === 'snapshot', 3000, from);
    return (f as unknown as SnapshotFrame).snapshot;
  }

  /**
   * Version gaps in the deltas received, checked as the client does: a delta whose `pv` is
   * newer than the last version applied on its stream (the client would have to ask for a
   * snapshot).
   */
  gaps(): string[] {
    const found: string[] = [];
    let known: Record<Stream, number> = {
      pub: this.welcome.version,
      priv: this.welcome.version,
      self: this.welcome.version,
    };
    for (const f of this.raw.frames) {
      if (f.t === 'snapshot') {
        const v = (f as unknown as SnapshotFrame).snapshot.version;
        known = { pub: v, priv: v, self: v };
        continue;
      }
      if (f.t !== 'pub' && f.t !== 'priv' && f.t !== 'self') continue;
      const { v, pv } = f as unknown as { v: number; pv: number };
      const s = f.t;
      if (v <= known[s]) continue;
      if (pv > known[s]) found.push(`${s} delta v${v} (pv ${pv}) after v${known[s]}`);
      known[s] = v;
    }
    return found;
  }

  /**
   * Snapshots nobody asked for: the node reloaded the room because it believed its log had a
   * gap, and resent every local client the whole room.
   */
  resyncs(): number {
    return this.raw.frames.filter((f) => f.t === 'snapshot').length - this.syncs;
  }

  close(): void {
    this.raw.terminate();
  }
}

/** A participant as controllers expose it (the wire form without its order key). */
function plain(p: {
  userId: string;
  displayName: string;
  status: StageStatus;
  requestedAt?: number;
}): StageParticipant {
  return p.requestedAt === undefined
    ? { userId: p.userId, displayName: p.displayName, status: p.status }
    : {
        userId: p.userId,
        displayName: p.displayName,
        status: p.status,
        requestedAt: p.requestedAt,
      };
}

const SEATED: readonly StageStatus[] = ['ACCEPTED_TO_JOIN_STAGE', 'ON_STAGE'];

/**
 * Checks that a controller shows exactly what a privileged snapshot of the room says: its
 * status and queue place, onStage$, and (as contract 9.7 limits them) requests$,
 * getAccessRequests() and participants$.
 */
export function assertMatches(ctrl: StageController, s: Snapshot, label = ctrl.userId): void {
  const everyone = s.participants ?? [];
  const queue = s.queue ?? [];
  const me = ctrl.userId;
  const mine = everyone.find((p) => p.userId === me);
  assert.equal(ctrl.status, mine?.status ?? 'OFF_STAGE', `${label}: status`);
  const place = queue.findIndex((r) => r.userId === me);
  assert.equal(current(ctrl.position$), place < 0 ? null : place + 1, `${label}: position$`);
  assert.deepEqual(current(ctrl.onStage$), s.onStage.map(plain), `${label}: onStage$`);
  const privileged = ctrl.permissions.stageEnabled && ctrl.permissions.acceptStageRequests;
  const requests = privileged
    ? queue.map((r, i) => ({
        userId: r.userId,
        displayName: r.displayName,
        requestedAt: r.requestedAt,
        position: i + 1,
      }))
    : [];
  assert.deepEqual(
    ctrl.getAccessRequests().stageRequests,
    requests,
    `${label}: getAccessRequests()`,
  );
  assert.deepEqual(current(ctrl.requests$), requests, `${label}: requests$`);
  const visible = privileged
    ? everyone
    : everyone.filter((p) => SEATED.includes(p.status) || p.userId === me);
  assert.deepEqual(current(ctrl.participants$), visible.map(plain), `${label}: participants$`);
}

/**
 * Waits until every controller shows what a fresh client's welcome snapshot says, with a fresh
 * snapshot from every node; returns the last snapshot.
 */
export async function assertConverged(
  clients: readonly StageController[],
  urls: readonly string[],
  room: string,
  timeoutMs = 5000,
): Promise<Snapshot> {
  let snapshot: Snapshot | undefined;
  await eventually(
    async () => {
      for (const url of urls) {
        const { raw, welcome } = await RawClient.login(
          undefined,
          url,
          await token('fresh-auditor', { room, perm: WATCHER }),
        );
        raw.terminate();
        snapshot = (welcome as unknown as WelcomeFrame).snapshot;
        for (const c of clients) {
          assertMatches(c, snapshot, `${c.userId} vs a fresh snapshot from ${url}`);
        }
      }
    },
    timeoutMs,
    50,
  );
  return snapshot!;
}

/** The lists of a snapshot that must be equal on every node (everything but `self`). */
export function shared(s: Snapshot): Omit<Snapshot, 'self'> {
  const { self: _self, ...rest } = s;
  return rest;
}

/** Waits until both nodes' replicas hold the same room (same version, same lists). */
export async function assertReplicasAgree(
  watchers: readonly Watcher[],
  timeoutMs = 5000,
): Promise<Snapshot> {
  let last: Snapshot | undefined;
  await eventually(
    async () => {
      const snaps = await Promise.all(watchers.map((w) => w.sync()));
      for (const s of snaps.slice(1))
        assert.deepEqual(shared(s), shared(snaps[0]!), 'replicas differ');
      last = snaps[0]!;
    },
    timeoutMs,
    50,
  );
  return last!;
}
