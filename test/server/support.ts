/**
 * Helpers for the server tests: real servers on loopback, real sockets (`connectStage` clients
 * and raw `ws` sockets that see every frame), signed tokens, and a TCP proxy that can drop or
 * black-hole connections to simulate a network fault.
 */
import assert from 'node:assert/strict';
import { Socket, createServer, type Server } from 'node:net';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Observable } from 'rxjs';
import { WebSocket, type RawData } from 'ws';
import {
  connectStage,
  type ConnectStageOptions,
  type PresetName,
  type StageController,
  type StagePermissions,
} from '../../src/index.js';
import { createStageServer, signToken, type StageServer } from '../../src/server/index.js';
import type { StageServerOptions } from '../../src/server/index.js';

export { sleep };

export const SECRET = 'rtk-stage-test-secret-0123456789';

const cleanups = new WeakMap<TestContext, (() => unknown)[]>();

/**
 * Runs `fn` when the test ends, in reverse order of registration (clients are disposed before
 * their server closes, so a closing server never waits on clients trying to reconnect).
 */
export function defer(t: TestContext, fn: () => unknown): void {
  let list = cleanups.get(t);
  if (!list) {
    cleanups.set(t, (list = []));
    t.after(async () => {
      for (const f of list!.reverse()) await f();
    });
  }
  list.push(fn);
}

/** Starts a server on a free loopback port; it is closed when the test ends. */
export async function startServer(
  t: TestContext,
  options: StageServerOptions = {},
): Promise<StageServer> {
  const server = await createStageServer({
    port: 0,
    host: '127.0.0.1',
    secret: SECRET,
    logLevel: 'silent',
    ...options,
  });
  defer(t, () => server.close());
  // Client timers are unref'd (they never keep a process alive); keep the test's loop alive
  // while it awaits them.
  const alive = setInterval(() => {}, 1000);
  defer(t, () => clearInterval(alive));
  return server;
}

export interface TokenOptions {
  readonly room?: string;
  readonly preset?: PresetName;
  readonly perm?: StagePermissions;
  readonly name?: string;
  readonly expiresIn?: string | number;
}

/** A valid token for `sub` (room `r1`, preset `viewer`, name = upper-cased sub by default). */
export function token(sub: string, options: TokenOptions = {}): Promise<string> {
  return signToken(
    {
      sub,
      room: options.room ?? 'r1',
      name: options.name ?? sub.toUpperCase(),
      ...(options.preset ? { preset: options.preset } : {}),
      ...(options.perm ? { perm: options.perm } : {}),
    },
    SECRET,
    options.expiresIn ?? '1h',
  );
}

/** A connectStage client (disposed when the test ends). */
export async function client(
  t: TestContext,
  url: ConnectStageOptions['url'],
  sub: string,
  options: TokenOptions & Partial<Omit<ConnectStageOptions, 'url' | 'token'>> = {},
): Promise<StageController> {
  const { room, preset, perm, name, expiresIn, ...connect } = options;
  const tok = await token(sub, {
    ...(room ? { room } : {}),
    ...(preset ? { preset } : {}),
    ...(perm ? { perm } : {}),
    ...(name ? { name } : {}),
    ...(expiresIn ? { expiresIn } : {}),
  });
  const ctrl = await connectStage({ url, token: tok, ...connect });
  defer(t, () => ctrl.dispose());
  return ctrl;
}

/** Retries `check` until it passes (or throws its last error after `timeoutMs`). */
export async function eventually(
  check: () => void | Promise<void>,
  timeoutMs = 3000,
  stepMs = 10,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(stepMs);
    }
  }
}

/** The value a replaying observable holds right now. */
export function current<T>(source: Observable<T>): T {
  let got = false;
  let value: T | undefined;
  source
    .subscribe((v) => {
      got = true;
      value = v;
    })
    .unsubscribe();
  assert.ok(got, 'the observable did not replay a value');
  return value as T;
}

export const ids = (list: readonly { userId: string }[]): string[] => list.map((p) => p.userId);

/** Every event a controller emits, as `name payload-json`, in order. */
export function record(ctrl: StageController): string[] {
  const seen: string[] = [];
  ctrl.on('*', (name, payload) => seen.push(`${name} ${JSON.stringify(payload)}`));
  return seen;
}

/** Only the event names. */
export const names = (seen: readonly string[]): string[] => seen.map((s) => s.split(' ')[0]!);

/** A server frame as the tests read it. */
export interface Frame {
  readonly t: string;
  readonly [key: string]: unknown;
}

export interface Closed {
  readonly code: number;
  readonly reason: string;
}

/** A raw `ws` socket that records every frame the server sends. */
export class RawClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<Closed>;
  isClosed = false;
  private readonly wakers = new Set<() => void>();

  private wake(): void {
    for (const w of [...this.wakers]) w();
  }

  private constructor(readonly ws: WebSocket) {
    ws.on('error', () => {});
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const text = isBinary ? '' : rawText(data);
      let frame: Frame;
      try {
        frame = JSON.parse(text) as Frame;
      } catch {
        frame = { t: '(unparsable)', text };
      }
      this.frames.push(frame);
      this.wake();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.isClosed = true;
        this.wake();
        resolve({ code, reason: reason.toString() });
      }),
    );
  }

  /** Opens a socket (the test closes it at its end). */
  static async open(
    t: TestContext | undefined,
    url: string,
    options: { origin?: string } = {},
  ): Promise<RawClient> {
    const ws = new WebSocket(url, { ...options, perMessageDeflate: false });
    const raw = new RawClient(ws);
    if (t) defer(t, () => ws.terminate());
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return raw;
  }

  /** Opens a socket and logs in; resolves with the welcome frame. */
  static async login(
    t: TestContext | undefined,
    url: string,
    tok: string,
  ): Promise<{ raw: RawClient; welcome: Frame }> {
    const raw = await RawClient.open(t, url);
    raw.send({ t: 'hello', v: 1, token: tok });
    const welcome = await raw.waitFor((f) => f.t === 'welcome');
    return { raw, welcome };
  }

  send(data: unknown, options: { binary?: boolean } = {}): void {
    const payload = typeof data === 'string' || Buffer.isBuffer(data) ? data : JSON.stringify(data);
    this.ws.send(payload, { binary: options.binary ?? false });
  }

  /** The first frame (from `from` on) matching `match`, waiting for it if needed. */
  async waitFor(match: (f: Frame) => boolean, timeoutMs = 3000, from = 0): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(match);
      if (found) return found;
      if (this.isClosed) throw new Error('the socket closed before the expected frame came');
      if (Date.now() > deadline) {
        throw new Error(
          `no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(from)).slice(0, 500)}`,
        );
      }
      await this.next(deadline - Date.now());
    }
  }

  /**
   * Waits until `count` frames matching `match` (from index `from` on) have arrived, the socket
   * closed, or `timeoutMs` passed; returns how many arrived.
   */
  async waitCount(
    match: (f: Frame) => boolean,
    count: number,
    timeoutMs = 5000,
    from = 0,
  ): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let n = 0;
    for (;;) {
      for (; from < this.frames.length; from++) if (match(this.frames[from]!)) n++;
      if (n >= count || this.isClosed || Date.now() > deadline) return n;
      await this.next(deadline - Date.now());
    }
  }

  /** Resolves with the close code and reason, failing after `timeoutMs`. */
  async closedWithin(timeoutMs = 3000): Promise<Closed> {
    return Promise.race([
      this.closed,
      sleep(timeoutMs).then(() => {
        throw new Error(`the socket was not closed within ${timeoutMs} ms`);
      }),
    ]);
  }

  terminate(): void {
    this.ws.terminate();
  }

  /** Resolves at the next frame or close, or after `ms`. */
  private next(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, ms));
      this.wakers.add(done);
    });
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

/** GET /healthz: the HTTP status. */
export async function health(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  await res.arrayBuffer();
  return res.status;
}

/** A port with nothing listening on it (bound, read, released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A TCP proxy in front of a server, to break connections the way a network does:
 * `drop()` destroys every open connection (both sides see the TCP connection end),
 * `blackhole` silently discards bytes in one direction, `refuse` resets new connections.
 */
export class TcpProxy {
  blackhole: 'none' | 'toServer' | 'toClient' = 'none';
  refuse = false;
  private readonly pairs = new Set<[Socket, Socket]>();
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  get url(): string {
    return `ws://127.0.0.1:${this.port}/stage`;
  }

  get open(): number {
    return this.pairs.size;
  }

  static async start(t: TestContext, targetPort: number): Promise<TcpProxy> {
    const holder: { proxy?: TcpProxy } = {};
    const server = createServer((down) => holder.proxy!.accept(down, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new TcpProxy(server, (server.address() as { port: number }).port);
    holder.proxy = proxy;
    defer(t, () => proxy.close());
    return proxy;
  }

  drop(): void {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
  }

  close(): Promise<void> {
    this.drop();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(down: Socket, targetPort: number): void {
    if (this.refuse) {
      down.resetAndDestroy();
      return;
    }
    const up = new Socket();
    const pair: [Socket, Socket] = [down, up];
    this.pairs.add(pair);
    const end = () => {
      this.pairs.delete(pair);
      down.destroy();
      up.destroy();
    };
    for (const s of pair) {
      s.on('error', end);
      s.on('close', end);
    }
    down.on('data', (d) => {
      if (this.blackhole !== 'toServer') up.write(d);
    });
    up.on('data', (d) => {
      if (this.blackhole !== 'toClient') down.write(d);
    });
    up.connect(targetPort, '127.0.0.1');
  }
}
