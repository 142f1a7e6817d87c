/**
 * Hostile input (issue 4 "Hostile input"; contract 7): thousands of generated bad frames over
 * several logged-in connections. The server must not crash, must change nothing, and must answer
 * every bad frame with an `error` frame (or a failed `result` for a well-formed command with bad
 * arguments), or close with a documented code. Also the default abuse limits.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  RawClient,
  client,
  current,
  eventually,
  health,
  ids,
  record,
  sleep,
  startServer,
  token,
  type Frame,
} from './support.js';

const COMMANDS = [
  'requestAccess',
  'cancelRequestAccess',
  'join',
  'leave',
  'grantAccess',
  'denyAccess',
  'kick',
];
const BULK = ['grantAccess', 'denyAccess', 'kick'];
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];
const MAX = 64 * 1024;

interface Bad {
  readonly data: string | Buffer;
  readonly binary: boolean;
}

const text = (data: string): Bad => ({ data, binary: false });
const json = (value: unknown): Bad => text(JSON.stringify(value));

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function validUserIds(v: unknown): boolean {
  return (
    Array.isArray(v) &&
    v.length >= 1 &&
    v.length <= 1000 &&
    v.every((id) => typeof id === 'string' && id.length > 0)
  );
}

/**
 * What the protocol says the server must answer: 'result' for a well-formed cmd frame (the rules
 * engine refuses its arguments), 'error' for everything else; 'harmless-valid' marks frames that
 * are valid commands or syncs, which the generators must not produce.
 */
function classify(bad: Bad): 'error' | 'result' | 'valid' {
  if (bad.binary) return 'error';
  let v: unknown;
  try {
    v = JSON.parse(bad.data as string);
  } catch {
    return 'error';
  }
  if (!isObject(v)) return 'error';
  if (v['t'] === 'sync') return 'valid';
  if (v['t'] !== 'cmd') return 'error';
  const { id, cmd } = v;
  if (typeof id !== 'string' || id.length < 1 || id.length > 64) return 'error';
  if (typeof cmd !== 'string' || !COMMANDS.includes(cmd)) return 'error';
  if (!BULK.includes(cmd) || validUserIds(v['userIds'])) return 'valid';
  return 'result';
}

// ---- generators ---------------------------------------------------------------------------

const anyJson = fc.jsonValue({ maxDepth: 3 });
const notString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
);
const cmdId = fc.string({ minLength: 1, maxLength: 64 });
const bulk = fc.constantFrom(...BULK);

/** userIds that the rules engine must refuse (2009 for a privileged user). */
const badUserIds = fc.oneof(
  notString,
  fc.string(),
  fc.constant([]),
  fc.array(notString, { minLength: 1, maxLength: 5 }),
  fc
    .tuple(
      fc.array(fc.string({ minLength: 1 }), { maxLength: 5 }),
      fc.constantFrom('', 0, null, [], {}),
    )
    .map(([ok, bad]) => [...ok, bad]),
  fc.integer({ min: 1001, max: 4000 }).map((n) => Array.from({ length: n }, (_, i) => `u${i}`)),
);

/** A string of `depth` nested arrays or objects. */
const deep = fc.oneof(
  fc.integer({ min: 50, max: 20_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  fc.integer({ min: 50, max: 9_000 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)),
);

const huge = fc.oneof(
  // 10,000 to 30,000 numbers (2 bytes each) or 1,001 to 15,000 one-letter strings (4 bytes each).
  fc.integer({ min: 10_000, max: 30_000 }).map((n) => `[${new Array(n).fill('0').join(',')}]`),
  fc.integer({ min: 1001, max: 15_000 }).map((n) => `[${new Array(n).fill('"a"').join(',')}]`),
);

const longString = fc
  .integer({ min: 1000, max: 60_000 })
  .chain((n) =>
    fc.constantFrom('x', 'é', '"', '\\u0000').map((c) => c.repeat(Math.floor(n / c.length / 2))),
  );

function badFrames(helloToken: string): fc.Arbitrary<Bad> {
  return fc.oneof(
    // Random bytes as binary and as text.
    fc.uint8Array({ maxLength: 300 }).map((b) => ({ data: Buffer.from(b), binary: true })),
    fc.uint8Array({ maxLength: 300 }).map((b) => text(Buffer.from(b).toString('utf8'))),
    fc.string({ unit: 'binary', maxLength: 200 }).map(text),
    // Invalid JSON.
    fc
      .constantFrom(
        '',
        ' ',
        '{',
        '{"t":"cmd",',
        "{'t':'cmd'}",
        '{t:"cmd"}',
        '{"t":"cmd","id":"a","cmd":"join",}',
        'undefined',
        'NaN',
        '\u0000',
        '{"t":"cmd"}}',
        '[1,2',
      )
      .map(text),
    fc.json({ maxDepth: 3 }).map((s) => text(s.slice(0, Math.max(0, s.length - 1)) + '\u0001')),
    // JSON that is not an object.
    anyJson.filter((v) => !isObject(v)).map(json),
    fc.constantFrom('null', '[]', '"cmd"', '0', 'true', '[{"t":"cmd"}]').map(text),
    // Wrong types for every field.
    fc.record({ t: notString }).map(json),
    fc
      .record({
        t: fc.constant('hello'),
        v: fc.oneof(notString, fc.string()),
        token: fc.oneof(notString, fc.constant('')),
      })
      .map(json),
    fc
      .record({ t: fc.constant('cmd'), id: notString, cmd: fc.constantFrom(...COMMANDS) })
      .map(json),
    fc
      .record({
        t: fc.constant('cmd'),
        id: fc.string({ minLength: 65, maxLength: 200 }),
        cmd: bulk,
        userIds: fc.constant(['ada']),
      })
      .map(json),
    fc.record({ t: fc.constant('cmd'), id: cmdId, cmd: notString }).map(json),
    fc.record({ t: fc.constant('cmd'), id: cmdId, cmd: bulk, userIds: badUserIds }).map(json),
    fc.record({ t: fc.constant('cmd'), id: cmdId, cmd: bulk }).map(json),
    // Unknown frame types and unknown commands.
    fc
      .oneof(
        fc.string(),
        fc.constantFrom(
          'Hello',
          'CMD',
          'welcome',
          'result',
          'error',
          ' cmd',
          ...PROTO_KEYS,
          'toString',
          'hasOwnProperty',
          'valueOf',
        ),
      )
      .filter((t) => !['hello', 'cmd', 'sync'].includes(t))
      .map((t) => json({ t, id: 'x', cmd: 'join' })),
    fc
      .oneof(
        fc.string(),
        fc.constantFrom(
          ...PROTO_KEYS,
          'toString',
          'hasOwnProperty',
          'valueOf',
          'isPrototypeOf',
          'GRANTACCESS',
          'requestaccess',
          'join ',
          'dispose',
          'close',
        ),
      )
      .filter((c) => !COMMANDS.includes(c))
      .map((cmd) => json({ t: 'cmd', id: 'u1', cmd, userIds: ['ada'] })),
    // __proto__ / constructor / prototype keys, top level and nested.
    fc
      .constantFrom(
        '{"__proto__":{"t":"cmd","id":"p","cmd":"requestAccess"}}',
        '{"__proto__":{"t":"sync"}}',
        '{"t":"cmd","__proto__":{"id":"p","cmd":"join"}}',
        '{"t":"cmd","id":"p","__proto__":{"cmd":"leave"}}',
        '{"t":"cmd","id":"p","cmd":"kick","__proto__":{"userIds":["ada"]}}',
        '{"t":"cmd","id":"p","cmd":"kick","userIds":{"__proto__":["ada"]}}',
        '{"t":"cmd","id":"p","cmd":"grantAccess","userIds":{"__proto__":[],"length":1,"0":"bob"}}',
        '{"t":"cmd","id":"p","cmd":"grantAccess","userIds":[{"__proto__":{"polluted":1}}]}',
        '{"t":"cmd","id":"p","cmd":"denyAccess","userIds":["bob",{"constructor":{"prototype":{"polluted":1}}}]}',
        '{"constructor":{"prototype":{"polluted":1}}}',
        '{"t":"constructor","prototype":{"polluted":1}}',
        '{"t":"__proto__","__proto__":{"polluted":1}}',
        '{"t":"hello","v":1,"__proto__":{"token":"x"}}',
        '{"t":"cmd","id":"__proto__","cmd":"__proto__"}',
        '{"t":"cmd","id":"constructor","cmd":"constructor","userIds":"__proto__"}',
        '{"t":"prototype","constructor":{"name":"Object"}}',
      )
      .map(text),
    fc
      .tuple(
        fc.constantFrom(...PROTO_KEYS),
        anyJson,
        fc.constantFrom('top', 'cmd', 'userIds', 'nested'),
      )
      .map(([key, value, where]) => {
        const v = JSON.stringify(value);
        if (where === 'top') return text(`{${JSON.stringify(key)}:${v}}`);
        if (where === 'cmd')
          return text(
            `{"t":"cmd","id":"k","cmd":"kick","userIds":[7],${JSON.stringify(key)}:${v}}`,
          );
        if (where === 'userIds')
          return text(
            `{"t":"cmd","id":"k","cmd":"denyAccess","userIds":{${JSON.stringify(key)}:${v}}}`,
          );
        return text(
          `{"t":"hello","v":{"a":{${JSON.stringify(key)}:{${JSON.stringify(key)}:${v}}}}}`,
        );
      }),
    // Huge arrays, deep nesting and very long strings, in every place.
    fc
      .tuple(huge, bulk)
      .map(([arr, cmd]) => text(`{"t":"cmd","id":"h","cmd":"${cmd}","userIds":${arr}}`)),
    huge.map(text),
    fc
      .tuple(deep, fc.constantFrom('top', 't', 'id', 'cmd', 'userIds', 'extra'))
      .map(([d, where]) => {
        if (where === 'top') return text(d);
        if (where === 'userIds')
          return text(`{"t":"cmd","id":"d","cmd":"grantAccess","userIds":${d}}`);
        if (where === 'extra')
          return text(`{"t":"cmd","id":"d","cmd":"kick","userIds":[""],"x":${d}}`);
        return text(`{"t":"cmd","id":"d","cmd":"kick",${JSON.stringify(where)}:${d}}`);
      }),
    fc
      .tuple(longString, fc.constantFrom('t', 'id', 'cmd', 'token', 'top', 'extra'))
      .map(([s, where]) => {
        if (where === 'top') return json(s);
        if (where === 'token') return json({ t: 'hello', v: 1, token: s });
        if (where === 'extra')
          return json({ t: 'cmd', id: 'l', cmd: 'kick', userIds: 0, [s.slice(0, 100)]: s });
        return json({ t: 'cmd', id: 'l', cmd: 'kick', userIds: [], [where]: s });
      }),
    // Numbers as ids, nulls.
    fc
      .record({
        t: fc.constant('cmd'),
        id: fc.integer(),
        cmd: bulk,
        userIds: fc.array(fc.integer(), { minLength: 1, maxLength: 5 }),
      })
      .map(json),
    fc
      .constantFrom(
        { t: 'cmd', id: 'n', cmd: 'kick', userIds: [1, 2, 3] },
        { t: 'cmd', id: 'n', cmd: 'grantAccess', userIds: null },
        { t: 'cmd', id: 'n', cmd: 'denyAccess', userIds: [null] },
        { t: 'cmd', id: null, cmd: 'join' },
        { t: 'cmd', id: 'n', cmd: null },
        { t: null },
        { t: 1 },
        {},
      )
      .map(json),
    // A valid hello again, after logging in.
    fc.constant(json({ t: 'hello', v: 1, token: helloToken })),
  );
}

interface Planned extends Bad {
  /** The answer the frame must get. */
  readonly kind: 'error' | 'result';
  /** A cmd frame's id (the result carries it). */
  readonly id?: string;
}

/** `count` bad frames, deterministic per seed; never a valid command or sync. */
function generate(seed: number, count: number, helloToken: string): Planned[] {
  const frames: Planned[] = [];
  for (const b of fc.sample(badFrames(helloToken), { numRuns: count + 200, seed })) {
    const kind = classify(b);
    if (kind === 'valid') continue;
    if (kind === 'result') {
      const { id } = JSON.parse(b.data as string) as { id: string };
      frames.push({ ...b, kind, id });
    } else frames.push({ ...b, kind });
    if (frames.length === count) break;
  }
  assert.equal(frames.length, count, 'enough frames');
  for (const f of frames) {
    assert.ok(
      Buffer.byteLength(f.data) < MAX,
      `a generated frame is under 64 KiB (${Buffer.byteLength(f.data)})`,
    );
  }
  return frames;
}

const answerKind = (f: Frame): string =>
  f.t === 'error' || f.t === 'result' ? f.t : `unexpected:${f.t}`;

test('hostile: 5,000+ generated bad frames over 7 connections change nothing and are each answered', async (t) => {
  const server = await startServer(t, {
    // No grace runs out during the test (that would be a legitimate change of the room).
    reconnectGraceMs: 600_000,
    malformedLimit: 1e9,
    rateLimit: { burst: 1e9, perSecond: 1e9, abuseLimit: 1e9 },
  });
  // A room with something in every status.
  const host = await client(t, server.url, 'h', { preset: 'host' });
  const ada = await client(t, server.url, 'ada');
  const bob = await client(t, server.url, 'bob');
  const cat = await client(t, server.url, 'cat');
  const dan = await client(t, server.url, 'dan');
  await ada.requestAccess();
  await bob.requestAccess();
  await dan.requestAccess();
  await host.grantAccess(['ada', 'cat']);
  await eventually(() => assert.equal(ada.status, 'ACCEPTED_TO_JOIN_STAGE'));
  await ada.join();
  await eventually(() => {
    assert.deepEqual(ids(host.getAccessRequests().stageRequests), ['bob', 'dan']);
    assert.deepEqual(ids(current(host.onStage$)), ['ada']);
    assert.equal(cat.status, 'ACCEPTED_TO_JOIN_STAGE');
  });

  // Hostile connections: privileged and not, a disabled stage, and a second tab of a requester.
  const attackers: [string, Parameters<typeof token>[1], string][] = [
    ['x-host', { preset: 'host' }, '2009'],
    ['x-mod', { preset: 'moderator' }, '2009'],
    ['x-viewer', { preset: 'viewer' }, '2001'],
    ['x-aud', { preset: 'audience' }, '2001'],
    [
      'x-off',
      { perm: { stageEnabled: false, stageAccess: 'ALLOWED', acceptStageRequests: true } },
      '2003',
    ],
    ['bob', {}, '2001'],
    ['x-speaker', { preset: 'speaker' }, '2001'],
  ];
  const sockets = await Promise.all(
    attackers.map(
      async ([sub, opts]) => (await RawClient.login(t, server.url, await token(sub, opts))).raw,
    ),
  );
  const observer = await RawClient.login(t, server.url, await token('observer'));
  const fresh = await RawClient.login(undefined, server.url, await token('fresh'));
  fresh.raw.terminate();
  await sleep(100);
  /** The room as the observer sees it now (a sync answers with a snapshot). */
  const sync = async () => {
    const mark = observer.raw.frames.length;
    observer.raw.send({ t: 'sync' });
    return (await observer.raw.waitFor((f) => f.t === 'snapshot', 5000, mark))['snapshot'];
  };
  const before = {
    observer: await sync(),
    fresh: fresh.welcome['snapshot'] as { version: number },
    queue: host.getAccessRequests(),
    requests: current(host.requests$),
    onStage: current(host.onStage$),
    participants: current(host.participants$),
    statuses: [ada, bob, cat, dan].map((c) => c.status),
  };
  const seen = [host, ada, bob, cat, dan].map(record);
  const observed = observer.raw.frames.length;
  const marks = sockets.map((s) => s.frames.length);

  const perConnection = 780;
  const plans = await Promise.all(
    attackers.map(async ([sub, opts], i) =>
      generate(1000 + i, perConnection, await token(sub, opts)),
    ),
  );
  const total = plans.reduce((n, p) => n + p.length, 0);
  assert.ok(total >= 5000, `${total} frames`);
  const kinds = { error: 0, result: 0 };
  for (const plan of plans) for (const b of plan) kinds[b.kind]++;
  assert.ok(kinds.result > 300 && kinds.error > 3000, JSON.stringify(kinds));

  // Send everything, on all connections at once.
  plans.forEach((plan, i) => {
    for (const b of plan) sockets[i]!.send(b.data, { binary: b.binary });
  });
  await Promise.all(
    sockets.map((s, i) =>
      s.waitCount((f) => f.t === 'error' || f.t === 'result', plans[i]!.length, 60_000, marks[i]),
    ),
  );

  // Every frame answered with the right kind of answer; nothing else was sent. (Results of
  // commands may come after error frames for later frames, so answers are matched by kind and id.)
  sockets.forEach((s, i) => {
    const [sub, , code] = attackers[i]!;
    const plan = plans[i]!;
    assert.equal(s.isClosed, false, `${sub}'s connection stays up`);
    const answers = s.frames.slice(marks[i]);
    const unexpected = answers.filter((a) => answerKind(a).startsWith('unexpected'));
    assert.deepEqual(unexpected, [], `${sub}: only error and result frames`);
    assert.equal(answers.length, plan.length, `${sub}: one answer per bad frame`);
    const expectedErrors = plan.filter((b) => b.kind === 'error').length;
    const errors = answers.filter((a) => a.t === 'error');
    assert.equal(errors.length, expectedErrors, `${sub}: error frames`);
    for (const e of errors) {
      assert.equal(e['code'], '2009', `${sub}: error frame code`);
      assert.equal(typeof e['message'], 'string', `${sub}: error frame message`);
    }
    const sentIds = plan
      .filter((b) => b.kind === 'result')
      .map((b) => b.id!)
      .sort();
    const results = answers.filter((a) => a.t === 'result');
    assert.deepEqual(
      results.map((r) => String(r['id'])).sort(),
      sentIds,
      `${sub}: one result per well-formed cmd frame`,
    );
    for (const r of results) {
      assert.equal(r['ok'], false, `${sub}: ${JSON.stringify(r).slice(0, 300)}`);
      assert.equal(r['code'], code, `${sub}: result code ${JSON.stringify(r).slice(0, 300)}`);
    }
  });

  // Nothing changed: no frame to a bystander, no event anywhere, the same lists and snapshots.
  await sleep(100);
  assert.deepEqual(observer.raw.frames.slice(observed), [], 'the observer got nothing');
  assert.deepEqual(seen, [[], [], [], [], []], 'no events');
  assert.deepEqual(host.getAccessRequests(), before.queue);
  assert.deepEqual(current(host.requests$), before.requests);
  assert.deepEqual(current(host.onStage$), before.onStage);
  assert.deepEqual(current(host.participants$), before.participants);
  assert.deepEqual(
    [ada, bob, cat, dan].map((c) => c.status),
    before.statuses,
  );
  assert.deepEqual(await sync(), before.observer, 'the room version and lists are unchanged');
  const again = await RawClient.login(t, server.url, await token('fresh'));
  const { version: _v1, ...freshBefore } = before.fresh;
  const { version: _v2, ...freshAfter } = again.welcome['snapshot'] as { version: number };
  assert.deepEqual(freshAfter, freshBefore, "a fresh client's welcome snapshot");
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined, 'no prototype pollution');
  assert.deepEqual(Object.keys(Object.prototype), []);

  // Still serving: health, a new login, a command.
  assert.equal(await health(server.port), 200);
  const late = await client(t, server.url, 'late');
  await late.requestAccess();
  await eventually(() =>
    assert.deepEqual(ids(host.getAccessRequests().stageRequests), ['bob', 'dan', 'late']),
  );
});

test('hostile: deeply nested values in every field are answered with an error frame, not a crash', async (t) => {
  const server = await startServer(t, { malformedLimit: 1e9 });
  const { raw } = await RawClient.login(t, server.url, await token('h', { preset: 'host' }));
  const arrays = '['.repeat(20_000) + ']'.repeat(20_000);
  const objects = '{"a":'.repeat(9_000) + '1' + '}'.repeat(9_000);
  const frames: [string, string, string][] = [];
  for (const [kind, d] of [
    ['arrays', arrays],
    ['objects', objects],
  ] as const) {
    frames.push(
      [`top-level ${kind}`, d, 'error'],
      [`${kind} as t`, `{"t":${d}}`, 'error'],
      [`${kind} as id`, `{"t":"cmd","id":${d},"cmd":"kick","userIds":["x"]}`, 'error'],
      [`${kind} as cmd`, `{"t":"cmd","id":"c","cmd":${d}}`, 'error'],
      [`${kind} as userIds`, `{"t":"cmd","id":"u","cmd":"kick","userIds":${d}}`, 'result'],
      [`${kind} in userIds`, `{"t":"cmd","id":"v","cmd":"kick","userIds":["x",${d}]}`, 'result'],
      [`${kind} as an extra key`, `{"t":"hello","x":${d}}`, 'error'],
    );
  }
  for (const [name, frame, kind] of frames) {
    const mark = raw.frames.length;
    raw.send(frame);
    const answer = await raw.waitFor(() => true, 3000, mark).catch((e: Error) => e);
    assert.ok(!(answer instanceof Error), `${name}: no answer (${String(answer)})`);
    assert.equal(answer.t, kind, `${name}: answered ${JSON.stringify(answer).slice(0, 200)}`);
  }
  assert.equal(await health(server.port), 200);
});

test('hostile: generated bad frames before hello close 4401', async (t) => {
  const server = await startServer(t);
  const frames = generate(7, 120, await token('ada')).filter(
    (b) => !(b.data.toString().includes('"hello"') && !b.binary),
  );
  const codes = await Promise.all(
    frames.map(async (b) => {
      const raw = await RawClient.open(t, server.url);
      raw.send(b.data, { binary: b.binary });
      return (await raw.closedWithin(5000)).code;
    }),
  );
  assert.deepEqual([...new Set(codes)], [4401]);
  assert.equal(await health(server.port), 200);
});

test('hostile: with the default malformedLimit the 10th bad frame in 10 s closes 1008', async (t) => {
  const server = await startServer(t);
  const { raw } = await RawClient.login(t, server.url, await token('ada'));
  const start = raw.frames.length;
  for (let i = 0; i < 9; i++) raw.send(i % 2 ? '{"t":"nope"}' : 'not json');
  assert.equal(await raw.waitCount((f) => f.t === 'error', 9), 9);
  await sleep(100);
  assert.equal(raw.isClosed, false, 'still open after 9 bad frames');
  raw.send('[]');
  const closed = await raw.closedWithin();
  assert.equal(closed.code, 1008);
  assert.equal(raw.frames.slice(start).length, 9, 'the 10th is answered by the close');
  // Good frames do not count: another connection can send many valid frames.
  const other = await RawClient.login(t, server.url, await token('bob'));
  for (let i = 0; i < 15; i++) other.raw.send({ t: 'sync' });
  assert.equal(await other.raw.waitCount((f) => f.t === 'snapshot', 15), 15);
  assert.equal(other.raw.isClosed, false);
});

test('hostile: over the rate limit commands get 2008, and repeated abuse closes 1008', async (t) => {
  const server = await startServer(t, { rateLimit: { burst: 3, perSecond: 0.001, abuseLimit: 3 } });
  const { raw } = await RawClient.login(t, server.url, await token('ada'));
  for (let i = 0; i < 6; i++) raw.send({ t: 'cmd', id: `k${i}`, cmd: 'kick', userIds: ['x'] });
  const closed = await raw.closedWithin();
  assert.equal(closed.code, 1008);
  // The first three spent the burst (refused 2001 by the rules, if answered before the close);
  // the next two were over the limit; the sixth closed the socket.
  const results = raw.frames.filter((f) => f.t === 'result');
  assert.deepEqual(
    results.filter((r) => r['code'] === '2008').map((r) => r['id']),
    ['k3', 'k4'],
  );
  for (const r of results.filter((r) => r['code'] !== '2008')) {
    assert.ok(['k0', 'k1', 'k2'].includes(String(r['id'])), `unexpected ${JSON.stringify(r)}`);
    assert.equal(r['code'], '2001', JSON.stringify(r));
  }
  // connectStage surfaces 2008 as a StageError.
  const ada = await client(t, server.url, 'bob');
  await assert.rejects(ada.kick(['x']), { code: '2001' });
  await assert.rejects(ada.kick(['x']), { code: '2001' });
  await assert.rejects(ada.kick(['x']), { code: '2001' });
  await assert.rejects(ada.kick(['x']), { code: '2008' });
});

test('hostile: a text frame that is not UTF-8 closes the socket (RFC 6455: 1007) and the server stays up', async (t) => {
  const server = await startServer(t);
  const { raw } = await RawClient.login(t, server.url, await token('ada'));
  raw.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
  const closed = await raw.closedWithin();
  assert.equal(closed.code, 1007);
  assert.equal(await health(server.port), 200);
  await RawClient.login(t, server.url, await token('bob'));
});
