/**
 * Fairness between servers writing one room (issue 6, "nothing acknowledged lost" under
 * contention): a server that keeps losing the compare-and-set claims the room's next turn, and
 * the other servers' appends are refused until it has written (or its claim lapses). Tested on
 * the Redis log itself, with two logs standing for two servers.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { presets } from '../../src/index.js';
import { RedisRoomLog } from '../../src/server/redis-log.js';
import type { RoomOp } from '../../src/server/room-log.js';
import { RedisProcess, sleep } from './support.js';

let redis: RedisProcess;
let a: RedisRoomLog;
let b: RedisRoomLog;

before(async () => {
  redis = await RedisProcess.start();
  a = new RedisRoomLog(redis.url);
  b = new RedisRoomLog(redis.url);
  await Promise.all([a.ready(), b.ready()]);
});

after(async () => {
  await Promise.all([a.close(), b.close()]);
  await redis.stop();
});

const attach = (log: RedisRoomLog, userId: string): RoomOp => ({
  k: 'attach',
  node: log.node,
  m: { userId, displayName: userId, permissions: presets.viewer },
  now: 1,
});

test('turns: a server that claims the next turn writes before the others', async () => {
  const room = 'turns-1';
  assert.deepEqual(await a.append(room, 0, [attach(a, 'a1')]), { ok: true });

  // B lost the race (it expected version 0) and claims the next turn.
  const lost = await b.append(room, 0, [attach(b, 'b1')], true);
  assert.equal(lost.ok, false);
  assert.ok(!lost.ok && lost.turn, 'the turn is B’s');
  assert.deepEqual(!lost.ok && lost.missed?.map((e) => e.v), [1]);

  // A is at the right version, but it is B's turn.
  const held = await a.append(room, 1, [attach(a, 'a2')]);
  assert.ok(!held.ok && held.current === 1 && !held.turn && !held.missed);

  // B writes at version 1; that ends its turn, and A writes next.
  assert.deepEqual(await b.append(room, 1, [attach(b, 'b1')]), { ok: true });
  assert.deepEqual(await a.append(room, 2, [attach(a, 'a2')]), { ok: true });
  const log = await a.read(room, 0);
  assert.ok(log !== 'gap');
  assert.deepEqual(
    log.map((e) => e.op.k === 'attach' && e.op.m.userId),
    ['a1', 'b1', 'a2'],
  );
});

test('turns: a claim that is never used lapses, and the others write again', async () => {
  const room = 'turns-2';
  assert.deepEqual(await a.append(room, 0, [attach(a, 'a1')]), { ok: true });
  // B claims the turn and then goes silent (a server that died).
  assert.equal((await b.append(room, 0, [attach(b, 'b1')], true)).ok, false);
  assert.equal((await a.append(room, 1, [attach(a, 'a2')])).ok, false);
  await sleep(300);
  assert.deepEqual(await a.append(room, 1, [attach(a, 'a2')]), { ok: true });
});

test('turns: a claim is only taken when nobody holds one', async () => {
  const room = 'turns-3';
  assert.deepEqual(await a.append(room, 0, [attach(a, 'a1')]), { ok: true });
  const first = await b.append(room, 0, [attach(b, 'b1')], true);
  assert.ok(!first.ok && first.turn);
  // A claims too, while B holds the turn: refused, and the turn stays B's.
  const second = await a.append(room, 1, [attach(a, 'a2')], true);
  assert.ok(!second.ok && !second.turn);
  assert.deepEqual(await b.append(room, 1, [attach(b, 'b1')]), { ok: true });
});
