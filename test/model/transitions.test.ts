// Table-driven tests of contract sections 1–5: every row of the transition table and every
// error code a local room can produce (2001, 2003, 2005, 2006, 2007, 2009), for each preset
// and for explicit permissions (incl. stageEnabled: false), through the public API.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  StageError,
  createLocalStage,
  presets,
  type LocalConnectOptions,
  type LocalStage,
  type LocalStageOptions,
  type StageBulkResult,
  type StageController,
  type StageErrorCode,
  type StageErrorReason,
  type StageEvent,
  type StagePermissions,
  type StageStatus,
} from '../../src/index.js';
import { FakeClock } from '../support/fake-clock.js';

// ---- helpers ------------------------------------------------------------------------------

const OFF: StageStatus = 'OFF_STAGE';
const REQ: StageStatus = 'REQUESTED_TO_JOIN_STAGE';
const ACC: StageStatus = 'ACCEPTED_TO_JOIN_STAGE';
const ON: StageStatus = 'ON_STAGE';

const REASONS: Record<StageErrorCode, StageErrorReason> = {
  '2001': 'PERMISSION_DENIED',
  '2003': 'STAGE_DISABLED',
  '2005': 'NOT_CONNECTED',
  '2006': 'INVALID_STATUS',
  '2007': 'STAGE_FULL',
  '2008': 'RATE_LIMITED',
  '2009': 'INVALID_ARGUMENT',
  '2010': 'TIMEOUT',
};

type Access = Pick<LocalConnectOptions, 'preset' | 'permissions'>;

interface Role {
  readonly name: string;
  readonly access: Access;
}

const perm = (
  stageEnabled: boolean,
  stageAccess: StagePermissions['stageAccess'],
  acceptStageRequests: boolean,
): StagePermissions => ({ stageEnabled, stageAccess, acceptStageRequests });

const HOST: Role = { name: 'host', access: { preset: 'host' } };
const MODERATOR: Role = { name: 'moderator', access: { preset: 'moderator' } };
const SPEAKER: Role = { name: 'speaker', access: { preset: 'speaker' } };
const VIEWER: Role = { name: 'viewer', access: { preset: 'viewer' } };
const AUDIENCE: Role = { name: 'audience', access: { preset: 'audience' } };
/** Privileged but may not go on stage itself (explicit permissions). */
const WATCHING_HOST: Role = {
  name: 'explicit {enabled, NOT_ALLOWED, accept}',
  access: { permissions: perm(true, 'NOT_ALLOWED', true) },
};
const EXPLICIT_SPEAKER: Role = {
  name: 'explicit {enabled, ALLOWED, no accept}',
  access: { permissions: perm(true, 'ALLOWED', false) },
};
const EXPLICIT_VIEWER: Role = {
  name: 'explicit {enabled, CAN_REQUEST, no accept}',
  access: { permissions: perm(true, 'CAN_REQUEST', false) },
};
const DISABLED: readonly Role[] = (['ALLOWED', 'CAN_REQUEST', 'NOT_ALLOWED'] as const).flatMap(
  (access) =>
    [true, false].map((accept) => ({
      name: `explicit {stageEnabled: false, ${access}, accept ${accept}}`,
      access: { permissions: perm(false, access, accept) },
    })),
);

const SELF_EVENTS = new Set<StageEvent['type']>([
  'stageStatusUpdate',
  'stageRequestApproved',
  'stageRequestRejected',
  'removedFromStage',
  'stageRequestExpired',
]);

/** Events as short strings, so a table row can list them. */
function label(e: StageEvent): string {
  switch (e.type) {
    case 'stageStatusUpdate':
      return `status:${e.status}`;
    case 'stageRequestApproved':
      return `approved:${e.by}:${e.invited ? 'invited' : 'request'}`;
    case 'stageRequestRejected':
      return `rejected:${e.by}`;
    case 'removedFromStage':
      return `removed:${e.by}`;
    case 'acceptPresentRequests':
      return `acceptPresent:${e.by}:${e.userIds.join(',')}`;
    case 'stageAccessDeclined':
      return `declined:${e.userId}`;
    case 'newStageRequest':
      return `new:${e.request.userId}:${e.count}`;
    case 'stageAccessRequestUpdate':
      return `queue:${e.requests.map((r) => r.userId).join(',')}`;
    case 'stageRequestExpired':
      return `expired`;
  }
}

function record(c: StageController, filter?: (e: StageEvent) => boolean): string[] {
  const out: string[] = [];
  c.events$.subscribe((e) => {
    if (!filter || filter(e)) out.push(label(e));
  });
  return out;
}

/** Awaits a rejection and checks it is a StageError with this code (and the matching reason). */
async function expectError(p: Promise<unknown>, code: StageErrorCode): Promise<StageError> {
  let caught: unknown;
  let resolved = false;
  try {
    await p;
    resolved = true;
  } catch (error) {
    caught = error;
  }
  assert.equal(resolved, false, `expected a rejection with ${code}, but it resolved`);
  assert.ok(caught instanceof StageError, `expected a StageError, got ${String(caught)}`);
  assert.equal(caught.name, 'StageError');
  assert.equal(caught.code, code, `expected ${code}, got ${caught.code}: ${caught.message}`);
  assert.equal(caught.reason, REASONS[code]);
  assert.ok(caught.message.length > 15, `message too short: ${caught.message}`);
  return caught;
}

function statusOf(room: LocalStage, userId: string): StageStatus | undefined {
  return room.snapshot().users.find((u) => u.userId === userId)?.status;
}

interface Scene {
  readonly clock: FakeClock;
  readonly room: LocalStage;
  /** A host who sets the scene and watches what privileged users are told. */
  readonly boss: StageController;
  /** The actor (first tab) and its second tab. */
  readonly actor: StageController;
  readonly tab2: StageController;
}

function open(role: Role, options: LocalStageOptions = {}): Scene {
  const clock = new FakeClock();
  const room = createLocalStage({ clock, ...options });
  const boss = room.connect({ userId: 'boss', displayName: 'Boss', preset: 'host' });
  const actor = room.connect({ userId: 'a', displayName: 'Actor', ...role.access });
  const tab2 = room.connect({ userId: 'a', displayName: 'Actor', ...role.access });
  return { clock, room, boss, actor, tab2 };
}

/** Brings `c` to `status` the ordinary way (request, invite by the boss, join). */
async function reach(boss: StageController, c: StageController, status: StageStatus) {
  if (status === REQ) await c.requestAccess();
  if (status === ACC || status === ON) {
    const r = await boss.grantAccess([c.userId]);
    assert.deepEqual(r, { ok: [c.userId], failed: [] });
  }
  if (status === ON) await c.join();
  assert.equal(c.status, status, 'scene setup');
}

type SelfCommand = 'requestAccess' | 'cancelRequestAccess' | 'join' | 'leave';
type BulkCommand = 'grantAccess' | 'denyAccess' | 'kick';
type AnyCommand = SelfCommand | BulkCommand;

const SELF_COMMANDS: readonly SelfCommand[] = [
  'requestAccess',
  'cancelRequestAccess',
  'join',
  'leave',
];
const BULK_COMMANDS: readonly BulkCommand[] = ['grantAccess', 'denyAccess', 'kick'];
const ALL_COMMANDS: readonly AnyCommand[] = [...SELF_COMMANDS, ...BULK_COMMANDS];

function run(c: StageController, command: AnyCommand, ids: unknown): Promise<unknown> {
  switch (command) {
    case 'grantAccess':
    case 'denyAccess':
    case 'kick':
      return c[command](ids as string[]);
    default:
      return c[command]();
  }
}

/** What a row expects: a new status with events, or a rejection that changes nothing. */
type Outcome =
  | {
      readonly to: StageStatus;
      /** Events the actor receives about itself, in order. */
      readonly self: readonly string[];
      /** Events the watching host receives, in order. */
      readonly privileged: readonly string[];
    }
  | { readonly code: StageErrorCode; readonly message?: string };

const to = (
  status: StageStatus,
  privileged: readonly string[] = [],
  self: readonly string[] = [`status:${status}`],
): Outcome => ({ to: status, self, privileged });
const err = (code: StageErrorCode, message?: string): Outcome =>
  message === undefined ? { code } : { code, message };

// ---- the table: self commands ---------------------------------------------------------------

type SelfRow = Readonly<Record<SelfCommand, Outcome>>;

const ALLOWED_FROM_OFF: SelfRow = {
  // Self-accept: no approval event, no acceptPresentRequests (contract 9.10).
  requestAccess: to(ACC),
  cancelRequestAccess: err('2006'),
  join: err('2006'),
  leave: err('2006'),
};
const CAN_REQUEST_FROM_OFF: SelfRow = {
  requestAccess: to(REQ, ['new:a:1', 'queue:a']),
  cancelRequestAccess: err('2006'),
  join: err('2006'),
  leave: err('2006'),
};
const FROM_REQUESTED: SelfRow = {
  requestAccess: err('2006'),
  cancelRequestAccess: to(OFF, ['queue:']),
  join: err('2006'),
  // 9.10: leave() from REQUESTED rejects 2006 (use cancelRequestAccess).
  leave: err('2006'),
};
const FROM_ACCEPTED: SelfRow = {
  requestAccess: err('2006'),
  cancelRequestAccess: err('2006'),
  join: to(ON),
  // A decline: privileged users are told.
  leave: to(OFF, ['declined:a']),
};
const FROM_ON: SelfRow = {
  requestAccess: err('2006'),
  cancelRequestAccess: err('2006'),
  join: err('2006', 'You are already on stage.'),
  leave: to(OFF),
};
const NOT_ALLOWED_FROM_OFF: SelfRow = {
  requestAccess: err('2001'),
  cancelRequestAccess: err('2006'),
  join: err('2001'),
  leave: err('2006'),
};

const SELF_TABLE: readonly { role: Role; rows: Partial<Record<StageStatus, SelfRow>> }[] = [
  { role: HOST, rows: { [OFF]: ALLOWED_FROM_OFF, [ACC]: FROM_ACCEPTED, [ON]: FROM_ON } },
  { role: SPEAKER, rows: { [OFF]: ALLOWED_FROM_OFF, [ACC]: FROM_ACCEPTED, [ON]: FROM_ON } },
  {
    role: EXPLICIT_SPEAKER,
    rows: { [OFF]: ALLOWED_FROM_OFF, [ACC]: FROM_ACCEPTED, [ON]: FROM_ON },
  },
  {
    role: MODERATOR,
    rows: {
      [OFF]: CAN_REQUEST_FROM_OFF,
      [REQ]: FROM_REQUESTED,
      [ACC]: FROM_ACCEPTED,
      [ON]: FROM_ON,
    },
  },
  {
    role: VIEWER,
    rows: {
      [OFF]: CAN_REQUEST_FROM_OFF,
      [REQ]: FROM_REQUESTED,
      [ACC]: FROM_ACCEPTED,
      [ON]: FROM_ON,
    },
  },
  {
    role: EXPLICIT_VIEWER,
    rows: {
      [OFF]: CAN_REQUEST_FROM_OFF,
      [REQ]: FROM_REQUESTED,
      [ACC]: FROM_ACCEPTED,
      [ON]: FROM_ON,
    },
  },
  { role: AUDIENCE, rows: { [OFF]: NOT_ALLOWED_FROM_OFF } },
  { role: WATCHING_HOST, rows: { [OFF]: NOT_ALLOWED_FROM_OFF } },
];

async function checkOutcome(
  s: Scene,
  act: () => Promise<unknown>,
  from: StageStatus,
  outcome: Outcome,
  watch: { self: StageController; selfId: string },
): Promise<unknown> {
  const selfEvents = record(watch.self, (e) => SELF_EVENTS.has(e.type));
  const bossEvents = record(s.boss);
  const tab2Events = watch.self === s.actor ? record(s.tab2, (e) => SELF_EVENTS.has(e.type)) : [];
  const before = s.room.snapshot();
  if ('code' in outcome) {
    const e = await expectError(act(), outcome.code);
    if (outcome.message !== undefined) assert.equal(e.message, outcome.message);
    assert.deepEqual(s.room.snapshot(), before, 'a failure changes nothing');
    assert.equal(watch.self.status, from);
    assert.deepEqual(selfEvents, [], 'no event after a failed command');
    assert.deepEqual(bossEvents, [], 'no event after a failed command');
    return undefined;
  }
  const result = await act();
  assert.equal(statusOf(s.room, watch.selfId), outcome.to);
  assert.equal(watch.self.status, outcome.to);
  assert.deepEqual(selfEvents, outcome.self);
  if (watch.self === s.actor) {
    assert.equal(s.tab2.status, outcome.to, 'the second tab shares the status');
    assert.deepEqual(tab2Events, outcome.self);
  }
  assert.deepEqual(bossEvents, outcome.privileged);
  assert.equal(s.room.snapshot().version, before.version + 1, 'one change');
  return result;
}

describe('transition table: self commands, per preset and status', () => {
  for (const { role, rows } of SELF_TABLE) {
    for (const [from, row] of Object.entries(rows) as [StageStatus, SelfRow][]) {
      for (const command of SELF_COMMANDS) {
        const outcome = row[command];
        const expect = 'code' in outcome ? `rejects ${outcome.code}` : `→ ${outcome.to}`;
        it(`${role.name} ${from}: ${command}() ${expect}`, async () => {
          const s = open(role);
          await reach(s.boss, s.actor, from);
          const result = await checkOutcome(
            s,
            () => run(s.actor, command, ['boss']),
            from,
            outcome,
            {
              self: s.actor,
              selfId: 'a',
            },
          );
          assert.equal(result, undefined, 'self commands resolve with undefined');
        });
      }
    }
  }

  it('requestAccess() gives the request requestedAt from the authority clock and the last place', async () => {
    const s = open(VIEWER);
    const v2 = s.room.connect({ userId: 'v2', preset: 'viewer' });
    s.clock.advance(1234);
    await v2.requestAccess();
    s.clock.advance(10);
    await s.actor.requestAccess();
    const snap = s.room.snapshot();
    assert.deepEqual(snap.queue, ['v2', 'a']);
    assert.equal(snap.users.find((u) => u.userId === 'a')?.requestedAt, s.clock.now());
    assert.deepEqual(
      s.boss.getAccessRequests().stageRequests.map((r) => [r.userId, r.requestedAt, r.position]),
      [
        ['v2', s.clock.now() - 10, 1],
        ['a', s.clock.now(), 2],
      ],
    );
  });
});

// ---- the table: bulk commands (grant, deny, kick) -------------------------------------------

type BulkRow = Readonly<Record<BulkCommand, Outcome>>;

/** Target in each status; `by` is the actor's id ('a'). */
const TARGET_ROWS: Readonly<Record<StageStatus, BulkRow>> = {
  [OFF]: {
    // An invite.
    grantAccess: to(ACC, ['acceptPresent:a:t'], ['approved:a:invited', `status:${ACC}`]),
    denyAccess: err('2006'),
    kick: err('2006'),
  },
  [REQ]: {
    // An approval.
    grantAccess: to(ACC, ['acceptPresent:a:t', 'queue:'], ['approved:a:request', `status:${ACC}`]),
    // A rejection.
    denyAccess: to(OFF, ['queue:'], ['rejected:a', `status:${OFF}`]),
    kick: err('2006'),
  },
  [ACC]: {
    grantAccess: err('2006'),
    // An invite/approval withdrawn before the target joined (9.10: stageRequestRejected).
    denyAccess: to(OFF, [], ['rejected:a', `status:${OFF}`]),
    kick: to(OFF, [], ['removed:a', `status:${OFF}`]),
  },
  [ON]: {
    grantAccess: err('2006'),
    denyAccess: err('2006'),
    kick: to(OFF, [], ['removed:a', `status:${OFF}`]),
  },
};

const NO_STAGE_TARGET: BulkRow = {
  // 9.6: invites to someone who may not go on stage land in failed with 2001.
  grantAccess: err('2001'),
  denyAccess: err('2006'),
  kick: err('2006'),
};

const TARGETS: readonly { role: Role; statuses: readonly StageStatus[]; rows?: BulkRow }[] = [
  { role: VIEWER, statuses: [OFF, REQ, ACC, ON] },
  { role: MODERATOR, statuses: [OFF, REQ, ACC, ON] },
  { role: SPEAKER, statuses: [OFF, ACC, ON] },
  { role: HOST, statuses: [OFF, ACC, ON] },
  { role: AUDIENCE, statuses: [OFF], rows: NO_STAGE_TARGET },
  { role: WATCHING_HOST, statuses: [OFF], rows: NO_STAGE_TARGET },
  ...DISABLED.map((role) => ({ role, statuses: [OFF], rows: NO_STAGE_TARGET })),
];

const PRIVILEGED_ACTORS: readonly Role[] = [HOST, MODERATOR, WATCHING_HOST];

describe('transition table: bulk commands, per privileged actor, target and status', () => {
  for (const actorRole of PRIVILEGED_ACTORS) {
    for (const target of TARGETS) {
      for (const from of target.statuses) {
        const row = target.rows ?? TARGET_ROWS[from];
        for (const command of BULK_COMMANDS) {
          const outcome = row[command];
          const expect = 'code' in outcome ? `fails ${outcome.code}` : `→ ${outcome.to}`;
          it(`${actorRole.name} ${command}(${target.role.name} ${from}) ${expect}`, async () => {
            const s = open(actorRole);
            const t = s.room.connect({ userId: 't', displayName: 'Target', ...target.role.access });
            await reach(s.boss, t, from);
            const before = s.room.snapshot();
            const targetEvents = record(t, (e) => SELF_EVENTS.has(e.type));
            const bossEvents = record(s.boss);
            const result = (await s.actor[command](['t'])) as StageBulkResult;
            if ('code' in outcome) {
              assert.deepEqual(result.ok, []);
              assert.equal(result.failed.length, 1);
              assert.equal(result.failed[0]!.userId, 't');
              assert.equal(result.failed[0]!.code, outcome.code);
              assert.ok(result.failed[0]!.message.length > 15);
              assert.deepEqual(s.room.snapshot(), before, 'a failed target changes nothing');
              assert.equal(t.status, from);
              assert.deepEqual(targetEvents, []);
              assert.deepEqual(bossEvents, []);
            } else {
              assert.deepEqual(result, { ok: ['t'], failed: [] });
              assert.equal(statusOf(s.room, 't'), outcome.to);
              assert.equal(t.status, outcome.to);
              assert.deepEqual(targetEvents, outcome.self);
              assert.deepEqual(bossEvents, outcome.privileged);
              assert.equal(statusOf(s.room, 'a'), OFF, 'the actor is untouched');
            }
          });
        }
      }
    }
    for (const command of BULK_COMMANDS) {
      it(`${actorRole.name} ${command}(unknown id) fails 2009 in failed`, async () => {
        const s = open(actorRole);
        const before = s.room.snapshot();
        const result = await s.actor[command](['nobody']);
        assert.deepEqual(result.ok, []);
        assert.deepEqual(
          result.failed.map((f) => [f.userId, f.code]),
          [['nobody', '2009']],
        );
        assert.deepEqual(s.room.snapshot(), before);
      });
    }
  }

  it('a privileged user may invite itself (grant from OFF) and then join', async () => {
    const s = open(MODERATOR);
    const r = await s.actor.grantAccess(['a']);
    assert.deepEqual(r, { ok: ['a'], failed: [] });
    assert.equal(s.actor.status, ACC);
    await s.actor.join();
    assert.equal(s.tab2.status, ON);
  });

  for (const role of [SPEAKER, VIEWER, AUDIENCE, EXPLICIT_SPEAKER, EXPLICIT_VIEWER]) {
    for (const command of BULK_COMMANDS) {
      it(`${role.name} (not privileged) ${command}() rejects the whole call with 2001`, async () => {
        const s = open(role);
        const t = s.room.connect({ userId: 't', preset: 'viewer' });
        await reach(s.boss, t, command === 'grantAccess' || command === 'denyAccess' ? REQ : ON);
        const before = s.room.snapshot();
        const events = record(t);
        await expectError(s.actor[command](['t']), '2001');
        assert.deepEqual(s.room.snapshot(), before);
        assert.deepEqual(events, []);
      });
    }
  }
});

// ---- 2003: stage disabled -------------------------------------------------------------------

describe('2003: every command of a user with stageEnabled false', () => {
  for (const role of DISABLED) {
    for (const command of ALL_COMMANDS) {
      it(`${role.name}: ${command}() rejects 2003`, async () => {
        const s = open(role);
        const v = s.room.connect({ userId: 'v', preset: 'viewer' });
        await reach(s.boss, v, REQ);
        const before = s.room.snapshot();
        const e = await expectError(run(s.actor, command, ['v']), '2003');
        assert.match(e.message, /stage/i);
        assert.deepEqual(s.room.snapshot(), before);
        assert.equal(s.actor.status, OFF);
      });
    }
  }
});

// ---- 2005: not connected --------------------------------------------------------------------

const ALL_ROLES: readonly Role[] = [
  HOST,
  MODERATOR,
  SPEAKER,
  VIEWER,
  AUDIENCE,
  WATCHING_HOST,
  ...DISABLED.slice(0, 2),
];

describe('2005: commands of a dropped, disposed or closed connection', () => {
  const ways: readonly {
    name: string;
    drop: (s: Scene) => void;
  }[] = [
    { name: 'after room.disconnect(userId)', drop: (s) => s.room.disconnect('a') },
    {
      name: 'after dispose() of that tab',
      drop: (s) => s.actor.dispose(),
    },
    { name: 'after room.close()', drop: (s) => s.room.close() },
  ];
  for (const way of ways) {
    for (const role of ALL_ROLES) {
      it(`${role.name} ${way.name}: every command rejects 2005 (even with bad arguments)`, async () => {
        const s = open(role);
        const v = s.room.connect({ userId: 'v', preset: 'viewer' });
        await reach(s.boss, v, REQ);
        way.drop(s);
        const before = s.room.snapshot();
        for (const command of ALL_COMMANDS) {
          await expectError(run(s.actor, command, ['v']), '2005');
          if (BULK_COMMANDS.includes(command as BulkCommand)) {
            await expectError(run(s.actor, command, 'bad'), '2005');
            await expectError(run(s.actor, command, []), '2005');
          }
        }
        assert.deepEqual(s.room.snapshot(), before);
        assert.equal(v.status, REQ);
      });
    }
  }

  it('no method throws synchronously, even when disconnected and given garbage', () => {
    const s = open(HOST);
    s.room.disconnect('a');
    const calls = [
      () => s.actor.grantAccess(undefined as unknown as string[]),
      () => s.actor.kick(null as unknown as string[]),
      () => s.actor.join(),
    ];
    for (const call of calls) {
      let p: Promise<unknown> | undefined;
      assert.doesNotThrow(() => {
        p = call();
      });
      assert.ok(p instanceof Promise);
      p.catch(() => {});
    }
  });
});

// ---- 2006, 2007, 2009 and the order of checks ----------------------------------------------

describe('2007: no free seat (maxOnStage)', () => {
  for (const role of [HOST, SPEAKER, EXPLICIT_SPEAKER]) {
    it(`${role.name} requestAccess() (self-accept) rejects 2007 when every seat is taken`, async () => {
      const s = open(role, { maxOnStage: 1 });
      const sp = s.room.connect({ userId: 'sp', preset: 'speaker' });
      await sp.requestAccess();
      const before = s.room.snapshot();
      const e = await expectError(s.actor.requestAccess(), '2007');
      assert.match(e.message, /1/);
      assert.deepEqual(s.room.snapshot(), before);
      assert.equal(s.actor.status, OFF);
    });
  }

  it('maxOnStage 0: self-accept 2007; grant fails 2007 in failed; requests still queue', async () => {
    const s = open(SPEAKER, { maxOnStage: 0 });
    await expectError(s.actor.requestAccess(), '2007');
    const v = s.room.connect({ userId: 'v', preset: 'viewer' });
    await v.requestAccess();
    assert.equal(v.status, REQ);
    const r = await s.boss.grantAccess(['v', 'a']);
    assert.deepEqual(r.ok, []);
    assert.deepEqual(
      r.failed.map((f) => [f.userId, f.code]),
      [
        ['v', '2007'],
        ['a', '2007'],
      ],
    );
    assert.equal(v.status, REQ);
  });

  for (const from of [OFF, REQ]) {
    it(`grant to a viewer ${from} fails 2007 in failed when every seat is taken`, async () => {
      const s = open(VIEWER, { maxOnStage: 1 });
      const sp = s.room.connect({ userId: 'sp', preset: 'speaker' });
      await sp.requestAccess();
      await sp.join();
      await reach(s.boss, s.actor, from);
      const before = s.room.snapshot();
      const r = await s.boss.grantAccess(['a']);
      assert.deepEqual(r.ok, []);
      assert.deepEqual(
        r.failed.map((f) => [f.userId, f.code]),
        [['a', '2007']],
      );
      assert.deepEqual(s.room.snapshot(), before);
    });
  }
});

const BAD_IDS: readonly [string, unknown][] = [
  ['undefined', undefined],
  ['null', null],
  ['a string', 'v'],
  ['a number', 42],
  ['an object', { 0: 'v', length: 1 }],
  ['[]', []],
  ['1001 ids', Array.from({ length: 1001 }, (_, i) => `u${i}`)],
  ["['']", ['']],
  ["['v', '']", ['v', '']],
  ["['v', 7]", ['v', 7]],
  ["['v', null]", ['v', null]],
];

describe('2009: bad arguments of privileged users (whole call rejects)', () => {
  for (const role of PRIVILEGED_ACTORS) {
    for (const command of BULK_COMMANDS) {
      for (const [name, value] of BAD_IDS) {
        it(`${role.name} ${command}(${name}) rejects 2009`, async () => {
          const s = open(role);
          const v = s.room.connect({ userId: 'v', preset: 'viewer' });
          await reach(s.boss, v, command === 'kick' ? ON : REQ);
          const before = s.room.snapshot();
          const events = record(v);
          await expectError(run(s.actor, command, value), '2009');
          assert.deepEqual(s.room.snapshot(), before);
          assert.deepEqual(events, []);
        });
      }
    }
  }
});

describe('messages are written for a person (contract 5)', () => {
  it('whole-call 2009 messages name the problem without garbled words, for every bad input', async () => {
    const s = open(HOST);
    const garbled: string[] = [];
    for (const [, value] of BAD_IDS) {
      const e = await expectError(s.actor.grantAccess(value as string[]), '2009');
      assert.match(e.message, /^Could not grant stage access: /);
      // e.g. "not undefined undefined" or "[object Object]"
      if (/\b(\w+) \1\b|\[object/.test(e.message)) garbled.push(e.message);
    }
    assert.deepEqual(garbled, []);
  });

  it('every rejection of the self commands says what was tried', async () => {
    const s = open(AUDIENCE);
    for (const command of SELF_COMMANDS) {
      const expected = NOT_ALLOWED_FROM_OFF[command];
      assert.ok('code' in expected);
      const e = await expectError(run(s.actor, command, []), expected.code);
      assert.match(e.message, /^Could not /);
    }
  });
});

describe('order of checks: 2005 → 2003 → 2001 → 2009 → 2006 → 2007', () => {
  it('a disconnected, disabled user gets 2005, not 2003', async () => {
    const s = open(DISABLED[0]!);
    s.room.disconnect('a');
    await expectError(s.actor.requestAccess(), '2005');
    await expectError(s.actor.grantAccess([]), '2005');
  });

  it('a disabled privileged user with a bad argument gets 2003, not 2009', async () => {
    const s = open({
      name: 'disabled host',
      access: { permissions: perm(false, 'ALLOWED', true) },
    });
    await expectError(s.actor.grantAccess([]), '2003');
    await expectError(s.actor.kick('x' as unknown as string[]), '2003');
  });

  it('a disabled NOT_ALLOWED user asking to join gets 2003, not 2001', async () => {
    const s = open({
      name: 'disabled audience',
      access: { permissions: perm(false, 'NOT_ALLOWED', false) },
    });
    await expectError(s.actor.requestAccess(), '2003');
  });

  for (const role of [VIEWER, SPEAKER, AUDIENCE]) {
    it(`${role.name} calling grantAccess with a bad argument gets 2001, not 2009`, async () => {
      const s = open(role);
      await expectError(s.actor.grantAccess([]), '2001');
      await expectError(s.actor.denyAccess('nope' as unknown as string[]), '2001');
      await expectError(s.actor.kick(Array(1001).fill('x') as string[]), '2001');
    });
  }

  it('audience asking to join a full stage gets 2001, not 2007', async () => {
    const s = open(AUDIENCE, { maxOnStage: 0 });
    await expectError(s.actor.requestAccess(), '2001');
  });

  it('a speaker ON a full stage asking again gets 2006, not 2007', async () => {
    const s = open(SPEAKER, { maxOnStage: 1 });
    await s.actor.requestAccess();
    await s.actor.join();
    await expectError(s.actor.requestAccess(), '2006');
  });

  it('a host granting with a bad argument gets 2009 even when every target would fail', async () => {
    const s = open(HOST, { maxOnStage: 0 });
    await expectError(s.actor.grantAccess(['ghost', '']), '2009');
  });

  it('per target: 2001 (may not go on stage) before 2006 and 2007; 2006 before 2007', async () => {
    const s = open(HOST, { maxOnStage: 1 });
    s.room.connect({ userId: 'aud', preset: 'audience' });
    const sp = s.room.connect({ userId: 'sp', preset: 'speaker' });
    await sp.requestAccess(); // takes the only seat
    const r = await s.actor.grantAccess(['aud', 'sp']);
    assert.deepEqual(
      r.failed.map((f) => [f.userId, f.code]),
      [
        ['aud', '2001'],
        ['sp', '2006'],
      ],
    );
  });
});

describe('StageError shape and presets', () => {
  it('exports the five presets with the contract flags', () => {
    assert.deepEqual(
      { ...presets },
      {
        host: perm(true, 'ALLOWED', true),
        moderator: perm(true, 'CAN_REQUEST', true),
        speaker: perm(true, 'ALLOWED', false),
        viewer: perm(true, 'CAN_REQUEST', false),
        audience: perm(true, 'NOT_ALLOWED', false),
      },
    );
  });

  for (const role of [HOST, MODERATOR, SPEAKER, VIEWER, AUDIENCE]) {
    it(`connect with preset ${role.name} gives the controller those permissions and OFF_STAGE`, () => {
      const s = open(role);
      assert.deepEqual(s.actor.permissions, presets[role.access.preset!]);
      assert.equal(s.actor.status, OFF);
    });
  }

  it('StageError carries code and reason for every code', () => {
    for (const [code, reason] of Object.entries(REASONS) as [StageErrorCode, StageErrorReason][]) {
      const e = new StageError(code, 'Something went wrong; try again.');
      assert.ok(e instanceof Error);
      assert.equal(e.code, code);
      assert.equal(e.reason, reason);
    }
  });
});
