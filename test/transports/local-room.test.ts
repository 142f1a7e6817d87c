// The local room (createLocalStage): connect/disconnect/close, tabs, grace, invites, seats,
// TTLs, second tabs with other permissions, what each user sees, list orders and positions.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import process from 'node:process';
import { describe, it } from 'node:test';
import type { Observable } from 'rxjs';
import {
  StageController,
  StageError,
  createLocalStage,
  presets,
  type LocalConnectOptions,
  type LocalStage,
  type LocalStageOptions,
  type StageEvent,
  type StageParticipant,
  type StageStatus,
} from '../../src/index.js';
import { FakeClock } from '../support/fake-clock.js';

const OFF: StageStatus = 'OFF_STAGE';
const REQ: StageStatus = 'REQUESTED_TO_JOIN_STAGE';
const ACC: StageStatus = 'ACCEPTED_TO_JOIN_STAGE';
const ON: StageStatus = 'ON_STAGE';

function setup(options: LocalStageOptions = {}): {
  clock: FakeClock;
  room: LocalStage;
  host: StageController;
} {
  const clock = new FakeClock();
  const room = createLocalStage({ clock, ...options });
  const host = room.connect({ userId: 'host', displayName: 'Host', preset: 'host' });
  return { clock, room, host };
}

function events(c: StageController): StageEvent[] {
  const out: StageEvent[] = [];
  c.events$.subscribe((e) => out.push(e));
  return out;
}

function types(list: readonly StageEvent[]): string[] {
  return list.map((e) => e.type);
}

/** The latest value of an observable (which must replay one synchronously). */
function current<T>(o: Observable<T>): T {
  let value: { v: T } | undefined;
  o.subscribe((v) => (value = { v })).unsubscribe();
  assert.ok(value, 'observable replays its current value');
  return value.v;
}

/** Keeps watching an observable: its latest value, whether it completed. */
function watch<T>(o: Observable<T>): { readonly value: T | undefined; readonly done: boolean } {
  const w = { value: undefined as T | undefined, done: false };
  o.subscribe({ next: (v) => (w.value = v), complete: () => (w.done = true) });
  return w;
}

const ids = (list: readonly { userId: string }[] | undefined) => (list ?? []).map((p) => p.userId);

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof StageError, String(e));
    assert.equal(e.code, code, e.message);
    return true;
  });
}

function throwsWith(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StageError, String(e));
    assert.equal(e.code, code);
    assert.ok(e.message.length > 15);
    return true;
  });
}

function userOf(room: LocalStage, userId: string) {
  return room.snapshot().users.find((u) => u.userId === userId);
}

/** Lets the coalesced list emissions of a timer-driven change flush. */
const flush = () => Promise.resolve();

describe('local room: connect()', () => {
  it('returns a controller synchronously, connected and OFF_STAGE; awaiting it is harmless', async () => {
    const { room } = setup();
    const c = room.connect({ userId: 'u', displayName: 'U', preset: 'viewer' });
    assert.ok(c instanceof StageController);
    assert.equal(c.status, OFF);
    assert.equal(c.userId, 'u');
    assert.equal(c.displayName, 'U');
    assert.equal(current(c.connection$), 'connected');
    assert.equal(await c, c);
  });

  it('defaults: displayName to userId, preset to viewer; permissions win over a preset', () => {
    const { room } = setup();
    const a = room.connect({ userId: 'a' });
    assert.equal(a.displayName, 'a');
    assert.deepEqual(a.permissions, presets.viewer);
    const b = room.connect({
      userId: 'b',
      preset: 'host',
      permissions: { stageEnabled: true, stageAccess: 'NOT_ALLOWED', acceptStageRequests: false },
    });
    assert.deepEqual(b.permissions, presets.audience);
  });

  const bad: readonly [string, unknown][] = [
    ['no options', undefined],
    ['no userId', { displayName: 'X', preset: 'viewer' }],
    ['an empty userId', { userId: '' }],
    ['a numeric userId', { userId: 7 }],
    ['an unknown preset', { userId: 'x', preset: 'superuser' }],
    ['permissions that are not an object', { userId: 'x', permissions: 'host' }],
    [
      'permissions without stageEnabled',
      { userId: 'x', permissions: { stageAccess: 'ALLOWED', acceptStageRequests: true } },
    ],
    [
      'permissions with an unknown stageAccess',
      {
        userId: 'x',
        permissions: { stageEnabled: true, stageAccess: 'MAYBE', acceptStageRequests: false },
      },
    ],
    [
      'permissions with a non-boolean acceptStageRequests',
      {
        userId: 'x',
        permissions: { stageEnabled: true, stageAccess: 'ALLOWED', acceptStageRequests: 'yes' },
      },
    ],
  ];
  for (const [name, options] of bad) {
    it(`throws StageError 2009 for ${name} and adds no one`, () => {
      const { room } = setup();
      const before = room.snapshot();
      throwsWith(() => room.connect(options as LocalConnectOptions), '2009');
      assert.deepEqual(room.snapshot(), before);
    });
  }
});

describe('local room: two tabs of one user', () => {
  it('share one status: a grant acts on the user and both tabs see it, both get the events', async () => {
    const { room, host } = setup();
    const t1 = room.connect({ userId: 'v', displayName: 'V', preset: 'viewer' });
    const t2 = room.connect({ userId: 'v', displayName: 'V', preset: 'viewer' });
    const e1 = events(t1);
    const e2 = events(t2);
    await t1.requestAccess();
    assert.equal(t2.status, REQ);
    assert.equal(current(t2.position$), 1);
    await host.grantAccess(['v']);
    assert.deepEqual([t1.status, t2.status], [ACC, ACC]);
    await t2.join();
    assert.deepEqual([t1.status, t2.status], [ON, ON]);
    const expected = [
      'stageStatusUpdate',
      'stageRequestApproved',
      'stageStatusUpdate',
      'stageStatusUpdate',
    ];
    assert.deepEqual(types(e1), expected);
    assert.deepEqual(types(e2), expected);
    assert.equal(userOf(room, 'v')?.connections, 2);
    assert.equal(room.snapshot().users.filter((u) => u.userId === 'v').length, 1);
    // A tab may not do again what the other did.
    await rejectsWith(t1.join(), '2006');
  });

  it('a tab that connects later starts with the user’s current status', async () => {
    const { room, host } = setup();
    const t1 = room.connect({ userId: 'v', preset: 'viewer' });
    await t1.requestAccess();
    await host.grantAccess(['v']);
    const t2 = room.connect({ userId: 'v', preset: 'viewer' });
    assert.equal(t2.status, ACC);
    assert.equal(current(t2.status$), ACC);
  });
});

describe('local room: dropped connections', () => {
  it('disconnect(userId): every tab goes disconnected, commands reject 2005, observables stay open', async () => {
    const { room, host } = setup();
    const t1 = room.connect({ userId: 'v', preset: 'viewer' });
    const t2 = room.connect({ userId: 'v', preset: 'viewer' });
    await t1.requestAccess();
    const watched = [
      watch(t1.status$),
      watch(t1.requests$),
      watch(t1.onStage$),
      watch(t1.participants$),
      watch(t1.position$),
      watch(t1.events$),
      watch(t1.permissions$),
    ];
    const conn1 = watch(t1.connection$);
    const conn2 = watch(t2.connection$);
    room.disconnect('v');
    assert.equal(conn1.value, 'disconnected');
    assert.equal(conn2.value, 'disconnected');
    await rejectsWith(t1.cancelRequestAccess(), '2005');
    await rejectsWith(t2.requestAccess(), '2005');
    await rejectsWith(t1.grantAccess(['v']), '2005');
    assert.ok(
      [...watched, conn1, conn2].every((w) => !w.done),
      'observables are not completed',
    );
    // In grace the user keeps its status; others still see it.
    assert.equal(userOf(room, 'v')?.status, REQ);
    assert.equal(userOf(room, 'v')?.connections, 0);
    assert.deepEqual(ids(current(host.requests$)), ['v']);
  });

  it('dispose() of one of two tabs is not a drop; dispose() of the last one is (the grace applies)', async () => {
    const { room, clock, host } = setup({ reconnectGraceMs: 1000 });
    const t1 = room.connect({ userId: 'v', preset: 'viewer' });
    const t2 = room.connect({ userId: 'v', preset: 'viewer' });
    await t1.requestAccess();
    const status1 = watch(t1.status$);
    const conn1 = watch(t1.connection$);
    t1.dispose();
    assert.ok(status1.done, 'dispose() completes the observables of that tab');
    assert.equal(conn1.value, 'disconnected');
    assert.ok(conn1.done);
    assert.equal(current(t2.connection$), 'connected');
    await rejectsWith(t1.cancelRequestAccess(), '2005');
    assert.equal(userOf(room, 'v')?.connections, 1);
    clock.advance(5000);
    assert.equal(userOf(room, 'v')?.status, REQ, 'still connected through the other tab');
    assert.equal(clock.pending, 0);

    t2.dispose();
    assert.equal(userOf(room, 'v')?.connections, 0);
    assert.equal(clock.pending, 1, 'a grace timer runs');
    clock.advance(999);
    assert.equal(userOf(room, 'v')?.status, REQ);
    clock.advance(2);
    await flush();
    assert.equal(userOf(room, 'v'), undefined, 'gone after the grace');
    assert.deepEqual(current(host.requests$), []);
    assert.equal(clock.pending, 0);
  });

  for (const status of [REQ, ACC, ON]) {
    it(`back within the grace, a ${status} user resumes exactly where it was`, async () => {
      const { room, clock, host } = setup();
      const others = ['a', 'b'].map((id) => room.connect({ userId: id, preset: 'viewer' }));
      await others[0]!.requestAccess();
      let v = room.connect({ userId: 'v', displayName: 'V', preset: 'viewer' });
      if (status === REQ) await v.requestAccess();
      else await host.grantAccess(['v']);
      if (status === ON) await v.join();
      await others[1]!.requestAccess();
      const before = room.snapshot();
      const positionBefore = current(v.position$);
      const seen = events(host);

      room.disconnect('v');
      clock.advance(29_999);
      v = room.connect({ userId: 'v', displayName: 'V', preset: 'viewer' });
      assert.equal(v.status, status);
      assert.equal(current(v.position$), positionBefore);
      assert.equal(current(v.connection$), 'connected');
      const after = room.snapshot();
      assert.deepEqual(after.users, before.users);
      assert.deepEqual(after.queue, before.queue);
      assert.deepEqual(after.onStage, before.onStage);
      assert.deepEqual(seen, [], 'nothing happened as far as hosts can tell');
      clock.advance(60_000);
      assert.equal(userOf(room, 'v')?.status, status, 'the grace timer was cancelled');
      assert.equal(clock.pending, 0);
    });
  }

  it('a requester back within the grace keeps its queue place, and moves up when someone ahead leaves', async () => {
    const { room, clock } = setup();
    const [a, b0, c] = ['a', 'b', 'c'].map((id) => room.connect({ userId: id, preset: 'viewer' }));
    for (const u of [a!, b0!, c!]) await u.requestAccess();
    assert.deepEqual(room.snapshot().queue, ['a', 'b', 'c']);
    const requestedAt = userOf(room, 'b')?.requestedAt;
    room.disconnect('b');
    clock.advance(1000);
    await a!.cancelRequestAccess();
    const b = room.connect({ userId: 'b', preset: 'viewer' });
    assert.equal(current(b.position$), 1);
    assert.equal(current(c!.position$), 2);
    assert.equal(userOf(room, 'b')?.requestedAt, requestedAt);
  });

  it('after the grace, REQUESTED/ACCEPTED/ON users return to OFF, leave the lists and become unknown', async () => {
    const { room, clock, host } = setup({ reconnectGraceMs: 5000 });
    const mod = room.connect({ userId: 'mod', preset: 'moderator' });
    const r = room.connect({ userId: 'r', preset: 'viewer' });
    const k = room.connect({ userId: 'k', preset: 'viewer' });
    room.connect({ userId: 'acc', preset: 'viewer' });
    const on = room.connect({ userId: 'on', preset: 'speaker' });
    room.connect({ userId: 'off', preset: 'viewer' });
    await r.requestAccess();
    await k.requestAccess();
    await host.grantAccess(['acc']);
    await on.requestAccess();
    await on.join();
    const hostEvents = events(host);
    const modEvents = events(mod);
    for (const id of ['r', 'acc', 'on', 'off']) room.disconnect(id);
    clock.advance(4999);
    await flush();
    assert.deepEqual(room.snapshot().queue, ['r', 'k']);
    assert.equal(hostEvents.length, 0, 'nothing happens before the grace ends');
    clock.advance(2);
    await flush();
    const snap = room.snapshot();
    assert.deepEqual(
      snap.users.map((u) => u.userId).sort(),
      ['host', 'k', 'mod'],
      'dropped users are gone',
    );
    assert.deepEqual(snap.queue, ['k']);
    assert.deepEqual(snap.onStage, []);
    assert.deepEqual(ids(current(host.requests$)), ['k']);
    assert.deepEqual(current(k.position$), 1);
    assert.deepEqual(ids(current(host.participants$)), ['k']);
    assert.deepEqual(ids(current(host.onStage$)), []);
    assert.ok(
      hostEvents.some(
        (e) => e.type === 'stageAccessRequestUpdate' && ids(e.requests).join() === 'k',
      ),
      'hosts are told the queue changed',
    );
    // An ACCEPTED user whose grace passed counts as a decline (contract 9.9).
    for (const seen of [hostEvents, modEvents]) {
      assert.ok(
        seen.some((e) => e.type === 'stageAccessDeclined' && e.userId === 'acc'),
        `privileged users get stageAccessDeclined: ${JSON.stringify(seen)}`,
      );
    }
    for (const command of ['grantAccess', 'denyAccess', 'kick'] as const) {
      const result = await host[command](['r', 'acc', 'on', 'off']);
      assert.deepEqual(result.ok, []);
      assert.deepEqual(
        result.failed.map((f) => f.code),
        ['2009', '2009', '2009', '2009'],
        `${command} of users gone after the grace`,
      );
    }
    assert.equal(clock.pending, 0);
    // Coming back after the grace means starting afresh.
    const again = room.connect({ userId: 'r', preset: 'viewer' });
    assert.equal(again.status, OFF);
    assert.equal(current(again.position$), null);
  });

  it('dispose() of a tab dropped earlier does not drop the user’s new connection', async () => {
    const { room, clock } = setup({ reconnectGraceMs: 100 });
    const old = room.connect({ userId: 'v', preset: 'viewer' });
    room.disconnect('v');
    const fresh = room.connect({ userId: 'v', preset: 'viewer' });
    old.dispose();
    assert.equal(userOf(room, 'v')?.connections, 1);
    clock.advance(1000);
    await fresh.requestAccess();
    assert.equal(fresh.status, REQ);
  });

  it('reconnectGraceMs 0: a drop returns the user to OFF at once', async () => {
    const { room, host, clock } = setup({ reconnectGraceMs: 0 });
    const v = room.connect({ userId: 'v', preset: 'viewer' });
    await v.requestAccess();
    room.disconnect('v');
    await flush();
    assert.equal(userOf(room, 'v'), undefined);
    assert.deepEqual(current(host.requests$), []);
    assert.equal(clock.pending, 0);
  });
});

describe('local room: close()', () => {
  it('rejects every command with 2005, connect() throws 2005, nothing stays scheduled', async () => {
    const { room, clock, host } = setup({ requestTtlMs: 10_000, acceptedTtlMs: 10_000 });
    const v = room.connect({ userId: 'v', preset: 'viewer' });
    const w = room.connect({ userId: 'w', preset: 'viewer' });
    await v.requestAccess();
    await host.grantAccess(['w']);
    assert.equal(w.status, ACC);
    room.disconnect('w'); // a grace timer as well
    assert.ok(clock.pending > 0);
    const conn = watch(v.connection$);
    room.close();
    assert.equal(conn.value, 'disconnected');
    assert.equal(current(host.connection$), 'disconnected');
    assert.equal(clock.pending, 0);
    await rejectsWith(v.cancelRequestAccess(), '2005');
    await rejectsWith(host.grantAccess(['v']), '2005');
    await rejectsWith(host.kick([]), '2005');
    throwsWith(() => room.connect({ userId: 'z', preset: 'viewer' }), '2005');
    const before = room.snapshot();
    clock.advance(100_000);
    assert.deepEqual(room.snapshot(), before, 'no timer fires after close');
    assert.doesNotThrow(() => room.close(), 'close() twice is harmless');
  });
});

describe('local room: invites, declines, rejections, kicks', () => {
  it('grantAccess to an OFF user is an invite: ACCEPTED, stageRequestApproved {invited: true}, acceptPresentRequests', async () => {
    const { room, host } = setup();
    const mod = room.connect({ userId: 'mod', preset: 'moderator' });
    const other = room.connect({ userId: 'x', preset: 'viewer' });
    const v = room.connect({ userId: 'v', preset: 'viewer' });
    const seenV = events(v);
    const seenMod = events(mod);
    const seenOther = events(other);
    assert.deepEqual(await host.grantAccess(['v']), { ok: ['v'], failed: [] });
    assert.equal(v.status, ACC);
    assert.deepEqual(seenV, [
      { type: 'stageRequestApproved', by: 'host', invited: true },
      { type: 'stageStatusUpdate', status: ACC },
    ]);
    assert.deepEqual(seenMod, [{ type: 'acceptPresentRequests', userIds: ['v'], by: 'host' }]);
    assert.deepEqual(seenOther, []);
    await v.join();
    assert.equal(v.status, ON);
  });

  it('an approval of a request says invited: false', async () => {
    const { room, host } = setup();
    const v = room.connect({ userId: 'v', preset: 'viewer' });
    await v.requestAccess();
    const seen = events(v);
    await host.grantAccess(['v']);
    assert.deepEqual(seen[0], { type: 'stageRequestApproved', by: 'host', invited: false });
  });

  it('leave() from ACCEPTED is a decline: OFF, and privileged users (only) get stageAccessDeclined', async () => {
    const { room, host } = setup();
    const mod = room.connect({ userId: 'mod', preset: 'moderator' });
    const other = room.connect({ userId: 'x', preset: 'speaker' });
    const v = room.connect({ userId: 'v', preset: 'viewer' });
    await host.grantAccess(['v']);
    const [h, m, o, self] = [events(host), events(mod), events(other), events(v)];
    await v.leave();
    assert.equal(v.status, OFF);
    assert.deepEqual(h, [{ type: 'stageAccessDeclined', userId: 'v' }]);
    assert.deepEqual(m, [{ type: 'stageAccessDeclined', userId: 'v' }]);
    assert.deepEqual(o, []);
    assert.deepEqual(self, [{ type: 'stageStatusUpdate', status: OFF }]);
  });

  it('leave() from ON is not a decline', async () => {
    const { room, host } = setup();
    const v = room.connect({ userId: 'v', preset: 'speaker' });
    await v.requestAccess();
    await v.join();
    const h = events(host);
    await v.leave();
    assert.deepEqual(h, []);
  });

  it('denyAccess of an invitee sends stageRequestRejected before the status update', async () => {
    const { room, host } = setup();
    const v = room.connect({ userId: 'v', preset: 'viewer' });
    await host.grantAccess(['v']);
    const seen = events(v);
    await host.denyAccess(['v']);
    assert.deepEqual(seen, [
      { type: 'stageRequestRejected', by: 'host' },
      { type: 'stageStatusUpdate', status: OFF },
    ]);
  });

  it('kick tells the target who removed it, before the status update', async () => {
    const { room } = setup();
    const mod = room.connect({ userId: 'mod', preset: 'moderator' });
    const v = room.connect({ userId: 'v', preset: 'speaker' });
    await v.requestAccess();
    await v.join();
    const seen = events(v);
    await mod.kick(['v']);
    assert.deepEqual(seen, [
      { type: 'removedFromStage', by: 'mod' },
      { type: 'stageStatusUpdate', status: OFF },
    ]);
  });

  it('a self-accept sends no stageRequestApproved and no acceptPresentRequests', async () => {
    const { room, host } = setup();
    const s = room.connect({ userId: 's', preset: 'speaker' });
    const [seenS, seenH] = [events(s), events(host)];
    await s.requestAccess();
    assert.deepEqual(seenS, [{ type: 'stageStatusUpdate', status: ACC }]);
    assert.deepEqual(seenH, []);
  });

  it('newStageRequest.count is the queue length after that request; one stageAccessRequestUpdate per command', async () => {
    const { room, host } = setup();
    const seen = events(host);
    for (const id of ['a', 'b'])
      await room.connect({ userId: id, preset: 'viewer' }).requestAccess();
    assert.deepEqual(
      seen.map((e) =>
        e.type === 'newStageRequest'
          ? `new ${e.request.userId} #${e.request.position} count ${e.count}`
          : e.type === 'stageAccessRequestUpdate'
            ? `update ${ids(e.requests).join(',')}`
            : e.type,
      ),
      ['new a #1 count 1', 'update a', 'new b #2 count 2', 'update a,b'],
    );
  });

  it('on()/off()/"*" handlers get bare status and list, payload objects otherwise', async () => {
    const { room, host } = setup();
    const v = room.connect({ userId: 'v', preset: 'viewer' });
    const statuses: unknown[] = [];
    const lists: unknown[] = [];
    const any: [string, unknown][] = [];
    const approved: unknown[] = [];
    const unsubscribe = v.on('stageStatusUpdate', (s) => statuses.push(s));
    host.on('stageAccessRequestUpdate', (r) => lists.push(ids(r)));
    v.on('*', (name, payload) => any.push([name, payload]));
    const onApproved = (p: { by: string; invited: boolean }) => approved.push(p);
    v.on('stageRequestApproved', onApproved);
    await v.requestAccess();
    v.off('stageRequestApproved', onApproved);
    unsubscribe();
    await host.grantAccess(['v']);
    assert.deepEqual(statuses, [REQ]);
    assert.deepEqual(lists, [['v'], []]);
    assert.deepEqual(approved, []);
    assert.deepEqual(any, [
      ['stageStatusUpdate', REQ],
      ['stageRequestApproved', { by: 'host', invited: false }],
      ['stageStatusUpdate', ACC],
    ]);
  });
});

describe('local room: seats (maxOnStage)', () => {
  it('self-accepts and grants stop at maxOnStage; ACCEPTED and ON both hold a seat; a leave frees one', async () => {
    const { room, host } = setup({ maxOnStage: 2 });
    const [s1, s2, s3] = ['s1', 's2', 's3'].map((id) =>
      room.connect({ userId: id, preset: 'speaker' }),
    );
    const v = room.connect({ userId: 'v', preset: 'viewer' });
    await v.requestAccess();
    await s1!.requestAccess();
    await s1!.join();
    await s2!.requestAccess(); // ACCEPTED holds the second seat
    const before = room.snapshot();
    await rejectsWith(s3!.requestAccess(), '2007');
    const granted = await host.grantAccess(['v', 's3']);
    assert.deepEqual(granted.ok, []);
    assert.deepEqual(
      granted.failed.map((f) => [f.userId, f.code]),
      [
        ['v', '2007'],
        ['s3', '2007'],
      ],
    );
    assert.deepEqual(room.snapshot(), before);
    assert.equal(v.status, REQ, 'a request still waits when the stage is full');

    await s2!.leave(); // a decline frees the seat
    assert.deepEqual((await host.grantAccess(['v'])).ok, ['v']);
    await rejectsWith(s3!.requestAccess(), '2007');
    await host.kick(['s1']);
    await s3!.requestAccess();
    assert.equal(s3!.status, ACC);
    const seated = room.snapshot().users.filter((u) => u.status === ACC || u.status === ON);
    assert.equal(seated.length, 2);
  });
});

describe('local room: time limits (fake clock)', () => {
  it('requestTtlMs: the requester gets stageRequestExpired then stageStatusUpdate; the hosts’ queue shrinks', async () => {
    const { room, clock, host } = setup({ requestTtlMs: 1000 });
    const a = room.connect({ userId: 'a', preset: 'viewer' });
    const b = room.connect({ userId: 'b', preset: 'viewer' });
    await a.requestAccess();
    const requestedAtA = clock.now();
    clock.advance(400);
    await b.requestAccess();
    const [seenA, seenB, seenH] = [events(a), events(b), events(host)];
    const requests = watch(host.requests$);
    const positionB = watch(b.position$);
    assert.equal(positionB.value, 2);
    clock.advance(599);
    await flush();
    assert.equal(a.status, REQ, 'not yet expired');
    assert.deepEqual(seenA, []);
    clock.advance(2);
    await flush();
    assert.equal(a.status, OFF);
    assert.deepEqual(seenA, [
      { type: 'stageRequestExpired', requestedAt: requestedAtA },
      { type: 'stageStatusUpdate', status: OFF },
    ]);
    assert.deepEqual(ids(requests.value), ['b']);
    assert.equal(positionB.value, 1);
    assert.deepEqual(seenB, []);
    assert.deepEqual(types(seenH), ['stageAccessRequestUpdate']);
    assert.equal(clock.pending, 1, 'b’s request is still timed');
    clock.advance(400);
    await flush();
    assert.equal(b.status, OFF);
    assert.deepEqual(requests.value, []);
    assert.equal(clock.pending, 0, 'nothing left to time');
  });

  it('requestTtlMs: a request granted, denied or cancelled in time does not expire', async () => {
    const { room, clock, host } = setup({ requestTtlMs: 1000 });
    const [a, b, c] = ['a', 'b', 'c'].map((id) => room.connect({ userId: id, preset: 'viewer' }));
    for (const x of [a!, b!, c!]) await x.requestAccess();
    await host.grantAccess(['a']);
    await host.denyAccess(['b']);
    await c!.cancelRequestAccess();
    assert.equal(clock.pending, 0);
    const seen = events(a!);
    clock.advance(5000);
    assert.deepEqual([a!.status, b!.status, c!.status], [ACC, OFF, OFF]);
    assert.deepEqual(seen, []);
  });

  it('acceptedTtlMs: an ACCEPTED user who does not join returns to OFF; privileged users get stageAccessDeclined', async () => {
    const { room, clock, host } = setup({ acceptedTtlMs: 2000 });
    const mod = room.connect({ userId: 'mod', preset: 'moderator' });
    const v = room.connect({ userId: 'v', preset: 'viewer' });
    const s = room.connect({ userId: 's', preset: 'speaker' });
    await host.grantAccess(['v']);
    await s.requestAccess(); // a self-accept is timed too
    const [seenV, seenH, seenM] = [events(v), events(host), events(mod)];
    const participants = watch(host.participants$);
    clock.advance(1999);
    assert.equal(v.status, ACC);
    clock.advance(2);
    await flush();
    assert.deepEqual([v.status, s.status], [OFF, OFF]);
    assert.deepEqual(seenV, [{ type: 'stageStatusUpdate', status: OFF }]);
    for (const seen of [seenH, seenM]) {
      assert.deepEqual(seen, [
        { type: 'stageAccessDeclined', userId: 'v' },
        { type: 'stageAccessDeclined', userId: 's' },
      ]);
    }
    assert.deepEqual(participants.value, []);
    assert.equal(clock.pending, 0);
  });

  it('acceptedTtlMs: joining in time stops the timer', async () => {
    const { room, clock, host } = setup({ acceptedTtlMs: 2000 });
    const v = room.connect({ userId: 'v', preset: 'viewer' });
    await host.grantAccess(['v']);
    clock.advance(1500);
    await v.join();
    clock.advance(10_000);
    assert.equal(v.status, ON);
    assert.equal(clock.pending, 0);
  });

  it('timers fire on their own (no command needed) within 50 ms of the deadline', async () => {
    const { room, clock } = setup({ requestTtlMs: 300 });
    const v = room.connect({ userId: 'v', preset: 'viewer' });
    await v.requestAccess();
    clock.advance(350);
    assert.equal(v.status, OFF);
  });

  it('with the system clock, pending room timers do not keep a Node process alive', async () => {
    // A child process makes a room with hour-long timers pending and never closes it; it
    // must exit on its own as soon as its work is done.
    const index = new URL('../../src/index.ts', import.meta.url).href;
    const code = `
      const { createLocalStage } = await import(${JSON.stringify(index)});
      const room = createLocalStage({ requestTtlMs: 3600000, acceptedTtlMs: 3600000 });
      const host = room.connect({ userId: 'h', preset: 'host' });
      const v = room.connect({ userId: 'v', preset: 'viewer' });
      await v.requestAccess();
      room.connect({ userId: 'w', preset: 'viewer' });
      await host.grantAccess(['w']);
      room.disconnect('w');
      console.log(v.status);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = await new Promise<number | null | 'timeout'>((resolve) => {
      const timer = setTimeout(() => {
        child.kill();
        resolve('timeout');
      }, 8000);
      child.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    assert.equal(exited, 0, `the process should exit by itself; output: ${out}`);
    assert.match(out, /REQUESTED_TO_JOIN_STAGE/);
  });
});

describe('local room: a second tab with other permissions (contract 9.12)', () => {
  it('newest permissions win for every tab; a REQUESTED viewer reconnecting as audience returns OFF', async () => {
    const { room, host } = setup();
    const t1 = room.connect({ userId: 'v', preset: 'viewer' });
    await t1.requestAccess();
    const seen = events(t1);
    const t2 = room.connect({ userId: 'v', preset: 'audience' });
    assert.deepEqual(t1.permissions, presets.audience);
    assert.deepEqual(current(t1.permissions$), presets.audience);
    assert.deepEqual(t2.permissions, presets.audience);
    assert.equal(t1.status, OFF);
    assert.equal(t2.status, OFF);
    assert.deepEqual(seen, [{ type: 'stageStatusUpdate', status: OFF }]);
    await flush();
    assert.deepEqual(current(host.requests$), []);
    assert.deepEqual(room.snapshot().queue, []);
    assert.deepEqual(userOf(room, 'v')?.permissions, presets.audience);
    await rejectsWith(t1.requestAccess(), '2001');
  });

  it('an ON speaker whose new tab has the stage disabled returns OFF and leaves onStage$', async () => {
    const { room, host } = setup();
    const t1 = room.connect({ userId: 's', preset: 'speaker' });
    await t1.requestAccess();
    await t1.join();
    room.connect({
      userId: 's',
      permissions: { stageEnabled: false, stageAccess: 'ALLOWED', acceptStageRequests: false },
    });
    await flush();
    assert.equal(t1.status, OFF);
    assert.deepEqual(current(host.onStage$), []);
    await rejectsWith(t1.requestAccess(), '2003');
  });

  it('an ON speaker reconnecting as viewer (CAN_REQUEST) stays ON', async () => {
    const { room } = setup();
    const t1 = room.connect({ userId: 's', preset: 'speaker' });
    await t1.requestAccess();
    await t1.join();
    room.connect({ userId: 's', preset: 'viewer' });
    assert.equal(t1.status, ON);
    assert.deepEqual(t1.permissions, presets.viewer);
  });

  it('a moderator whose new tab is a viewer loses the queue and the right to grant', async () => {
    const { room } = setup();
    const mod = room.connect({ userId: 'mod', preset: 'moderator' });
    await room.connect({ userId: 'v', preset: 'viewer' }).requestAccess();
    const requests = watch(mod.requests$);
    assert.deepEqual(ids(requests.value), ['v']);
    room.connect({ userId: 'mod', preset: 'viewer' });
    assert.deepEqual(requests.value, []);
    assert.deepEqual(mod.getAccessRequests().stageRequests, []);
    await rejectsWith(mod.grantAccess(['v']), '2001');
  });

  it('an ACCEPTED viewer whose new tab is a host keeps its status and may now grant', async () => {
    const { room, host } = setup();
    const v = room.connect({ userId: 'v', preset: 'viewer' });
    await host.grantAccess(['v']);
    const r = room.connect({ userId: 'r', preset: 'viewer' });
    await r.requestAccess();
    room.connect({ userId: 'v', preset: 'host' });
    assert.equal(v.status, ACC);
    assert.deepEqual(ids(current(v.requests$)), ['r']);
    assert.deepEqual((await v.grantAccess(['r'])).ok, ['r']);
  });

  it('a tab with the same permissions changes nothing', async () => {
    const { room, host } = setup();
    const v = room.connect({ userId: 'v', displayName: 'V', preset: 'viewer' });
    await v.requestAccess();
    const before = room.snapshot();
    const seen = events(host);
    room.connect({ userId: 'v', displayName: 'V', preset: 'viewer' });
    const after = room.snapshot();
    assert.equal(after.version, before.version);
    assert.deepEqual(seen, []);
  });
});

describe('local room: what each user sees (contract 9.7)', () => {
  async function scene() {
    const { room, clock, host } = setup();
    const c = (userId: string, preset: 'moderator' | 'viewer' | 'speaker' | 'audience') =>
      room.connect({ userId, displayName: userId.toUpperCase(), preset });
    const mod = c('mod', 'moderator');
    const watcher = c('x', 'viewer');
    const aud = c('aud', 'audience');
    const r1 = c('r1', 'viewer');
    const s = c('s', 'speaker');
    const i = c('i', 'viewer');
    const r2 = c('r2', 'viewer');
    await r1.requestAccess(); // left OFF 1st
    clock.advance(10);
    await s.requestAccess(); // 2nd (self-accept)
    clock.advance(10);
    await mod.requestAccess(); // 3rd (a privileged user's own request)
    clock.advance(10);
    await host.grantAccess(['i']); // 4th (invite)
    clock.advance(10);
    await r2.requestAccess(); // 5th
    await s.join();
    return { room, host, mod, watcher, aud, r1, s, i, r2 };
  }

  it('privileged users see the whole queue (incl. their own request) and everyone not OFF', async () => {
    const { host, mod } = await scene();
    for (const p of [host, mod]) {
      assert.deepEqual(
        current(p.requests$).map((r) => [r.userId, r.displayName, r.position]),
        [
          ['r1', 'R1', 1],
          ['mod', 'MOD', 2],
          ['r2', 'R2', 3],
        ],
      );
      assert.deepEqual(ids(p.getAccessRequests().stageRequests), ['r1', 'mod', 'r2']);
      assert.deepEqual(
        current(p.participants$).map((x) => [x.userId, x.status]),
        [
          ['r1', REQ],
          ['s', ON],
          ['mod', REQ],
          ['i', ACC],
          ['r2', REQ],
        ],
      );
    }
    assert.equal(current(mod.position$), 2);
  });

  it('others see requests$ [] and participants$ = ACCEPTED + ON users (+ themselves when REQUESTED)', async () => {
    const { watcher, aud, r1, r2, s, i } = await scene();
    for (const c of [watcher, aud, r1, r2, s, i]) {
      assert.deepEqual(current(c.requests$), [], `${c.userId} requests$`);
      assert.deepEqual(c.getAccessRequests().stageRequests, [], `${c.userId} getAccessRequests`);
    }
    for (const c of [watcher, aud, s, i]) {
      assert.deepEqual(ids(current(c.participants$)), ['s', 'i'], `${c.userId} participants$`);
    }
    // Requesters see themselves (in order of leaving OFF) but never other requesters.
    const p1 = current(r1.participants$);
    assert.deepEqual(ids(p1), ['r1', 's', 'i']);
    assert.equal(p1[0]!.status, REQ);
    assert.equal(typeof p1[0]!.requestedAt, 'number');
    assert.deepEqual(ids(current(r2.participants$)), ['s', 'i', 'r2']);
  });

  it('everybody sees onStage$', async () => {
    const all = await scene();
    for (const c of [all.host, all.mod, all.watcher, all.aud, all.r1, all.s, all.i, all.r2]) {
      assert.deepEqual(
        current(c.onStage$).map((p: StageParticipant) => [p.userId, p.displayName, p.status]),
        [['s', 'S', ON]],
      );
    }
  });

  it('a viewer’s participants$ follows its own request and never shows the others’', async () => {
    const { room, host, r1, watcher } = await scene();
    const seen = watch(watcher.participants$);
    await watcher.requestAccess();
    assert.deepEqual(ids(seen.value), ['s', 'i', 'x']);
    await host.denyAccess(['r1']);
    assert.deepEqual(ids(seen.value), ['s', 'i', 'x']);
    await host.grantAccess(['x']);
    assert.deepEqual(
      seen.value?.map((p) => [p.userId, p.status]),
      [
        ['s', ON],
        ['i', ACC],
        ['x', ACC],
      ],
    );
    assert.equal(r1.status, OFF);
    assert.equal(room.snapshot().queue.includes('x'), false);
  });
});

describe('local room: observables emit only on change (contract 6)', () => {
  it('requests$ does not re-emit an equal (empty) list after a burst that added and removed a request', async () => {
    const { room, host } = setup();
    const v = room.connect({ userId: 'v', preset: 'viewer' });
    const emitted: string[] = [];
    host.requests$.subscribe((r) => emitted.push(`[${ids(r).join(',')}]`));
    // One synchronous burst: the request and its cancellation are coalesced (contract 9.2).
    const requested = v.requestAccess();
    const cancelled = v.cancelRequestAccess();
    await Promise.all([requested, cancelled]);
    assert.equal(v.status, OFF);
    assert.deepEqual(emitted, ['[]'], 'only the replayed value: the list never changed');
  });

  it('onStage$ and participants$ emit once per change and replay the current list', async () => {
    const { room, host } = setup();
    const s = room.connect({ userId: 's', preset: 'speaker' });
    const counts = { onStage: 0, participants: 0 };
    host.onStage$.subscribe(() => counts.onStage++);
    host.participants$.subscribe(() => counts.participants++);
    assert.deepEqual(counts, { onStage: 1, participants: 1 });
    await s.requestAccess();
    assert.deepEqual(counts, { onStage: 1, participants: 2 });
    await s.join();
    assert.deepEqual(counts, { onStage: 2, participants: 3 });
    await host.denyAccess(['s']); // fails (2006): no emission
    assert.deepEqual(counts, { onStage: 2, participants: 3 });
    assert.deepEqual(ids(current(host.onStage$)), ['s']);
  });
});

describe('local room: list orders (contract 9.11) and positions', () => {
  it('requests$: by requestedAt, ties by arrival', async () => {
    const { room, clock, host } = setup();
    for (const id of ['a', 'b'])
      await room.connect({ userId: id, preset: 'viewer' }).requestAccess();
    clock.advance(5);
    for (const id of ['c', 'd'])
      await room.connect({ userId: id, preset: 'viewer' }).requestAccess();
    const list = current(host.requests$);
    assert.deepEqual(
      list.map((r) => [r.userId, r.requestedAt - list[0]!.requestedAt, r.position]),
      [
        ['a', 0, 1],
        ['b', 0, 2],
        ['c', 5, 3],
        ['d', 5, 4],
      ],
    );
  });

  it('onStage$: by the time each user joined, not when accepted', async () => {
    const { room, host } = setup();
    const [a, b, c] = ['a', 'b', 'c'].map((id) => room.connect({ userId: id, preset: 'viewer' }));
    await host.grantAccess(['a', 'b', 'c']);
    await b!.join();
    await c!.join();
    await a!.join();
    assert.deepEqual(ids(current(host.onStage$)), ['b', 'c', 'a']);
    await c!.leave();
    await host.grantAccess(['c']);
    await c!.join();
    assert.deepEqual(ids(current(a!.onStage$)), ['b', 'a', 'c']);
  });

  it('participants$: by the time each user left OFF (kept through REQUESTED → ACCEPTED → ON)', async () => {
    const { room, host } = setup();
    const [a, b, c] = ['a', 'b', 'c'].map((id) => room.connect({ userId: id, preset: 'viewer' }));
    await b!.requestAccess();
    await host.grantAccess(['a']);
    await c!.requestAccess();
    await a!.join();
    await host.grantAccess(['b']);
    await b!.join();
    assert.deepEqual(ids(current(host.participants$)), ['b', 'a', 'c']);
    await b!.leave();
    await b!.requestAccess();
    assert.deepEqual(ids(current(host.participants$)), ['a', 'c', 'b']);
  });

  it('positions are 1..n in queue order and move up when someone ahead leaves', async () => {
    const { room, clock, host } = setup({ requestTtlMs: 1000 });
    const users = ['a', 'b', 'c', 'd', 'e'].map((id) =>
      room.connect({ userId: id, preset: 'viewer' }),
    );
    const positions = users.map((u) => watch(u.position$));
    const pos = () => positions.map((p) => p.value);
    assert.deepEqual(pos(), [null, null, null, null, null]);
    await users[0]!.requestAccess();
    clock.advance(100);
    for (const u of users.slice(1)) await u.requestAccess();
    assert.deepEqual(pos(), [1, 2, 3, 4, 5]);
    assert.deepEqual(
      current(host.requests$).map((r) => r.position),
      [1, 2, 3, 4, 5],
    );
    await users[1]!.cancelRequestAccess();
    assert.deepEqual(pos(), [1, null, 2, 3, 4]);
    await host.denyAccess(['d']);
    assert.deepEqual(pos(), [1, null, 2, null, 3]);
    clock.advance(901); // a's request expires
    await flush();
    assert.deepEqual(pos(), [null, null, 1, null, 2]);
    await host.grantAccess(['c']);
    assert.deepEqual(pos(), [null, null, null, null, 1]);
    assert.deepEqual(
      current(host.requests$).map((r) => [r.userId, r.position]),
      [['e', 1]],
    );
  });
});
