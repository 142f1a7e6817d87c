/**
 * Issue 6 "Tests", first point: two server processes on one Redis, clients spread over both,
 * the whole flow (contract 3, 4, 9.2): a request on one node, granted from the other, joined,
 * seen on stage by everyone on both nodes, kicked from the other node; and a deny.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { StageController } from '../../src/index.js';
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
  record,
  stageClient,
} from './support.js';

let redis: RedisProcess;
let a: StageNode;
let b: StageNode;

before(async () => {
  redis = await RedisProcess.start();
  [a, b] = await Promise.all([StageNode.start(redis.url), StageNode.start(redis.url)]);
});

after(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await redis?.close();
});

const queue = (c: StageController) =>
  c.getAccessRequests().stageRequests.map((r) => `${r.userId}#${r.position}`);

/** Recorded events as [name, payload] pairs (payloads parsed, so key order does not matter). */
const events = (seen: readonly string[]) =>
  seen.map((s) => {
    const i = s.indexOf(' ');
    return [s.slice(0, i), JSON.parse(s.slice(i + 1)) as unknown] as const;
  });

async function watchers(t: Parameters<typeof defer>[0], room: string): Promise<Watcher[]> {
  const ws = [await Watcher.open(a.url, room), await Watcher.open(b.url, room)];
  defer(t, () => ws.forEach((w) => w.close()));
  return ws;
}

test('flow: request on B, grant from A, join, everyone on both nodes sees it, kick from B', async (t) => {
  const room = 'flow-whole';
  const urls = [a.url, b.url];
  const host = await stageClient(t, a.url, 'h', { room, preset: 'host' });
  const mod = await stageClient(t, b.url, 'm', { room, preset: 'moderator' });
  const ada = await stageClient(t, b.url, 'ada', { room });
  const bob = await stageClient(t, a.url, 'bob', { room });
  const cy = await stageClient(t, b.url, 'cy', { room, preset: 'audience' });
  const everyone = [host, mod, ada, bob, cy];
  const w = await watchers(t, room);
  const hostSeen = record(host);
  const modSeen = record(mod);
  const adaSeen = record(ada);

  await ada.requestAccess();
  assert.equal(ada.status, 'REQUESTED_TO_JOIN_STAGE', "the actor's own state when it settles");
  assert.equal(current(ada.position$), 1);
  await bob.requestAccess();
  assert.equal(current(bob.position$), 2);
  await eventually(() => {
    assert.deepEqual(queue(host), ['ada#1', 'bob#2'], 'the queue on A');
    assert.deepEqual(queue(mod), ['ada#1', 'bob#2'], 'the queue on B');
  });

  // A host on node A approves a viewer on node B.
  assert.deepEqual(await host.grantAccess(['ada']), { ok: ['ada'], failed: [] });
  await eventually(() => {
    assert.equal(ada.status, 'ACCEPTED_TO_JOIN_STAGE');
    assert.equal(current(bob.position$), 1, 'bob moves up');
    assert.deepEqual(queue(mod), ['bob#1']);
  });

  await ada.join();
  assert.equal(ada.status, 'ON_STAGE');
  await eventually(() => {
    for (const c of everyone) assert.deepEqual(ids(current(c.onStage$)), ['ada'], c.userId);
  });
  await assertConverged(everyone, urls, room);

  // A moderator on node B removes her.
  assert.deepEqual(await mod.kick(['ada']), { ok: ['ada'], failed: [] });
  await eventually(() => {
    assert.equal(ada.status, 'OFF_STAGE');
    for (const c of everyone) assert.deepEqual(current(c.onStage$), [], c.userId);
  });
  await assertConverged(everyone, urls, room);
  await assertReplicasAgree(w);
  for (const x of w) assert.deepEqual(x.gaps(), []);

  assert.deepEqual(events(adaSeen), [
    ['stageStatusUpdate', 'REQUESTED_TO_JOIN_STAGE'],
    ['stageRequestApproved', { by: 'h', invited: false }],
    ['stageStatusUpdate', 'ACCEPTED_TO_JOIN_STAGE'],
    ['stageStatusUpdate', 'ON_STAGE'],
    ['removedFromStage', { by: 'm' }],
    ['stageStatusUpdate', 'OFF_STAGE'],
  ]);
  for (const [who, seen] of [
    ['host on A', hostSeen],
    ['moderator on B', modSeen],
  ] as const) {
    const got = events(seen).filter(([n]) => n !== 'stageAccessRequestUpdate');
    assert.deepEqual(
      got.map(([n, p]) => (n === 'newStageRequest' ? [n, (p as { count: number }).count] : [n, p])),
      [
        ['newStageRequest', 1],
        ['newStageRequest', 2],
        ['acceptPresentRequests', { userIds: ['ada'], by: 'h' }],
      ],
      who,
    );
  }
});

test('flow: a moderator on B denies a request made on A, and withdraws an invite made from A', async (t) => {
  const room = 'flow-deny';
  const urls = [a.url, b.url];
  const host = await stageClient(t, a.url, 'h', { room, preset: 'host' });
  const mod = await stageClient(t, b.url, 'm', { room, preset: 'moderator' });
  const bob = await stageClient(t, a.url, 'bob', { room });
  const sam = await stageClient(t, b.url, 'sam', { room, preset: 'speaker' });
  const everyone = [host, mod, bob, sam];
  const w = await watchers(t, room);
  const bobSeen = record(bob);
  const samSeen = record(sam);

  await bob.requestAccess();
  await eventually(() => assert.deepEqual(queue(mod), ['bob#1']));
  assert.deepEqual(await mod.denyAccess(['bob']), { ok: ['bob'], failed: [] });
  await eventually(() => {
    assert.equal(bob.status, 'OFF_STAGE');
    assert.equal(current(bob.position$), null);
    assert.deepEqual(queue(host), []);
    assert.deepEqual(queue(mod), []);
  });
  // A second deny of the same user now fails 2006, on either node.
  const again = await host.denyAccess(['bob']);
  assert.deepEqual(again.ok, []);
  assert.deepEqual(
    again.failed.map((f) => f.code),
    ['2006'],
  );

  // An invite from A to a speaker on B, withdrawn from B before she joins.
  assert.deepEqual(await host.grantAccess(['sam']), { ok: ['sam'], failed: [] });
  await eventually(() => assert.equal(sam.status, 'ACCEPTED_TO_JOIN_STAGE'));
  await eventually(() => assert.deepEqual(ids(current(mod.participants$)), ['sam']));
  assert.deepEqual(await mod.denyAccess(['sam']), { ok: ['sam'], failed: [] });
  await eventually(() => assert.equal(sam.status, 'OFF_STAGE'));
  await assertConverged(everyone, urls, room);
  await assertReplicasAgree(w);
  for (const x of w) assert.deepEqual(x.gaps(), []);

  assert.deepEqual(events(bobSeen), [
    ['stageStatusUpdate', 'REQUESTED_TO_JOIN_STAGE'],
    ['stageRequestRejected', { by: 'm' }],
    ['stageStatusUpdate', 'OFF_STAGE'],
  ]);
  assert.deepEqual(events(samSeen), [
    ['stageRequestApproved', { by: 'h', invited: true }],
    ['stageStatusUpdate', 'ACCEPTED_TO_JOIN_STAGE'],
    ['stageRequestRejected', { by: 'm' }],
    ['stageStatusUpdate', 'OFF_STAGE'],
  ]);
});
