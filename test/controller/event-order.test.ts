// Which events each controller gets, and in which order (contract section 4, 9.9 and 9.10).
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  StageError,
  createLocalStage,
  type LocalStage,
  type LocalStageOptions,
  type StageController,
  type StageEventName,
  type StageStatus,
} from '../../src/index.js';
import { FakeClock } from '../support/fake-clock.js';

const OFF: StageStatus = 'OFF_STAGE';
const REQ: StageStatus = 'REQUESTED_TO_JOIN_STAGE';
const ACC: StageStatus = 'ACCEPTED_TO_JOIN_STAGE';
const ON: StageStatus = 'ON_STAGE';

const rooms: LocalStage[] = [];
function newRoom(options: Omit<LocalStageOptions, 'clock'> = {}) {
  const clock = new FakeClock();
  const room = createLocalStage({ clock, ...options });
  rooms.push(room);
  return { room, clock };
}
afterEach(() => {
  for (const room of rooms.splice(0)) room.close();
});

type Logged = [StageEventName, unknown];
/** Everything a controller's '*' handler receives, plus its events$ in the same log. */
function log(c: StageController): Logged[] {
  const events: Logged[] = [];
  c.on('*', (name, payload) => events.push([name, payload]));
  return events;
}
const names = (events: Logged[]) => events.map(([name]) => name);
const only = (events: Logged[], name: StageEventName) =>
  events.filter(([n]) => n === name).map(([, p]) => p);
const fresh = (events: Logged[]) => events.splice(0);

describe('reason events come before the stageStatusUpdate they explain', () => {
  it('approval: stageRequestApproved, then stageStatusUpdate (on every tab, and on events$)', async () => {
    const { room } = newRoom();
    const host = room.connect({ userId: 'host', preset: 'host' });
    const tab1 = room.connect({ userId: 'v', preset: 'viewer' });
    const tab2 = room.connect({ userId: 'v', preset: 'viewer' });
    await tab1.requestAccess();
    const l1 = log(tab1);
    const l2 = log(tab2);
    const stream: string[] = [];
    tab1.events$.subscribe((e) => stream.push(e.type));
    await host.grantAccess(['v']);
    for (const l of [l1, l2]) {
      assert.deepEqual(l, [
        ['stageRequestApproved', { by: 'host', invited: false }],
        ['stageStatusUpdate', ACC],
      ]);
    }
    assert.deepEqual(stream, ['stageRequestApproved', 'stageStatusUpdate']);
  });

  it('invite: stageRequestApproved { invited: true }, then stageStatusUpdate', async () => {
    const { room } = newRoom();
    const host = room.connect({ userId: 'host', preset: 'host' });
    const v = room.connect({ userId: 'v', preset: 'viewer' });
    const l = log(v);
    await host.grantAccess(['v']);
    assert.deepEqual(l, [
      ['stageRequestApproved', { by: 'host', invited: true }],
      ['stageStatusUpdate', ACC],
    ]);
  });

  it('rejection: stageRequestRejected, then stageStatusUpdate', async () => {
    const { room } = newRoom();
    const mod = room.connect({ userId: 'mod', preset: 'moderator' });
    const v = room.connect({ userId: 'v', preset: 'viewer' });
    await v.requestAccess();
    const l = log(v);
    await mod.denyAccess(['v']);
    assert.deepEqual(l, [
      ['stageRequestRejected', { by: 'mod' }],
      ['stageStatusUpdate', OFF],
    ]);
  });

  it('removal: removedFromStage, then stageStatusUpdate (from ON and from ACCEPTED)', async () => {
    const { room } = newRoom();
    const host = room.connect({ userId: 'host', preset: 'host' });
    const v = room.connect({ userId: 'v', preset: 'viewer' });
    const s = room.connect({ userId: 's', preset: 'speaker' });
    await host.grantAccess(['v']);
    await v.join();
    await s.requestAccess();
    const lv = log(v);
    const ls = log(s);
    await host.kick(['v', 's']);
    assert.deepEqual(lv, [
      ['removedFromStage', { by: 'host' }],
      ['stageStatusUpdate', OFF],
    ]);
    assert.deepEqual(ls, [
      ['removedFromStage', { by: 'host' }],
      ['stageStatusUpdate', OFF],
    ]);
  });

  it('expiry: stageRequestExpired, then stageStatusUpdate, at requestTtlMs', async () => {
    const { room, clock } = newRoom({ requestTtlMs: 1000 });
    const host = room.connect({ userId: 'host', preset: 'host' });
    const v = room.connect({ userId: 'v', preset: 'viewer' });
    await v.requestAccess();
    const requestedAt = host.getAccessRequests().stageRequests[0]!.requestedAt;
    assert.equal(requestedAt, clock.now());
    const lv = log(v);
    const lh = log(host);
    clock.advance(999);
    assert.deepEqual(lv, []);
    assert.equal(v.status, REQ);
    clock.advance(1);
    assert.deepEqual(lv, [
      ['stageRequestExpired', { requestedAt }],
      ['stageStatusUpdate', OFF],
    ]);
    assert.deepEqual(lh, [['stageAccessRequestUpdate', []]]);
  });
});

describe('stageAccessDeclined (privileged users only)', () => {
  async function acceptedViewer(options: Omit<LocalStageOptions, 'clock'> = {}) {
    const { room, clock } = newRoom(options);
    const host = room.connect({ userId: 'host', preset: 'host' });
    const mod = room.connect({ userId: 'mod', preset: 'moderator' });
    const other = room.connect({ userId: 'other', preset: 'viewer' });
    const v = room.connect({ userId: 'v', preset: 'viewer' });
    await v.requestAccess();
    await host.grantAccess(['v']);
    return { room, clock, host, mod, other, v, logs: [log(host), log(mod), log(other), log(v)] };
  }

  it('on a decline (leave() from ACCEPTED)', async () => {
    const { v, logs } = await acceptedViewer();
    const [lh, lm, lo, lv] = logs as [Logged[], Logged[], Logged[], Logged[]];
    await v.leave();
    assert.deepEqual(lh, [['stageAccessDeclined', { userId: 'v' }]]);
    assert.deepEqual(lm, [['stageAccessDeclined', { userId: 'v' }]]);
    assert.deepEqual(lo, []);
    assert.deepEqual(lv, [['stageStatusUpdate', OFF]]);
  });

  it('when the accepted TTL passes', async () => {
    const { clock, v, logs } = await acceptedViewer({ acceptedTtlMs: 500 });
    const [lh, lm, lo, lv] = logs as [Logged[], Logged[], Logged[], Logged[]];
    clock.advance(499);
    assert.equal(v.status, ACC);
    assert.deepEqual(lh, []);
    clock.advance(1);
    assert.equal(v.status, OFF);
    assert.deepEqual(lh, [['stageAccessDeclined', { userId: 'v' }]]);
    assert.deepEqual(lm, [['stageAccessDeclined', { userId: 'v' }]]);
    assert.deepEqual(lo, []);
    assert.deepEqual(lv, [['stageStatusUpdate', OFF]]);
  });

  it('when the reconnect grace of an ACCEPTED user passes', async () => {
    const { room, clock, logs } = await acceptedViewer({ reconnectGraceMs: 2000 });
    const [lh, lm, lo] = logs as [Logged[], Logged[], Logged[]];
    room.disconnect('v');
    clock.advance(1999);
    assert.deepEqual(lh, []);
    assert.equal(room.snapshot().users.find((u) => u.userId === 'v')?.status, ACC);
    clock.advance(1);
    assert.deepEqual(lh, [['stageAccessDeclined', { userId: 'v' }]]);
    assert.deepEqual(lm, [['stageAccessDeclined', { userId: 'v' }]]);
    assert.deepEqual(lo, []);
    assert.equal(
      room.snapshot().users.find((u) => u.userId === 'v'),
      undefined,
      'gone after its grace',
    );
  });

  it('not when an ACCEPTED user joins, nor when an ON user leaves', async () => {
    const { v, logs } = await acceptedViewer();
    const [lh] = logs as [Logged[]];
    await v.join();
    await v.leave();
    assert.deepEqual(only(lh, 'stageAccessDeclined'), []);
  });
});

describe('which events (contract 9.10)', () => {
  it('a self-accept (stageAccess ALLOWED) sends no stageRequestApproved and no acceptPresentRequests', async () => {
    const { room } = newRoom();
    const host = room.connect({ userId: 'host', preset: 'host' });
    const s = room.connect({ userId: 's', preset: 'speaker' });
    const ls = log(s);
    const lh = log(host);
    await s.requestAccess();
    assert.deepEqual(ls, [['stageStatusUpdate', ACC]]);
    assert.deepEqual(only(lh, 'acceptPresentRequests'), []);
    assert.deepEqual(only(lh, 'newStageRequest'), []);
    const lh2 = log(host);
    await host.requestAccess(); // a host self-accepts too
    assert.deepEqual(names(lh2), ['stageStatusUpdate']);
  });

  it('denying an ACCEPTED invitee sends it stageRequestRejected', async () => {
    const { room } = newRoom();
    const host = room.connect({ userId: 'host', preset: 'host' });
    const v = room.connect({ userId: 'v', preset: 'viewer' });
    await host.grantAccess(['v']); // an invite
    const l = log(v);
    await host.denyAccess(['v']);
    assert.deepEqual(l, [
      ['stageRequestRejected', { by: 'host' }],
      ['stageStatusUpdate', OFF],
    ]);
  });

  it('acceptPresentRequests lists invites and approvals, with by, to privileged users only', async () => {
    const { room } = newRoom();
    const host = room.connect({ userId: 'host', preset: 'host' });
    const mod = room.connect({ userId: 'mod', preset: 'moderator' });
    const r = room.connect({ userId: 'r', preset: 'viewer' });
    room.connect({ userId: 'i', preset: 'viewer' });
    room.connect({ userId: 'a', preset: 'audience' });
    await r.requestAccess();
    const [lh, lm, lr] = [log(host), log(mod), log(r)];
    const result = await mod.grantAccess(['r', 'i', 'a', 'ghost']);
    assert.deepEqual(result.ok, ['r', 'i']);
    assert.deepEqual(
      result.failed.map((f) => [f.userId, f.code]),
      [
        ['a', '2001'],
        ['ghost', '2009'],
      ],
    );
    const expected = [{ userIds: ['r', 'i'], by: 'mod' }];
    assert.deepEqual(only(lh, 'acceptPresentRequests'), expected);
    assert.deepEqual(only(lm, 'acceptPresentRequests'), expected);
    assert.deepEqual(only(lr, 'acceptPresentRequests'), []);
    // A grant that applies to nobody tells nobody.
    fresh(lh);
    const none = await host.grantAccess(['r', 'ghost']);
    assert.deepEqual(none.ok, []);
    assert.deepEqual(lh, []);
  });

  it('stageAccessRequestUpdate fires once per command that changed the queue, with the ordered list', async () => {
    const { room } = newRoom();
    const host = room.connect({ userId: 'host', preset: 'host' });
    const viewers = ['v1', 'v2', 'v3', 'v4'].map((id) =>
      room.connect({ userId: id, displayName: id.toUpperCase(), preset: 'viewer' }),
    );
    const lh = log(host);
    for (const v of viewers) await v.requestAccess();
    assert.deepEqual(
      only(lh, 'stageAccessRequestUpdate').map((list) =>
        (list as { userId: string; position: number }[]).map((q) => `${q.userId}#${q.position}`),
      ),
      [['v1#1'], ['v1#1', 'v2#2'], ['v1#1', 'v2#2', 'v3#3'], ['v1#1', 'v2#2', 'v3#3', 'v4#4']],
    );
    fresh(lh);
    await host.grantAccess(['v1', 'v3', 'v4']); // a bulk grant of 3: once
    const updates = only(lh, 'stageAccessRequestUpdate');
    assert.equal(updates.length, 1);
    assert.deepEqual(updates[0], host.getAccessRequests().stageRequests);
    assert.deepEqual(
      (updates[0] as { userId: string; position: number; displayName: string }[]).map((q) => [
        q.userId,
        q.position,
        q.displayName,
      ]),
      [['v2', 1, 'V2']],
    );
    fresh(lh);
    await viewers[0]!.join(); // not a queue change
    await host.kick(['v1']);
    await host.denyAccess(['v3', 'v4']); // ACCEPTED users: not a queue change
    assert.deepEqual(only(lh, 'stageAccessRequestUpdate'), []);
    await viewers[1]!.cancelRequestAccess();
    assert.deepEqual(only(lh, 'stageAccessRequestUpdate'), [[]]);
  });

  it('newStageRequest.count is the queue length just after the request', async () => {
    const { room, clock } = newRoom();
    const host = room.connect({ userId: 'host', preset: 'host' });
    const mod = room.connect({ userId: 'mod', preset: 'moderator' });
    const viewers = ['a', 'b', 'c'].map((id) => room.connect({ userId: id, preset: 'viewer' }));
    const [lh, lm] = [log(host), log(mod)];
    for (const v of viewers) {
      await v.requestAccess();
      clock.advance(10);
    }
    await host.denyAccess(['a']);
    await viewers[0]!.requestAccess();
    await mod.requestAccess(); // a moderator's own request is in the queue too
    const counts = only(lh, 'newStageRequest').map((p) => {
      const { count, request } = p as {
        count: number;
        request: { userId: string; position: number };
      };
      return [count, request.userId, request.position];
    });
    assert.deepEqual(counts, [
      [1, 'a', 1],
      [2, 'b', 2],
      [3, 'c', 3],
      [3, 'a', 3],
      [4, 'mod', 4],
    ]);
    assert.deepEqual(only(lm, 'newStageRequest'), only(lh, 'newStageRequest'));
    // Each newStageRequest comes before the list update of the same command.
    const order = names(lh).filter((n) => n !== 'stageRequestRejected');
    for (let i = 0; i < order.length; i++) {
      if (order[i] === 'newStageRequest') assert.equal(order[i + 1], 'stageAccessRequestUpdate');
    }
  });

  it('leave() from REQUESTED rejects 2006 and changes nothing', async () => {
    const { room } = newRoom();
    const host = room.connect({ userId: 'host', preset: 'host' });
    const v = room.connect({ userId: 'v', preset: 'viewer' });
    await v.requestAccess();
    const [lv, lh] = [log(v), log(host)];
    await assert.rejects(v.leave(), (e: unknown) => {
      assert.ok(e instanceof StageError);
      assert.equal(e.code, '2006');
      assert.match(e.message, /cancelRequestAccess/);
      return true;
    });
    assert.equal(v.status, REQ);
    assert.deepEqual(lv, []);
    assert.deepEqual(lh, []);
    assert.deepEqual(room.snapshot().queue, ['v']);
  });
});

/** The transitions a status can take (contract section 3), plus a permission downgrade to OFF. */
const LEGAL = new Set([
  `${OFF}>${REQ}`,
  `${OFF}>${ACC}`,
  `${REQ}>${OFF}`,
  `${REQ}>${ACC}`,
  `${ACC}>${ON}`,
  `${ACC}>${OFF}`,
  `${ON}>${OFF}`,
]);

describe('commands issued from inside handlers (re-entrancy)', () => {
  /** Records statuses of a controller from both stageStatusUpdate and status$. */
  function statuses(c: StageController) {
    const fromEvents: StageStatus[] = [c.status];
    const fromObservable: StageStatus[] = [];
    c.on('stageStatusUpdate', (s) => fromEvents.push(s));
    c.status$.subscribe((s) => fromObservable.push(s));
    return { fromEvents, fromObservable };
  }

  function assertConsistent(
    label: string,
    seen: { fromEvents: StageStatus[]; fromObservable: StageStatus[] },
    final: StageStatus,
  ) {
    assert.deepEqual(seen.fromObservable, seen.fromEvents, `${label}: status$ and events agree`);
    const s = seen.fromEvents;
    assert.equal(s.at(-1), final, `${label}: ends at the room's status`);
    for (let i = 1; i < s.length; i++) {
      assert.notEqual(s[i], s[i - 1], `${label}: the same status twice in a row: ${s.join(' > ')}`);
      assert.ok(
        LEGAL.has(`${s[i - 1]}>${s[i]}`),
        `${label}: ${s[i - 1]} > ${s[i]} is not a transition (saw ${s.join(' > ')})`,
      );
    }
  }

  it('join() inside stageRequestApproved: every tab sees ACCEPTED then ON, in order', async () => {
    const { room } = newRoom();
    const host = room.connect({ userId: 'host', preset: 'host' });
    const tab1 = room.connect({ userId: 'v', preset: 'viewer' });
    const tab2 = room.connect({ userId: 'v', preset: 'viewer' });
    const other = room.connect({ userId: 'w', preset: 'viewer' });
    await tab1.requestAccess();
    const s1 = statuses(tab1);
    const s2 = statuses(tab2);
    const order: string[] = [];
    const joins: Promise<void>[] = [];
    tab1.on('stageRequestApproved', () => {
      joins.push(tab1.join());
    });
    for (const [name, c] of [
      ['tab1', tab1],
      ['tab2', tab2],
    ] as const) {
      c.on('*', (event, payload) => order.push(`${name} ${event} ${String(payload)}`));
    }
    const onStage: string[][] = [];
    other.onStage$.subscribe((list) => onStage.push(list.map((p) => p.userId)));
    await host.grantAccess(['v']);
    await Promise.all(joins);
    assert.equal(room.snapshot().users.find((u) => u.userId === 'v')?.status, ON);
    assertConsistent('tab1', s1, ON);
    assertConsistent('tab2', s2, ON);
    assert.deepEqual(s1.fromEvents, [REQ, ACC, ON]);
    assert.deepEqual(s2.fromEvents, [REQ, ACC, ON]);
    // The approval comes before its status update on both tabs.
    for (const tab of ['tab1', 'tab2']) {
      const mine = order.filter((o) => o.startsWith(tab));
      assert.ok(mine[0]!.includes('stageRequestApproved'), mine.join(', '));
    }
    assert.deepEqual(onStage.at(-1), ['v']);
  });

  it('leave() inside stageStatusUpdate(ACCEPTED): statuses stay in order on every tab', async () => {
    const { room } = newRoom();
    const host = room.connect({ userId: 'host', preset: 'host' });
    const tab1 = room.connect({ userId: 'v', preset: 'viewer' });
    const tab2 = room.connect({ userId: 'v', preset: 'viewer' });
    await tab1.requestAccess();
    const s1 = statuses(tab1);
    const s2 = statuses(tab2);
    const hostEvents = log(host);
    tab1.on('stageStatusUpdate', (s) => {
      if (s === ACC) void tab1.leave();
    });
    await host.grantAccess(['v']);
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(tab1.status, OFF);
    assertConsistent('tab1', s1, OFF);
    assertConsistent('tab2', s2, OFF);
    assert.deepEqual(s1.fromEvents, [REQ, ACC, OFF]);
    assert.deepEqual(s2.fromEvents, [REQ, ACC, OFF]);
    assert.deepEqual(names(hostEvents), [
      'acceptPresentRequests',
      'stageAccessRequestUpdate',
      'stageAccessDeclined',
    ]);
  });

  it('a host granting inside newStageRequest: the requester sees REQUESTED then ACCEPTED', async () => {
    const { room } = newRoom();
    const host = room.connect({ userId: 'host', preset: 'host' });
    const mod = room.connect({ userId: 'mod', preset: 'moderator' });
    const tab1 = room.connect({ userId: 'v', preset: 'viewer' });
    const tab2 = room.connect({ userId: 'v', preset: 'viewer' });
    const s1 = statuses(tab1);
    const s2 = statuses(tab2);
    const grants: Promise<unknown>[] = [];
    host.on('newStageRequest', ({ request }) => {
      grants.push(host.grantAccess([request.userId]));
    });
    const modLists: string[][] = [];
    mod.on('stageAccessRequestUpdate', (list) => modLists.push(list.map((q) => q.userId)));
    const l1 = log(tab1);
    await tab1.requestAccess();
    await Promise.all(grants);
    assertConsistent('tab1', s1, ACC);
    assertConsistent('tab2', s2, ACC);
    assert.deepEqual(s1.fromEvents, [OFF, REQ, ACC]);
    assert.deepEqual(s2.fromEvents, [OFF, REQ, ACC]);
    assert.deepEqual(names(l1), ['stageStatusUpdate', 'stageRequestApproved', 'stageStatusUpdate']);
    // The moderator's last list is the current (empty) queue, never an older one after it.
    assert.deepEqual(modLists.at(-1), []);
    assert.deepEqual(mod.getAccessRequests().stageRequests, []);
  });

  it('a kick inside the kicked user’s own handler does not reorder anyone’s statuses', async () => {
    const { room } = newRoom();
    const host = room.connect({ userId: 'host', preset: 'host' });
    const a = room.connect({ userId: 'a', preset: 'speaker' });
    const b = room.connect({ userId: 'b', preset: 'speaker' });
    const sa = statuses(a);
    const sb = statuses(b);
    // When a goes on stage, the host removes b, and b immediately asks again.
    a.on('stageStatusUpdate', (s) => {
      if (s === ON) void host.kick(['b']);
    });
    b.on('removedFromStage', () => {
      void b.requestAccess();
    });
    await b.requestAccess();
    await b.join();
    await a.requestAccess();
    await a.join();
    await new Promise<void>((resolve) => setImmediate(resolve));
    assertConsistent('a', sa, ON);
    assertConsistent('b', sb, ACC);
    assert.deepEqual(sb.fromEvents, [OFF, ACC, ON, OFF, ACC]);
  });
});
