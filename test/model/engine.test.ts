// Direct tests of the rules engine (StageRoom): deterministic with the clock passed in,
// NO_CHANGE when nothing changed, versions +1 per change, nextDeadline().
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  NO_CHANGE,
  StageRoom,
  presets,
  type MemberInput,
  type PresetName,
  type RoomChange,
  type StageCommand,
} from '../../src/index.js';

const member = (userId: string, preset: PresetName, displayName = userId): MemberInput => ({
  userId,
  displayName,
  permissions: presets[preset],
});

function applied(room: StageRoom, actor: string, command: StageCommand, now: number): RoomChange {
  const outcome = room.apply(actor, command, now);
  assert.ok(outcome.ok, outcome.ok ? '' : `${outcome.error.code}: ${outcome.error.message}`);
  return outcome.change;
}

/** A fixed script of steps; returns everything the engine answered. */
function script(room: StageRoom): unknown[] {
  const out: unknown[] = [];
  out.push(room.attach(member('h', 'host'), 1000));
  out.push(room.attach(member('m', 'moderator'), 1000));
  for (const id of ['a', 'b', 'c']) out.push(room.attach(member(id, 'viewer'), 1001));
  out.push(room.attach(member('s', 'speaker'), 1002));
  out.push(room.apply('a', { type: 'requestAccess' }, 1010));
  out.push(room.apply('b', { type: 'requestAccess' }, 1010));
  out.push(room.apply('c', { type: 'requestAccess' }, 1020));
  out.push(room.apply('s', { type: 'requestAccess' }, 1030));
  out.push(room.apply('h', { type: 'grantAccess', userIds: ['b', 'zz'] }, 1040));
  out.push(room.apply('b', { type: 'join' }, 1050));
  out.push(room.apply('a', { type: 'join' }, 1060)); // fails: 2006
  out.push(room.detach('c', 1070));
  out.push(room.advance(1500));
  out.push(room.nextDeadline());
  out.push(room.advance(5000));
  out.push(room.snapshot());
  return out;
}

describe('StageRoom: determinism', () => {
  it('the same steps at the same times give the same answers and state', () => {
    const options = { requestTtlMs: 2000, acceptedTtlMs: 3000, reconnectGraceMs: 1000 };
    const first = script(new StageRoom(options));
    const second = script(new StageRoom(options));
    assert.deepEqual(first, second);
    assert.ok(first.length > 10);
  });

  it('uses the time it is given, never the wall clock', () => {
    const room = new StageRoom({ requestTtlMs: 100 });
    room.attach(member('v', 'viewer'), 42);
    room.apply('v', { type: 'requestAccess' }, 42);
    assert.equal(room.requests()[0]!.requestedAt, 42);
    assert.equal(room.snapshot().users[0]!.requestedAt, 42);
    assert.equal(room.nextDeadline(), 142);
    // Nothing happens without a call to advance(), however much real time passes.
    assert.equal(room.status('v'), 'REQUESTED_TO_JOIN_STAGE');
    assert.equal(room.advance(141), NO_CHANGE);
    const expired = room.advance(142);
    assert.notEqual(expired, NO_CHANGE);
    assert.deepEqual(expired.notices, [
      { userId: 'v', event: { type: 'stageRequestExpired', requestedAt: 42 } },
    ]);
    assert.equal(room.status('v'), 'OFF_STAGE');
  });

  it('a failed command changes nothing, with the same answer each time', () => {
    const room = new StageRoom();
    room.attach(member('v', 'viewer'), 1);
    room.attach(member('aud', 'audience'), 1);
    const before = room.snapshot();
    const a = room.apply('aud', { type: 'requestAccess' }, 2);
    const b = room.apply('aud', { type: 'requestAccess' }, 3);
    assert.deepEqual(a, b);
    assert.ok(!a.ok);
    assert.equal(a.error.code, '2001');
    const c = room.apply('v', { type: 'grantAccess', userIds: ['v'] }, 4);
    assert.ok(!c.ok && c.error.code === '2001');
    const d = room.apply('ghost', { type: 'join' }, 5);
    assert.ok(!d.ok && d.error.code === '2005', 'an unknown actor is not connected');
    assert.deepEqual(room.snapshot(), before);
  });
});

describe('StageRoom: NO_CHANGE', () => {
  it('a second attach with the same name and permissions', () => {
    const room = new StageRoom();
    room.attach(member('v', 'viewer', 'V'), 1);
    const version = room.version;
    assert.equal(room.attach(member('v', 'viewer', 'V'), 2), NO_CHANGE);
    assert.equal(room.version, version);
    assert.equal(room.snapshot().users[0]!.connections, 2);
  });

  it('a second attach with a new name or new permissions is a change', () => {
    const room = new StageRoom();
    room.attach(member('v', 'viewer', 'V'), 1);
    const renamed = room.attach(member('v', 'viewer', 'Vee'), 2);
    assert.notEqual(renamed, NO_CHANGE);
    assert.deepEqual(renamed.selfChanged, ['v']);
    const repermitted = room.attach(member('v', 'speaker', 'Vee'), 3);
    assert.notEqual(repermitted, NO_CHANGE);
    assert.deepEqual(room.selfView('v')?.permissions, presets.speaker);
  });

  it('a bulk command where every id fails resolves with no change', () => {
    const room = new StageRoom();
    room.attach(member('h', 'host'), 1);
    room.attach(member('v', 'viewer'), 1);
    const version = room.version;
    const outcome = room.apply('h', { type: 'kick', userIds: ['v', 'ghost'] }, 2);
    assert.ok(outcome.ok);
    assert.equal(outcome.change, NO_CHANGE);
    assert.deepEqual(
      outcome.result?.failed.map((f) => f.code),
      ['2006', '2009'],
    );
    assert.equal(room.version, version);
  });

  it('advance() with nothing due, and detach() of one of two connections', () => {
    const room = new StageRoom({ requestTtlMs: 1000 });
    room.attach(member('v', 'viewer'), 1);
    room.attach(member('v', 'viewer'), 1);
    applied(room, 'v', { type: 'requestAccess' }, 10);
    assert.equal(room.advance(500), NO_CHANGE);
    assert.equal(room.detach('v', 600), NO_CHANGE);
    assert.equal(
      room.detach('v', 700),
      NO_CHANGE,
      'the last detach starts the grace: no visible change',
    );
    assert.equal(room.detach('v', 800), NO_CHANGE, 'nothing left to detach');
    assert.equal(room.detach('ghost', 800), NO_CHANGE);
    assert.equal(room.status('v'), 'REQUESTED_TO_JOIN_STAGE');
  });
});

describe('StageRoom: versions', () => {
  it('grow by one per change, and each change carries the new version', () => {
    const room = new StageRoom();
    room.attach(member('h', 'host'), 1);
    for (const id of ['a', 'b', 'c']) room.attach(member(id, 'viewer'), 1);
    let version = room.version;
    const steps: [string, StageCommand][] = [
      ['a', { type: 'requestAccess' }],
      ['b', { type: 'requestAccess' }],
      ['h', { type: 'grantAccess', userIds: ['a', 'b', 'c'] }], // one change for three users
      ['a', { type: 'join' }],
      ['h', { type: 'kick', userIds: ['a', 'b'] }],
      ['c', { type: 'leave' }],
    ];
    for (const [actor, command] of steps) {
      const change = applied(room, actor, command, 2);
      assert.equal(change.version, version + 1, `${actor} ${command.type}`);
      assert.equal(room.version, version + 1);
      assert.equal(room.snapshot().version, room.version);
      version++;
    }
    assert.ok(!room.apply('a', { type: 'join' }, 3).ok);
    assert.equal(room.version, version, 'a failure does not bump the version');
  });

  it('a change lists only the users it concerns', () => {
    const room = new StageRoom();
    room.attach(member('h', 'host'), 1);
    for (const id of ['a', 'b', 'c', 'd']) room.attach(member(id, 'viewer'), 1);
    for (const id of ['a', 'b', 'c']) applied(room, id, { type: 'requestAccess' }, 2);
    const change = applied(room, 'h', { type: 'grantAccess', userIds: ['b'] }, 3);
    assert.deepEqual(change.selfChanged, ['b']);
    assert.deepEqual(change.notices, [
      { userId: 'b', event: { type: 'stageRequestApproved', by: 'h', invited: false } },
    ]);
    assert.deepEqual(change.privilegedEvents, [
      { type: 'acceptPresentRequests', userIds: ['b'], by: 'h' },
    ]);
    assert.equal(change.queueChanged, true);
    assert.equal(change.onStageChanged, false);
    assert.equal(change.seatedChanged, true);
    assert.deepEqual(room.position('c'), 2);
  });
});

describe('StageRoom: nextDeadline()', () => {
  it('is undefined when nothing is timed', () => {
    const room = new StageRoom();
    room.attach(member('v', 'viewer'), 1);
    applied(room, 'v', { type: 'requestAccess' }, 2);
    assert.equal(room.nextDeadline(), undefined, 'TTLs default to 0 (never)');
  });

  it('is the earliest of request TTL, accepted TTL and grace, and moves as they end', () => {
    const room = new StageRoom({ requestTtlMs: 1000, acceptedTtlMs: 500, reconnectGraceMs: 300 });
    room.attach(member('h', 'host'), 0);
    for (const id of ['a', 'b', 'g']) room.attach(member(id, 'viewer'), 0);
    applied(room, 'a', { type: 'requestAccess' }, 100);
    assert.equal(room.nextDeadline(), 1100);
    applied(room, 'b', { type: 'requestAccess' }, 200);
    assert.equal(room.nextDeadline(), 1100);
    applied(room, 'a', { type: 'cancelRequestAccess' }, 250);
    assert.equal(room.nextDeadline(), 1200, 'the next request in line');
    applied(room, 'h', { type: 'grantAccess', userIds: ['g'] }, 300);
    assert.equal(room.nextDeadline(), 800, 'accepted TTL');
    room.detach('h', 400);
    assert.equal(room.nextDeadline(), 700, 'grace');
    room.attach(member('h', 'host'), 450);
    assert.equal(room.nextDeadline(), 800, 'back within the grace');
    const change = room.advance(800);
    assert.deepEqual(change.privilegedEvents, [{ type: 'stageAccessDeclined', userId: 'g' }]);
    assert.equal(room.status('g'), 'OFF_STAGE');
    assert.equal(room.nextDeadline(), 1200);
    room.advance(1200);
    assert.equal(room.status('b'), 'OFF_STAGE');
    assert.equal(room.nextDeadline(), undefined);
  });

  it('grace expiry removes the user; the deadline goes away', () => {
    const room = new StageRoom({ reconnectGraceMs: 100 });
    room.attach(member('h', 'host'), 0);
    room.attach(member('v', 'speaker'), 0);
    applied(room, 'v', { type: 'requestAccess' }, 0);
    applied(room, 'v', { type: 'join' }, 0);
    room.detach('v', 10);
    assert.equal(room.nextDeadline(), 110);
    const change = room.advance(110);
    assert.deepEqual(change.removed, ['v']);
    assert.equal(change.onStageChanged, true);
    assert.equal(room.has('v'), false);
    assert.deepEqual(room.onStage(), []);
    assert.equal(room.nextDeadline(), undefined);
  });
});
