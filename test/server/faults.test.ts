/**
 * Faults (issue 4 "Faults"; contract 3 "reconnectGraceMs", 6 "connectStage", 7): sockets killed
 * mid-command, reconnects within and after the grace, server shutdown, commands while
 * reconnecting and after dispose. Connections are broken at the TCP level with a proxy between
 * the client and the server, or by terminating raw `ws` sockets.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { connectStage, type ConnectionState, type StageController } from '../../src/index.js';
import {
  TcpProxy,
  RawClient,
  client,
  current,
  defer,
  eventually,
  ids,
  record,
  sleep,
  startServer,
  token,
} from './support.js';

/** Every value connection$ takes. */
function states(ctrl: StageController): ConnectionState[] {
  const seen: ConnectionState[] = [];
  ctrl.connection$.subscribe((s) => seen.push(s));
  return seen;
}

const queue = (host: StageController) =>
  host.getAccessRequests().stageRequests.map((r) => `${r.userId}#${r.position}`);

const fast = { maxRetryDelayMs: 200 } as const;

/**
 * A WebSocket relay to `target` that can end its clients' sockets with a close code of its
 * choosing, as a server does (1001 shutting down, 1013 store unreachable).
 */
async function relay(t: TestContext, target: string) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  const sockets = new Set<WebSocket>();
  let connections = 0;
  wss.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    const upstream = new WebSocket(target);
    const early: string[] = [];
    upstream.on('open', () => early.splice(0).forEach((m) => upstream.send(m)));
    upstream.on('message', (data) => socket.send(String(data)));
    upstream.on('close', () => socket.close());
    socket.on('message', (data) =>
      upstream.readyState === WebSocket.OPEN
        ? upstream.send(String(data))
        : early.push(String(data)),
    );
    socket.on('close', () => {
      sockets.delete(socket);
      upstream.close();
    });
  });
  defer(t, () => new Promise<void>((resolve) => wss.close(() => resolve())));
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}${new URL(target).pathname}`,
    connections: () => connections,
    closeAll: (code: number) => sockets.forEach((s) => s.close(code, 'closed by the test')),
  };
}

test('faults: a command whose answer is lost is applied once, and the client learns it after resuming', async (t) => {
  const server = await startServer(t);
  const proxy = await TcpProxy.start(t, server.port);
  const host = await client(t, server.url, 'h', { preset: 'host' });
  const ada = await client(t, proxy.url, 'ada', fast);
  const hostSeen = record(host);
  const adaSeen = record(ada);
  const conn = states(ada);

  proxy.blackhole = 'toClient'; // the server gets the command; its answer is lost
  const pending = ada.requestAccess();
  await eventually(() => assert.deepEqual(queue(host), ['ada#1'])); // applied on the server
  assert.equal(ada.status, 'OFF_STAGE', 'no optimistic change');
  proxy.drop();
  proxy.blackhole = 'none';

  await pending; // re-sent with the same id after resuming: answered from memory, not 2006
  assert.equal(ada.status, 'REQUESTED_TO_JOIN_STAGE');
  assert.equal(current(ada.position$), 1);
  assert.deepEqual(conn, ['connected', 'reconnecting', 'connected']);
  await sleep(100);
  assert.deepEqual(queue(host), ['ada#1']);
  assert.equal(hostSeen.filter((s) => s.startsWith('newStageRequest')).length, 1, 'applied once');
  assert.deepEqual(adaSeen, ['stageStatusUpdate "REQUESTED_TO_JOIN_STAGE"']);
});

test('faults: a bulk command whose answer is lost resolves with its original result after resuming', async (t) => {
  const server = await startServer(t);
  const proxy = await TcpProxy.start(t, server.port);
  const host = await client(t, proxy.url, 'h', { preset: 'host', ...fast });
  const ada = await client(t, server.url, 'ada');
  const adaSeen = record(ada);
  await ada.requestAccess();
  await eventually(() => assert.deepEqual(queue(host), ['ada#1']));

  proxy.blackhole = 'toClient';
  const pending = host.grantAccess(['ada']);
  await eventually(() => assert.equal(ada.status, 'ACCEPTED_TO_JOIN_STAGE'));
  proxy.drop();
  proxy.blackhole = 'none';
  // Re-applying it would give { ok: [], failed: [ada 2006] }.
  assert.deepEqual(await pending, { ok: ['ada'], failed: [] });
  await eventually(() => assert.deepEqual(queue(host), []));
  assert.equal(adaSeen.filter((s) => s.startsWith('stageRequestApproved')).length, 1);
});

test('faults: a command lost on the way is applied once after resuming', async (t) => {
  const server = await startServer(t);
  const proxy = await TcpProxy.start(t, server.port);
  const host = await client(t, server.url, 'h', { preset: 'host' });
  const ada = await client(t, proxy.url, 'ada', fast);
  const hostSeen = record(host);

  proxy.blackhole = 'toServer'; // the command never reaches the server
  const pending = ada.requestAccess();
  await sleep(150);
  assert.deepEqual(queue(host), [], 'not applied yet');
  proxy.drop();
  proxy.blackhole = 'none';
  await pending;
  assert.equal(ada.status, 'REQUESTED_TO_JOIN_STAGE');
  await eventually(() => assert.deepEqual(queue(host), ['ada#1']));
  await sleep(50);
  assert.equal(hostSeen.filter((s) => s.startsWith('newStageRequest')).length, 1, 'applied once');
});

test('faults: a raw socket terminated right after a cmd; re-sent with the same id after reconnecting, it is applied once', async (t) => {
  const server = await startServer(t);
  const host = await client(t, server.url, 'h', { preset: 'host' });
  const hostSeen = record(host);
  const tok = await token('ada');

  const first = await RawClient.login(t, server.url, tok);
  first.raw.send({ t: 'cmd', id: 'c1', cmd: 'requestAccess' });
  first.raw.terminate();
  await first.raw.closed;

  const { raw, welcome } = await RawClient.login(t, server.url, tok);
  // The client learns from its welcome whether it was applied...
  const status = (welcome['snapshot'] as { self: { status: string } }).self.status;
  assert.ok(
    status === 'OFF_STAGE' || status === 'REQUESTED_TO_JOIN_STAGE',
    `status after resuming: ${status}`,
  );
  // ...and re-sending the same id settles it: applied now, or answered from memory.
  raw.send({ t: 'cmd', id: 'c1', cmd: 'requestAccess' });
  const answer = await raw.waitFor((f) => f.t === 'result' && f.id === 'c1');
  assert.deepEqual(answer, { t: 'result', id: 'c1', ok: true });
  raw.send({ t: 'cmd', id: 'c1', cmd: 'requestAccess' });
  await raw.waitCount((f) => f.t === 'result' && f.id === 'c1', 2);
  assert.deepEqual(raw.frames.filter((f) => f.t === 'result' && f.id === 'c1').at(-1), answer);
  // A new id is a new command: now it is refused, so the room holds exactly one request.
  raw.send({ t: 'cmd', id: 'c2', cmd: 'requestAccess' });
  const second = await raw.waitFor((f) => f.t === 'result' && f.id === 'c2');
  assert.equal(second['ok'], false);
  assert.equal(second['code'], '2006');
  await eventually(() => assert.deepEqual(queue(host), ['ada#1']));
  await sleep(50);
  assert.equal(hostSeen.filter((s) => s.startsWith('newStageRequest')).length, 1, 'applied once');
});

test('faults: a raw socket terminated after the server applied its cmd gets the same answer on re-send', async (t) => {
  const server = await startServer(t);
  const host = await client(t, server.url, 'h', { preset: 'host' });
  const ada = await client(t, server.url, 'ada');
  await ada.requestAccess();
  const tok = await token('h', { preset: 'host' });

  const first = await RawClient.login(t, server.url, tok);
  first.raw.send({ t: 'cmd', id: 'g1', cmd: 'grantAccess', userIds: ['ada'] });
  await eventually(() => assert.equal(ada.status, 'ACCEPTED_TO_JOIN_STAGE'));
  first.raw.terminate();

  const { raw } = await RawClient.login(t, server.url, tok);
  raw.send({ t: 'cmd', id: 'g1', cmd: 'grantAccess', userIds: ['ada'] });
  const answer = await raw.waitFor((f) => f.t === 'result' && f.id === 'g1');
  assert.deepEqual(answer, {
    t: 'result',
    id: 'g1',
    ok: true,
    result: { ok: ['ada'], failed: [] },
  });
  assert.deepEqual(queue(host), []);
});

test('faults: a reconnect within the grace keeps status and queue place', async (t) => {
  const server = await startServer(t, { reconnectGraceMs: 2000 });
  const proxy = await TcpProxy.start(t, server.port);
  const host = await client(t, server.url, 'h', { preset: 'host' });
  const ada = await client(t, proxy.url, 'ada', fast);
  const bob = await client(t, server.url, 'bob');
  const cat = await client(t, server.url, 'cat');
  for (const c of [ada, bob, cat]) await c.requestAccess();
  await eventually(() => assert.deepEqual(queue(host), ['ada#1', 'bob#2', 'cat#3']));
  const requests = host.getAccessRequests().stageRequests;
  const conn = states(ada);

  // The network drops and stays down for a while (under the grace).
  proxy.refuse = true;
  proxy.drop();
  await eventually(() => assert.equal(current(ada.connection$), 'reconnecting'));
  await sleep(600);
  assert.deepEqual(queue(host), ['ada#1', 'bob#2', 'cat#3'], 'the place is kept during the grace');
  proxy.refuse = false;
  await eventually(() => assert.equal(current(ada.connection$), 'connected'));
  assert.deepEqual(conn, ['connected', 'reconnecting', 'connected']);
  assert.equal(ada.status, 'REQUESTED_TO_JOIN_STAGE');
  assert.equal(current(ada.position$), 1);
  assert.deepEqual(
    host.getAccessRequests().stageRequests,
    requests,
    'same place, same requestedAt',
  );

  // A closed tab that comes back (a new controller with the same token) resumes too.
  bob.dispose();
  await sleep(300);
  const bob2 = await client(t, server.url, 'bob');
  assert.equal(bob2.status, 'REQUESTED_TO_JOIN_STAGE');
  assert.equal(current(bob2.position$), 2);
  assert.deepEqual(host.getAccessRequests().stageRequests, requests);

  // And the host can still act on them.
  assert.deepEqual(await host.grantAccess(['ada', 'bob']), { ok: ['ada', 'bob'], failed: [] });
});

test('faults: after the grace the user is removed (queue, stage; granting it fails 2009)', async (t) => {
  const server = await startServer(t, { reconnectGraceMs: 200 });
  const host = await client(t, server.url, 'h', { preset: 'host' });
  const ada = await client(t, server.url, 'ada');
  const bob = await client(t, server.url, 'bob');
  const cat = await client(t, server.url, 'cat');
  const dan = await client(t, server.url, 'dan');
  await ada.requestAccess();
  await bob.requestAccess();
  await host.grantAccess(['cat', 'dan']);
  await eventually(() => assert.equal(cat.status, 'ACCEPTED_TO_JOIN_STAGE'));
  await cat.join();
  await eventually(() => {
    assert.deepEqual(queue(host), ['ada#1', 'bob#2']);
    assert.deepEqual(ids(current(host.onStage$)), ['cat']);
  });
  const hostSeen = record(host);

  ada.dispose();
  cat.dispose();
  dan.dispose();
  await sleep(50);
  assert.deepEqual(queue(host), ['ada#1', 'bob#2'], 'kept while the grace runs');

  await eventually(() => {
    assert.deepEqual(queue(host), ['bob#1']);
    assert.deepEqual(current(host.onStage$), []);
    assert.deepEqual(
      current(host.participants$).map((p) => p.userId),
      ['bob'],
    );
    assert.equal(current(bob.position$), 1);
  }, 3000);
  // An ACCEPTED user whose grace passes counts as a decline (9.9).
  assert.ok(hostSeen.includes('stageAccessDeclined {"userId":"dan"}'), hostSeen.join('\n'));
  for (const gone of ['ada', 'cat', 'dan']) {
    const r = await host.grantAccess([gone]);
    assert.deepEqual(r.ok, [], `${gone} is unknown now`);
    assert.equal(r.failed[0]?.code, '2009', `${gone}: ${JSON.stringify(r.failed)}`);
  }
  // Coming back later starts from OFF_STAGE at the end of the queue.
  const ada2 = await client(t, server.url, 'ada');
  assert.equal(ada2.status, 'OFF_STAGE');
  await ada2.requestAccess();
  assert.equal(current(ada2.position$), 2);
});

test('faults: server.close() closes sockets with 1001 and connectStage clients go reconnecting', async (t) => {
  const server = await startServer(t);
  const { raw } = await RawClient.login(t, server.url, await token('watcher'));
  const host = await client(t, server.url, 'h', { preset: 'host', ...fast });
  const ada = await client(t, server.url, 'ada', { ...fast, commandTimeoutMs: 400 });
  const hostConn = states(host);
  const adaConn = states(ada);

  const started = Date.now();
  await server.close();
  assert.ok(Date.now() - started < 2500, `close took ${Date.now() - started} ms`);
  assert.equal((await raw.closedWithin()).code, 1001);
  await eventually(() => {
    assert.deepEqual(hostConn.slice(0, 2), ['connected', 'reconnecting']);
    assert.deepEqual(adaConn.slice(0, 2), ['connected', 'reconnecting']);
  });

  // A command while reconnecting waits, then rejects 2010 when no server comes back.
  const t0 = Date.now();
  await assert.rejects(ada.requestAccess(), { code: '2010' });
  const waited = Date.now() - t0;
  assert.ok(waited >= 350, `rejected after ${waited} ms, before commandTimeoutMs`);
  assert.equal(ada.status, 'OFF_STAGE');
  assert.notEqual(current(ada.connection$), 'connected');
});

for (const [code, why] of [
  [1001, 'shutting down'],
  [1013, 'store unreachable'],
] as const) {
  test(`faults: a socket closed with ${code} (${why}) reconnects to the next address`, async (t) => {
    const [a, b] = [await startServer(t), await startServer(t)];
    const first = await relay(t, a.url);
    const ada = await client(t, [first.url, b.url], 'ada', fast);
    const conn = states(ada);
    first.closeAll(code);
    await eventually(() => assert.deepEqual(conn, ['connected', 'reconnecting', 'connected']));
    assert.equal(first.connections(), 1, 'not back to the address that said to go');
    await ada.requestAccess(); // served by the next server
    assert.equal(ada.status, 'REQUESTED_TO_JOIN_STAGE');
  });
}

test('faults: a command issued while reconnecting is sent once the connection is back', async (t) => {
  const server = await startServer(t);
  const proxy = await TcpProxy.start(t, server.port);
  const host = await client(t, server.url, 'h', { preset: 'host' });
  const ada = await client(t, proxy.url, 'ada', fast);
  proxy.refuse = true;
  proxy.drop();
  await eventually(() => assert.equal(current(ada.connection$), 'reconnecting'));
  const pending = ada.requestAccess();
  await sleep(300);
  assert.deepEqual(queue(host), [], 'nothing sent while offline');
  proxy.refuse = false;
  await pending;
  assert.equal(ada.status, 'REQUESTED_TO_JOIN_STAGE');
  await eventually(() => assert.deepEqual(queue(host), ['ada#1']));
});

test('faults: commands after dispose, or after the token is refused on reconnect, reject 2005', async (t) => {
  const server = await startServer(t);
  const ada = await client(t, server.url, 'ada');
  ada.dispose();
  await assert.rejects(ada.requestAccess(), { code: '2005' });
  await assert.rejects(ada.grantAccess(['x']), { code: '2005' });

  const proxy = await TcpProxy.start(t, server.port);
  const good = await token('bob');
  const expired = await token('bob', { expiresIn: Math.floor(Date.now() / 1000) - 60 });
  let calls = 0;
  const bob = await connectStage({
    url: proxy.url,
    token: () => (++calls === 1 ? good : expired),
    ...fast,
  });
  defer(t, () => bob.dispose());
  proxy.drop();
  await eventually(() => assert.equal(current(bob.connection$), 'disconnected'));
  assert.ok(calls >= 2, 'the token function is called on reconnect');
  await assert.rejects(bob.requestAccess(), { code: '2005' });
});
