/**
 * Issue 6 "Tests", faults with nodes in their own processes (contract 3 "reconnectGraceMs",
 * 6 "connectStage", 7 "With Redis, every node heartbeats with a TTL; when a node's heartbeat
 * lapses, its connections count as dropped (the grace applies) and another node runs their
 * timers"):
 * - SIGKILL one node mid-flow: its clients resume on the other node within the grace, keep
 *   status and queue place, and nothing acknowledged is lost; users held only by the dead node
 *   are removed by the grace timers the surviving node runs, the grace starting when the dead
 *   node's heartbeat lapses;
 * - a node that stalls (SIGSTOP) past its heartbeat TTL and comes back within the grace.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import type { ConnectionState, StageController } from '../../src/index.js';
import {
  RedisProcess,
  StageNode,
  assertConverged,
  connect,
  current,
  defer,
  eventually,
  ids,
  record,
  sleep,
  stageClient,
} from './support.js';

const GRACE = 2500;
/**
 * How long a dead node may take to be counted gone: the heartbeat TTL of
 * src/server/redis-log.ts (3 s) plus two checks of src/server/hub.ts (1 s apart).
 */
const LAPSE = 3000 + 2000;

let redis: RedisProcess;
let a: StageNode;
let b: StageNode;
let c: StageNode;

before(async () => {
  redis = await RedisProcess.start();
  const options = { reconnectGraceMs: GRACE };
  [a, b, c] = await Promise.all([
    StageNode.start(redis.url, options),
    StageNode.start(redis.url, options),
    StageNode.start(redis.url, options),
  ]);
});

after(async () => {
  await Promise.all([a?.close(), b?.close(), c?.close()]);
  await redis?.close();
});

const queue = (h: StageController) => h.getAccessRequests().stageRequests.map((r) => r.userId);

function states(ctrl: StageController): ConnectionState[] {
  const seen: ConnectionState[] = [];
  ctrl.connection$.subscribe((s) => seen.push(s));
  return seen;
}

test('faults: SIGKILL a node mid-flow: its clients resume on the other within the grace, nothing acknowledged is lost, and its users held nowhere else are removed after the grace', async (t) => {
  const room = 'kill-midflow';
  const AB = [a.url, b.url];
  const fast = { maxRetryDelayMs: 300 };
  const host = await stageClient(t, b.url, 'hb', { room, preset: 'host' });
  const mod = await stageClient(t, AB, 'ma', { room, preset: 'moderator', ...fast });
  const v1 = await stageClient(t, AB, 'v1', { room, ...fast });
  const v2 = await stageClient(t, AB, 'v2', { room, ...fast });
  const v3 = await stageClient(t, AB, 'v3', { room, ...fast });
  const v4 = await stageClient(t, AB, 'v4', { room, ...fast });
  const s1 = await stageClient(t, AB, 's1', { room, preset: 'speaker', ...fast });
  const w1 = await stageClient(t, [b.url, a.url], 'w1', { room });
  const w2 = await stageClient(t, [b.url, a.url], 'w2', { room });
  // Held by node A only: x waits in the queue, z was invited; y leaves just before the crash.
  const x = await stageClient(t, a.url, 'x', { room });
  const z = await stageClient(t, a.url, 'z', { room, preset: 'speaker' });
  const y = await connect(a.url, 'y', { room });
  defer(t, () => y.dispose());
  const movers = [mod, v1, v2, v3, v4, s1];
  const hostSeen = record(host);

  // Acknowledged before the crash (each Promise resolved).
  for (const u of [v1, w1, v2, x, y, w2]) await u.requestAccess();
  await s1.requestAccess();
  await s1.join();
  assert.deepEqual(await mod.grantAccess(['v3']), { ok: ['v3'], failed: [] });
  assert.deepEqual(await mod.grantAccess(['z']), { ok: ['z'], failed: [] });
  assert.deepEqual(await mod.denyAccess(['w2']), { ok: ['w2'], failed: [] });
  await eventually(() => assert.deepEqual(queue(host), ['v1', 'w1', 'v2', 'x', 'y']));
  const seen = movers.map(states);

  // Mid-flow: y's last socket closes, two commands are on their way, and node A dies.
  y.dispose();
  const request = v4.requestAccess();
  const grant = mod.grantAccess(['v1']);
  const killedAt = Date.now();
  await a.kill();

  // Its clients move to B, well within the grace; the commands in flight are answered there.
  await eventually(() => {
    for (const [i, m] of movers.entries()) {
      assert.ok(seen[i]!.includes('reconnecting'), `${m.userId} noticed the crash`);
      assert.equal(current(m.connection$), 'connected', `${m.userId} resumed`);
    }
  }, GRACE);
  const resumedAfter = Date.now() - killedAt;
  assert.deepEqual(await grant, { ok: ['v1'], failed: [] }, 'the grant in flight is applied once');
  await request;
  const check = (label: string, q: string[]) => {
    assert.deepEqual(queue(host), q, `${label}: the queue`);
    assert.equal(v1.status, 'ACCEPTED_TO_JOIN_STAGE', `${label}: v1`);
    assert.equal(v3.status, 'ACCEPTED_TO_JOIN_STAGE', `${label}: v3 (invited before the crash)`);
    assert.equal(s1.status, 'ON_STAGE', `${label}: s1`);
    assert.equal(w2.status, 'OFF_STAGE', `${label}: w2 (denied before the crash)`);
    for (const u of [w1, v2, v4]) {
      assert.equal(u.status, 'REQUESTED_TO_JOIN_STAGE', `${label}: ${u.userId}`);
      assert.equal(current(u.position$), q.indexOf(u.userId) + 1, `${label}: ${u.userId}'s place`);
    }
    for (const c of [host, mod, v1, w1]) {
      assert.deepEqual(ids(current(c.onStage$)), ['s1'], `${label}: ${c.userId} sees s1 on stage`);
    }
  };
  await eventually(() => check('just after the resume', ['w1', 'v2', 'x', 'y', 'v4']));
  // x and z have no other node to go to: the dead node still holds them (no grace yet).
  for (const u of [x, z]) assert.notEqual(current(u.connection$), 'connected', u.userId);
  assert.ok(ids(current(host.participants$)).includes('z'), 'z keeps its seat for now');

  // The dead node's heartbeat lapses; B counts its sockets as dropped and runs the grace.
  await eventually(
    () => {
      assert.deepEqual(queue(host), ['w1', 'v2', 'v4'], 'x and y leave the queue');
      assert.ok(!ids(current(host.participants$)).includes('z'), 'z loses its seat');
    },
    LAPSE + GRACE + 3000,
    25,
  );
  const removedAfter = Date.now() - killedAt;
  assert.ok(removedAfter >= GRACE, `removed ${removedAfter} ms after the crash: before the grace`);
  assert.ok(
    hostSeen.includes('stageAccessDeclined {"userId":"z"}'),
    'hosts are told that the invited z is gone',
  );
  const gone = await host.grantAccess(['x', 'y', 'z']);
  assert.deepEqual(
    gone.failed.map((f) => `${f.userId}:${f.code}`),
    ['x:2009', 'y:2009', 'z:2009'],
    'users gone after their grace are unknown',
  );

  // The clients that moved lost nothing when their old node was dropped, even after a grace.
  await sleep(GRACE + 500);
  check('after the dead node was dropped and a grace passed', ['w1', 'v2', 'v4']);
  await assertConverged([host, w1, w2, ...movers], [b.url], room);
  assert.ok(resumedAfter < GRACE, `resumed ${resumedAfter} ms after the crash`);
});

test('faults: a node that stalls past its heartbeat TTL and comes back within the grace keeps its connected users', async (t) => {
  // SIGSTOP freezes node C: its sockets stay open but its heartbeat stops, so node B drops its
  // connections (a nodeGone step) and the grace starts. C resumes right after that, well
  // within the grace: its users never went away, so like any user who comes back within the
  // grace they must resume exactly where they were (contract 3), and their commands must work.
  const room = 'stall';
  const host = await stageClient(t, b.url, 'hb', { room, preset: 'host' });
  const r = await stageClient(t, b.url, 'r', { room });
  const q = await stageClient(t, c.url, 'q', { room });
  const s = await stageClient(t, c.url, 's', { room, preset: 'speaker' });
  await q.requestAccess();
  await r.requestAccess();
  await s.requestAccess();
  await s.join();
  await eventually(() => assert.deepEqual(queue(host), ['q', 'r']));

  const store = new Redis(redis.url);
  store.on('error', () => {});
  defer(t, () => store.disconnect());
  const nodeGone = async () => {
    const rows = await store.xrange(`rtk-stage:room:{${room}}:log`, '-', '+');
    return rows.some(([, fields]) => (fields[1] ?? '').includes('"k":"nodeGone"'));
  };
  c.pause();
  defer(t, () => c.resume());
  const pausedAt = Date.now();
  await eventually(async () => assert.ok(await nodeGone(), 'B saw C gone'), LAPSE + 2000, 50);
  c.resume();
  const resumedAfter = Date.now() - pausedAt;

  // Past the end of the grace that the nodeGone step started:
  await sleep(GRACE + 1500);
  assert.deepEqual(
    queue(host),
    ['q', 'r'],
    `q is still connected to node C (it stalled for ${resumedAfter} ms): it keeps its place`,
  );
  assert.deepEqual(ids(current(host.onStage$)), ['s'], 's is still connected: it stays on stage');
  assert.equal(q.status, 'REQUESTED_TO_JOIN_STAGE');
  assert.equal(current(q.position$), 1);
  await q.cancelRequestAccess(); // a connected user's command works (not 2005)
  await eventually(() => assert.deepEqual(queue(host), ['r']));
});
