// Replay, de-duplication, sharing and completion of the controller's observables (contract
// section 6 and 9.1/9.2), as RxJS marble tests (TestScheduler) and plain node tests; plus the
// RealtimeKit-style handler API (on/off/'*') and "no method throws synchronously".
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Observable, map, type Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { select, shareList } from '../../src/controller/select.js';
import {
  StageError,
  createLocalStage,
  presets,
  type LocalStage,
  type StageController,
  type StageEvent,
  type StagePermissions,
  type StageStatus,
} from '../../src/index.js';
import { FakeClock } from '../support/fake-clock.js';

const OFF: StageStatus = 'OFF_STAGE';
const REQ: StageStatus = 'REQUESTED_TO_JOIN_STAGE';
const ACC: StageStatus = 'ACCEPTED_TO_JOIN_STAGE';
const ON: StageStatus = 'ON_STAGE';

const rooms: LocalStage[] = [];
function newRoom(options: { maxOnStage?: number } = {}): LocalStage {
  const room = createLocalStage({ clock: new FakeClock(), ...options });
  rooms.push(room);
  return room;
}
afterEach(() => {
  for (const room of rooms.splice(0)) room.close();
});

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => assert.deepEqual(actual, expected));
}

/** Runs each command of a marble at its frame, ignoring its Promise's outcome. */
function at(
  cold: TestScheduler['createColdObservable'],
  marbles: string,
  commands: Record<string, () => unknown>,
): void {
  cold(marbles, commands).subscribe((command) => {
    const result = command();
    if (result instanceof Promise) result.catch(() => undefined);
  });
}

interface Recorder<T> {
  values: T[];
  completed: boolean;
  sub: Subscription;
}
function record<T>(source: Observable<T>): Recorder<T> {
  const r: Recorder<T> = {
    values: [],
    completed: false,
    sub: undefined as unknown as Subscription,
  };
  r.sub = source.subscribe({
    next: (v) => r.values.push(v),
    complete: () => {
      r.completed = true;
    },
  });
  return r;
}

const ids = (list: readonly { userId: string }[]) => list.map((p) => p.userId);

describe('select() (marbles)', () => {
  it('emits only when the picked value changes', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('a-b-c-d-e|', {
        a: { s: 1, x: 'a' },
        b: { s: 1, x: 'b' },
        c: { s: 2, x: 'c' },
        d: { s: 2, x: 'd' },
        e: { s: 1, x: 'e' },
      });
      expectObservable(source.pipe(select((v) => v.s))).toBe('a---c---e|', { a: 1, c: 2, e: 1 });
    });
  });

  it('de-duplicates with the given comparison', () => {
    const p = (access: StagePermissions['stageAccess']): StagePermissions => ({
      ...presets.viewer,
      stageAccess: access,
    });
    scheduler().run(({ cold, expectObservable }) => {
      const a = p('CAN_REQUEST');
      const b = p('CAN_REQUEST'); // equal, not identical
      const c = p('ALLOWED');
      const same = (x: StagePermissions, y: StagePermissions) =>
        x.stageEnabled === y.stageEnabled &&
        x.stageAccess === y.stageAccess &&
        x.acceptStageRequests === y.acceptStageRequests;
      expectObservable(cold('a-b-c-c|', { a, b, c }).pipe(select((v) => v, same))).toBe(
        'a---c--|',
        { a, c },
      );
    });
  });

  it('replays the current value to a late subscriber and shares one subscription', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-a-b-c-c-d-', { a: 1, b: 2, c: 3, d: 4 });
      const shared = source.pipe(select((v) => v));
      expectObservable(shared, '^----------!').toBe('-a---b-c---', { a: 1, b: 2, c: 3 });
      // Subscribes between b (frame 5) and c (frame 7): gets b at once.
      expectObservable(shared, '------^------!').toBe('------bc---d-', { b: 2, c: 3, d: 4 });
      expectSubscriptions(source.subscriptions).toBe('^------------!');
    });
  });

  it('lets go of the source when the last subscriber leaves, and starts afresh', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-c-d-', { a: 1, b: 2, c: 3, d: 4 });
      const shared = source.pipe(select((v) => v));
      expectObservable(shared, '^--!').toBe('-a-', { a: 1 });
      // No stale replay from the first subscription: the next value is c.
      expectObservable(shared, '----^---!').toBe('-----c-d', { c: 3, d: 4 });
      expectSubscriptions(source.subscriptions).toBe(['^--!', '----^---!']);
    });
  });

  it('completes with its source and replays the last value with the completion', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const shared = cold('a-b|', { a: 1, b: 2 }).pipe(select((v) => v));
      expectObservable(shared).toBe('a-b|', { a: 1, b: 2 });
      expectObservable(shared, '-----^').toBe('-----(b|)', { b: 2 });
    });
  });
});

describe('shareList() (marbles)', () => {
  it('de-duplicates by identity: the same list twice is one emission, an equal copy is not', () => {
    const l1 = Object.freeze(['x']);
    const l2 = Object.freeze(['x']);
    scheduler().run(({ cold, expectObservable }) => {
      const end = cold<never>('-');
      expectObservable(shareList(cold('a-a-b-b', { a: l1, b: l2 }), end)).toBe('a---b--', {
        a: l1,
        b: l2,
      });
    });
  });

  it('completes when the end notifier fires and unsubscribes from the source', () => {
    scheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('a-b-c-d-', { a: 1, b: 2, c: 3, d: 4 });
      const end = cold('-----x');
      const shared = shareList(source, end);
      expectObservable(shared).toBe('a-b-c|', { a: 1, b: 2, c: 3 });
      expectObservable(shared, '---^').toBe('---bc|', { b: 2, c: 3 });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('shares one subscription to the source among subscribers', () => {
    let subscriptions = 0;
    scheduler().run(({ cold, expectObservable }) => {
      const raw = cold('a-b-c', { a: 1, b: 2, c: 3 });
      const counted = new Observable<number>((subscriber) => {
        subscriptions++;
        return raw.subscribe(subscriber);
      });
      const shared = shareList(counted, cold('-'));
      expectObservable(shared).toBe('a-b-c', { a: 1, b: 2, c: 3 });
      expectObservable(shared, '-^').toBe('-ab-c', { a: 1, b: 2, c: 3 });
      expectObservable(shared.pipe(map((v) => v * 10)), '---^').toBe('---bc', { b: 20, c: 30 });
    });
    assert.equal(subscriptions, 1);
  });
});

describe('StageController observables over a local room (marbles)', () => {
  it('status$ replays, emits each change once, and ignores failed commands', () => {
    const room = newRoom();
    const host = room.connect({ userId: 'host', preset: 'host' });
    const tab1 = room.connect({ userId: 'v', preset: 'viewer' });
    const tab2 = room.connect({ userId: 'v', preset: 'viewer' });
    scheduler().run(({ cold, expectObservable }) => {
      at(cold, '-abcdefg', {
        a: () => tab1.requestAccess(),
        b: () => tab2.requestAccess(), // 2006: already requested
        c: () => tab1.leave(), // 2006: leave() from REQUESTED
        d: () => host.grantAccess(['v']),
        e: () => tab2.join(),
        f: () => tab1.join(), // 2006: already on stage
        g: () => host.kick(['v']),
      });
      const values = { o: OFF, r: REQ, a: ACC, n: ON };
      expectObservable(tab1.status$, '^--------!').toBe('or--an-o-', values);
      expectObservable(tab2.status$, '^--------!').toBe('or--an-o-', values);
      // A late subscriber gets the current status at once.
      expectObservable(tab1.status$, '---^-----!').toBe('---ran-o-', values);
      expectObservable(tab1.status$, '------^--!').toBe('------no-', values);
      expectObservable(host.status$, '^--------!').toBe('o--------', values);
    });
  });

  it('permissions$ emits when a second tab brings other permissions, not for equal ones', () => {
    const room = newRoom();
    const tab1 = room.connect({ userId: 'u', preset: 'viewer' });
    scheduler().run(({ cold, expectObservable }) => {
      at(cold, '--a-b-c-d-e', {
        a: () => room.connect({ userId: 'u', preset: 'viewer' }),
        b: () => room.connect({ userId: 'u', preset: 'speaker' }),
        c: () => room.connect({ userId: 'u', permissions: { ...presets.speaker } }),
        d: () => tab1.requestAccess(), // status changes, permissions do not
        e: () => room.connect({ userId: 'u', preset: 'host' }),
      });
      expectObservable(tab1.permissions$, '^-----------!').toBe('v---s-----h-', {
        v: presets.viewer,
        s: presets.speaker,
        h: presets.host,
      });
    });
  });

  it('connection$ replays, goes disconnected once, and completes on dispose()', () => {
    const room = newRoom();
    const tab = room.connect({ userId: 'u', preset: 'viewer' });
    scheduler().run(({ cold, expectObservable }) => {
      at(cold, '---a-b-c', {
        a: () => room.disconnect('u'),
        b: () => room.disconnect('u'),
        c: () => tab.dispose(),
      });
      const values = { c: 'connected', d: 'disconnected' };
      expectObservable(tab.connection$).toBe('c--d---|', values);
      expectObservable(tab.connection$, '----^').toBe('----d--|', values);
      expectObservable(tab.status$).toBe('o------|', { o: OFF });
    });
  });
});

describe('StageController observables: replay and emit only on change', () => {
  async function setup() {
    const room = newRoom();
    const host = room.connect({ userId: 'host', displayName: 'Host', preset: 'host' });
    const v1 = room.connect({ userId: 'v1', displayName: 'V1', preset: 'viewer' });
    const v2 = room.connect({ userId: 'v2', displayName: 'V2', preset: 'viewer' });
    const v3 = room.connect({ userId: 'v3', displayName: 'V3', preset: 'viewer' });
    await v1.requestAccess();
    await v2.requestAccess();
    return { room, host, v1, v2, v3 };
  }

  it('status$', async () => {
    const { host, v1, v2 } = await setup();
    const late = record(v1.status$);
    assert.deepEqual(late.values, [REQ]);
    await v2.cancelRequestAccess();
    await v1.requestAccess().catch(() => undefined); // 2006
    assert.deepEqual(late.values, [REQ]);
    await host.grantAccess(['v1']);
    assert.deepEqual(late.values, [REQ, ACC]);
    assert.deepEqual(record(v1.status$).values, [ACC]);
  });

  it('position$', async () => {
    const { host, v2, v3 } = await setup();
    const p2 = record(v2.position$);
    assert.deepEqual(p2.values, [2]);
    assert.deepEqual(record(v3.position$).values, [null]);
    await host.requestAccess(); // self-accept: the queue does not change
    await v3.requestAccess(); // behind v2: v2's place does not change
    assert.deepEqual(p2.values, [2]);
    await host.denyAccess(['v1']);
    assert.deepEqual(p2.values, [2, 1]);
    await host.grantAccess(['v2']);
    assert.deepEqual(p2.values, [2, 1, null]);
    assert.deepEqual(record(v3.position$).values, [1]);
  });

  it('requests$ (one emission per command, [] and silent for non-privileged users)', async () => {
    const { host, v1, v3 } = await setup();
    const r = record(host.requests$);
    assert.deepEqual(ids(r.values[0]!), ['v1', 'v2']);
    assert.equal(r.values.length, 1);
    assert.deepEqual(
      r.values[0]!.map((q) => q.position),
      [1, 2],
    );
    const viewer = record(v3.requests$);
    assert.deepEqual(viewer.values, [[]]);
    await host.requestAccess(); // not a queue change
    await host.join();
    assert.equal(r.values.length, 1);
    await v3.requestAccess();
    assert.equal(r.values.length, 2);
    assert.deepEqual(ids(r.values[1]!), ['v1', 'v2', 'v3']);
    await host.grantAccess(['v1', 'v2', 'v3']); // a bulk command: one emission
    assert.equal(r.values.length, 3);
    assert.deepEqual(r.values[2], []);
    await v1.leave(); // decline: not a queue change
    assert.equal(r.values.length, 3);
    assert.deepEqual(viewer.values, [[]]);
    assert.deepEqual(record(host.requests$).values, [[]]);
  });

  it('onStage$', async () => {
    const { host, v1, v2 } = await setup();
    const s = record(v2.onStage$);
    assert.deepEqual(s.values, [[]]);
    await host.grantAccess(['v1']); // accepted, not on stage yet
    await v2.cancelRequestAccess();
    assert.equal(s.values.length, 1);
    await v1.join();
    assert.equal(s.values.length, 2);
    assert.deepEqual(s.values[1], [{ userId: 'v1', displayName: 'V1', status: ON }]);
    await host.requestAccess();
    await host.join();
    assert.deepEqual(s.values.map(ids), [[], ['v1'], ['v1', 'host']]);
    assert.deepEqual(record(host.onStage$).values.map(ids), [['v1', 'host']]);
  });

  it('participants$', async () => {
    const { host, v1, v2, v3 } = await setup();
    const priv = record(host.participants$);
    assert.deepEqual(priv.values.map(ids), [['v1', 'v2']]);
    const other = record(v3.participants$);
    assert.deepEqual(other.values.map(ids), [[]]); // never other requesters
    await v3.requestAccess();
    assert.deepEqual(other.values.map(ids), [[], ['v3']]); // but itself
    assert.deepEqual(priv.values.map(ids), [
      ['v1', 'v2'],
      ['v1', 'v2', 'v3'],
    ]);
    await host.grantAccess(['v1', 'v2']); // one emission for the bulk command
    assert.equal(priv.values.length, 3);
    assert.deepEqual(other.values.map(ids), [[], ['v3'], ['v1', 'v2', 'v3']]);
    await v1.join();
    assert.equal(priv.values.length, 4);
    assert.deepEqual(
      priv.values[3]!.map((p) => p.status),
      [ON, ACC, REQ],
    );
    await v2.leave().catch(() => undefined);
    await v2.leave().catch(() => undefined); // 2006: nothing more
    assert.equal(priv.values.length, 5);
    assert.deepEqual(record(v3.participants$).values.map(ids), [['v1', 'v3']]);
  });

  it('permissions$ and connection$ do not emit on status changes', async () => {
    const { host, v1 } = await setup();
    const p = record(v1.permissions$);
    const c = record(v1.connection$);
    assert.deepEqual(p.values, [presets.viewer]);
    assert.deepEqual(c.values, ['connected']);
    await host.grantAccess(['v1']);
    await v1.join();
    assert.equal(p.values.length, 1);
    assert.equal(c.values.length, 1);
    assert.deepEqual(record(v1.connection$).values, ['connected']);
  });

  it('events$ does not replay past events; each event arrives once', async () => {
    const { host, v1 } = await setup();
    const e = record(v1.events$);
    assert.deepEqual(e.values, []);
    await host.grantAccess(['v1']);
    assert.deepEqual(e.values, [
      { type: 'stageRequestApproved', by: 'host', invited: false },
      { type: 'stageStatusUpdate', status: ACC },
    ]);
    assert.deepEqual(record(v1.events$).values, []);
  });

  it('a command is reflected in every observable of every controller when its Promise settles', async () => {
    const { host, v1, v2, v3 } = await setup();
    const r = record(host.requests$);
    const on = record(v3.onStage$);
    const part = record(v2.participants$);
    const pos = record(v2.position$);
    await host.grantAccess(['v1']);
    assert.deepEqual(ids(r.values.at(-1)!), ['v2']);
    assert.deepEqual(pos.values.at(-1), 1);
    assert.deepEqual(ids(part.values.at(-1)!), ['v1', 'v2']);
    await v1.join();
    assert.deepEqual(ids(on.values.at(-1)!), ['v1']);
  });
});

describe('dispose()', () => {
  it('completes every observable, including ones never subscribed before', async () => {
    const room = newRoom();
    const host = room.connect({ userId: 'host', preset: 'host' });
    const v = room.connect({ userId: 'v', preset: 'viewer' });
    await v.requestAccess();
    const before = [record(v.status$), record(v.requests$), record(v.onStage$)];
    v.dispose();
    for (const r of before) assert.ok(r.completed);
    const all: [string, Observable<unknown>][] = [
      ['status$', v.status$],
      ['position$', v.position$],
      ['requests$', v.requests$],
      ['onStage$', v.onStage$],
      ['participants$', v.participants$],
      ['permissions$', v.permissions$],
      ['connection$', v.connection$],
      ['events$', v.events$],
    ];
    for (const [name, o] of all) assert.ok(record(o).completed, `${name} completes`);
    // The host's controller is unaffected.
    const h = record(host.requests$);
    assert.equal(h.completed, false);
  });

  it('completes observables of a controller disposed before anything was subscribed', () => {
    const room = newRoom();
    const v = room.connect({ userId: 'v', preset: 'host' });
    v.dispose();
    v.dispose(); // twice is harmless
    for (const o of [
      v.status$,
      v.position$,
      v.requests$,
      v.onStage$,
      v.participants$,
      v.permissions$,
      v.connection$,
      v.events$,
    ] as Observable<unknown>[]) {
      assert.ok(record(o).completed);
    }
  });

  it('rejects every later command with 2005 and emits nothing', async () => {
    const room = newRoom();
    const v = room.connect({ userId: 'v', preset: 'host' });
    const events: unknown[] = [];
    v.on('*', (...args) => events.push(args));
    v.dispose();
    const calls: [string, () => Promise<unknown>][] = [
      ['requestAccess', () => v.requestAccess()],
      ['cancelRequestAccess', () => v.cancelRequestAccess()],
      ['join', () => v.join()],
      ['leave', () => v.leave()],
      ['grantAccess', () => v.grantAccess(['v'])],
      ['denyAccess', () => v.denyAccess(['v'])],
      ['kick', () => v.kick(['v'])],
    ];
    for (const [name, call] of calls) {
      await assert.rejects(call(), (e: unknown) => {
        assert.ok(e instanceof StageError, name);
        assert.equal(e.code, '2005', name);
        assert.equal(e.reason, 'NOT_CONNECTED', name);
        return true;
      });
    }
    assert.deepEqual(events, []);
    assert.deepEqual(v.getAccessRequests(), { stageRequests: [] });
  });
});

describe('no method throws synchronously', () => {
  const garbage: unknown[] = [
    undefined,
    null,
    42,
    'host',
    {},
    { length: 1, 0: 'v' },
    [],
    [''],
    [7],
    [null],
    ['v', undefined],
    new Array(1001).fill('v'),
    new Array(3),
    Symbol('x'),
    () => ['v'],
  ];

  it('bulk commands reject bad userIds with StageError 2009 and change nothing', async () => {
    const room = newRoom();
    const host = room.connect({ userId: 'host', preset: 'host' });
    const v = room.connect({ userId: 'v', preset: 'viewer' });
    await v.requestAccess();
    const version = room.snapshot().version;
    for (const method of ['grantAccess', 'denyAccess', 'kick'] as const) {
      for (const arg of garbage) {
        let result: unknown;
        assert.doesNotThrow(
          () => {
            result = (host[method] as (a: unknown) => Promise<unknown>)(arg);
          },
          `${method}(${String(arg)})`,
        );
        assert.ok(result instanceof Promise, `${method} returns a Promise`);
        await assert.rejects(result as Promise<unknown>, (e: unknown) => {
          assert.ok(e instanceof StageError, `${method}: ${String(e)}`);
          assert.equal(e.code, '2009', `${method}(${String(arg)})`);
          assert.ok(e.message.length > 20);
          return true;
        });
      }
    }
    assert.equal(room.snapshot().version, version);
    assert.equal(v.status, REQ);
  });

  it('a userIds array whose elements cannot be read rejects with StageError 2009', async () => {
    const room = newRoom();
    const host = room.connect({ userId: 'host', preset: 'host' });
    const hostile: string[] = ['v'];
    Object.defineProperty(hostile, 0, {
      get() {
        throw new Error('no reading');
      },
    });
    let result: unknown;
    assert.doesNotThrow(() => {
      result = host.grantAccess(hostile);
    });
    await assert.rejects(result as Promise<unknown>, (e: unknown) => {
      assert.ok(e instanceof StageError, `rejects with a StageError, got ${String(e)}`);
      assert.equal(e.code, '2009');
      return true;
    });
  });

  it('every method, called with garbage, returns a Promise or a value, never throws', async () => {
    const room = newRoom();
    const viewer = room.connect({ userId: 'v', preset: 'viewer' });
    const audience = room.connect({ userId: 'a', preset: 'audience' });
    const controllers: StageController[] = [viewer, audience];
    const dropped = room.connect({ userId: 'd', preset: 'host' });
    room.disconnect('d');
    controllers.push(dropped);
    for (const c of controllers) {
      for (const method of [
        'requestAccess',
        'cancelRequestAccess',
        'join',
        'leave',
        'grantAccess',
        'denyAccess',
        'kick',
      ] as const) {
        for (const arg of garbage) {
          let result: unknown;
          assert.doesNotThrow(() => {
            result = (c[method] as (...a: unknown[]) => unknown)(arg, arg);
          }, `${c.userId}.${method}`);
          assert.ok(result instanceof Promise, `${c.userId}.${method} returns a Promise`);
          await (result as Promise<unknown>).catch((e: unknown) => {
            assert.ok(e instanceof StageError, `${c.userId}.${method}: ${String(e)}`);
          });
        }
      }
      // Non-privileged and dropped controllers reject bulk commands for their own reasons first.
      await assert.rejects(c.grantAccess(['v']), (e: unknown) => {
        assert.ok(e instanceof StageError);
        assert.equal(e.code, c === dropped ? '2005' : '2001');
        return true;
      });
      for (const arg of garbage) {
        assert.doesNotThrow(() => {
          const off = c.on(arg as 'stageStatusUpdate', arg as () => void);
          assert.equal(typeof off, 'function');
          off();
          c.off(arg as 'stageStatusUpdate', arg as () => void);
          c.getAccessRequests();
        });
      }
    }
    assert.doesNotThrow(() => viewer.dispose());
  });
});

describe('on(), off() and handler payloads (contract 9.1)', () => {
  it('on() returns an unsubscribe function; off() removes a handler', async () => {
    const room = newRoom();
    const host = room.connect({ userId: 'host', preset: 'host' });
    const v = room.connect({ userId: 'v', preset: 'viewer' });
    const a: unknown[] = [];
    const b: unknown[] = [];
    const handlerB = (s: StageStatus) => b.push(s);
    const unsubscribe = v.on('stageStatusUpdate', (s) => a.push(s));
    assert.equal(typeof unsubscribe, 'function');
    v.on('stageStatusUpdate', handlerB);
    await v.requestAccess();
    assert.deepEqual(a, [REQ]);
    assert.deepEqual(b, [REQ]);
    unsubscribe();
    await v.cancelRequestAccess();
    assert.deepEqual(a, [REQ]);
    assert.deepEqual(b, [REQ, OFF]);
    v.off('stageStatusUpdate', handlerB);
    await v.requestAccess();
    assert.deepEqual(b, [REQ, OFF]);
    unsubscribe(); // twice is harmless
    const star: unknown[] = [];
    const starHandler = (name: string, payload: unknown) => star.push([name, payload]);
    v.on('*', starHandler);
    await host.grantAccess(['v']);
    assert.deepEqual(star, [
      ['stageRequestApproved', { by: 'host', invited: false }],
      ['stageStatusUpdate', ACC],
    ]);
    v.off('*', starHandler);
    await v.join();
    assert.equal(star.length, 2);
  });

  it("handlers get bare status and list, payload objects without type; '*' gets (name, payload)", async () => {
    const room = newRoom();
    const host = room.connect({ userId: 'host', displayName: 'Host', preset: 'host' });
    const v = room.connect({ userId: 'v', displayName: 'Vee', preset: 'viewer' });
    const got: Record<string, unknown[]> = {};
    const star: [string, unknown][] = [];
    const events: StageEvent[] = [];
    for (const c of [host, v]) {
      for (const name of [
        'stageStatusUpdate',
        'stageAccessRequestUpdate',
        'newStageRequest',
        'stageRequestApproved',
        'stageRequestRejected',
        'acceptPresentRequests',
        'removedFromStage',
        'stageAccessDeclined',
      ] as const) {
        c.on(name, (payload: unknown) => (got[`${c.userId} ${name}`] ??= []).push(payload));
      }
      c.on('*', (name, payload) => star.push([`${c.userId} ${name}`, payload]));
      c.events$.subscribe((e) => events.push(e));
    }
    await v.requestAccess();
    const request = host.getAccessRequests().stageRequests[0]!;
    assert.deepEqual(Object.keys(request).sort(), [
      'displayName',
      'position',
      'requestedAt',
      'userId',
    ]);
    assert.equal(typeof request.requestedAt, 'number');
    await host.denyAccess(['v']);
    await host.grantAccess(['v']);
    await v.leave();
    await host.grantAccess(['v']);
    await v.join();
    await host.kick(['v']);

    assert.deepEqual(got['v stageStatusUpdate'], [REQ, OFF, ACC, OFF, ACC, ON, OFF]);
    assert.deepEqual(got['host stageAccessRequestUpdate'], [
      [{ userId: 'v', displayName: 'Vee', requestedAt: request.requestedAt, position: 1 }],
      [],
    ]);
    assert.deepEqual(got['host newStageRequest'], [{ count: 1, request }]);
    assert.deepEqual(got['v stageRequestRejected'], [{ by: 'host' }]);
    assert.deepEqual(got['v stageRequestApproved'], [
      { by: 'host', invited: true },
      { by: 'host', invited: true },
    ]);
    assert.deepEqual(got['host acceptPresentRequests'], [
      { userIds: ['v'], by: 'host' },
      { userIds: ['v'], by: 'host' },
    ]);
    assert.deepEqual(got['host stageAccessDeclined'], [{ userId: 'v' }]);
    assert.deepEqual(got['v removedFromStage'], [{ by: 'host' }]);
    // Only the user concerned, or privileged users, get each event.
    assert.equal(got['v stageAccessRequestUpdate'], undefined);
    assert.equal(got['v newStageRequest'], undefined);
    assert.equal(got['v acceptPresentRequests'], undefined);
    assert.equal(got['v stageAccessDeclined'], undefined);
    assert.equal(got['host stageStatusUpdate'], undefined);

    // '*' sees the same payloads as the named handlers, in order.
    const named = star.map(([key]) => key);
    for (const key of new Set(named)) {
      assert.deepEqual(
        star.filter(([k]) => k === key).map(([, p]) => p),
        got[key],
        key,
      );
    }
    for (const [key, payload] of star) {
      if (!key.endsWith('stageStatusUpdate') && !key.endsWith('stageAccessRequestUpdate')) {
        assert.equal(typeof payload, 'object', key);
        assert.ok(!('type' in (payload as object)), `${key} payload has no type`);
      }
    }
    // events$ carries the same events as { type, ...payload }.
    assert.deepEqual(
      events,
      star.map(([key, payload]) => {
        const type = key.split(' ')[1]!;
        if (type === 'stageStatusUpdate') return { type, status: payload };
        if (type === 'stageAccessRequestUpdate') return { type, requests: payload };
        return { type, ...(payload as object) };
      }),
    );
  });

  it('a throwing handler does not stop the other handlers or break the room', async () => {
    const reported: unknown[] = [];
    const original = globalThis.queueMicrotask;
    globalThis.queueMicrotask = (callback) =>
      original(() => {
        try {
          callback();
        } catch (error) {
          reported.push(error);
        }
      });
    try {
      const room = newRoom();
      const host = room.connect({ userId: 'host', preset: 'host' });
      const v = room.connect({ userId: 'v', preset: 'viewer' });
      const calls: string[] = [];
      const boom = new Error('handler failed');
      v.on('stageStatusUpdate', () => {
        calls.push('first');
        throw boom;
      });
      v.on('stageStatusUpdate', (s) => calls.push(`second ${s}`));
      v.on('*', (name) => calls.push(`star ${name}`));
      const statuses = record(v.status$);
      const hostSaw = record(host.requests$);
      await v.requestAccess();
      await new Promise<void>((resolve) => setImmediate(resolve));
      assert.deepEqual(calls, ['first', `second ${REQ}`, 'star stageStatusUpdate']);
      assert.deepEqual(statuses.values, [OFF, REQ]);
      assert.deepEqual(hostSaw.values.map(ids), [[], ['v']]);
      assert.deepEqual(reported, [boom], 'the error is reported, not swallowed');
      // The room goes on working.
      await host.grantAccess(['v']);
      await v.join();
      assert.equal(v.status, ON);
      assert.deepEqual(room.snapshot().onStage, ['v']);
    } finally {
      globalThis.queueMicrotask = original;
    }
  });
});
