import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectStage } from '../../src/index.js';
import { createStageServer, signToken } from '../../src/server/index.js';

const secret = 'test-secret-0123456789';
test('smoke', async () => {
  const server = await createStageServer({ port: 0, secret, logLevel: 'silent' });
  const tok = (sub: string, preset: string) =>
    signToken({ sub, room: 'r1', name: sub.toUpperCase(), preset: preset as 'host' }, secret);
  const host = await connectStage({ url: server.url, token: await tok('h', 'host') });
  const ada = await connectStage({ url: server.url, token: await tok('ada', 'viewer') });
  const seen: string[] = [];
  host.on('*', (n, p) => seen.push(`host ${n} ${JSON.stringify(p)}`));
  ada.on('*', (n, p) => seen.push(`ada ${n} ${JSON.stringify(p)}`));
  await ada.requestAccess();
  assert.equal(ada.status, 'REQUESTED_TO_JOIN_STAGE');
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(
    host.getAccessRequests().stageRequests.map((r) => r.userId),
    ['ada'],
  );
  const res = await host.grantAccess(['ada', 'zz']);
  assert.deepEqual(res.ok, ['ada']);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(ada.status, 'ACCEPTED_TO_JOIN_STAGE');
  await ada.join();
  await new Promise((r) => setTimeout(r, 50));
  let onStage: string[] = [];
  host.onStage$.subscribe((l) => (onStage = l.map((p) => p.userId)));
  assert.deepEqual(onStage, ['ada']);
  await assert.rejects(ada.grantAccess(['h']), { code: '2001' });
  console.log(seen.join('\n'));
  host.dispose();
  ada.dispose();
  await server.close();
});
