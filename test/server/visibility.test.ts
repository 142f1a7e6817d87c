/**
 * What each user sees over the network (contract 9.7, 9.3; issue 4: "Viewers who stay OFF_STAGE
 * are not broadcast to everyone"): viewers get no queue and never see other requesters, and
 * requests by others send a bystander viewer no frames at all.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  RawClient,
  client,
  current,
  eventually,
  ids,
  sleep,
  startServer,
  token,
} from './support.js';

const view = (list: readonly { userId: string; status: string }[]) =>
  list.map((p) => `${p.userId}:${p.status.split('_')[0]}`);

test('visibility: viewers see no queue and no other requesters; hosts see everyone not OFF (9.7)', async (t) => {
  const server = await startServer(t);
  const host = await client(t, server.url, 'h', { preset: 'host' });
  const ada = await client(t, server.url, 'ada');
  const bob = await client(t, server.url, 'bob');
  const cat = await client(t, server.url, 'cat');
  const dan = await client(t, server.url, 'dan');
  const eve = await client(t, server.url, 'eve');

  await ada.requestAccess();
  await bob.requestAccess();
  await host.grantAccess(['cat', 'dan']); // invites
  await eventually(() => assert.equal(cat.status, 'ACCEPTED_TO_JOIN_STAGE'));
  await cat.join();

  await eventually(() => {
    assert.deepEqual(view(current(host.participants$)), [
      'ada:REQUESTED',
      'bob:REQUESTED',
      'cat:ON',
      'dan:ACCEPTED',
    ]);
    assert.deepEqual(ids(current(host.requests$)), ['ada', 'bob']);
    assert.deepEqual(view(current(ada.participants$)), ['ada:REQUESTED', 'cat:ON', 'dan:ACCEPTED']);
    assert.deepEqual(view(current(bob.participants$)), ['bob:REQUESTED', 'cat:ON', 'dan:ACCEPTED']);
    assert.deepEqual(view(current(eve.participants$)), ['cat:ON', 'dan:ACCEPTED']);
    for (const c of [host, ada, bob, cat, dan, eve]) {
      assert.deepEqual(ids(current(c.onStage$)), ['cat'], `${c.userId} sees cat on stage`);
    }
  });
  for (const c of [ada, bob, cat, dan, eve]) {
    assert.deepEqual(current(c.requests$), [], `${c.userId}'s requests$`);
    assert.deepEqual(
      c.getAccessRequests(),
      { stageRequests: [] },
      `${c.userId}'s getAccessRequests`,
    );
  }
});

test('visibility: 10 viewers requesting send a bystander viewer no frames; a join sends it one pub frame', async (t) => {
  const server = await startServer(t);
  const host = await client(t, server.url, 'h', { preset: 'host' });
  const { raw, welcome } = await RawClient.login(t, server.url, await token('watcher'));
  const snapshot = welcome['snapshot'] as Record<string, unknown>;
  assert.equal(snapshot['queue'], undefined, 'no queue in a viewer snapshot');
  assert.equal(snapshot['participants'], undefined, 'no participants in a viewer snapshot');
  const start = raw.frames.length;

  const names = Array.from({ length: 10 }, (_, i) => `v${i}`);
  const viewers = await Promise.all(names.map((id) => client(t, server.url, id)));
  await Promise.all(viewers.map((v) => v.requestAccess()));
  await eventually(() => assert.equal(host.getAccessRequests().stageRequests.length, 10));
  await sleep(150);
  assert.deepEqual(raw.frames.slice(start), [], 'requests by others send the bystander nothing');
  // Nor do the other requesters learn about each other.
  for (const v of viewers) {
    assert.deepEqual(
      ids(current(v.participants$)),
      [v.userId],
      `${v.userId} sees only itself among requesters`,
    );
  }

  await host.grantAccess(['v3']);
  await raw.waitFor((f) => f.t === 'pub', 3000, start);
  await sleep(100);
  const afterGrant = raw.frames.slice(start);
  assert.equal(afterGrant.length, 1, JSON.stringify(afterGrant));
  assert.deepEqual(
    (afterGrant[0]!['seated'] as { userId: string }[]).map((p) => p.userId),
    ['v3'],
  );

  const mark = raw.frames.length;
  await viewers[3]!.join();
  await raw.waitFor((f) => f.t === 'pub', 3000, mark);
  await sleep(100);
  const afterJoin = raw.frames.slice(mark);
  assert.equal(afterJoin.length, 1, `exactly one frame for a join: ${JSON.stringify(afterJoin)}`);
  assert.equal(afterJoin[0]!.t, 'pub');
  assert.deepEqual(
    (afterJoin[0]!['onStage'] as { userId: string; status: string }[]).map(
      (p) => `${p.userId}:${p.status}`,
    ),
    ['v3:ON_STAGE'],
  );
});
