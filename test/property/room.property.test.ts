// Property-based test of the local room (issue 2, "Tests"): random sequences of commands from
// random actors, checked after every step against a small reference model of contract
// sections 2-4 and 9, plus the invariants the issue lists. FC_RUNS raises the number of runs;
// a failure prints its seed and path: replay it with FC_SEED=<seed> FC_PATH=<path>.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Observable } from 'rxjs';
import {
  StageError,
  createLocalStage,
  presets,
  type LocalStage,
  type PresetName,
  type StageController,
  type StageEvent,
  type StageEventName,
  type StagePermissions,
  type StageStatus,
} from '../../src/index.js';
import { FakeClock } from '../support/fake-clock.js';

const RUNS = Number(process.env.FC_RUNS ?? 1000);
const REPLAY: { seed?: number; path?: string } = {};
if (process.env.FC_SEED) REPLAY.seed = Number(process.env.FC_SEED);
if (process.env.FC_PATH) REPLAY.path = process.env.FC_PATH;

const OFF: StageStatus = 'OFF_STAGE';
const REQ: StageStatus = 'REQUESTED_TO_JOIN_STAGE';
const ACC: StageStatus = 'ACCEPTED_TO_JOIN_STAGE';
const ON: StageStatus = 'ON_STAGE';

const USERS = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5'];
const OBSERVER = 'obs';
/** A privileged watcher that can never go on stage: always connected, reads the queue. */
const OBSERVER_PERMS: StagePermissions = {
  stageEnabled: true,
  stageAccess: 'NOT_ALLOWED',
  acceptStageRequests: true,
};
const PRESET_NAMES: PresetName[] = ['host', 'moderator', 'speaker', 'viewer', 'audience'];

const privileged = (p: StagePermissions) => p.stageEnabled && p.acceptStageRequests;
const mayBeOnStage = (p: StagePermissions) => p.stageEnabled && p.stageAccess !== 'NOT_ALLOWED';
const seated = (s: StageStatus) => s === ACC || s === ON;

// ---- Steps ----------------------------------------------------------------------------------

type Who = { preset: PresetName } | { permissions: StagePermissions };
type Pick = 'any' | 'privileged' | 'dead';
type SelfCmd = 'requestAccess' | 'cancelRequestAccess' | 'join' | 'leave';
type BulkCmd = 'grantAccess' | 'denyAccess' | 'kick';
type Step =
  | { t: 'connect'; user: number; who: Who; rename: boolean }
  | { t: 'self'; pick: Pick; tab: number; cmd: SelfCmd | 'fitting'; r: number }
  | { t: 'bulk'; pick: Pick; tab: number; cmd: BulkCmd; ids: unknown; fitting: number | null }
  | { t: 'disconnect'; user: number }
  | { t: 'dispose'; tab: number }
  | { t: 'advance'; ms: number };

const whoArb: fc.Arbitrary<Who> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PRESET_NAMES).map((preset) => ({ preset })) },
  { weight: 3, arbitrary: fc.constant({ preset: 'viewer' as const }) },
  {
    weight: 1,
    arbitrary: fc
      .record({
        stageEnabled: fc.boolean(),
        stageAccess: fc.constantFrom(
          'ALLOWED' as const,
          'CAN_REQUEST' as const,
          'NOT_ALLOWED' as const,
        ),
        acceptStageRequests: fc.boolean(),
      })
      .map((p) => ({ permissions: { ...p } })),
  },
);

const connectArb = fc.record({
  t: fc.constant('connect' as const),
  user: fc.nat({ max: USERS.length - 1 }),
  who: whoArb,
  rename: fc.boolean(),
});

const garbageIds: unknown[] = [
  [],
  'u1',
  [''],
  [1],
  null,
  undefined,
  { length: 1, 0: 'u1' },
  new Array(1001).fill('u1'),
  ['u1', ''],
];

const idArb = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...USERS) },
  { weight: 1, arbitrary: fc.constantFrom('ghost', OBSERVER) },
);
const idsArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.array(idArb, { minLength: 1, maxLength: 5 }) },
  { weight: 2, arbitrary: fc.shuffledSubarray([...USERS, 'ghost'], { minLength: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom(...garbageIds) },
);
const pickArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Pick>('any') },
  { weight: 3, arbitrary: fc.constant<Pick>('privileged') },
  { weight: 1, arbitrary: fc.constant<Pick>('dead') },
);

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: connectArb },
  {
    weight: 7,
    arbitrary: fc.record({
      t: fc.constant('self' as const),
      pick: pickArb,
      tab: fc.nat(),
      // 'fitting' picks a command that suits the actor's status, so that queues fill up.
      cmd: fc.oneof(
        { weight: 3, arbitrary: fc.constant('fitting' as const) },
        {
          weight: 2,
          arbitrary: fc.constantFrom<SelfCmd>(
            'requestAccess',
            'cancelRequestAccess',
            'join',
            'leave',
          ),
        },
      ),
      r: fc.nat({ max: 9 }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant('bulk' as const),
      pick: pickArb,
      tab: fc.nat(),
      cmd: fc.constantFrom<BulkCmd>('grantAccess', 'denyAccess', 'kick'),
      ids: idsArb,
      // A bit mask choosing among the users whose status the command applies to (null: use ids).
      fitting: fc.option(fc.nat({ max: 255 }), { nil: null, freq: 2 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('disconnect' as const),
      user: fc.nat({ max: USERS.length - 1 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('dispose' as const), tab: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('advance' as const),
      ms: fc.integer({ min: 1, max: 30 }),
    }),
  },
);

const optionsArb = fc.record({
  maxOnStage: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  requestTtlMs: fc.constantFrom(0, 10, 25),
  acceptedTtlMs: fc.constantFrom(0, 10, 25),
  reconnectGraceMs: fc.constantFrom(0, 5, 20),
});
type Opts = {
  maxOnStage: number | undefined;
  requestTtlMs: number;
  acceptedTtlMs: number;
  reconnectGraceMs: number;
};

// ---- Reference model ------------------------------------------------------------------------

interface MUser {
  userId: string;
  displayName: string;
  perms: StagePermissions;
  status: StageStatus;
  connections: number;
  requestedAt: number;
  acceptedAt: number;
  dropAt: number;
  /** Order of leaving OFF_STAGE (contract 9.11). */
  seq: number;
}

/** What one step should tell whom, besides stageStatusUpdate and stageAccessRequestUpdate. */
interface Effects {
  notices: { userId: string; event: StageEvent }[];
  priv: StageEvent[];
  /** Declines on a permission downgrade are not specified: not checked on connect steps. */
  ignoreDeclined: boolean;
  /** How many stageAccessRequestUpdate each privileged tab gets (clock steps may fire several). */
  queueUpdates: number;
}

type Outcome =
  | { ok: true; result?: { ok: string[]; failed: { userId: string; code: string }[] } }
  | { ok: false; codes: string[] };

class Model {
  readonly users = new Map<string, MUser>();
  queue: string[] = [];
  onStage: string[] = [];
  private seq = 0;
  constructor(
    readonly max: number,
    readonly requestTtl: number,
    readonly acceptedTtl: number,
    readonly grace: number,
  ) {}

  seats(): number {
    let n = 0;
    for (const u of this.users.values()) if (seated(u.status)) n++;
    return n;
  }

  setStatus(u: MUser, to: StageStatus, now: number): void {
    const from = u.status;
    if (from === to) return;
    if (from === OFF) u.seq = ++this.seq;
    if (from === REQ) this.queue = this.queue.filter((id) => id !== u.userId);
    if (to === REQ) {
      this.queue.push(u.userId);
      u.requestedAt = now;
    }
    if (to === ACC) u.acceptedAt = now;
    if (from === ON) this.onStage = this.onStage.filter((id) => id !== u.userId);
    if (to === ON) this.onStage.push(u.userId);
    u.status = to;
  }

  requests() {
    return this.queue.map((id, i) => {
      const u = this.users.get(id)!;
      return {
        userId: id,
        displayName: u.displayName,
        requestedAt: u.requestedAt,
        position: i + 1,
      };
    });
  }

  participant(u: MUser) {
    return u.status === REQ
      ? {
          userId: u.userId,
          displayName: u.displayName,
          status: u.status,
          requestedAt: u.requestedAt,
        }
      : { userId: u.userId, displayName: u.displayName, status: u.status };
  }

  onStageList() {
    return this.onStage.map((id) => this.participant(this.users.get(id)!));
  }

  participantsFor(userId: string) {
    const me = this.users.get(userId)!;
    const priv = privileged(me.perms);
    return [...this.users.values()]
      .filter((u) => u.status !== OFF && (priv || seated(u.status) || u.userId === userId))
      .sort((a, b) => a.seq - b.seq)
      .map((u) => this.participant(u));
  }

  position(userId: string): number | null {
    const i = this.queue.indexOf(userId);
    return i < 0 ? null : i + 1;
  }

  /** The user's last connection dropped now; a zero grace ends it at once. */
  drop(u: MUser, now: number, fx: Effects): void {
    u.connections = 0;
    u.dropAt = now;
    if (this.grace === 0) this.expire(u, now, fx);
  }

  /** Grace over: the user returns to OFF (an ACCEPTED one declines) and leaves the room. */
  expire(u: MUser, now: number, fx: Effects): void {
    if (u.status === ACC) fx.priv.push({ type: 'stageAccessDeclined', userId: u.userId });
    this.setStatus(u, OFF, now);
    this.users.delete(u.userId);
  }

  /** Everything due by `now`, as the room's timers fire at their deadlines. */
  advance(now: number, fx: Effects, live: (userId: string) => boolean): void {
    const queueDeadlines = new Set<number>();
    for (const u of [...this.users.values()]) {
      const graceAt = u.connections === 0 ? u.dropAt + this.grace : Infinity;
      if (u.status === REQ) {
        const ttlAt = this.requestTtl > 0 ? u.requestedAt + this.requestTtl : Infinity;
        const at = Math.min(ttlAt, graceAt);
        if (at <= now) {
          queueDeadlines.add(at);
          if (ttlAt <= now && live(u.userId)) {
            fx.notices.push({
              userId: u.userId,
              event: { type: 'stageRequestExpired', requestedAt: u.requestedAt },
            });
          }
          this.setStatus(u, OFF, now);
        }
      } else if (u.status === ACC) {
        const ttlAt = this.acceptedTtl > 0 ? u.acceptedAt + this.acceptedTtl : Infinity;
        if (Math.min(ttlAt, graceAt) <= now) {
          fx.priv.push({ type: 'stageAccessDeclined', userId: u.userId });
          this.setStatus(u, OFF, now);
        }
      }
      if (graceAt <= now) {
        this.setStatus(u, OFF, now);
        this.users.delete(u.userId);
      }
    }
    fx.queueUpdates = queueDeadlines.size;
  }

  connect(userId: string, displayName: string, perms: StagePermissions, now: number): void {
    const u = this.users.get(userId);
    if (!u) {
      this.users.set(userId, {
        userId,
        displayName,
        perms,
        status: OFF,
        connections: 1,
        requestedAt: 0,
        acceptedAt: 0,
        dropAt: 0,
        seq: 0,
      });
      return;
    }
    u.connections++;
    u.displayName = displayName;
    u.perms = perms;
    if (u.status !== OFF && !mayBeOnStage(perms)) this.setStatus(u, OFF, now);
  }

  self(actor: string, cmd: SelfCmd, now: number, fx: Effects): Outcome {
    const u = this.users.get(actor)!;
    const p = u.perms;
    if (!p.stageEnabled) return { ok: false, codes: ['2003'] };
    switch (cmd) {
      case 'requestAccess':
        if (p.stageAccess === 'NOT_ALLOWED') return { ok: false, codes: ['2001'] };
        if (u.status !== OFF) return { ok: false, codes: ['2006'] };
        if (p.stageAccess === 'ALLOWED') {
          if (this.seats() >= this.max) return { ok: false, codes: ['2007'] };
          this.setStatus(u, ACC, now);
        } else {
          this.setStatus(u, REQ, now);
          const requests = this.requests();
          fx.priv.push({
            type: 'newStageRequest',
            count: requests.length,
            request: requests.at(-1)!,
          });
        }
        return { ok: true };
      case 'cancelRequestAccess':
        if (u.status !== REQ) return { ok: false, codes: ['2006'] };
        this.setStatus(u, OFF, now);
        return { ok: true };
      case 'join':
        // A NOT_ALLOWED user can never be ACCEPTED, so 2001 and 2006 are both right for it.
        if (!mayBeOnStage(p)) return { ok: false, codes: ['2001', '2006'] };
        if (u.status !== ACC) return { ok: false, codes: ['2006'] };
        this.setStatus(u, ON, now);
        return { ok: true };
      case 'leave':
        if (u.status === ACC) fx.priv.push({ type: 'stageAccessDeclined', userId: actor });
        else if (u.status !== ON) return { ok: false, codes: ['2006'] };
        this.setStatus(u, OFF, now);
        return { ok: true };
    }
  }

  bulk(actor: string, cmd: BulkCmd, ids: unknown, now: number, fx: Effects): Outcome {
    const a = this.users.get(actor)!;
    if (!a.perms.stageEnabled) return { ok: false, codes: ['2003'] };
    if (!privileged(a.perms)) return { ok: false, codes: ['2001'] };
    if (
      !Array.isArray(ids) ||
      ids.length < 1 ||
      ids.length > 1000 ||
      !ids.every((id) => typeof id === 'string' && id.length > 0)
    ) {
      return { ok: false, codes: ['2009'] };
    }
    const ok: string[] = [];
    const failed: { userId: string; code: string }[] = [];
    for (const id of ids as string[]) {
      const t = this.users.get(id);
      let code: string | undefined;
      if (!t) code = '2009';
      else if (cmd === 'grantAccess') {
        if (!mayBeOnStage(t.perms)) code = '2001';
        else if (seated(t.status)) code = '2006';
        else if (this.seats() >= this.max) code = '2007';
        else {
          fx.notices.push({
            userId: id,
            event: { type: 'stageRequestApproved', by: actor, invited: t.status === OFF },
          });
          this.setStatus(t, ACC, now);
        }
      } else if (cmd === 'denyAccess') {
        if (t.status === REQ || t.status === ACC) {
          fx.notices.push({ userId: id, event: { type: 'stageRequestRejected', by: actor } });
          this.setStatus(t, OFF, now);
        } else code = '2006';
      } else if (seated(t.status)) {
        fx.notices.push({ userId: id, event: { type: 'removedFromStage', by: actor } });
        this.setStatus(t, OFF, now);
      } else code = '2006';
      if (code) failed.push({ userId: id, code });
      else ok.push(id);
    }
    if (cmd === 'grantAccess' && ok.length > 0) {
      fx.priv.push({ type: 'acceptPresentRequests', userIds: [...ok], by: actor });
    }
    return { ok: true, result: { ok, failed } };
  }
}

// ---- Recording every controller -------------------------------------------------------------

const KINDS = [
  'status',
  'permissions',
  'connection',
  'requests',
  'onStage',
  'participants',
  'position',
  'events',
] as const;
type Kind = (typeof KINDS)[number];
type Counts = Record<Kind, number>;

class Tab {
  readonly counts: Counts = {
    status: 0,
    permissions: 0,
    connection: 0,
    requests: 0,
    onStage: 0,
    participants: 0,
    position: 0,
    events: 0,
  };
  readonly last = new Map<Kind, unknown>();
  readonly completed = new Set<Kind>();
  readonly star: { name: StageEventName; payload: unknown }[] = [];
  readonly evs: StageEvent[] = [];
  disposed = false;
  cut = false;
  private lastStatusEvent: StageStatus;

  constructor(
    readonly ctl: StageController,
    readonly userId: string,
    problems: string[],
  ) {
    this.lastStatusEvent = ctl.status;
    const watch = (kind: Kind, source: Observable<unknown>, distinct = false) => {
      source.subscribe({
        next: (v) => {
          if (distinct && this.counts[kind] > 0 && this.last.get(kind) === v) {
            problems.push(`${userId}: ${kind}$ emitted ${String(v)} twice in a row`);
          }
          this.counts[kind]++;
          this.last.set(kind, v);
        },
        complete: () => this.completed.add(kind),
        error: (e: unknown) => problems.push(`${userId}: ${kind}$ errored: ${String(e)}`),
      });
    };
    watch('status', ctl.status$, true);
    watch('permissions', ctl.permissions$);
    watch('connection', ctl.connection$, true);
    watch('requests', ctl.requests$);
    watch('onStage', ctl.onStage$);
    watch('participants', ctl.participants$);
    watch('position', ctl.position$, true);
    ctl.events$.subscribe({
      next: (e) => {
        this.counts.events++;
        this.evs.push(e);
      },
      complete: () => this.completed.add('events'),
    });
    ctl.on('*', (name, payload) => {
      this.star.push({ name, payload });
      if (name === 'stageStatusUpdate') {
        if (payload === this.lastStatusEvent) {
          problems.push(`${userId}: stageStatusUpdate ${String(payload)} twice in a row`);
        }
        if (payload !== ctl.status) {
          problems.push(
            `${userId}: stageStatusUpdate ${String(payload)} while status is ${ctl.status}`,
          );
        }
        this.lastStatusEvent = payload as StageStatus;
      }
    });
  }

  get live(): boolean {
    return !this.disposed && !this.cut;
  }

  total(): number {
    return KINDS.reduce((n, k) => n + this.counts[k], 0) + this.star.length;
  }
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function asEvent(name: StageEventName, payload: unknown): StageEvent {
  if (name === 'stageStatusUpdate')
    return { type: name, status: payload as StageStatus } as StageEvent;
  if (name === 'stageAccessRequestUpdate') return { type: name, requests: payload } as StageEvent;
  return { type: name, ...(payload as object) } as StageEvent;
}

const canon = (e: StageEvent) => JSON.stringify(e);
const REASONS = new Set([
  'stageRequestApproved',
  'stageRequestRejected',
  'removedFromStage',
  'stageRequestExpired',
]);

// ---- One run --------------------------------------------------------------------------------

async function run(opts: Opts, initial: Step[], steps: Step[]): Promise<void> {
  const clock = new FakeClock();
  const roomOptions: {
    clock: FakeClock;
    requestTtlMs: number;
    acceptedTtlMs: number;
    reconnectGraceMs: number;
    maxOnStage?: number;
  } = {
    clock,
    requestTtlMs: opts.requestTtlMs,
    acceptedTtlMs: opts.acceptedTtlMs,
    reconnectGraceMs: opts.reconnectGraceMs,
  };
  if (opts.maxOnStage !== undefined) roomOptions.maxOnStage = opts.maxOnStage;
  const room: LocalStage = createLocalStage(roomOptions);
  const model = new Model(
    opts.maxOnStage ?? Infinity,
    opts.requestTtlMs,
    opts.acceptedTtlMs,
    opts.reconnectGraceMs,
  );
  const problems: string[] = [];
  const tabs: Tab[] = [];
  const liveTabsOf = (userId: string) => tabs.filter((t) => t.live && t.userId === userId);

  const connect = (
    userId: string,
    displayName: string,
    perms: StagePermissions,
    options: object,
  ) => {
    model.connect(userId, displayName, perms, clock.now());
    const ctl = room.connect({ userId, displayName, ...options });
    const tab = new Tab(ctl, userId, problems);
    tabs.push(tab);
    return tab;
  };

  try {
    const observer = connect(OBSERVER, 'Observer', OBSERVER_PERMS, { permissions: OBSERVER_PERMS });
    await settle();
    let stepNo = 0;
    for (const step of [...initial, ...steps]) {
      stepNo++;
      const where = `step ${stepNo} ${JSON.stringify(step)}`;
      const beforeStatus = new Map([...model.users.values()].map((u) => [u.userId, u.status]));
      const beforeQueue = JSON.stringify(model.requests());
      const beforeCounts = new Map(tabs.map((t) => [t, { ...t.counts }]));
      const beforeStar = new Map(tabs.map((t) => [t, t.star.length]));
      const beforeLive = new Set(tabs.filter((t) => t.live));
      const beforeLists = new Map(
        [...beforeLive].map((t) => [t, listsOf(model, t.userId)] as const),
      );
      const beforeTotal = tabs.reduce((n, t) => n + t.total(), 0);
      const beforeVersion = room.snapshot().version;
      const fx: Effects = { notices: [], priv: [], ignoreDeclined: false, queueUpdates: -1 };
      const now = clock.now();
      let failedCommand = false;

      switch (step.t) {
        case 'connect': {
          const userId = USERS[step.user]!;
          const perms = 'preset' in step.who ? presets[step.who.preset] : step.who.permissions;
          const name = step.rename ? `User ${userId} (renamed)` : `User ${userId}`;
          connect(userId, name, perms, step.who);
          fx.ignoreDeclined = true;
          break;
        }
        case 'disconnect': {
          const userId = USERS[step.user]!;
          const u = model.users.get(userId);
          if (u && u.connections > 0) model.drop(u, now, fx);
          for (const t of liveTabsOf(userId)) t.cut = true;
          room.disconnect(userId);
          break;
        }
        case 'dispose': {
          const candidates = tabs.filter((t) => t !== observer);
          const tab = candidates[step.tab % candidates.length]!;
          if (tab.live) {
            const u = model.users.get(tab.userId)!;
            u.connections--;
            if (u.connections === 0) model.drop(u, now, fx);
          }
          tab.disposed = true;
          tab.ctl.dispose();
          break;
        }
        case 'advance': {
          clock.advance(step.ms);
          model.advance(clock.now(), fx, (id) => liveTabsOf(id).length > 0);
          break;
        }
        case 'self':
        case 'bulk': {
          const pool =
            step.pick === 'dead'
              ? tabs.filter((t) => !t.live)
              : step.pick === 'privileged'
                ? tabs.filter((t) => t.live && privileged(model.users.get(t.userId)!.perms))
                : tabs.filter((t) => t.live && (t !== observer || step.t === 'bulk'));
          const tab = pool.length > 0 ? pool[step.tab % pool.length]! : observer;
          let expected: Outcome;
          let promise: Promise<unknown>;
          const status = model.users.get(tab.userId)?.status ?? OFF;
          const cmd =
            step.t === 'bulk'
              ? step.cmd
              : step.cmd === 'fitting'
                ? fitting(status, step.r)
                : step.cmd;
          const ids = step.t === 'bulk' ? bulkIds(model, step.cmd, step.ids, step.fitting) : [];
          if (!tab.live) expected = { ok: false, codes: ['2005'] };
          else if (step.t === 'self') expected = model.self(tab.userId, cmd as SelfCmd, now, fx);
          else expected = model.bulk(tab.userId, step.cmd, ids, now, fx);
          try {
            promise =
              step.t === 'self' ? tab.ctl[cmd as SelfCmd]() : tab.ctl[step.cmd](ids as string[]);
          } catch (error) {
            assert.fail(`${where}: ${cmd} threw synchronously: ${String(error)}`);
          }
          assert.ok(promise instanceof Promise, `${where}: ${cmd} must return a Promise`);
          const actual = await promise.then(
            (value) => ({ ok: true as const, value }),
            (error: unknown) => ({ ok: false as const, error }),
          );
          if (expected.ok) {
            assert.ok(
              actual.ok,
              `${where}: expected success, got ${actual.ok ? '' : String((actual as { error: unknown }).error)}`,
            );
            if (expected.result) {
              const r = actual.value as {
                ok: string[];
                failed: { userId: string; code: string; message: string }[];
              };
              assert.deepEqual(r.ok, expected.result.ok, `${where}: bulk ok`);
              assert.deepEqual(
                r.failed.map((f) => ({ userId: f.userId, code: f.code })),
                expected.result.failed,
                `${where}: bulk failed`,
              );
              for (const f of r.failed) {
                assert.ok(
                  typeof f.message === 'string' && f.message.length > 10,
                  `${where}: message`,
                );
              }
            } else {
              assert.equal(actual.value, undefined, `${where}: resolves with nothing`);
            }
          } else {
            failedCommand = true;
            assert.ok(
              !actual.ok,
              `${where}: expected rejection ${expected.codes.join('|')}, got success`,
            );
            const error = actual.error;
            assert.ok(
              error instanceof StageError,
              `${where}: rejects with a StageError, got ${String(error)}`,
            );
            assert.ok(
              expected.codes.includes(error.code),
              `${where}: expected ${expected.codes.join('|')}, got ${error.code}: ${error.message}`,
            );
            assert.ok(error.message.length > 10, `${where}: message`);
            // Only privileged actors' grant/deny/kick ever succeed (and they're the only ones here).
          }
          if (step.t === 'bulk' && actual.ok) {
            assert.ok(
              privileged(model.users.get(tab.userId)!.perms),
              `${where}: a non-privileged actor's ${cmd} succeeded`,
            );
          }
          break;
        }
      }

      await Promise.resolve();
      await Promise.resolve();
      await settle();

      if (problems.length > 0) assert.fail(`${where}: ${problems.join('; ')}`);

      // A failed command (or a bulk command that applied to nobody) changes and emits nothing.
      if (failedCommand) {
        assert.equal(
          room.snapshot().version,
          beforeVersion,
          `${where}: failed command changed the room`,
        );
        assert.equal(
          tabs.reduce((n, t) => n + t.total(), 0),
          beforeTotal,
          `${where}: something was emitted after a failed command`,
        );
      }

      checkRoom(where, room, model, opts);
      if (fx.queueUpdates < 0)
        fx.queueUpdates = JSON.stringify(model.requests()) !== beforeQueue ? 1 : 0;

      for (const tab of tabs) {
        const isNew = !beforeCounts.has(tab);
        const counts = beforeCounts.get(tab) ?? zeroCounts();
        const delta = (k: Kind) => tab.counts[k] - counts[k];
        const stepStar = tab.star.slice(beforeStar.get(tab) ?? 0);

        // events$ carries exactly what '*' receives, as { type, ...payload }.
        assert.deepEqual(
          tab.evs,
          tab.star.map((s) => asEvent(s.name, s.payload)),
          `${where}: events$ vs '*'`,
        );
        for (const s of stepStar) {
          if (s.name !== 'stageStatusUpdate' && s.name !== 'stageAccessRequestUpdate') {
            assert.ok(!('type' in (s.payload as object)), `${where}: handler payload has a type`);
          }
        }

        if (tab.disposed) {
          for (const k of KINDS)
            assert.ok(tab.completed.has(k), `${where}: disposed ${tab.userId} ${k}$ not completed`);
          if (!beforeLive.has(tab) && !isNew) {
            assert.equal(delta('connection'), 0, `${where}: disposed tab emitted`);
          }
          assert.equal(stepStar.length, 0, `${where}: disposed tab got an event`);
          assert.equal(tab.last.get('connection'), 'disconnected', `${where}: disposed tab`);
          continue;
        }
        if (tab.cut) {
          assert.equal(
            tab.last.get('connection'),
            'disconnected',
            `${where}: cut tab not disconnected`,
          );
          assert.equal(
            tab.completed.size,
            0,
            `${where}: a dropped tab's observables must stay open`,
          );
          assert.equal(stepStar.length, 0, `${where}: dropped tab ${tab.userId} got an event`);
          assert.equal(delta('status'), 0, `${where}: dropped tab's status$ emitted`);
          continue;
        }

        // A live tab agrees with the room.
        const u = model.users.get(tab.userId)!;
        const lists = listsOf(model, tab.userId);
        const who = `${where}: tab of ${tab.userId}`;
        assert.equal(tab.ctl.status, u.status, `${who}: status`);
        assert.equal(tab.last.get('status'), u.status, `${who}: status$`);
        assert.deepEqual(tab.ctl.permissions, u.perms, `${who}: permissions`);
        assert.deepEqual(tab.last.get('permissions'), u.perms, `${who}: permissions$`);
        assert.equal(tab.last.get('connection'), 'connected', `${who}: connection$`);
        assert.deepEqual(tab.last.get('requests'), lists.requests, `${who}: requests$`);
        assert.deepEqual(
          tab.ctl.getAccessRequests(),
          { stageRequests: lists.requests },
          `${who}: getAccessRequests()`,
        );
        assert.deepEqual(tab.last.get('onStage'), lists.onStage, `${who}: onStage$`);
        assert.deepEqual(tab.last.get('participants'), lists.participants, `${who}: participants$`);
        assert.equal(tab.last.get('position'), lists.position, `${who}: position$`);

        const statusChanged = !isNew && beforeStatus.get(tab.userId) !== u.status;
        const priv = privileged(u.perms);

        // Emissions: one per observable per step, and only when its value changed.
        if (isNew) {
          for (const k of ['status', 'permissions', 'connection'] as const) {
            assert.equal(delta(k), 1, `${who}: a new subscriber gets exactly the current ${k}`);
          }
          for (const k of ['requests', 'onStage', 'participants', 'position'] as const) {
            assert.ok(
              delta(k) >= 1 && delta(k) <= 2,
              `${who}: new tab ${k}$ emitted ${delta(k)} times`,
            );
          }
        } else {
          const before = beforeLists.get(tab)!;
          assert.equal(delta('status'), statusChanged ? 1 : 0, `${who}: status$ emissions`);
          assert.equal(delta('connection'), 0, `${who}: connection$ emissions`);
          for (const k of ['requests', 'onStage', 'participants', 'position'] as const) {
            const changed = !isDeepStrictEqual(before[k], lists[k]);
            if (step.t === 'connect') {
              // A second tab with other permissions switches the tab between the privileged
              // and the limited lists: it may replay the shared list first, then the change.
              assert.ok(
                delta(k) <= 2 && (!changed || delta(k) >= 1),
                `${who}: ${k}$ emitted ${delta(k)} times`,
              );
            } else if (step.t === 'advance') {
              // Timers due at different times fire in one synchronous burst of the fake clock;
              // each may be seen, but nothing is emitted when nothing changed.
              assert.ok(
                changed ? delta(k) >= 1 : delta(k) === 0,
                `${who}: ${k}$ emitted ${delta(k)} times (changed: ${changed})`,
              );
            } else {
              assert.equal(
                delta(k),
                changed ? 1 : 0,
                `${who}: ${k}$ emitted ${delta(k)} times (changed: ${changed})`,
              );
            }
          }
          if (step.t !== 'connect')
            assert.equal(delta('permissions'), 0, `${who}: permissions$ emissions`);
        }

        // Events: exactly what the model says, each reason before the status it explains.
        const expected: StageEvent[] = fx.notices
          .filter((n) => n.userId === tab.userId)
          .map((n) => n.event);
        if (statusChanged) expected.push({ type: 'stageStatusUpdate', status: u.status });
        if (priv) expected.push(...fx.priv);
        const got = stepStar.map((s) => asEvent(s.name, s.payload));
        const updates = got.filter((e) => e.type === 'stageAccessRequestUpdate');
        const rest = got.filter(
          (e) =>
            e.type !== 'stageAccessRequestUpdate' &&
            !(fx.ignoreDeclined && e.type === 'stageAccessDeclined'),
        );
        const want = expected.filter(
          (e) => !(fx.ignoreDeclined && e.type === 'stageAccessDeclined'),
        );
        assert.deepEqual(rest.map(canon).sort(), want.map(canon).sort(), `${who}: events`);
        // A tab opened by this step did not exist yet when its own connect changed the room.
        assert.equal(
          updates.length,
          priv && !isNew ? fx.queueUpdates : 0,
          `${who}: stageAccessRequestUpdate count`,
        );
        if (updates.length > 0) {
          assert.deepEqual(
            (updates.at(-1) as { requests: unknown }).requests,
            lists.requests,
            `${who}: stageAccessRequestUpdate list`,
          );
        }
        const statusAt = got.findIndex((e) => e.type === 'stageStatusUpdate');
        got.forEach((e, i) => {
          if (REASONS.has(e.type))
            assert.ok(i < statusAt, `${who}: ${e.type} must come before stageStatusUpdate`);
        });
      }
    }
  } finally {
    room.close();
  }
}

/** A self command that suits the status (mostly), so that requests, joins and leaves happen. */
function fitting(status: StageStatus, r: number): SelfCmd {
  switch (status) {
    case OFF:
      return r < 9 ? 'requestAccess' : 'join';
    case REQ:
      return r < 2 ? 'cancelRequestAccess' : r < 3 ? 'leave' : r < 4 ? 'requestAccess' : 'join';
    case ACC:
      return r < 7 ? 'join' : 'leave';
    default:
      return r < 8 ? 'leave' : 'join';
  }
}

/** The ids of a bulk command: as generated, or chosen by a mask among fitting targets. */
function bulkIds(model: Model, cmd: BulkCmd, ids: unknown, mask: number | null): unknown {
  if (mask === null) return ids;
  const fits = (s: StageStatus) =>
    cmd === 'grantAccess' ? s === REQ : cmd === 'denyAccess' ? s === REQ || s === ACC : seated(s);
  const all = [...model.users.values()].filter((u) => fits(u.status)).map((u) => u.userId);
  let chosen = all.filter((id) => (mask >> USERS.indexOf(id)) & 1);
  if (chosen.length === 0) chosen = all.length > 0 ? all : [USERS[mask % USERS.length]!];
  if (mask & 64) chosen.push('ghost');
  if (mask & 128) chosen.push(chosen[0]!);
  return chosen;
}

function zeroCounts(): Counts {
  return {
    status: 0,
    permissions: 0,
    connection: 0,
    requests: 0,
    onStage: 0,
    participants: 0,
    position: 0,
    events: 0,
  };
}

function listsOf(model: Model, userId: string) {
  const u = model.users.get(userId);
  return {
    requests: u && privileged(u.perms) ? model.requests() : [],
    onStage: model.onStageList(),
    participants: u ? model.participantsFor(userId) : [],
    position: model.position(userId),
  };
}

function isDeepStrictEqual(a: unknown, b: unknown): boolean {
  try {
    assert.deepEqual(a, b);
    return true;
  } catch {
    return false;
  }
}

/** The room as a whole agrees with the model; seats and queue invariants hold. */
function checkRoom(where: string, room: LocalStage, model: Model, opts: Opts): void {
  const snap = room.snapshot();
  const byId = new Map(snap.users.map((u) => [u.userId, u]));
  assert.deepEqual(
    [...byId.keys()].sort(),
    [...model.users.keys()].sort(),
    `${where}: users in the room`,
  );
  for (const m of model.users.values()) {
    const s = byId.get(m.userId)!;
    assert.equal(s.status, m.status, `${where}: status of ${m.userId}`);
    assert.equal(s.connections, m.connections, `${where}: connections of ${m.userId}`);
    assert.deepEqual(s.permissions, m.perms, `${where}: permissions of ${m.userId}`);
    assert.equal(s.displayName, m.displayName, `${where}: name of ${m.userId}`);
    assert.equal(
      s.requestedAt,
      m.status === REQ ? m.requestedAt : undefined,
      `${where}: requestedAt of ${m.userId}`,
    );
  }
  const seats = snap.users.filter((u) => seated(u.status)).length;
  assert.ok(
    seats <= (opts.maxOnStage ?? Infinity),
    `${where}: ${seats} seats taken of ${opts.maxOnStage}`,
  );
  assert.deepEqual(snap.queue, model.queue, `${where}: queue order`);
  assert.deepEqual(snap.onStage, model.onStage, `${where}: on-stage order`);
  const requested = snap.users.filter((u) => u.status === REQ).map((u) => u.userId);
  assert.deepEqual(
    [...snap.queue].sort(),
    requested.sort(),
    `${where}: queue holds exactly the requesters`,
  );
  const requestedAt = snap.queue.map((id) => byId.get(id)!.requestedAt!);
  for (let i = 1; i < requestedAt.length; i++) {
    assert.ok(requestedAt[i - 1]! <= requestedAt[i]!, `${where}: queue not in requestedAt order`);
  }
}

describe('local room, random command sequences (property)', () => {
  it(`keeps every invariant of the contract (${RUNS} runs)`, { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        optionsArb,
        fc.array(connectArb, { minLength: 3, maxLength: 8 }),
        fc.array(stepArb, { minLength: 5, maxLength: 30, size: 'max' }),
        async (opts, initial, steps) => run(opts, initial, steps),
      ),
      { numRuns: RUNS, includeErrorInReport: true, ...REPLAY },
    );
  });
});
