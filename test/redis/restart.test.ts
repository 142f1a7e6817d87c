/**
 * Issue 6 "Tests", faults: restart Redis under two server processes, once keeping its data
 * (appendonly) and once losing it. While Redis is down `/healthz` answers 503 and commands
 * reject with a clear error instead of hanging ("/healthz says 503 while Redis is
 * unreachable, and commands reject with a clear error meanwhile rather than hang"); when it
 * is back the servers recover (200, commands apply again) and clients on both nodes resync.
 */
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import type { StageBulkResult, StageController } from '../../src/index.js';
import {
  RedisProcess,
  StageNode,
  Watcher,
  assertConverged,
  assertReplicasAgree,
  current,
  defer,
  eventually,
  ids,
  sleep,
  stageClient,
} from './support.js';

const GRACE = 2000;
/** Heartbeat TTL (3 s) plus two checks (1 s apart) before a silent node is counted gone. */
const LAPSE = 3000 + 2000;

let redis: RedisProcess;
let a: StageNode;
let b: StageNode;

before(async () => {
  redis = await RedisProcess.start({ persist: true });
  const options = { reconnectGraceMs: GRACE };
  [a, b] = await Promise.all([
    StageNode.start(redis.url, options),
    StageNode.start(redis.url, options),
  ]);
});

after(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await redis?.close();
});

const queue = (h: StageController) =>
  h.getAccessRequests().stageRequests.map((r) => `${r.userId}#${r.position}`);

/** The health of both nodes, polled until `want` (or the time is up): the last answers. */
async function healthOf(want: number, ms: number): Promise<number[]> {
  const end = Date.now() + ms;
  for (;;) {
    const got = await Promise.all([a.health(), b.health()]);
    if (got.every((s) => s === want) || Date.now() > end) return got;
    await sleep(100);
  }
}

/** Retries a command until the store takes it (it rejects 2005 while the store is away). */
async function once<T>(command: () => Promise<T>): Promise<T> {
  let result: T | undefined;
  await eventually(
    async () => {
      result = await command();
    },
    10_000,
    200,
  );
  return result as T;
}

async function outage(t: TestContext, room: string, lose: boolean): Promise<void> {
  const h = await stageClient(t, a.url, 'h', { room, preset: 'host' });
  const m = await stageClient(t, b.url, 'm', { room, preset: 'moderator' });
  const v1 = await stageClient(t, a.url, 'v1', { room });
  const v2 = await stageClient(t, b.url, 'v2', { room });
  const v3 = await stageClient(t, a.url, 'v3', { room });
  const sp = await stageClient(t, b.url, 'sp', { room, preset: 'speaker' });
  const everyone = [h, m, v1, v2, v3, sp];
  const watchers = [await Watcher.open(a.url, room), await Watcher.open(b.url, room)];
  defer(t, () => watchers.forEach((w) => w.close()));

  await v1.requestAccess();
  await v2.requestAccess();
  await sp.requestAccess();
  await sp.join();
  assert.deepEqual(await h.grantAccess(['v3']), { ok: ['v3'], failed: [] });
  await eventually(() => assert.deepEqual(queue(m), ['v1#1', 'v2#2']));
  assert.deepEqual(await healthOf(200, 0), [200, 200], '/healthz before the outage');

  // ---- Redis goes away ----
  await redis.stop();
  try {
    for (const [who, command] of [
      ['a host on A granting', () => h.grantAccess(['v1'])],
      ['a viewer on B cancelling', () => v2.cancelRequestAccess()],
      ['a speaker on B leaving', () => sp.leave()],
    ] as const) {
      const started = Date.now();
      const error = await (command as () => Promise<unknown>)().then(
        () => assert.fail(`${who}: the command resolved while Redis was down`),
        (e: unknown) => e as { code?: string; message?: string },
      );
      const took = Date.now() - started;
      assert.ok(
        error.code === '2005' || error.code === '2010',
        `${who}: rejected ${error.code}, expected 2005 or 2010`,
      );
      assert.ok(took < 5000, `${who}: rejected only after ${took} ms`);
      assert.match(error.message ?? '', /unreachable|unavailable|did not answer/i, who);
    }
  } finally {
    if (lose) {
      // Redis comes back without its data (as without persistence).
      for (const f of readdirSync(redis.dir)) rmSync(path.join(redis.dir, f), { recursive: true });
    }
    await redis.resume();
  }
  const restartedAt = Date.now();

  // ---- Recovery ----
  assert.deepEqual(await healthOf(200, 10_000), [200, 200], '/healthz once Redis is back');
  // Nothing the outage rejected was applied; everything before it is still there.
  await eventually(() => {
    assert.deepEqual(queue(h), ['v1#1', 'v2#2']);
    assert.deepEqual(queue(m), ['v1#1', 'v2#2']);
    assert.equal(v3.status, 'ACCEPTED_TO_JOIN_STAGE');
    assert.equal(sp.status, 'ON_STAGE');
  });
  await assertConverged(everyone, [a.url, b.url], room);

  // Changes made after the restart reach clients on both nodes.
  const granted: StageBulkResult = await once(() => h.grantAccess(['v1']));
  assert.deepEqual(granted, { ok: ['v1'], failed: [] });
  const kicked: StageBulkResult = await once(() => m.kick(['sp']));
  assert.deepEqual(kicked, { ok: ['sp'], failed: [] });
  await eventually(() => {
    assert.equal(v1.status, 'ACCEPTED_TO_JOIN_STAGE', 'v1 on A');
    assert.equal(sp.status, 'OFF_STAGE', 'sp on B');
    assert.equal(current(v2.position$), 1, 'v2 on B moved up');
    assert.deepEqual(ids(current(m.participants$)), ['v1', 'v2', 'v3'], 'the moderator on B');
    assert.deepEqual(current(h.onStage$), [], 'the host on A');
  });
  await assertConverged(everyone, [a.url, b.url], room);
  await assertReplicasAgree(watchers);
  for (const w of watchers) assert.deepEqual(w.gaps(), [], 'deltas with a version gap');

  if (lose) {
    // Every heartbeat vanished with the data: no live node may be taken for dead, so after a
    // heartbeat lapse and a grace everybody is still where they were.
    await sleep(Math.max(0, restartedAt + LAPSE + GRACE + 500 - Date.now()));
    await assertConverged(everyone, [a.url, b.url], room);
    assert.deepEqual(queue(h), ['v2#1']);
    assert.deepEqual(
      everyone.map((c) => `${c.userId}:${c.status}`),
      [
        'h:OFF_STAGE',
        'm:OFF_STAGE',
        'v1:ACCEPTED_TO_JOIN_STAGE',
        'v2:REQUESTED_TO_JOIN_STAGE',
        'v3:ACCEPTED_TO_JOIN_STAGE',
        'sp:OFF_STAGE',
      ],
    );
  }
}

test('restart Redis with its data (appendonly): servers recover, clients on both nodes resync', async (t) => {
  await outage(t, 'restart-kept', false);
});

test('restart Redis without its data: servers seed it again, clients on both nodes resync', async (t) => {
  await outage(t, 'restart-lost', true);
});

test('/healthz answers 503 on both nodes while Redis is down, and 200 once it is back', async () => {
  // Contract 7: "GET /healthz answers 200 when the server can serve (and reach Redis when
  // configured)"; issue 6: "/healthz says 503 while Redis is unreachable".
  assert.deepEqual(await healthOf(200, 5000), [200, 200], 'before');
  await redis.stop();
  let down: number[];
  try {
    down = await healthOf(503, 3000);
  } finally {
    await redis.resume();
  }
  const up = await healthOf(200, 10_000);
  assert.deepEqual(down, [503, 503], 'A and B while Redis is down');
  assert.deepEqual(up, [200, 200], 'A and B once Redis is back');
});
