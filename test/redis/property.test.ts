/**
 * Issue 6 "Tests", last point: the local room's invariants, run against a two-node Redis
 * cluster (two server processes) with random commands on both nodes, one at a time or two at
 * once from different tabs. Each step's outcome is checked against a small reference model of
 * contract section 3 (for two commands at once: against one of the two orders), and after
 * every step settles:
 * - each user has one status, the same in every tab on every node;
 * - seats (ACCEPTED + ON_STAGE) never exceed maxOnStage;
 * - queue positions are 1..n, and each requester's position$ is its place;
 * - only privileged users' grant/deny/kick succeed (others reject 2001);
 * - both nodes' replicas hold the same room, no delta skips a version, and every controller
 *   shows what a fresh client's welcome snapshot says.
 *
 * Fewer runs than the local property test: FC_RUNS_REDIS sets them (default 15; FC_RUNS
 * raises them to FC_RUNS / 50). A failure prints its seed and path: replay it with
 * FC_SEED=<seed> FC_PATH=<path>.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import {
  StageError,
  type StageBulkResult,
  type StageController,
  type StageStatus,
} from '../../src/index.js';
import {
  RedisProcess,
  StageNode,
  Watcher,
  assertConverged,
  assertReplicasAgree,
  connect,
  current,
  eventually,
  ids,
} from './support.js';

const RUNS = Number(
  process.env['FC_RUNS_REDIS'] ??
    (process.env['FC_RUNS'] ? Math.max(15, Math.ceil(Number(process.env['FC_RUNS']) / 50)) : 15),
);
const REPLAY: { seed?: number; path?: string } = {};
if (process.env['FC_SEED']) REPLAY.seed = Number(process.env['FC_SEED']);
if (process.env['FC_PATH']) REPLAY.path = process.env['FC_PATH'];

const MAX_ON_STAGE = 2;
const OFF: StageStatus = 'OFF_STAGE';
const REQ: StageStatus = 'REQUESTED_TO_JOIN_STAGE';
const ACC: StageStatus = 'ACCEPTED_TO_JOIN_STAGE';
const ON: StageStatus = 'ON_STAGE';

type Preset = 'host' | 'moderator' | 'speaker' | 'viewer' | 'audience';
const USERS: Record<string, Preset> = {
  h: 'host',
  m: 'moderator',
  s: 'speaker',
  v1: 'viewer',
  v2: 'viewer',
  au: 'audience',
};
const USER_IDS = Object.keys(USERS);
const privileged = (u: string) => USERS[u] === 'host' || USERS[u] === 'moderator';
/** The presets' stageAccess (contract 1). */
const access = (u: string) =>
  USERS[u] === 'audience'
    ? 'NOT_ALLOWED'
    : USERS[u] === 'viewer' || USERS[u] === 'moderator'
      ? 'CAN_REQUEST'
      : 'ALLOWED';

/** The tabs of a run: user and node (0 = A, 1 = B). v1 has a tab on each node. */
const TABS: readonly (readonly [string, 0 | 1])[] = [
  ['h', 0],
  ['m', 1],
  ['s', 0],
  ['v1', 0],
  ['v1', 1],
  ['v2', 1],
  ['au', 0],
];
const PRIVILEGED_TABS = [0, 1];

// ---- Steps ----------------------------------------------------------------------------------

type SelfCmd = 'requestAccess' | 'cancelRequestAccess' | 'join' | 'leave';
type BulkCmd = 'grantAccess' | 'denyAccess' | 'kick';
type Action =
  | { kind: 'self'; tab: number; cmd: SelfCmd | 'fit'; r: number }
  | { kind: 'bulk'; priv: boolean; tab: number; cmd: BulkCmd; ids: string[] | 'fit'; mask: number };
type Step =
  { t: 'one'; a: Action } | { t: 'two'; a: Action; b: Action } | { t: 'move'; tab: number };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('self' as const),
      tab: fc.nat({ max: TABS.length - 1 }),
      cmd: fc.oneof(
        { weight: 3, arbitrary: fc.constant('fit' as const) },
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
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('bulk' as const),
      priv: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, fc.constant(false)),
      tab: fc.nat({ max: TABS.length - 1 }),
      cmd: fc.constantFrom<BulkCmd>('grantAccess', 'denyAccess', 'kick'),
      ids: fc.oneof(
        { weight: 3, arbitrary: fc.constant('fit' as const) },
        {
          weight: 2,
          arbitrary: fc.shuffledSubarray([...USER_IDS, 'ghost'], { minLength: 1, maxLength: 3 }),
        },
      ),
      mask: fc.nat({ max: 255 }),
    }),
  },
);

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant('one' as const), a: actionArb }) },
  {
    weight: 4,
    arbitrary: fc.record({ t: fc.constant('two' as const), a: actionArb, b: actionArb }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('move' as const),
      tab: fc.nat({ max: TABS.length - 1 }),
    }),
  },
);

// ---- Reference model (contract 3) -------------------------------------------------------------

type Outcome =
  { ok: true; result?: { ok: string[]; failed: string[] } } | { ok: false; code: string };

class Model {
  status = new Map<string, StageStatus>(USER_IDS.map((u) => [u, OFF]));
  queue: string[] = [];
  onStage: string[] = [];

  clone(): Model {
    const m = new Model();
    m.status = new Map(this.status);
    m.queue = [...this.queue];
    m.onStage = [...this.onStage];
    return m;
  }

  seats(): number {
    return [...this.status.values()].filter((s) => s === ACC || s === ON).length;
  }

  private set(u: string, to: StageStatus): void {
    const from = this.status.get(u)!;
    if (from === REQ) this.queue = this.queue.filter((x) => x !== u);
    if (from === ON) this.onStage = this.onStage.filter((x) => x !== u);
    if (to === REQ) this.queue.push(u);
    if (to === ON) this.onStage.push(u);
    this.status.set(u, to);
  }

  /** A command as the actor sends it (after `fit` was resolved). */
  apply(actor: string, cmd: SelfCmd | BulkCmd, targets: string[]): Outcome {
    const st = this.status.get(actor)!;
    const fail = (code: string): Outcome => ({ ok: false, code });
    switch (cmd) {
      case 'requestAccess':
        if (access(actor) === 'NOT_ALLOWED') return fail('2001');
        if (st !== OFF) return fail('2006');
        if (access(actor) === 'ALLOWED') {
          if (this.seats() >= MAX_ON_STAGE) return fail('2007');
          this.set(actor, ACC);
        } else this.set(actor, REQ);
        return { ok: true };
      case 'cancelRequestAccess':
        if (st !== REQ) return fail('2006');
        this.set(actor, OFF);
        return { ok: true };
      case 'join':
        if (access(actor) === 'NOT_ALLOWED') return fail('2001');
        if (st !== ACC) return fail('2006');
        this.set(actor, ON);
        return { ok: true };
      case 'leave':
        if (st !== ON && st !== ACC) return fail('2006');
        this.set(actor, OFF);
        return { ok: true };
    }
    if (!privileged(actor)) return fail('2001');
    const result = { ok: [] as string[], failed: [] as string[] };
    for (const id of targets) {
      const ts = this.status.get(id);
      let code: string | undefined;
      if (ts === undefined) code = '2009';
      else if (cmd === 'grantAccess') {
        if (access(id) === 'NOT_ALLOWED') code = '2001';
        else if (ts === ACC || ts === ON) code = '2006';
        else if (this.seats() >= MAX_ON_STAGE) code = '2007';
      } else if (cmd === 'denyAccess') {
        if (ts !== REQ && ts !== ACC) code = '2006';
      } else if (ts !== ACC && ts !== ON) code = '2006';
      if (code) {
        result.failed.push(`${id}:${code}`);
        continue;
      }
      this.set(id, cmd === 'grantAccess' ? ACC : OFF);
      result.ok.push(id);
    }
    return { ok: true, result };
  }
}

/** A concrete command: who sends it from which tab, and the targets of a bulk command. */
interface Command {
  tab: number;
  actor: string;
  cmd: SelfCmd | BulkCmd;
  targets: string[];
}

/** Resolves `fit` choices against the state before the step (so two commands may collide). */
function resolve(a: Action, m: Model): Command {
  if (a.kind === 'self') {
    const tab = a.tab;
    const actor = TABS[tab]![0];
    let cmd: SelfCmd;
    if (a.cmd !== 'fit') cmd = a.cmd;
    else {
      const st = m.status.get(actor)!;
      if (st === OFF) cmd = 'requestAccess';
      else if (st === REQ) cmd = a.r < 4 ? 'cancelRequestAccess' : 'join';
      else if (st === ACC) cmd = a.r < 7 ? 'join' : 'leave';
      else cmd = 'leave';
    }
    return { tab, actor, cmd, targets: [] };
  }
  const tab = a.priv ? PRIVILEGED_TABS[a.tab % PRIVILEGED_TABS.length]! : a.tab;
  const actor = TABS[tab]![0];
  let targets: string[];
  if (a.ids !== 'fit') targets = a.ids;
  else {
    const fits = USER_IDS.filter((u) => {
      const st = m.status.get(u)!;
      if (a.cmd === 'grantAccess') return st === OFF || st === REQ;
      if (a.cmd === 'denyAccess') return st === REQ || st === ACC;
      return st === ACC || st === ON;
    });
    targets = fits.filter((_, i) => (a.mask >> i) & 1);
    if (targets.length === 0) targets = [fits[0] ?? USER_IDS[a.mask % USER_IDS.length]!];
  }
  return { tab, actor, cmd: a.cmd, targets };
}

// ---- The cluster ------------------------------------------------------------------------------

let redis: RedisProcess;
let nodes: StageNode[];
let runs = 0;

before(async () => {
  redis = await RedisProcess.start();
  const options = {
    maxOnStage: MAX_ON_STAGE,
    reconnectGraceMs: 60_000, // nobody's grace ends within a run
    rateLimit: { burst: 10_000, perSecond: 10_000 },
  };
  nodes = await Promise.all([
    StageNode.start(redis.url, options),
    StageNode.start(redis.url, options),
  ]);
});

after(async () => {
  await Promise.all((nodes ?? []).map((n) => n.close()));
  await redis?.close();
});

async function send(tabs: StageController[], c: Command): Promise<Outcome> {
  const ctrl = tabs[c.tab]!;
  try {
    const r = await (c.cmd === 'grantAccess' || c.cmd === 'denyAccess' || c.cmd === 'kick'
      ? ctrl[c.cmd](c.targets)
      : ctrl[c.cmd]());
    if (!r) return { ok: true };
    const { ok, failed } = r as StageBulkResult;
    return { ok: true, result: { ok, failed: failed.map((f) => `${f.userId}:${f.code}`) } };
  } catch (e) {
    if (!(e instanceof StageError)) throw e;
    return { ok: false, code: e.code };
  }
}

const show = (c: Command) =>
  `${c.actor}@tab${c.tab}.${c.cmd}(${c.targets.length ? JSON.stringify(c.targets) : ''})`;

/** Checks an outcome against the model's, and the privilege rule on its own. */
function expectOutcome(c: Command, got: Outcome, want: Outcome, label: string): void {
  assert.deepEqual(got, want, `${label}: ${show(c)}`);
  if (c.targets.length && !privileged(c.actor)) {
    assert.deepEqual(
      got,
      { ok: false, code: '2001' },
      `${label}: only privileged users may ${c.cmd}`,
    );
  }
}

/** Every tab shows the model's state (throws otherwise). */
function shows(tabs: StageController[], m: Model, label: string): void {
  for (const [i, ctrl] of tabs.entries()) {
    const user = TABS[i]![0];
    const where = `${label}: tab ${i} (${user})`;
    assert.equal(ctrl.status, m.status.get(user), `${where} status`);
    const place = m.queue.indexOf(user);
    assert.equal(current(ctrl.position$), place < 0 ? null : place + 1, `${where} position$`);
    assert.deepEqual(ids(current(ctrl.onStage$)), m.onStage, `${where} onStage$`);
    if (privileged(user)) {
      assert.deepEqual(
        ctrl.getAccessRequests().stageRequests.map((r) => r.userId),
        m.queue,
        `${where} queue`,
      );
    }
  }
}

/**
 * Waits until every tab shows the state of one of `models` (two orders of two commands at
 * once may both explain the answers), checks the invariants, and returns that model.
 */
async function settle(tabs: StageController[], models: Model[], label: string): Promise<Model> {
  let found: Model | undefined;
  await eventually(() => {
    let error: unknown;
    for (const m of models) {
      try {
        shows(tabs, m, label);
        found = m;
        return;
      } catch (e) {
        error ??= e;
      }
    }
    throw error;
  }, 4000);
  // The invariants, as seen by the clients themselves.
  const byUser = new Map<string, Set<StageStatus>>();
  for (const [i, ctrl] of tabs.entries()) {
    const user = TABS[i]![0];
    if (!byUser.has(user)) byUser.set(user, new Set());
    byUser.get(user)!.add(ctrl.status);
  }
  for (const [user, set] of byUser) assert.equal(set.size, 1, `${label}: ${user} has one status`);
  const host = tabs[0]!;
  const seated = current(host.participants$).filter((p) => p.status === ACC || p.status === ON);
  assert.ok(seated.length <= MAX_ON_STAGE, `${label}: ${seated.length} seats taken`);
  assert.deepEqual(
    host.getAccessRequests().stageRequests.map((r) => r.position),
    found!.queue.map((_, i) => i + 1),
    `${label}: positions 1..n`,
  );
  return found!;
}

test('property: the stage invariants hold on a two-node Redis cluster under random commands on both nodes', async () => {
  const urls = nodes.map((n) => n.url);
  await fc.assert(
    fc.asyncProperty(fc.array(stepArb, { minLength: 3, maxLength: 16 }), async (steps) => {
      const room = `prop-${++runs}`;
      const tabs: StageController[] = [];
      const where: (0 | 1)[] = [];
      const watchers: Watcher[] = [];
      try {
        for (const [user, node] of TABS) {
          tabs.push(await connect(urls[node]!, user, { room, preset: USERS[user]! }));
          where.push(node);
        }
        watchers.push(await Watcher.open(urls[0]!, room), await Watcher.open(urls[1]!, room));
        let model = new Model();
        for (const [n, step] of steps.entries()) {
          const label = `step ${n + 1} ${JSON.stringify(step)}`;
          let candidates: Model[] | undefined;
          if (step.t === 'one') {
            const c = resolve(step.a, model);
            const want = model.apply(c.actor, c.cmd, c.targets);
            expectOutcome(c, await send(tabs, c), want, label);
          } else if (step.t === 'two') {
            const c1 = resolve(step.a, model);
            const c2 = resolve(step.b, model);
            const [o1, o2] = await Promise.all([send(tabs, c1), send(tabs, c2)]);
            const ab = model.clone();
            const abWant = [
              ab.apply(c1.actor, c1.cmd, c1.targets),
              ab.apply(c2.actor, c2.cmd, c2.targets),
            ];
            const ba = model.clone();
            const c2First = ba.apply(c2.actor, c2.cmd, c2.targets);
            const baWant = [ba.apply(c1.actor, c1.cmd, c1.targets), c2First];
            const got = [o1, o2];
            const fitsAb = isDeepEqual(got, abWant);
            const fitsBa = isDeepEqual(got, baWant);
            assert.ok(
              fitsAb || fitsBa,
              `${label}: ${show(c1)} and ${show(c2)} at once gave ${JSON.stringify(got)}, which no order gives: ${JSON.stringify(abWant)} or ${JSON.stringify(baWant)}`,
            );
            for (const [c, o] of [
              [c1, o1],
              [c2, o2],
            ] as const) {
              if (c.targets.length && !privileged(c.actor)) {
                assert.deepEqual(
                  o,
                  { ok: false, code: '2001' },
                  `${label}: only privileged users may ${c.cmd}`,
                );
              }
            }
            // Both orders may explain the answers (then the clients' state tells which).
            candidates = [...(fitsAb ? [ab] : []), ...(fitsBa ? [ba] : [])];
          } else {
            // A tab closes and the user comes back on the other node (its grace keeps it).
            const i = step.tab;
            tabs[i]!.dispose();
            const node = where[i] === 0 ? 1 : 0;
            const user = TABS[i]![0];
            tabs[i] = await connect(urls[node]!, user, { room, preset: USERS[user]! });
            where[i] = node;
          }
          model = await settle(tabs, candidates ?? [model], label);
          await assertReplicasAgree(watchers);
        }
        await assertConverged(tabs, urls, room);
        for (const [i, w] of watchers.entries()) {
          assert.deepEqual(w.gaps(), [], `node ${'AB'[i]} sent deltas with a version gap`);
        }
      } finally {
        for (const t of tabs) t.dispose();
        for (const w of watchers) w.close();
      }
    }),
    { numRuns: RUNS, endOnFailure: true, ...REPLAY },
  );
});

function isDeepEqual(x: unknown, y: unknown): boolean {
  try {
    assert.deepEqual(x, y);
    return true;
  } catch {
    return false;
  }
}
