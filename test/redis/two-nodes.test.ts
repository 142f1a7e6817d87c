import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { firstValueFrom } from 'rxjs';
import { connectStage, type StageController } from '../../src/index.js';
import { createStageServer, signToken, type StageServer } from '../../src/server/index.js';
import { RedisProcess } from './support.js';

const secret = 'redis-test-secret-0123456789';
let redis: RedisProcess;
before(async () => {
  redis = await RedisProcess.start();
});
after(async () => {
  await redis.close();
});

async function nodes(n: number, options = {}): Promise<StageServer[]> {
  const out: StageServer[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      await createStageServer({
        port: 0,
        secret,
        logLevel: 'silent',
        redisUrl: redis.url,
        ...options,
      }),
    );
  }
  return out;
}

const token = (sub: string, room: string, preset: 'host' | 'viewer' | 'speaker' = 'viewer') =>
  signToken({ sub, room, name: sub.toUpperCase(), preset }, secret);

async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('a host on node A approves a viewer on node B', async () => {
  const [a, b] = await nodes(2);
  const clients: StageController[] = [];
  try {
    const host = await connectStage({ url: a!.url, token: await token('h', 'r1', 'host') });
    const ada = await connectStage({ url: b!.url, token: await token('ada', 'r1') });
    clients.push(host, ada);
    await ada.requestAccess();
    await until(() => host.getAccessRequests().stageRequests.length === 1, 'the request on A');
    assert.equal(host.getAccessRequests().stageRequests[0]!.userId, 'ada');
    assert.deepEqual((await host.grantAccess(['ada'])).ok, ['ada']);
    await until(() => ada.status === 'ACCEPTED_TO_JOIN_STAGE', 'the approval on B');
    await ada.join();
    await until(() => host.status !== undefined, '');
    const onStage = async () => (await firstValueFrom(host.onStage$)).map((p) => p.userId);
    await until(() => ada.status === 'ON_STAGE', 'ada on stage');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(await onStage(), ['ada']);
  } finally {
    for (const c of clients) c.dispose();
    await a!.close();
    await b!.close();
  }
});

test('hosts on both nodes grant the same request at once: exactly one succeeds', async () => {
  const [a, b] = await nodes(2);
  const clients: StageController[] = [];
  try {
    const h1 = await connectStage({ url: a!.url, token: await token('h1', 'r2', 'host') });
    const h2 = await connectStage({ url: b!.url, token: await token('h2', 'r2', 'host') });
    const bo = await connectStage({ url: b!.url, token: await token('bo', 'r2') });
    clients.push(h1, h2, bo);
    await bo.requestAccess();
    await until(() => h1.getAccessRequests().stageRequests.length === 1, 'request on A');
    const [r1, r2] = await Promise.all([h1.grantAccess(['bo']), h2.grantAccess(['bo'])]);
    assert.equal(r1.ok.length + r2.ok.length, 1);
    assert.deepEqual(
      [...r1.failed, ...r2.failed].map((f) => f.code),
      ['2006'],
    );
    await until(() => bo.status === 'ACCEPTED_TO_JOIN_STAGE', 'bo accepted');
  } finally {
    for (const c of clients) c.dispose();
    await a!.close();
    await b!.close();
  }
});
