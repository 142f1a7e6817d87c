// Bulk commands (grantAccess, denyAccess, kick): per-user results, whole-call rejections,
// concurrent grants and one emission per observable per command (contract 3, 9.10, issue 2).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Observable } from 'rxjs';
import {
  StageError,
  createLocalStage,
  type LocalStage,
  type LocalStageOptions,
  type StageBulkResult,
  type StageController,
  type StageEvent,
  type StageStatus,
} from '../../src/index.js';
import { FakeClock } from '../support/fake-clock.js';

const OFF: StageStatus = 'OFF_STAGE';
const REQ: StageStatus = 'REQUESTED_TO_JOIN_STAGE';
const ACC: StageStatus = 'ACCEPTED_TO_JOIN_STAGE';
const ON: StageStatus = 'ON_STAGE';

function room(options: LocalStageOptions = {}): { room: LocalStage; host: StageController } {
  const r = createLocalStage({ clock: new FakeClock(), ...options });
  return { room: r, host: r.connect({ userId: 'host', displayName: 'Host', preset: 'host' }) };
}

function statuses(r: LocalStage): Record<string, StageStatus> {
  return Object.fromEntries(r.snapshot().users.map((u) => [u.userId, u.status]));
}

function codes(result: StageBulkResult): [string, string][] {
  return result.failed.map((f) => [f.userId, f.code]);
}

function checkMessages(result: StageBulkResult): void {
  for (const f of result.failed) {
    assert.equal(typeof f.message, 'string');
    assert.ok(f.message.length > 15, `message too short: ${f.message}`);
  }
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof StageError);
    assert.equal(e.code, code);
    return true;
  });
}

/** Counts emissions after subscription (the replayed current value is not counted). */
function counter<T>(o: Observable<T>): { count: number; last: T | undefined } {
  const c = { count: -1, last: undefined as T | undefined };
  o.subscribe((v) => {
    c.count++;
    c.last = v;
  });
  assert.equal(c.count, 0, 'replays its current value on subscribe');
  return c;
}

function events(c: StageController): StageEvent[] {
  const out: StageEvent[] = [];
  c.events$.subscribe((e) => out.push(e));
  return out;
}

describe('bulk commands: per-user results', () => {
  it('grantAccess: approvals and invites apply; unknown 2009, wrong status 2006, may not go on stage 2001, no seat 2007', async () => {
    const { room: r, host } = room({ maxOnStage: 3 });
    const r1 = r.connect({ userId: 'r1', preset: 'viewer' });
    const r2 = r.connect({ userId: 'r2', preset: 'viewer' });
    const acc = r.connect({ userId: 'acc', preset: 'speaker' });
    r.connect({ userId: 'aud', preset: 'audience' });
    r.connect({
      userId: 'dis',
      permissions: { stageEnabled: false, stageAccess: 'CAN_REQUEST', acceptStageRequests: false },
    });
    r.connect({ userId: 'v', preset: 'viewer' });
    await r1.requestAccess();
    await r2.requestAccess();
    await acc.requestAccess(); // self-accept: takes seat 1 of 3
    const result = await host.grantAccess(['r1', 'ghost', 'acc', 'aud', 'dis', 'v', 'r2']);
    assert.deepEqual(result.ok, ['r1', 'v']);
    assert.deepEqual(codes(result), [
      ['ghost', '2009'],
      ['acc', '2006'],
      ['aud', '2001'],
      ['dis', '2001'],
      ['r2', '2007'],
    ]);
    checkMessages(result);
    assert.deepEqual(statuses(r), {
      host: OFF,
      r1: ACC,
      r2: REQ,
      acc: ACC,
      aud: OFF,
      dis: OFF,
      v: ACC,
    });
    assert.deepEqual(r.snapshot().queue, ['r2']);
  });

  it('denyAccess: REQUESTED and ACCEPTED go OFF; OFF and ON fail 2006; unknown 2009', async () => {
    const { room: r, host } = room();
    const req = r.connect({ userId: 'req', preset: 'viewer' });
    r.connect({ userId: 'inv', preset: 'viewer' });
    const on = r.connect({ userId: 'on', preset: 'speaker' });
    r.connect({ userId: 'off', preset: 'viewer' });
    await req.requestAccess();
    await host.grantAccess(['inv']);
    await on.requestAccess();
    await on.join();
    const result = await host.denyAccess(['off', 'req', 'ghost', 'on', 'inv']);
    assert.deepEqual(result.ok, ['req', 'inv']);
    assert.deepEqual(codes(result), [
      ['off', '2006'],
      ['ghost', '2009'],
      ['on', '2006'],
    ]);
    checkMessages(result);
    assert.deepEqual(statuses(r), { host: OFF, req: OFF, inv: OFF, on: ON, off: OFF });
  });

  it('kick: ON and ACCEPTED go OFF; OFF and REQUESTED fail 2006; unknown 2009', async () => {
    const { room: r, host } = room();
    const req = r.connect({ userId: 'req', preset: 'viewer' });
    r.connect({ userId: 'inv', preset: 'viewer' });
    const on = r.connect({ userId: 'on', preset: 'speaker' });
    r.connect({ userId: 'off', preset: 'viewer' });
    await req.requestAccess();
    await host.grantAccess(['inv']);
    await on.requestAccess();
    await on.join();
    const result = await host.kick(['req', 'on', 'ghost', 'off', 'inv']);
    assert.deepEqual(result.ok, ['on', 'inv']);
    assert.deepEqual(codes(result), [
      ['req', '2006'],
      ['ghost', '2009'],
      ['off', '2006'],
    ]);
    checkMessages(result);
    assert.deepEqual(statuses(r), { host: OFF, req: REQ, inv: OFF, on: OFF, off: OFF });
    assert.deepEqual(r.snapshot().onStage, []);
  });

  it('a call where every id fails resolves (not rejects) and changes nothing', async () => {
    const { room: r, host } = room();
    r.connect({ userId: 'v', preset: 'viewer' });
    const before = r.snapshot();
    const seen = events(host);
    const result = await host.kick(['v', 'ghost']);
    assert.deepEqual(result.ok, []);
    assert.deepEqual(codes(result), [
      ['v', '2006'],
      ['ghost', '2009'],
    ]);
    assert.deepEqual(r.snapshot(), before);
    assert.deepEqual(seen, []);
  });

  it('the same id twice in one grant: applied once, the second reports 2006', async () => {
    const { room: r, host } = room();
    const v = r.connect({ userId: 'v', preset: 'viewer' });
    await v.requestAccess();
    const result = await host.grantAccess(['v', 'v']);
    assert.deepEqual(result.ok, ['v']);
    assert.deepEqual(codes(result), [['v', '2006']]);
    assert.equal(v.status, ACC);
  });

  it('seats run out part way through a grant: the first ones get seats, the rest 2007', async () => {
    const { room: r, host } = room({ maxOnStage: 2 });
    const ids = ['a', 'b', 'c', 'd'];
    for (const id of ids) await r.connect({ userId: id, preset: 'viewer' }).requestAccess();
    const result = await host.grantAccess(ids);
    assert.deepEqual(result.ok, ['a', 'b']);
    assert.deepEqual(codes(result), [
      ['c', '2007'],
      ['d', '2007'],
    ]);
    assert.deepEqual(r.snapshot().queue, ['c', 'd']);
    // A kick in the same room frees a seat for the next grant.
    await host.kick(['a']);
    assert.deepEqual((await host.grantAccess(['c', 'd'])).ok, ['c']);
  });

  it('1000 ids is allowed (all unknown → 1000 failures with 2009)', async () => {
    const { host } = room();
    const ids = Array.from({ length: 1000 }, (_, i) => `ghost${i}`);
    const result = await host.denyAccess(ids);
    assert.equal(result.ok.length, 0);
    assert.equal(result.failed.length, 1000);
    assert.ok(result.failed.every((f, i) => f.userId === ids[i] && f.code === '2009'));
  });

  it('granting 1000 real requests at once applies all of them', async () => {
    const { room: r, host } = room();
    const ids = Array.from({ length: 1000 }, (_, i) => `v${i}`);
    for (const id of ids) await r.connect({ userId: id, preset: 'viewer' }).requestAccess();
    const result = await host.grantAccess(ids);
    assert.deepEqual(result.ok, ids);
    assert.equal(r.snapshot().queue.length, 0);
  });
});

describe('bulk commands: whole-call rejection', () => {
  const bad: readonly [string, unknown][] = [
    ['not an array (string)', 'v'],
    ['not an array (object)', { ids: ['v'] }],
    ['null', null],
    ['undefined', undefined],
    ['[]', []],
    ['1001 ids', Array.from({ length: 1001 }, () => 'v')],
    ['an empty-string id', ['v', '']],
    ['a non-string id', ['v', 1]],
    ['a nested array', [['v']]],
  ];
  for (const command of ['grantAccess', 'denyAccess', 'kick'] as const) {
    for (const [name, value] of bad) {
      it(`${command}(${name}) rejects 2009 and applies nothing, not even to the valid ids`, async () => {
        const { room: r, host } = room();
        const v = r.connect({ userId: 'v', preset: 'viewer' });
        await v.requestAccess();
        if (command === 'kick') await host.grantAccess(['v']);
        const before = r.snapshot();
        const seenHost = events(host);
        const seenV = events(v);
        await rejectsWith(host[command](value as string[]), '2009');
        assert.deepEqual(r.snapshot(), before);
        assert.deepEqual(seenHost, []);
        assert.deepEqual(seenV, []);
      });
    }
  }

  it('the actor’s own problems reject the whole call: 2001 (not privileged), 2003, 2005', async () => {
    const { room: r } = room();
    const v = r.connect({ userId: 'v', preset: 'viewer' });
    const dis = r.connect({
      userId: 'dis',
      permissions: { stageEnabled: false, stageAccess: 'ALLOWED', acceptStageRequests: true },
    });
    const gone = r.connect({ userId: 'gone', preset: 'host' });
    r.disconnect('gone');
    await rejectsWith(v.grantAccess(['v']), '2001');
    await rejectsWith(dis.grantAccess(['v']), '2003');
    await rejectsWith(gone.grantAccess(['v']), '2005');
  });
});

describe('bulk commands: two hosts at once', () => {
  it('two hosts granting the same request: one succeeds, the second gets 2006 in failed', async () => {
    const { room: r, host } = room();
    const mod = r.connect({ userId: 'mod', preset: 'moderator' });
    const v = r.connect({ userId: 'v', preset: 'viewer' });
    await v.requestAccess();
    const seen = events(v);
    const [first, second] = await Promise.all([host.grantAccess(['v']), mod.grantAccess(['v'])]);
    assert.deepEqual(first, { ok: ['v'], failed: [] });
    assert.deepEqual(second.ok, []);
    assert.deepEqual(codes(second), [['v', '2006']]);
    assert.deepEqual(
      seen.map((e) => e.type),
      ['stageRequestApproved', 'stageStatusUpdate'],
      'approved once',
    );
    assert.equal(v.status, ACC);
  });

  it('one host granting while another denies the same request: the first wins, the second fails 2006', async () => {
    const { room: r, host } = room();
    const mod = r.connect({ userId: 'mod', preset: 'moderator' });
    const v = r.connect({ userId: 'v', preset: 'viewer' });
    await v.requestAccess();
    const [denied, granted] = await Promise.all([mod.denyAccess(['v']), host.grantAccess(['v'])]);
    assert.deepEqual(denied, { ok: ['v'], failed: [] });
    // After the deny, v is OFF: a grant is then an invite, which succeeds.
    assert.deepEqual(granted, { ok: ['v'], failed: [] });
    assert.equal(v.status, ACC);
    const [kicked, kickedAgain] = await Promise.all([host.kick(['v']), mod.kick(['v'])]);
    assert.deepEqual(kicked.ok, ['v']);
    assert.deepEqual(codes(kickedAgain), [['v', '2006']]);
  });
});

describe('bulk commands: one emission per observable, one event per kind', () => {
  it('grant of n requests → requests$ and participants$ emit once; kick of n → onStage$ emits once', async () => {
    const { room: r, host } = room();
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const viewers = ids.map((id) => r.connect({ userId: id, preset: 'viewer' }));
    for (const v of viewers) await v.requestAccess();
    const requests = counter(host.requests$);
    const onStage = counter(host.onStage$);
    const participants = counter(host.participants$);
    const seen = events(host);
    assert.equal(requests.last?.length, 5);

    await host.grantAccess(ids);
    assert.equal(requests.count, 1);
    assert.deepEqual(requests.last, []);
    assert.equal(participants.count, 1);
    assert.deepEqual(
      participants.last?.map((p) => p.status),
      ids.map(() => ACC),
    );
    assert.equal(onStage.count, 0, 'nobody joined yet');
    assert.deepEqual(
      seen.map((e) => e.type),
      ['acceptPresentRequests', 'stageAccessRequestUpdate'],
    );
    const accepted = seen[0];
    assert.ok(accepted?.type === 'acceptPresentRequests');
    assert.deepEqual(accepted.userIds, ids);
    assert.equal(accepted.by, 'host');

    await Promise.all(viewers.map((v) => v.join()));
    assert.equal(onStage.last?.length, 5);
    const [o, p] = [onStage.count, participants.count];

    await host.kick(ids);
    assert.equal(onStage.count, o + 1);
    assert.deepEqual(onStage.last, []);
    assert.equal(participants.count, p + 1);
    assert.deepEqual(participants.last, []);
    assert.equal(requests.count, 1, 'the queue did not change');
  });

  it('deny of n requests → one requests$ emission and one stageAccessRequestUpdate', async () => {
    const { room: r, host } = room();
    const ids = ['a', 'b', 'c'];
    for (const id of ids) await r.connect({ userId: id, preset: 'viewer' }).requestAccess();
    const requests = counter(host.requests$);
    const seen = events(host);
    await host.denyAccess(ids);
    assert.equal(requests.count, 1);
    assert.deepEqual(requests.last, []);
    assert.deepEqual(
      seen.map((e) => e.type),
      ['stageAccessRequestUpdate'],
    );
  });

  it('a viewer’s lists also change once for a bulk command', async () => {
    const { room: r, host } = room();
    const watcher = r.connect({ userId: 'w', preset: 'viewer' });
    const ids = ['a', 'b', 'c'];
    for (const id of ids) await r.connect({ userId: id, preset: 'speaker' }).requestAccess();
    const participants = counter(watcher.participants$);
    const onStage = counter(watcher.onStage$);
    await host.kick(ids);
    assert.equal(participants.count, 1);
    assert.deepEqual(participants.last, []);
    assert.equal(onStage.count, 0);
  });

  it('a failed bulk command emits nothing', async () => {
    const { room: r, host } = room();
    for (const id of ['a', 'b']) await r.connect({ userId: id, preset: 'viewer' }).requestAccess();
    const requests = counter(host.requests$);
    const participants = counter(host.participants$);
    const seen = events(host);
    await rejectsWith(host.grantAccess(['a', '']), '2009');
    await host.kick(['a', 'b', 'ghost']); // every id fails (2006, 2006, 2009)
    await Promise.resolve();
    assert.equal(requests.count, 0);
    assert.equal(participants.count, 0);
    assert.deepEqual(seen, []);
  });
});
