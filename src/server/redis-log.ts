import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { AppendResult, LogEntry, RoomCheckpoint, RoomLog, RoomOp } from './room-log.js';

const HEARTBEAT_MS = 1000;
const HEARTBEAT_TTL_MS = 3000;
/** Steps kept before the newest checkpoint, so a slightly late replica still catches up. */
const KEEP_BEHIND = 1000;
/** How long a claimed turn (see APPEND) lasts at most when its claimant does not use it. */
const TURN_MS = 250;

// Appends steps only if the room is still at the expected version; the version, the log (a
// stream whose ids are the versions) and the notices to other servers change together.
// Fairness: a server that keeps losing the race claims the room's next turn (ARGV[3] = '1');
// while that claim lasts, the others' appends are refused as if they had lost, so the
// claimant's next try finds the version unchanged. Its append ends the turn; a claimant that
// died lets it lapse after TURN_MS.
// KEYS: version, log, channel, turn. ARGV: expected version, node, claim, steps...
const APPEND = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local expected = tonumber(ARGV[1])
local turn = redis.call('GET', KEYS[4])
if not turn and ARGV[3] == '1' then
  redis.call('SET', KEYS[4], ARGV[2], 'PX', ${TURN_MS})
  turn = ARGV[2]
end
if current ~= expected or (turn and turn ~= ARGV[2]) then
  -- Lost the race (or it is another server's turn): hand back the steps the caller missed,
  -- saving it a read, and whether the next turn is the caller's.
  local missed = {}
  if current > expected then
    missed = redis.call('XRANGE', KEYS[2], (expected + 1) .. '-0', '+')
  end
  return {0, current, missed, turn == ARGV[2] and 1 or 0}
end
local v = current
for i = 4, #ARGV do
  v = v + 1
  local entry = '{"v":' .. v .. ',"op":' .. ARGV[i] .. '}'
  redis.call('XADD', KEYS[2], v .. '-1', 'e', entry)
  redis.call('PUBLISH', KEYS[3], entry)
end
redis.call('SET', KEYS[1], v)
if turn then redis.call('DEL', KEYS[4]) end
return {1, v}
`;

// The room's version and its steps from ARGV[1] on, read at one instant.
const READ = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
return {current, redis.call('XRANGE', KEYS[2], ARGV[1], '+')}
`;

// Saves a checkpoint if it is newer than the saved one. A checkpoint ahead of the room's
// version (the store lost steps) moves the version up to it and drops the stale log.
const SAVE = `
local saved = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
local v = tonumber(ARGV[1])
if v <= saved then return 0 end
redis.call('HSET', KEYS[1], 'v', v, 'data', ARGV[2])
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
if current < v then
  redis.call('SET', KEYS[2], v)
  redis.call('DEL', KEYS[3])
else
  redis.call('XTRIM', KEYS[3], 'MINID', math.max(0, v - tonumber(ARGV[3])) .. '-0')
end
return 1
`;

const key = {
  version: (room: string) => `rtk-stage:room:{${room}}:v`,
  log: (room: string) => `rtk-stage:room:{${room}}:log`,
  checkpoint: (room: string) => `rtk-stage:room:{${room}}:cp`,
  channel: (room: string) => `rtk-stage:room:{${room}}:steps`,
  turn: (room: string) => `rtk-stage:room:{${room}}:turn`,
  node: (node: string) => `rtk-stage:node:${node}`,
};

/**
 * Rooms in Redis, shared by several servers: steps are ordered by a compare-and-set on the
 * room's version, kept in a stream, announced on pub/sub, and checkpointed. Every server
 * heartbeats; one whose heartbeat lapses has its connections counted as dropped.
 */
export class RedisRoomLog implements RoomLog {
  readonly node = randomUUID();
  readonly keepsCheckpoints = true;
  private readonly redis: Redis;
  private readonly sub: Redis;
  private readonly handlers = new Map<
    string,
    { onEntry: (entry: LogEntry) => void; onMissed: () => void }
  >();
  private readonly heartbeat: ReturnType<typeof setInterval>;

  constructor(url: string) {
    // Fail fast while Redis is away instead of queueing: callers answer "unavailable".
    const options = { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false };
    this.redis = new Redis(url, options);
    this.sub = new Redis(url, { ...options, enableOfflineQueue: true });
    for (const client of [this.redis, this.sub]) client.on('error', () => {});
    this.redis.defineCommand('stageAppend', { numberOfKeys: 4, lua: APPEND });
    this.redis.defineCommand('stageSave', { numberOfKeys: 3, lua: SAVE });
    this.redis.defineCommand('stageRead', { numberOfKeys: 2, lua: READ });
    this.sub.on('message', (channel: string, message: string) => {
      const room = channel.slice(channel.indexOf('{') + 1, channel.lastIndexOf('}'));
      const entry = parseEntry(message);
      if (entry) this.handlers.get(room)?.onEntry(entry);
    });
    // After a reconnect some notices may have been missed: each room catches up from the log.
    this.sub.on('ready', () => {
      for (const handler of this.handlers.values()) handler.onMissed();
    });
    const beat = () =>
      void this.redis.set(key.node(this.node), '1', 'PX', HEARTBEAT_TTL_MS).catch(() => {});
    beat();
    this.heartbeat = setInterval(beat, HEARTBEAT_MS);
    this.heartbeat.unref?.();
  }

  get healthy(): boolean {
    return this.redis.status === 'ready';
  }

  /** Resolves once Redis answers (or rejects after `timeoutMs`). */
  async ready(timeoutMs = 5000): Promise<void> {
    const started = Date.now();
    while (this.redis.status !== 'ready') {
      if (Date.now() - started > timeoutMs) {
        throw new Error(`could not reach Redis (status: ${this.redis.status})`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async checkpoint(room: string): Promise<RoomCheckpoint | undefined> {
    const data = await this.redis.hget(key.checkpoint(room), 'data');
    return data ? (JSON.parse(data) as RoomCheckpoint) : undefined;
  }

  async read(room: string, after: number): Promise<LogEntry[] | 'gap'> {
    // The version and the steps are read together: between two separate reads another
    // server may append, and an empty read would look like lost steps.
    const [current, rows] = (await (
      this.redis as unknown as {
        stageRead(...args: (string | number)[]): Promise<[number, [string, string[]][]]>;
      }
    ).stageRead(key.version(room), key.log(room), `${after + 1}-0`)) as [
      number,
      [string, string[]][],
    ];
    const entries = entriesOf(rows);
    if (entries.length > 0 && entries[0]!.v !== after + 1) return 'gap';
    if (entries.length === 0 && current > after) return 'gap';
    return entries;
  }

  async append(
    room: string,
    expected: number,
    ops: readonly RoomOp[],
    claimTurn = false,
  ): Promise<AppendResult> {
    const [ok, current, rows, turn] = (await (
      this.redis as unknown as {
        stageAppend(
          ...args: (string | number)[]
        ): Promise<[number, number, [string, string[]][]?, number?]>;
      }
    ).stageAppend(
      key.version(room),
      key.log(room),
      key.channel(room),
      key.turn(room),
      expected,
      this.node,
      claimTurn ? '1' : '0',
      ...ops.map((op) => JSON.stringify(op)),
    ))!;
    if (ok === 1) return { ok: true };
    return {
      ok: false,
      current,
      ...(rows?.length ? { missed: entriesOf(rows) } : {}),
      ...(turn === 1 ? { turn: true } : {}),
    };
  }

  async save(room: string, checkpoint: RoomCheckpoint): Promise<void> {
    await (
      this.redis as unknown as { stageSave(...args: (string | number)[]): Promise<number> }
    ).stageSave(
      key.checkpoint(room),
      key.version(room),
      key.log(room),
      checkpoint.v,
      JSON.stringify(checkpoint),
      KEEP_BEHIND,
    );
  }

  async subscribe(
    room: string,
    onEntry: (entry: LogEntry) => void,
    onMissed: () => void,
  ): Promise<void> {
    this.handlers.set(room, { onEntry, onMissed });
    await this.sub.subscribe(key.channel(room));
  }

  async unsubscribe(room: string): Promise<void> {
    this.handlers.delete(room);
    await this.sub.unsubscribe(key.channel(room));
  }

  async alive(node: string): Promise<boolean> {
    return (await this.redis.exists(key.node(node))) === 1;
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.redis.del(key.node(this.node)).catch(() => {});
    this.sub.disconnect();
    this.redis.disconnect();
  }
}

function entriesOf(rows: [string, string[]][]): LogEntry[] {
  const entries: LogEntry[] = [];
  for (const [, fields] of rows) {
    const entry = parseEntry(fields[1] ?? '');
    if (entry) entries.push(entry);
  }
  return entries;
}

function parseEntry(text: string): LogEntry | undefined {
  try {
    const entry = JSON.parse(text) as LogEntry;
    return typeof entry.v === 'number' && typeof entry.op === 'object' ? entry : undefined;
  } catch {
    return undefined;
  }
}
