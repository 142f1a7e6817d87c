/**
 * The client side of bench:server, in its own process (forked by bench/server.ts, which drives
 * it over IPC): opens N raw `ws` sockets to a server, logs the stage ones in with viewer tokens,
 * and timestamps (shared monotonic clock, see server-ipc.ts) when each socket receives each
 * 'pub' frame. It reports a round once all N sockets have received it.
 *
 * Both groups do the same work per frame (a 10-byte prefix check, no JSON parse), so client
 * cost is the same for the rtk-stage server and the raw ws server.
 */
import { WebSocket } from 'ws';
import { closeSockets } from './sockets.js';
import { signToken } from '../src/server/auth.js';
import { nowMs, type Group, type ToChild, type ToParent } from './server-ipc.js';

/** Sockets connecting at once. */
const IN_FLIGHT = 200;
const OPEN_TIMEOUT_MS = 60_000;
const PUB = Buffer.from('{"t":"pub"');
const WELCOME = Buffer.from('{"t":"welcome"');

interface Round {
  count: number;
  first: number;
  last: number;
}

interface GroupState {
  readonly sockets: WebSocket[];
  readonly userIds: string[];
  /** How many 'pub' frames each socket has received. */
  readonly seen: Uint32Array;
  readonly rounds: Round[];
  /** Sockets welcomed (stage) or open (raw). */
  open: number;
  closing: boolean;
}

const groups = new Map<Group, GroupState>();
let commandSeq = 0;

function tell(message: ToParent): void {
  // After the parent has gone (it failed, or finished), there is nobody left to tell.
  if (process.connected) process.send!(message, undefined, undefined, () => {});
}

function hasPrefix(data: Buffer, prefix: Buffer): boolean {
  return (
    data.length >= prefix.length && data.compare(prefix, 0, prefix.length, 0, prefix.length) === 0
  );
}

function describeError(error: NodeJS.ErrnoException): { message: string; code?: string } {
  if (error.code === 'EMFILE' || error.code === 'ENFILE') {
    return {
      code: error.code,
      message: `the client process ran out of file descriptors (${error.code}): raise the limit with \`ulimit -n 65536\` (or more than 2×N) in this shell, then run again`,
    };
  }
  if (error.code === 'EADDRNOTAVAIL') {
    return {
      code: error.code,
      message:
        'no local port left for another loopback connection (EADDRNOTAVAIL): lower N or widen net.ipv4.ip_local_port_range',
    };
  }
  return { message: error.message, ...(error.code ? { code: error.code } : {}) };
}

async function signAll(n: number, secret: string, room: string): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < n; i += 500) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + 500); j++) {
      batch.push(
        signToken({ sub: `v${j}`, name: `Viewer ${j}`, room, preset: 'viewer' }, secret, '1h'),
      );
    }
    tokens.push(...(await Promise.all(batch)));
  }
  return tokens;
}

async function open(m: Extract<ToChild, { op: 'open' }>): Promise<void> {
  const stage = m.group === 'stage';
  const tokens = stage ? await signAll(m.n, m.secret!, m.room!) : [];
  const g: GroupState = {
    sockets: [],
    userIds: [],
    seen: new Uint32Array(m.n),
    rounds: [],
    open: 0,
    closing: false,
  };
  groups.set(m.group, g);
  const t0 = nowMs();
  await new Promise<void>((resolve, reject) => {
    let next = 0;
    let failed = false;
    const timer = setTimeout(
      () =>
        fail({ message: `only ${g.open} of ${m.n} sockets opened within ${OPEN_TIMEOUT_MS} ms` }),
      OPEN_TIMEOUT_MS,
    );
    const fail = (why: { message: string; code?: string }): void => {
      if (failed) return;
      failed = true;
      clearTimeout(timer);
      reject(Object.assign(new Error(why.message), { code: why.code }));
    };
    const ready = (): void => {
      g.open++;
      if (g.open === m.n) {
        clearTimeout(timer);
        resolve();
      } else launch();
    };
    const start = (i: number): void => {
      const ws = new WebSocket(m.url, { perMessageDeflate: false });
      let isReady = false;
      g.sockets[i] = ws;
      g.userIds[i] = `v${i}`;
      ws.on('open', () => {
        if (stage) ws.send(JSON.stringify({ t: 'hello', v: 1, token: tokens[i] }));
        else {
          isReady = true;
          ready();
        }
      });
      ws.on('message', (data: Buffer) => {
        const t = nowMs();
        if (!isReady) {
          if (stage && hasPrefix(data, WELCOME)) {
            isReady = true;
            ready();
          }
          return;
        }
        if (!hasPrefix(data, PUB)) return;
        const k = g.seen[i]!++;
        let r = g.rounds[k];
        if (!r) r = g.rounds[k] = { count: 0, first: t, last: t };
        r.count++;
        if (t < r.first) r.first = t;
        if (t > r.last) r.last = t;
        if (r.count === m.n)
          tell({ op: 'round', group: m.group, idx: k, first: r.first, last: r.last });
      });
      ws.on('error', (error: NodeJS.ErrnoException) => fail(describeError(error)));
      ws.on('close', (code, reason) => {
        if (g.closing) return;
        if (!isReady) {
          fail({ message: `socket ${i} closed ${code} before it was ready: ${reason.toString()}` });
        } else tell({ op: 'lost', group: m.group, code, reason: reason.toString() });
      });
    };
    const launch = (): void => {
      while (!failed && next < m.n && next - g.open < IN_FLIGHT) start(next++);
    };
    launch();
  });
  tell({ op: 'opened', group: m.group, n: m.n, ms: nowMs() - t0 });
}

function command(group: Group, count: number, cmd: string): void {
  const g = groups.get(group)!;
  const times: number[] = [];
  const userIds = g.userIds.slice(0, count);
  for (let i = 0; i < count; i++) {
    const id = `c${++commandSeq}`;
    const frame = JSON.stringify(
      group === 'stage' ? { t: 'cmd', id, cmd } : { t: 'cmd', id, cmd, u: userIds[i] },
    );
    times.push(nowMs());
    g.sockets[i]!.send(frame);
  }
  tell({ op: 'commanded', userIds, times });
}

async function close(group: Group): Promise<void> {
  const g = groups.get(group);
  if (g) {
    g.closing = true;
    await closeSockets(g.sockets);
    groups.delete(group);
  }
  tell({ op: 'closed', group });
}

if (!process.send) {
  console.error(
    'bench/server-clients.ts is the client process of `npm run bench:server`; run that.',
  );
  process.exit(2);
}

process.on('message', (m: ToChild) => {
  const run = async (): Promise<void> => {
    switch (m.op) {
      case 'open':
        return open(m);
      case 'command':
        return command(m.group, m.count, m.cmd);
      case 'status': {
        const out: Partial<Record<Group, { open: number; rounds: number[] }>> = {};
        for (const [name, g] of groups) {
          out[name] = { open: g.open, rounds: g.rounds.map((r) => r.count) };
        }
        return tell({ op: 'status', groups: out });
      }
      case 'close':
        return close(m.group);
      case 'exit':
        process.exit(0);
    }
  };
  run().catch((error: NodeJS.ErrnoException) =>
    tell({ op: 'error', message: error.message, ...(error.code ? { code: error.code } : {}) }),
  );
});
// The parent went away: nothing left to measure.
process.on('disconnect', () => process.exit(0));
tell({ op: 'ready' });
