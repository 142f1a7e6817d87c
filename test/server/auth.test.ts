/**
 * Auth and connection limits (contract 7; issue 4 "Auth"): bad tokens and frames before a
 * valid hello close 4401; refused connections close 4403; frames over 64 KiB close 1009;
 * viewers cannot act as hosts; rooms are isolated.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SignJWT } from 'jose';
import { StageError, connectStage } from '../../src/index.js';
import {
  RawClient,
  SECRET,
  client,
  current,
  eventually,
  freePort,
  ids,
  record,
  sleep,
  startServer,
  token,
} from './support.js';

const key = (secret: string) => new TextEncoder().encode(secret);
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

/** Signs arbitrary claims (the tokens signToken would never make). */
function jwt(claims: Record<string, unknown>, secret = SECRET): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key(secret));
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

const badHellos: [string, () => Promise<unknown>][] = [
  ['missing token', async () => ({ t: 'hello', v: 1 })],
  ['empty token', async () => ({ t: 'hello', v: 1, token: '' })],
  ['token not a string', async () => ({ t: 'hello', v: 1, token: 42 })],
  ['malformed token', async () => ({ t: 'hello', v: 1, token: 'not.a.jwt' })],
  [
    'wrong secret',
    async () => ({
      t: 'hello',
      v: 1,
      token: await jwt({ sub: 'ada', room: 'r1', exp: inAnHour() }, 'another-secret-0123456789'),
    }),
  ],
  [
    'expired token',
    async () => ({
      t: 'hello',
      v: 1,
      token: await jwt({ sub: 'ada', room: 'r1', exp: Math.floor(Date.now() / 1000) - 120 }),
    }),
  ],
  [
    'missing room',
    async () => ({ t: 'hello', v: 1, token: await jwt({ sub: 'ada', exp: inAnHour() }) }),
  ],
  [
    'missing sub',
    async () => ({ t: 'hello', v: 1, token: await jwt({ room: 'r1', exp: inAnHour() }) }),
  ],
  ['missing exp', async () => ({ t: 'hello', v: 1, token: await jwt({ sub: 'ada', room: 'r1' }) })],
  [
    'unknown preset',
    async () => ({
      t: 'hello',
      v: 1,
      token: await jwt({ sub: 'ada', room: 'r1', preset: 'superuser', exp: inAnHour() }),
    }),
  ],
  [
    'invalid perm',
    async () => ({
      t: 'hello',
      v: 1,
      token: await jwt({ sub: 'ada', room: 'r1', perm: { stageEnabled: 'yes' }, exp: inAnHour() }),
    }),
  ],
  [
    'unsigned (alg none)',
    async () => ({
      t: 'hello',
      v: 1,
      token: `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'ada', room: 'r1', preset: 'host', exp: inAnHour() })}.`,
    }),
  ],
  [
    'HS256 token with the payload swapped for a host preset',
    async () => {
      const [h, , s] = (await token('ada')).split('.');
      return {
        t: 'hello',
        v: 1,
        token: `${h}.${b64({ sub: 'ada', room: 'r1', preset: 'host', exp: inAnHour() })}.${s}`,
      };
    },
  ],
  ['unsupported protocol version', async () => ({ t: 'hello', v: 99, token: await token('ada') })],
];

test('auth: bad, expired or missing tokens close 4401 without a welcome', async (t) => {
  const server = await startServer(t);
  await Promise.all(
    badHellos.map(async ([name, hello]) => {
      const raw = await RawClient.open(t, server.url);
      raw.send(await hello());
      const closed = await raw.closedWithin(3000);
      assert.equal(closed.code, 4401, `${name}: closed ${closed.code} (${closed.reason})`);
      assert.deepEqual(raw.frames, [], `${name}: no frame before the close`);
    }),
  );
  // The same server accepts a good token.
  const { welcome } = await RawClient.login(t, server.url, await token('ada'));
  assert.equal(welcome['userId'], 'ada');
});

test('auth: any frame before a valid hello closes 4401', async (t) => {
  const server = await startServer(t);
  const firsts: [string, unknown, boolean][] = [
    ['a cmd', { t: 'cmd', id: 'c1', cmd: 'requestAccess' }, false],
    ['a sync', { t: 'sync' }, false],
    ['invalid JSON', '{"t":"hello",', false],
    ['a JSON array', '[]', false],
    ['an unknown type', { t: 'welcome' }, false],
    ['a binary frame', Buffer.from('{"t":"hello"}'), true],
  ];
  await Promise.all(
    firsts.map(async ([name, frame, binary]) => {
      const raw = await RawClient.open(t, server.url);
      raw.send(frame, { binary });
      // A valid hello right behind it must not rescue the connection.
      raw.send({ t: 'hello', v: 1, token: await token('ada') });
      const closed = await raw.closedWithin(3000);
      assert.equal(closed.code, 4401, `${name}: closed ${closed.code}`);
      assert.equal(raw.frames.filter((f) => f.t === 'welcome').length, 0, `${name}: no welcome`);
    }),
  );
});

test('auth: no hello within helloTimeoutMs closes 4401', async (t) => {
  const server = await startServer(t, { helloTimeoutMs: 300 });
  const started = Date.now();
  const raw = await RawClient.open(t, server.url);
  const closed = await raw.closedWithin(3000);
  const took = Date.now() - started;
  assert.equal(closed.code, 4401);
  assert.ok(took >= 250, `closed after ${took} ms, before the 300 ms allowed`);
  // A client that says hello in time stays connected past the timeout.
  const { raw: ok } = await RawClient.login(t, server.url, await token('ada'));
  await sleep(450);
  assert.equal(ok.isClosed, false, 'a logged-in socket outlives the hello timeout');
});

test('auth: connectStage rejects 2001 on a refused token and 2005 when nothing listens', async (t) => {
  const server = await startServer(t);
  const expired = await jwt({ sub: 'ada', room: 'r1', exp: Math.floor(Date.now() / 1000) - 60 });
  await assert.rejects(connectStage({ url: server.url, token: expired }), (e: unknown) => {
    assert.ok(e instanceof StageError, 'a StageError');
    assert.equal(e.code, '2001');
    return true;
  });
  await assert.rejects(connectStage({ url: server.url, token: 'garbage' }), { code: '2001' });
  const port = await freePort();
  await assert.rejects(
    connectStage({ url: `ws://127.0.0.1:${port}/stage`, token: await token('ada') }),
    (e: unknown) => {
      assert.ok(e instanceof StageError, 'a StageError');
      assert.equal(e.code, '2005');
      return true;
    },
  );
});

test("auth: a viewer's grant/deny/kick reject 2001 and change nothing", async (t) => {
  const server = await startServer(t);
  const host = await client(t, server.url, 'h', { preset: 'host' });
  const ada = await client(t, server.url, 'ada');
  const bob = await client(t, server.url, 'bob');
  const eve = await client(t, server.url, 'eve');
  const spk = await client(t, server.url, 'spk', { preset: 'speaker' });
  await ada.requestAccess();
  await host.grantAccess(['ada']);
  await eventually(() => assert.equal(ada.status, 'ACCEPTED_TO_JOIN_STAGE'));
  await ada.join();
  await bob.requestAccess();
  await eventually(() => assert.deepEqual(ids(current(host.onStage$)), ['ada']));
  await eventually(() => assert.deepEqual(ids(host.getAccessRequests().stageRequests), ['bob']));
  const before = {
    queue: host.getAccessRequests(),
    participants: current(host.participants$),
    onStage: current(host.onStage$),
  };
  const seen = [record(host), record(ada), record(bob), record(eve)];

  for (const actor of [eve, spk, bob]) {
    await assert.rejects(actor.grantAccess(['bob']), { code: '2001' }, `${actor.userId} grant`);
    await assert.rejects(actor.denyAccess(['bob']), { code: '2001' }, `${actor.userId} deny`);
    await assert.rejects(actor.kick(['ada']), { code: '2001' }, `${actor.userId} kick`);
    await assert.rejects(actor.grantAccess([actor.userId]), { code: '2001' });
  }
  // An audience member may not even request (NOT_ALLOWED).
  const aud = await client(t, server.url, 'aud', { preset: 'audience' });
  await assert.rejects(aud.requestAccess(), { code: '2001' });

  await sleep(150);
  assert.equal(ada.status, 'ON_STAGE');
  assert.equal(bob.status, 'REQUESTED_TO_JOIN_STAGE');
  assert.equal(aud.status, 'OFF_STAGE');
  assert.deepEqual(host.getAccessRequests(), before.queue);
  assert.deepEqual(current(host.participants$), before.participants);
  assert.deepEqual(current(host.onStage$), before.onStage);
  assert.deepEqual(seen, [[], [], [], []], 'nobody got an event');
});

test('auth: rooms are isolated (the same user ids in two rooms never see each other)', async (t) => {
  const server = await startServer(t);
  const hostA = await client(t, server.url, 'h', { preset: 'host', room: 'A' });
  const hostB = await client(t, server.url, 'h', { preset: 'host', room: 'B' });
  const adaA = await client(t, server.url, 'ada', { room: 'A' });
  const adaB = await client(t, server.url, 'ada', { room: 'B' });
  const seenB = [record(hostB), record(adaB)];

  await adaA.requestAccess();
  await eventually(() => assert.deepEqual(ids(hostA.getAccessRequests().stageRequests), ['ada']));
  await hostA.grantAccess(['ada']);
  await eventually(() => assert.equal(adaA.status, 'ACCEPTED_TO_JOIN_STAGE'));
  await adaA.join();
  await eventually(() => assert.deepEqual(ids(current(hostA.onStage$)), ['ada']));
  await sleep(100);

  assert.equal(adaB.status, 'OFF_STAGE');
  assert.deepEqual(hostB.getAccessRequests().stageRequests, []);
  assert.deepEqual(current(hostB.onStage$), []);
  assert.deepEqual(current(hostB.participants$), []);
  assert.deepEqual(current(adaB.onStage$), []);
  assert.deepEqual(seenB, [[], []], 'room B got no events');

  // Kicking "ada" in room B does nothing to room A's ada.
  const r = await hostB.kick(['ada']);
  assert.deepEqual(r.ok, []);
  assert.equal(r.failed[0]?.code, '2006');
  await sleep(50);
  assert.equal(adaA.status, 'ON_STAGE');
});

test('auth: more than maxConnectionsPerUser sockets for one user close 4403', async (t) => {
  const server = await startServer(t, { maxConnectionsPerUser: 2 });
  const tok = await token('ada');
  const first = await RawClient.login(t, server.url, tok);
  await RawClient.login(t, server.url, tok);
  const third = await RawClient.open(t, server.url);
  third.send({ t: 'hello', v: 1, token: tok });
  assert.equal((await third.closedWithin()).code, 4403);
  await assert.rejects(connectStage({ url: server.url, token: tok }), { code: '2001' });
  // Another user is not affected, and a slot frees when a socket closes.
  await RawClient.login(t, server.url, await token('bob'));
  first.raw.terminate();
  await eventually(async () => {
    const again = await RawClient.open(t, server.url);
    again.send({ t: 'hello', v: 1, token: tok });
    await again.waitFor((f) => f.t === 'welcome', 1000);
  });
});

test('auth: allowedOrigins refuses a wrong Origin with 4403', async (t) => {
  const server = await startServer(t, { allowedOrigins: ['https://stage.example'] });
  const evil = await RawClient.open(t, server.url, { origin: 'https://evil.example' });
  evil.send({ t: 'hello', v: 1, token: await token('ada') });
  const closed = await evil.closedWithin();
  assert.equal(closed.code, 4403);
  assert.equal(evil.frames.filter((f) => f.t === 'welcome').length, 0, 'no welcome');

  const good = await RawClient.open(t, server.url, { origin: 'https://stage.example' });
  good.send({ t: 'hello', v: 1, token: await token('ada') });
  await good.waitFor((f) => f.t === 'welcome');
});

test('auth: a frame over 64 KiB closes 1009 (before and after hello); 64 KiB exactly does not', async (t) => {
  const server = await startServer(t);
  const before = await RawClient.open(t, server.url);
  before.send('x'.repeat(64 * 1024 + 1));
  assert.equal((await before.closedWithin()).code, 1009);

  const { raw } = await RawClient.login(t, server.url, await token('ada'));
  const at = JSON.stringify({ t: 'sync', pad: 'x'.repeat(64 * 1024 - 21) });
  assert.equal(Buffer.byteLength(at), 64 * 1024);
  raw.send(at);
  await raw.waitFor((f) => f.t === 'snapshot');
  const over = JSON.stringify({ t: 'sync', pad: 'x'.repeat(64 * 1024 - 20) });
  raw.send(over);
  const closed = await raw.closedWithin();
  assert.equal(closed.code, 1009);

  // The server is still there.
  const again = await RawClient.login(t, server.url, await token('bob'));
  assert.equal(again.welcome['userId'], 'bob');
});
