import type { WebSocket } from 'ws';
import {
  CloseCode,
  PROTOCOL_VERSION,
  type ClientFrame,
  presets,
  type ErrorFrame,
  type MemberInput,
  type StageErrorCode,
} from '../model/index.js';
import { verifyToken } from './auth.js';
import { parseFrame } from './frames.js';
import type { HubConnection, RoomHub } from './hub.js';
import { TokenBucket, WindowCounter } from './rate-limit.js';
import type { Logger } from 'pino';
import type { ResolvedServerOptions } from './options.js';

/** What a connection needs from its server. */
export interface ConnectionContext {
  readonly options: ResolvedServerOptions;
  readonly key: CryptoKey;
  readonly log: Logger;
  hub(room: string): Promise<RoomHub>;
  now(): number;
}

const MALFORMED_WINDOW_MS = 10_000;

/**
 * One client socket: waits for a valid hello (5 s), then validates every frame, applies
 * commands through its room's hub, and closes on abuse with the protocol's codes.
 */
export class ClientConnection implements HubConnection {
  userId = '';
  member: MemberInput = { userId: '', displayName: '', permissions: presets.viewer };
  private room: RoomHub | undefined;
  private state: 'hello' | 'verifying' | 'ready' | 'closed' = 'hello';
  private corked = false;
  private readonly helloTimer: ReturnType<typeof setTimeout>;
  private readonly bucket: TokenBucket;
  private readonly malformed = new WindowCounter(MALFORMED_WINDOW_MS);
  private readonly limited = new WindowCounter(MALFORMED_WINDOW_MS);

  constructor(
    private readonly ws: WebSocket,
    private readonly ctx: ConnectionContext,
  ) {
    const o = ctx.options;
    this.bucket = new TokenBucket(o.rateLimit.burst, o.rateLimit.perSecond, ctx.now());
    this.helloTimer = setTimeout(
      () => this.close(CloseCode.UNAUTHORIZED, 'no valid hello within the time allowed'),
      o.helloTimeoutMs,
    );
    this.helloTimer.unref?.();
    ws.on('message', (data, isBinary) => {
      try {
        this.receive(data, isBinary);
      } catch (error) {
        // Nothing a client sends may bring the server down.
        ctx.log.warn({ err: (error as Error).message }, 'frame handling failed');
        this.reject('the frame could not be processed');
      }
    });
    ws.on('close', () => this.closed());
    ws.on('error', (error) => ctx.log.debug({ err: error.message }, 'socket error'));
  }

  send(frame: string): void {
    if (this.state !== 'ready') return;
    this.hold();
    this.ws.send(frame);
  }

  broadcast(frame: string): void {
    if (this.state === 'ready') this.ws.send(frame);
  }

  /**
   * Holds this socket's writes until the end of the event-loop turn, so the frames one command
   * causes here (own state, result, events) leave in one write instead of one each.
   */
  private hold(): void {
    if (this.corked) return;
    const socket = (this.ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    if (!socket) return;
    this.corked = true;
    socket.cork();
    setImmediate(() => {
      this.corked = false;
      socket.uncork();
    });
  }

  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.ctx.log.debug({ userId: this.userId || undefined, code, reason }, 'closing connection');
    this.closed();
    this.ws.close(code, reason.slice(0, 120));
  }

  private closed(): void {
    if (this.state === 'closed') return;
    const wasReady = this.state === 'ready';
    this.state = 'closed';
    clearTimeout(this.helloTimer);
    if (wasReady) this.room?.leave(this);
  }

  private receive(data: unknown, isBinary: boolean): void {
    if (this.state === 'closed') return;
    if (isBinary) return this.reject('binary frames are not part of the protocol; send JSON text');
    const text = Array.isArray(data)
      ? Buffer.concat(data as Buffer[]).toString('utf8')
      : Buffer.from(data as ArrayBuffer).toString('utf8');
    const frame = parseFrame(text);
    if (typeof frame === 'string') return this.reject(frame);
    if (this.state !== 'ready') {
      if (this.state === 'hello' && frame.t === 'hello') {
        this.state = 'verifying';
        void this.hello(frame);
        return;
      }
      return this.close(CloseCode.UNAUTHORIZED, 'the first frame must be a valid hello');
    }
    this.handle(frame);
  }

  private async hello(frame: Extract<ClientFrame, { t: 'hello' }>): Promise<void> {
    if (frame.v !== PROTOCOL_VERSION) {
      return this.close(
        CloseCode.UNAUTHORIZED,
        `unsupported protocol version ${frame.v}; this server speaks ${PROTOCOL_VERSION}`,
      );
    }
    const identity = await verifyToken(frame.token, this.ctx.key);
    if (this.state !== 'verifying') return;
    if (typeof identity === 'string') return this.close(CloseCode.UNAUTHORIZED, identity);
    try {
      const hub = await this.ctx.hub(identity.room);
      if (this.state !== 'verifying') return;
      if (hub.connectionsOf(identity.userId) >= this.ctx.options.maxConnectionsPerUser) {
        return this.close(CloseCode.FORBIDDEN, 'too many connections for this user');
      }
      this.userId = identity.userId;
      this.member = {
        userId: identity.userId,
        displayName: identity.displayName,
        permissions: identity.permissions,
      };
      this.room = hub;
      await hub.join(this, identity, (snapshot) => {
        if (this.state !== 'verifying') return;
        clearTimeout(this.helloTimer);
        this.state = 'ready';
        const welcome = {
          t: 'welcome',
          v: PROTOCOL_VERSION,
          userId: identity.userId,
          room: identity.room,
          snapshot,
        };
        this.ws.send(JSON.stringify(welcome));
      });
    } catch {
      return this.close(CloseCode.TRY_AGAIN_LATER, 'the stage store is unreachable; retry shortly');
    }
    // The socket closed while joining: the attach landed, so it must be undone.
    if ((this.state as string) !== 'ready') return this.room.leave(this);
    this.ctx.log.info({ userId: identity.userId, room: identity.room }, 'connected');
  }

  private handle(frame: ClientFrame): void {
    const now = this.ctx.now();
    if (frame.t === 'hello') return this.reject('already logged in; hello is only the first frame');
    if (!this.bucket.take(now)) {
      if (this.limited.hit(now) >= this.ctx.options.rateLimit.abuseLimit) {
        return this.close(CloseCode.POLICY, 'rate limit exceeded repeatedly');
      }
      const message = 'Too many stage commands: slow down and retry in a moment.';
      if (frame.t === 'cmd') {
        this.ws.send(
          JSON.stringify({ t: 'result', id: frame.id, ok: false, code: '2008', message }),
        );
      } else this.error('2008', message);
      return;
    }
    if (frame.t === 'sync') {
      this.ws.send(JSON.stringify({ t: 'snapshot', snapshot: this.room!.snapshot(this.userId) }));
      return;
    }
    void this.room!.command(this, frame).then((result) => this.send(JSON.stringify(result)));
  }

  /** A malformed frame: answered with an error frame; repeated ones close the socket. */
  private reject(why: string): void {
    if (this.state !== 'ready') {
      return this.close(CloseCode.UNAUTHORIZED, `the first frame must be a valid hello (${why})`);
    }
    if (this.malformed.hit(this.ctx.now()) >= this.ctx.options.malformedLimit) {
      return this.close(CloseCode.POLICY, 'too many malformed frames');
    }
    this.error('2009', `Frame ignored: ${why}. Nothing changed.`);
  }

  private error(code: StageErrorCode, message: string): void {
    const frame: ErrorFrame = { t: 'error', code, message };
    this.ws.send(JSON.stringify(frame));
  }
}
