/**
 * The whole stage flow between real clients of a real server (issue 4, "Tests"; contract 3, 4,
 * 9.7, 9.10): requests and the queue, grants, joins, kicks, denials, two tabs of one user,
 * invites and declines, seats, concurrent grants, and the order of events.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StageError, connectStage, type StageBulkResult } from '../../src/index.js';
import {
  RawClient,
  client,
  current,
  defer,
  eventually,
  ids,
  names,
  record,
  sleep,
  startServer,
  token,
} from './support.js';

const queueOf = (ctrl: {
  getAccessRequests(): { stageRequests: { userId: string; position: number }[] };
}) => ctrl.getAccessRequests().stageRequests.map((r) => `${r.userId}#${r.position}`);

test('flow: request, queue with positions, grant, join, everyone sees it, kick, deny (host + 3 viewers)', async (t) => {
  const server = await startServer(t);
  const host = await client(t, server.url, 'h', { preset: 'host' });
  const ada = await client(t, server.url, 'ada');
  const bob = await client(t, server.url, 'bob');
  const cat = await client(t, server.url, 'cat');
  const seen = { host: record(host), ada: record(ada), bob: record(bob), cat: record(cat) };

  const before = Date.now();
  await ada.requestAccess();
  // Over the network the actor's own state is guaranteed when its command settles (9.2).
  assert.equal(ada.status, 'REQUESTED_TO_JOIN_STAGE');
  assert.equal(current(ada.position$), 1);
  await bob.requestAccess();
  assert.equal(bob.status, 'REQUESTED_TO_JOIN_STAGE');
  assert.equal(current(bob.position$), 2);
  const after = Date.now();

  await eventually(() => {
    assert.deepEqual(queueOf(host), ['ada#1', 'bob#2']);
    assert.deepEqual(
      current(host.requests$).map((r) => `${r.userId}#${r.position}`),
      ['ada#1', 'bob#2'],
    );
  });
  const [ra, rb] = host.getAccessRequests().stageRequests;
  assert.equal(ra!.displayName, 'ADA');
  assert.ok(ra!.requestedAt >= before - 5 && ra!.requestedAt <= after + 5, 'authority clock');
  assert.ok(ra!.requestedAt <= rb!.requestedAt, 'queue order by requestedAt');
  // The other viewer sees no queue at all (9.7).
  assert.deepEqual(cat.getAccessRequests().stageRequests, []);
  assert.deepEqual(current(cat.requests$), []);

  assert.deepEqual(await host.grantAccess(['ada']), { ok: ['ada'], failed: [] });
  await eventually(() => {
    assert.equal(ada.status, 'ACCEPTED_TO_JOIN_STAGE');
    assert.equal(current(ada.position$), null);
    assert.equal(current(bob.position$), 1);
    assert.deepEqual(queueOf(host), ['bob#1']);
  });

  await ada.join();
  assert.equal(ada.status, 'ON_STAGE');
  await eventually(() => {
    for (const c of [host, ada, bob, cat]) {
      assert.deepEqual(current(c.onStage$), [
        { userId: 'ada', displayName: 'ADA', status: 'ON_STAGE' },
      ]);
    }
  });

  assert.deepEqual(await host.kick(['ada']), { ok: ['ada'], failed: [] });
  await eventually(() => {
    assert.equal(ada.status, 'OFF_STAGE');
    for (const c of [host, ada, bob, cat]) assert.deepEqual(current(c.onStage$), []);
  });

  assert.deepEqual(await host.denyAccess(['bob']), { ok: ['bob'], failed: [] });
  await eventually(() => {
    assert.equal(bob.status, 'OFF_STAGE');
    assert.deepEqual(queueOf(host), []);
    assert.deepEqual(current(host.participants$), []);
  });

  // Events: RealtimeKit's names, reason events before the stageStatusUpdate they explain.
  await eventually(() =>
    assert.deepEqual(seen.ada, [
      'stageStatusUpdate "REQUESTED_TO_JOIN_STAGE"',
      'stageRequestApproved {"by":"h","invited":false}',
      'stageStatusUpdate "ACCEPTED_TO_JOIN_STAGE"',
      'stageStatusUpdate "ON_STAGE"',
      'removedFromStage {"by":"h"}',
      'stageStatusUpdate "OFF_STAGE"',
    ]),
  );
  await eventually(() =>
    assert.deepEqual(seen.bob, [
      'stageStatusUpdate "REQUESTED_TO_JOIN_STAGE"',
      'stageRequestRejected {"by":"h"}',
      'stageStatusUpdate "OFF_STAGE"',
    ]),
  );
  assert.deepEqual(seen.cat, [], 'a bystander viewer gets no events');
  await eventually(() =>
    assert.deepEqual(names(seen.host), [
      'newStageRequest',
      'stageAccessRequestUpdate',
      'newStageRequest',
      'stageAccessRequestUpdate',
      'acceptPresentRequests',
      'stageAccessRequestUpdate',
      'stageAccessRequestUpdate',
    ]),
  );
  const newRequests = seen.host.filter((s) => s.startsWith('newStageRequest'));
  assert.match(
    newRequests[0]!,
    /^newStageRequest \{"count":1,"request":\{"userId":"ada","displayName":"ADA","requestedAt":\d+,"position":1\}\}$/,
  );
  assert.match(newRequests[1]!, /"count":2,"request":\{"userId":"bob".*"position":2\}/);
  assert.ok(seen.host.includes('acceptPresentRequests {"userIds":["ada"],"by":"h"}'));
  assert.equal(seen.host.at(-1), 'stageAccessRequestUpdate []');
});

test('flow: two tabs of one user (same token twice) share status, and a grant reaches both', async (t) => {
  const server = await startServer(t);
  const host = await client(t, server.url, 'h', { preset: 'host' });
  const tok = await token('ada');
  const tab1 = await connectStage({ url: server.url, token: tok });
  defer(t, () => tab1.dispose());
  const tab2 = await connectStage({ url: server.url, token: tok });
  defer(t, () => tab2.dispose());
  const seen1 = record(tab1);
  const seen2 = record(tab2);

  await tab1.requestAccess();
  await eventually(() => {
    assert.equal(tab2.status, 'REQUESTED_TO_JOIN_STAGE');
    assert.equal(current(tab2.position$), 1);
    assert.deepEqual(queueOf(host), ['ada#1'], 'the user is queued once');
  });
  await assert.rejects(tab2.requestAccess(), { code: '2006' });

  assert.deepEqual(await host.grantAccess(['ada']), { ok: ['ada'], failed: [] });
  await eventually(() => {
    assert.equal(tab1.status, 'ACCEPTED_TO_JOIN_STAGE');
    assert.equal(tab2.status, 'ACCEPTED_TO_JOIN_STAGE');
  });
  await tab2.join();
  await eventually(() => assert.equal(tab1.status, 'ON_STAGE'));
  await tab1.leave();
  await eventually(() => assert.equal(tab2.status, 'OFF_STAGE'));

  const expected = [
    'stageStatusUpdate "REQUESTED_TO_JOIN_STAGE"',
    'stageRequestApproved {"by":"h","invited":false}',
    'stageStatusUpdate "ACCEPTED_TO_JOIN_STAGE"',
    'stageStatusUpdate "ON_STAGE"',
    'stageStatusUpdate "OFF_STAGE"',
  ];
  assert.deepEqual(seen1, expected);
  assert.deepEqual(seen2, expected);
});

test('flow: an invite (grant to an OFF viewer), a decline (leave from ACCEPTED), an invite withdrawn', async (t) => {
  const server = await startServer(t);
  const host = await client(t, server.url, 'h', { preset: 'host' });
  const ada = await client(t, server.url, 'ada');
  const bob = await client(t, server.url, 'bob');
  await client(t, server.url, 'aud', { preset: 'audience' });
  const seen = { host: record(host), ada: record(ada), bob: record(bob) };

  assert.deepEqual(await host.grantAccess(['ada']), { ok: ['ada'], failed: [] });
  await eventually(() => assert.equal(ada.status, 'ACCEPTED_TO_JOIN_STAGE'));
  await eventually(() =>
    assert.deepEqual(
      current(host.participants$).map((p) => `${p.userId}:${p.status}`),
      ['ada:ACCEPTED_TO_JOIN_STAGE'],
    ),
  );
  await ada.leave(); // a decline
  assert.equal(ada.status, 'OFF_STAGE');
  await eventually(() =>
    assert.ok(seen.host.includes('stageAccessDeclined {"userId":"ada"}'), seen.host.join('\n')),
  );
  assert.deepEqual(seen.ada, [
    'stageRequestApproved {"by":"h","invited":true}',
    'stageStatusUpdate "ACCEPTED_TO_JOIN_STAGE"',
    'stageStatusUpdate "OFF_STAGE"',
  ]);
  assert.deepEqual(names(seen.host), ['acceptPresentRequests', 'stageAccessDeclined']);
  assert.equal(seen.host[0], 'acceptPresentRequests {"userIds":["ada"],"by":"h"}');

  // Denying an ACCEPTED invitee withdraws the invite and sends it stageRequestRejected (9.10).
  await host.grantAccess(['bob']);
  await eventually(() => assert.equal(bob.status, 'ACCEPTED_TO_JOIN_STAGE'));
  assert.deepEqual(await host.denyAccess(['bob']), { ok: ['bob'], failed: [] });
  await eventually(() => assert.equal(bob.status, 'OFF_STAGE'));
  assert.deepEqual(seen.bob, [
    'stageRequestApproved {"by":"h","invited":true}',
    'stageStatusUpdate "ACCEPTED_TO_JOIN_STAGE"',
    'stageRequestRejected {"by":"h"}',
    'stageStatusUpdate "OFF_STAGE"',
  ]);

  // Inviting someone who may not go on stage lands in failed with 2001 (9.6).
  const r = await host.grantAccess(['aud']);
  assert.deepEqual(r.ok, []);
  assert.deepEqual(
    r.failed.map((f) => [f.userId, f.code]),
    [['aud', '2001']],
  );
});

test('flow: seats (maxOnStage) — a grant without a free seat fails 2007 in failed, the others apply', async (t) => {
  const server = await startServer(t, { maxOnStage: 2 });
  const host = await client(t, server.url, 'h', { preset: 'host' });
  const ada = await client(t, server.url, 'ada');
  const bob = await client(t, server.url, 'bob');
  const cat = await client(t, server.url, 'cat');
  const spk = await client(t, server.url, 'spk', { preset: 'speaker' });
  for (const c of [ada, bob, cat]) await c.requestAccess();
  await eventually(() => assert.deepEqual(queueOf(host), ['ada#1', 'bob#2', 'cat#3']));

  const r: StageBulkResult = await host.grantAccess(['ada', 'bob', 'cat']);
  assert.deepEqual(r.ok, ['ada', 'bob']);
  assert.deepEqual(
    r.failed.map((f) => [f.userId, f.code]),
    [['cat', '2007']],
  );
  assert.ok(r.failed[0]!.message.length > 10, 'a message written for a person');
  await eventually(() => {
    assert.deepEqual(queueOf(host), ['cat#1'], 'the failed one keeps its request');
    assert.equal(cat.status, 'REQUESTED_TO_JOIN_STAGE');
  });
  // A self-accept without a free seat rejects 2007 too.
  await assert.rejects(spk.requestAccess(), (e: unknown) => {
    assert.ok(e instanceof StageError, 'a StageError');
    assert.equal(e.code, '2007');
    return true;
  });
  assert.equal(spk.status, 'OFF_STAGE');

  // A seat frees up when someone leaves; then the grant succeeds.
  await eventually(() => assert.equal(ada.status, 'ACCEPTED_TO_JOIN_STAGE'));
  await ada.join();
  await ada.leave();
  assert.deepEqual(await host.grantAccess(['cat']), { ok: ['cat'], failed: [] });
  await assert.rejects(spk.requestAccess(), { code: '2007' });
});

test('flow: two hosts grant one request at once — exactly one succeeds, the other gets 2006', async (t) => {
  const server = await startServer(t);
  const h1 = await client(t, server.url, 'h1', { preset: 'host' });
  const h2 = await client(t, server.url, 'h2', { preset: 'moderator' });
  const viewers = await Promise.all(
    ['v1', 'v2', 'v3', 'v4', 'v5'].map((id) => client(t, server.url, id)),
  );
  for (const v of viewers) {
    const seen = record(v);
    await v.requestAccess();
    await eventually(() => {
      assert.ok(ids(h1.getAccessRequests().stageRequests).includes(v.userId), 'h1 sees it');
      assert.ok(ids(h2.getAccessRequests().stageRequests).includes(v.userId), 'h2 sees it');
    });
    const results = await Promise.all([h1.grantAccess([v.userId]), h2.grantAccess([v.userId])]);
    const winners = results.filter((r) => r.ok.length === 1 && r.failed.length === 0);
    const losers = results.filter((r) => r.ok.length === 0 && r.failed.length === 1);
    assert.equal(winners.length, 1, JSON.stringify(results));
    assert.equal(losers.length, 1, JSON.stringify(results));
    assert.equal(losers[0]!.failed[0]!.userId, v.userId);
    assert.equal(losers[0]!.failed[0]!.code, '2006');
    await eventually(() => assert.equal(v.status, 'ACCEPTED_TO_JOIN_STAGE'));
    await sleep(20);
    assert.equal(
      seen.filter((s) => s.startsWith('stageRequestApproved')).length,
      1,
      'approved exactly once',
    );
  }
});

test('flow: a raw client sees reason events before its self frame (wire order)', async (t) => {
  const server = await startServer(t);
  const host = await client(t, server.url, 'h', { preset: 'host' });
  const { raw } = await RawClient.login(t, server.url, await token('ada'));
  raw.send({ t: 'cmd', id: 'r1', cmd: 'requestAccess' });
  await raw.waitFor((f) => f.t === 'result' && f.id === 'r1');
  await eventually(() => assert.deepEqual(queueOf(host), ['ada#1']));
  const from = raw.frames.length;
  await host.grantAccess(['ada']);
  await raw.waitFor((f) => f.t === 'self', 3000, from);
  const kinds = raw.frames
    .slice(from)
    .map((f) => (f.t === 'ev' ? `ev:${(f['e'] as { type: string }).type}` : f.t));
  assert.ok(
    kinds.indexOf('ev:stageRequestApproved') >= 0 &&
      kinds.indexOf('ev:stageRequestApproved') < kinds.indexOf('self'),
    kinds.join(','),
  );
});
