/**
 * The client side of `npm run bench:redis`, in its own process (forked by bench/redis.ts, which
 * drives it over IPC). It holds groups of raw `ws` viewer sockets, each group in one room and
 * possibly spread over several servers, and
 *   - timestamps (the shared monotonic clock) when each socket receives each 'pub' frame, and
 *     reports a round once every socket of the group has it ('round');
 *   - runs the command load of the throughput figure: every socket loops requestAccess /
 *     cancelRequestAccess with one command in flight, and counts the results ('loaded').
 * Pub frames are recognised by a prefix check (no JSON parse), as in bench/server-clients.ts.
 */
import { WebSocket } from 'ws';
import { closeSockets } from './sockets.js';
import { percentile } from './stats.js';
import { signToken } from '../src/server/auth.js';
import { nowMs, type FromClients, type Target, type ToClients } from './redis-ipc.js';

/** Sockets connecting at once. */
const IN_FLIGHT = 200;
const OPEN_TIMEOUT_MS = 90_000;
const PUB = Buffer.from('{"t":"pub"');
const WELCOME = Buffer.from('{"t":"welcome"');
const RESULT = Buffer.from('{"t":"result"');

interface Round {
  count: number;
  last: number;
  readonly lastPerTarget: number[];
}

interface Group {
  readonly sockets: WebSocket[];
  /** Index of each socket's target (server). */
  readonly targetOf: Uint16Array;
  readonly targets: number;
  /** 'pub' frames each socket has received. */
  readonly seen: Uint32Array;
  readonly rounds: Round[];
  /** Set while the command load runs: gets each result frame of socket i. */
  onResult: ((i: number, text: string, t: number) => void) | undefined;
  open: number;
  closing: boolean;
}

const groups = new Map<string, Group>();

function tell(message: FromClients): void {
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
      message: `the client process ran out of file descriptors (${error.code}): raise the limit with \`ulimit -n 65536\` in this shell, then run again`,
    };
  }
  return { message: error.message, ...(error.code ? { code: error.code } : {}) };
}

async function open(m: Extract<ToClients, { op: 'open' }>): Promise<void> {
  const total = m.targets.reduce((s, t) => s + t.n, 0);
  const urls: string[] = [];
  const targetOf = new Uint16Array(total);
  m.targets.forEach((t: Target, k) => {
    for (let j = 0; j < t.n; j++) {
      targetOf[urls.length] = k;
      urls.push(t.url);
    }
  });
  const tokens: string[] = [];
  for (let i = 0; i < total; i += 500) {
    const batch = [];
    for (let j = i; j < Math.min(total, i + 500); j++) {
      const sub = `${m.group}-${j}`;
      batch.push(signToken({ sub, name: sub, room: m.room, preset: 'viewer' }, m.secret, '1h'));
    }
    tokens.push(...(await Promise.all(batch)));
  }
  const g: Group = {
    sockets: [],
    targetOf,
    targets: m.targets.length,
    seen: new Uint32Array(total),
    rounds: [],
    onResult: undefined,
    open: 0,
    closing: false,
  };
  groups.set(m.group, g);
  const t0 = nowMs();
  await new Promise<void>((resolve, reject) => {
    let next = 0;
    let failed = false;
    const timer = setTimeout(
      () => fail({ message: `only ${g.open} of ${total} sockets logged in within 90 s` }),
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
      if (g.open === total) {
        clearTimeout(timer);
        resolve();
      } else launch();
    };
    const start = (i: number): void => {
      const ws = new WebSocket(urls[i]!, { perMessageDeflate: false });
      let isReady = false;
      g.sockets[i] = ws;
      ws.on('open', () => ws.send(JSON.stringify({ t: 'hello', v: 1, token: tokens[i] })));
      ws.on('message', (data: Buffer) => {
        const t = nowMs();
        if (!isReady) {
          if (hasPrefix(data, WELCOME)) {
            isReady = true;
            ready();
          }
          return;
        }
        if (hasPrefix(data, PUB)) {
          const k = g.seen[i]!++;
          let r = g.rounds[k];
          if (!r) r = g.rounds[k] = { count: 0, last: t, lastPerTarget: Array(g.targets).fill(0) };
          r.count++;
          if (t > r.last) r.last = t;
          const target = g.targetOf[i]!;
          if (t > r.lastPerTarget[target]!) r.lastPerTarget[target] = t;
          if (r.count === total) {
            tell({
              op: 'round',
              group: m.group,
              idx: k,
              last: r.last,
              lastPerTarget: r.lastPerTarget,
            });
          }
        } else if (g.onResult && hasPrefix(data, RESULT)) g.onResult(i, data.toString(), t);
      });
      ws.on('error', (error: NodeJS.ErrnoException) => fail(describeError(error)));
      ws.on('close', (code, reason) => {
        if (g.closing) return;
        if (!isReady) {
          fail({
            message: `${m.group} socket ${i} (${urls[i]}) closed ${code} before its welcome: ${reason.toString()}`,
          });
        } else tell({ op: 'lost', group: m.group, code, reason: reason.toString() });
      });
    };
    const launch = (): void => {
      while (!failed && next < total && next - g.open < IN_FLIGHT) start(next++);
    };
    launch();
  });
  tell({ op: 'opened', group: m.group, ms: nowMs() - t0 });
}

const CYCLE = ['requestAccess', 'cancelRequestAccess'] as const;
/** Per socket: which command of CYCLE it sends next (kept across runs: the room keeps state). */
const nextCommand = new Map<string, Uint8Array>();
let commandSeq = 0;

function load(m: Extract<ToClients, { op: 'load' }>): void {
  const g = groups.get(m.group)!;
  const n = g.sockets.length;
  let phase = nextCommand.get(m.group);
  if (!phase) nextCommand.set(m.group, (phase = new Uint8Array(n)));
  const sentAt = new Float64Array(n);
  const t0 = nowMs();
  const from = t0 + m.warmupMs;
  const until = from + m.windowMs;
  const latencies: number[] = [];
  let ok = 0;
  let okTotal = 0;
  let failed = 0;
  let firstFailure: string | undefined;
  let idle = 0;
  const send = (i: number): void => {
    sentAt[i] = nowMs();
    const frame = `{"t":"cmd","id":"c${++commandSeq}","cmd":"${CYCLE[phase[i]!]}"}`;
    g.sockets[i]!.send(frame);
  };
  const finish = (): void => {
    clearTimeout(watchdog);
    g.onResult = undefined;
    tell({
      op: 'loaded',
      group: m.group,
      ok,
      windowMs: m.windowMs,
      okTotal,
      failed,
      ...(firstFailure ? { firstFailure } : {}),
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
    });
  };
  const watchdog = setTimeout(
    () => {
      firstFailure ??= `${n - idle} commands were still unanswered 10 s after the window`;
      finish();
    },
    m.warmupMs + m.windowMs + 10_000,
  );
  g.onResult = (i, text, t) => {
    // Each socket has one command in flight, so a result is the answer to it.
    const good = text.includes('"ok":true');
    // On a failure the socket was in the other state already (or the store failed): flip anyway.
    phase[i] = phase[i]! ^ 1;
    if (good) okTotal++;
    else {
      failed++;
      firstFailure ??= text;
    }
    if (t >= from && t < until) {
      if (good) ok++;
      latencies.push(t - sentAt[i]!);
    }
    if (t < until) send(i);
    else if (++idle === n) finish();
  };
  for (let i = 0; i < n; i++) send(i);
}

async function close(group: string): Promise<void> {
  const g = groups.get(group);
  if (g) {
    g.closing = true;
    await closeSockets(g.sockets);
    groups.delete(group);
  }
  tell({ op: 'closed', group });
}

if (!process.send) {
  console.error('bench/redis-clients.ts is the client process of `npm run bench:redis`; run that.');
  process.exit(2);
}

process.on('message', (m: ToClients) => {
  const run = async (): Promise<void> => {
    switch (m.op) {
      case 'open':
        return open(m);
      case 'load':
        return load(m);
      case 'status': {
        const out: Record<string, { open: number; rounds: number[] }> = {};
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
