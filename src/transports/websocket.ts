import { BehaviorSubject, Subject, type Observable } from 'rxjs';
import { StageController, type ConnectionState, type StageLink } from '../controller/index.js';
import {
  ACTIONS,
  CloseCode,
  PROTOCOL_VERSION,
  StageError,
  notConnected,
  type PrivilegedDelta,
  type PublicDelta,
  type SelfDelta,
  type ServerFrame,
  type StageBulkResult,
  type StageCommand,
  type StageEvent,
  type StageParticipant,
  type StageRequest,
  type WelcomeFrame,
} from '../model/index.js';
import { systemClock } from './clock.js';
import { RemoteState } from './remote-state.js';

/** The part of the WHATWG WebSocket the client uses (browsers, Node 22, the `ws` package). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface ConnectStageOptions {
  /** `ws(s)://host:port/stage`, or several, tried in order and rotated on failure. */
  readonly url: string | readonly string[];
  /** The token, or a function returning a fresh one; called on every (re)connect. */
  readonly token: string | (() => string | Promise<string>);
  /** How long a command waits for the server's answer. Default 10000 ms (then 2010). */
  readonly commandTimeoutMs?: number;
  /** How long one connection attempt may take. Default 10000 ms. */
  readonly connectTimeoutMs?: number;
  /** Longest wait between reconnect attempts. Default 10000 ms. */
  readonly maxRetryDelayMs?: number;
  /** Stop reconnecting after this long without a connection. Default 300000 ms. */
  readonly giveUpAfterMs?: number;
  /** A WebSocket implementation; defaults to the global one, or the `ws` package in Node 20. */
  readonly WebSocket?: WebSocketConstructor;
}

const OPEN = 1;

async function defaultWebSocket(): Promise<WebSocketConstructor> {
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global) return global;
  const name = 'ws'; // kept out of bundlers' sight: only Node without a global WebSocket needs it
  const mod = (await import(/* @vite-ignore */ name)) as { WebSocket: WebSocketConstructor };
  return mod.WebSocket;
}

/**
 * Opens a connection to an rtk-stage server and resolves with a connected StageController.
 * Rejects StageError 2001 when the token is refused, 2005 when no server can be reached.
 */
export async function connectStage(options: ConnectStageOptions): Promise<StageController> {
  const urls = typeof options.url === 'string' ? [options.url] : [...(options.url ?? [])];
  if (urls.length === 0 || urls.some((u) => typeof u !== 'string' || !/^wss?:\/\//.test(u))) {
    throw new StageError(
      '2009',
      'Could not connect to the stage: `url` must be a ws:// or wss:// address, or a list of them.',
    );
  }
  if (typeof options.token !== 'string' && typeof options.token !== 'function') {
    throw new StageError(
      '2009',
      'Could not connect to the stage: `token` must be a string or a function returning one.',
    );
  }
  const WS = options.WebSocket ?? (await defaultWebSocket());
  const link = new RemoteLink(urls, options, WS);
  await link.open();
  return new StageController(link, link.self$.value);
}

interface Pending {
  readonly frame: string;
  readonly command: StageCommand['type'];
  readonly resolve: (result: StageBulkResult | undefined) => void;
  readonly reject: (error: StageError) => void;
  readonly timer: unknown;
}

/** Why one connection attempt failed: an Error when the WebSocket constructor threw. */
interface Failure {
  readonly message: string;
  /** The server or the token function said no: trying again will not help. */
  readonly refused?: boolean;
}

/** A controller's link to a server: one socket at a time, reconnecting and resuming. */
class RemoteLink implements StageLink {
  userId = '';
  /** Made at the first welcome, which comes before connectStage hands the link to a controller. */
  private state!: RemoteState;
  readonly events$ = new Subject<StageEvent>();
  readonly connection$ = new BehaviorSubject<ConnectionState>('connecting');
  private socket: WebSocketLike | undefined;
  private urlIndex = 0;
  private readonly pending = new Map<string, Pending>();
  private readonly prefix = Math.random().toString(36).slice(2, 10);
  private seq = 0;
  private disposed = false;
  private retries = 0;
  private retryTimer: unknown;
  private lostAt = 0;
  private awaitingSnapshot = false;

  constructor(
    private readonly urls: string[],
    private readonly options: ConnectStageOptions,
    private readonly WS: WebSocketConstructor,
  ) {}

  get self$() {
    return this.state.self$;
  }
  get position$(): Observable<number | null> {
    return this.state.position$;
  }
  get requests$(): Observable<readonly StageRequest[]> {
    return this.state.requests$;
  }
  get onStage$(): Observable<readonly StageParticipant[]> {
    return this.state.onStage$;
  }
  get participants$(): Observable<readonly StageParticipant[]> {
    return this.state.participants$;
  }

  currentRequests(): readonly StageRequest[] {
    return this.state.requests();
  }

  /**
   * The first connection: every address once, in order. A link that fails here is dropped
   * before any controller watches it.
   */
  async open(): Promise<void> {
    const reasons: string[] = [];
    for (let i = 0; i < this.urls.length; i++) {
      this.urlIndex = i;
      try {
        await this.attempt(this.urls[i]!);
        return;
      } catch (e) {
        const failure = e as Failure;
        if (failure.refused) {
          throw new StageError(
            '2001',
            `Could not connect to the stage: the server refused the token (${failure.message}). Get a new token and connect again.`,
          );
        }
        reasons.push(`${this.urls[i]}: ${failure.message}`);
      }
    }
    throw new StageError(
      '2005',
      `Could not connect to the stage: no server could be reached (${reasons.join('; ')}). Check the address and that the server is running, then retry.`,
    );
  }

  send(command: StageCommand): Promise<StageBulkResult | undefined> {
    // Also true once disposed: close() gives up.
    if (this.connection$.value === 'disconnected') {
      return Promise.reject(
        notConnected(command.type, 'the connection to the stage server is closed'),
      );
    }
    const id = `${this.prefix}${(++this.seq).toString(36)}`;
    const { type, ...args } = command; // args: the userIds of the commands that take them
    const frame = JSON.stringify({ t: 'cmd', id, cmd: type, ...args });
    const timeout = this.options.commandTimeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const timer = systemClock.setTimeout(() => {
        this.pending.delete(id);
        reject(
          new StageError(
            '2010',
            `Could not ${ACTIONS[type]}: the stage server did not answer within ${timeout / 1000} s. It may or may not have been applied; the stage shows the server's state. Retry if it did not happen.`,
          ),
        );
      }, timeout);
      this.pending.set(id, { frame, command: type, resolve, reject, timer });
      if (this.socket?.readyState === OPEN) this.socket.send(frame);
    });
  }

  close(): void {
    if (this.disposed) return;
    this.disposed = true;
    systemClock.clearTimeout(this.retryTimer);
    this.socket?.close(1000, 'disposed');
    this.giveUp('this controller was disposed');
  }

  /** One socket: hello with a fresh token, resolved at the welcome. */
  private attempt(url: string): Promise<void> {
    return new Promise((resolve, reject) => {
      // A constructor that throws (a malformed address) rejects this promise with its error.
      const ws = new this.WS(url);
      let welcomed = false;
      const timer = systemClock.setTimeout(() => {
        ws.onclose = null;
        ws.close();
        reject({ message: 'no answer in time' } satisfies Failure);
      }, this.options.connectTimeoutMs ?? 10_000);
      ws.onopen = () => {
        void this.token().then(
          (token) => ws.send(JSON.stringify({ t: 'hello', v: PROTOCOL_VERSION, token })),
          (e: unknown) => {
            systemClock.clearTimeout(timer);
            ws.onclose = null;
            ws.close();
            reject({
              refused: true,
              message: `the token function failed: ${String(e)}`,
            } satisfies Failure);
          },
        );
      };
      ws.onerror = () => {};
      ws.onmessage = (ev) => {
        const frame = parse(ev.data);
        if (welcomed) return this.receive(frame);
        if (frame?.t !== 'welcome') return;
        welcomed = true;
        systemClock.clearTimeout(timer);
        this.adopt(ws, frame);
        resolve();
      };
      ws.onclose = (ev) => {
        systemClock.clearTimeout(timer);
        if (welcomed) return this.lost(ws, ev.code);
        const refused = ev.code === CloseCode.UNAUTHORIZED || ev.code === CloseCode.FORBIDDEN;
        reject({ refused, message: ev.reason || `closed with code ${ev.code}` } satisfies Failure);
      };
    });
  }

  private async token(): Promise<string> {
    const t = this.options.token;
    const value = typeof t === 'function' ? await t() : t;
    if (!value || typeof value !== 'string') throw new Error('no token');
    return value;
  }

  private adopt(ws: WebSocketLike, welcome: WelcomeFrame): void {
    if (this.disposed) {
      ws.close(1000, 'disposed');
      return;
    }
    this.socket = ws;
    this.userId = welcome.userId;
    this.retries = 0;
    this.lostAt = 0;
    this.awaitingSnapshot = false;
    if (!this.state) this.state = new RemoteState(welcome.userId, welcome.snapshot);
    else if (this.state.apply(welcome.snapshot)) this.queueUpdated();
    this.connection$.next('connected');
    // Commands that were in flight go again; the server answers those it already applied
    // from memory, so each is applied once.
    for (const p of this.pending.values()) ws.send(p.frame);
  }

  private receive(f: ServerFrame | undefined): void {
    switch (f?.t) {
      case 'result': {
        const p = this.pending.get(f.id);
        if (!p) return;
        this.pending.delete(f.id);
        systemClock.clearTimeout(p.timer);
        if (f.ok) p.resolve(f.result);
        else p.reject(new StageError(f.code, f.message));
        return;
      }
      case 'ev':
        this.events$.next(f.e);
        return;
      case 'self':
        if (!this.stale(f)) this.state.setSelf(f.self);
        return;
      case 'pub':
        if (!this.stale(f)) this.state.applyPublic(f);
        return;
      case 'priv':
        if (!this.stale(f) && this.state.applyPrivileged(f)) this.queueUpdated();
        return;
      case 'snapshot':
        this.awaitingSnapshot = false;
        if (this.state.apply(f.snapshot)) this.queueUpdated();
        return;
      case 'error':
        console.warn(`rtk-stage: the server ignored a frame: ${f.message}`);
        return;
    }
  }

  /** True when a delta must not be applied: old, or after a gap (then a snapshot is asked for). */
  private stale({ t: stream, v, pv }: SelfDelta | PublicDelta | PrivilegedDelta): boolean {
    const known = this.state.known;
    if (this.awaitingSnapshot || v <= known[stream]) return true;
    if (pv > known[stream]) {
      this.awaitingSnapshot = true;
      this.socket?.send(JSON.stringify({ t: 'sync' }));
      return true;
    }
    known[stream] = v;
    return false;
  }

  private queueUpdated(): void {
    const remote = this.state;
    if (!remote.privileged) return;
    this.events$.next({
      type: 'stageAccessRequestUpdate',
      get requests() {
        return remote.requests();
      },
    });
  }

  private lost(ws: WebSocketLike, code: number): void {
    if (this.socket !== ws) return;
    this.socket = undefined;
    if (this.disposed) return;
    if (code === CloseCode.UNAUTHORIZED || code === CloseCode.FORBIDDEN) {
      return this.giveUp('the server refused this connection');
    }
    // A server going away, or one that cannot reach its store: try the next one first.
    if (code === CloseCode.GOING_AWAY || code === CloseCode.TRY_AGAIN_LATER) this.rotate();
    this.lostAt ||= Date.now();
    this.connection$.next('reconnecting');
    this.reconnectLater();
  }

  private rotate(): void {
    this.urlIndex = (this.urlIndex + 1) % this.urls.length;
  }

  private reconnectLater(): void {
    const max = this.options.maxRetryDelayMs ?? 10_000;
    // First retry within 250 ms, then exponential backoff with jitter.
    const delay =
      this.retries === 0
        ? Math.random() * 250
        : Math.min(max, 250 * 2 ** this.retries) * (0.5 + Math.random() / 2);
    this.retries++;
    this.retryTimer = systemClock.setTimeout(() => {
      if (this.disposed) return;
      this.attempt(this.urls[this.urlIndex]!).catch((failure: Failure) => {
        if (failure.refused)
          return this.giveUp(`the server refused the token (${failure.message})`);
        if (Date.now() - this.lostAt > (this.options.giveUpAfterMs ?? 300_000)) {
          return this.giveUp('no server could be reached for too long');
        }
        this.rotate();
        this.reconnectLater();
      });
    }, delay);
  }

  private giveUp(why: string): void {
    this.connection$.next('disconnected');
    for (const p of this.pending.values()) {
      systemClock.clearTimeout(p.timer);
      p.reject(notConnected(p.command, why));
    }
    this.pending.clear();
  }
}

function parse(data: unknown): ServerFrame | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const f = JSON.parse(data) as ServerFrame | null;
    return typeof f?.t === 'string' ? f : undefined;
  } catch {
    return undefined;
  }
}
