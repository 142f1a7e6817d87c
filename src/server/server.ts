import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, MAX_FRAME_BYTES, isPresetName } from '../model/index.js';
import { secretKey, signToken } from './auth.js';
import { ClientConnection, type ConnectionContext } from './connection.js';
import { RoomHub } from './hub.js';
import { RedisRoomLog } from './redis-log.js';
import { MemoryRoomLog, type RoomLog } from './room-log.js';
import { resolveOptions, type StageServerOptions } from './options.js';

export interface StageServer {
  /** The port it listens on (useful with `port: 0`). */
  readonly port: number;
  /** `ws://host:port/stage`, for `connectStage`. */
  readonly url: string;
  /** Open client connections. */
  readonly connections: number;
  /** Closes every socket with 1001 (clients reconnect elsewhere), then stops listening. */
  close(): Promise<void>;
}

/**
 * Starts an rtk-stage server: an authoritative WebSocket endpoint at `/stage` that decides
 * every command with the rules engine, `GET /healthz`, and in dev mode `GET /dev/token`.
 */
export async function createStageServer(options: StageServerOptions = {}): Promise<StageServer> {
  const o = resolveOptions(options);
  const log = pino({ name: 'rtk-stage', level: o.logLevel });
  const store: RoomLog = o.redisUrl ? new RedisRoomLog(o.redisUrl) : new MemoryRoomLog();
  if (store instanceof RedisRoomLog) {
    await store.ready().catch(async (error: Error) => {
      await store.close();
      throw new Error(
        `rtk-stage server: ${error.message} at REDIS_URL. Start Redis or fix the URL.`,
      );
    });
  }
  const hubs = new Map<string, Promise<RoomHub>>();
  const sockets = new Set<WebSocket>();
  const ctx: ConnectionContext = {
    options: o,
    key: await secretKey(o.secret),
    log,
    now: Date.now,
    hub(room) {
      let hub = hubs.get(room);
      if (!hub) {
        const opening = RoomHub.open(room, o.room, store, Date.now, (idle) => {
          idle.close();
          if (hubs.get(room) === opening) hubs.delete(room);
        });
        hub = opening;
        hubs.set(room, hub);
        opening.catch(() => {
          if (hubs.get(room) === opening) hubs.delete(room);
        });
      }
      return hub;
    },
  };

  const http = createServer((req, res) => void route(req, res));
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
  });
  let closing = false;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/healthz') {
      // Serving needs the store too: with Redis away no command can be applied.
      const ok = !closing && store.healthy;
      return json(res, ok ? 200 : 503, {
        ok,
        store: o.redisUrl ? (store.healthy ? 'redis' : 'redis unreachable') : 'memory',
        rooms: hubs.size,
        connections: sockets.size,
      });
    }
    if (o.dev && req.method === 'GET' && url.pathname === '/dev/token') {
      const user = url.searchParams.get('user');
      const room = url.searchParams.get('room') ?? 'demo';
      const preset = url.searchParams.get('preset') ?? 'viewer';
      if (!user || !isPresetName(preset)) {
        return json(res, 400, {
          error: 'pass ?user=ID&room=ROOM&preset=host|moderator|speaker|viewer|audience&name=NAME',
        });
      }
      const name = url.searchParams.get('name') ?? user;
      const token = await signToken({ sub: user, room, name, preset }, o.secret, '12h');
      return json(res, 200, { token });
    }
    json(res, 404, {
      error: `nothing at ${url.pathname}; the stage socket is ws://HOST:PORT/stage`,
    });
  }

  http.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/stage' || closing) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      const origin = req.headers.origin;
      if (o.allowedOrigins && origin !== undefined && !o.allowedOrigins.includes(origin)) {
        ws.close(CloseCode.FORBIDDEN, 'origin not allowed');
        return;
      }
      new ClientConnection(ws, ctx);
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(o.port, o.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const host = o.host && o.host !== '0.0.0.0' ? o.host : 'localhost';
  log.info({ port, dev: o.dev }, 'rtk-stage server listening');

  return {
    port,
    url: `ws://${host}:${port}/stage`,
    get connections() {
      return sockets.size;
    },
    async close() {
      if (closing) return;
      closing = true;
      const closed = [...sockets].map(
        (ws) =>
          new Promise<void>((resolve) => {
            ws.once('close', () => resolve());
            ws.close(CloseCode.GOING_AWAY, 'server shutting down');
            setTimeout(() => {
              ws.terminate();
              resolve();
            }, 2000).unref();
          }),
      );
      await Promise.all(closed);
      for (const hub of hubs.values())
        void hub.then(
          (h) => h.close(),
          () => {},
        );
      hubs.clear();
      await store.close();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      log.info('rtk-stage server stopped');
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'access-control-allow-origin': '*',
  });
  res.end(JSON.stringify(body));
}
