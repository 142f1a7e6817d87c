// The Vue demo (demo/vue, built with Vite) end to end: a host and a viewer in Chromium against
// the real stage server. Besides the elements, the app writes its own status line from status$.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  ensureDemo,
  launchBrowser,
  startStack,
  uniqueRoom,
  walkFlow,
  withSession,
  type FlowStep,
  type Stack,
} from './support.js';

let stack: Stack;
let browser: Browser;

before(async () => {
  await ensureDemo('vue');
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await stack?.close();
});

/** The app's own status line (from status$, not from an element). */
const vueSees = (page: Page, text: string) =>
  page
    .getByRole('status')
    .filter({ hasText: `Vue sees: ${text}` })
    .waitFor();

const expected: Partial<Record<FlowStep, [host: string, viewer: string]>> = {
  connected: ['off stage (OFF_STAGE), 0 waiting', 'off stage (OFF_STAGE)'],
  requested: ['off stage (OFF_STAGE), 1 waiting', 'waiting for approval (REQUESTED_TO_JOIN_STAGE)'],
  approved: ['off stage (OFF_STAGE), 0 waiting', 'approved, not on stage yet'],
  joined: ['off stage (OFF_STAGE), 0 waiting', 'on stage (ON_STAGE)'],
  removed: ['off stage (OFF_STAGE), 0 waiting', 'off stage (OFF_STAGE)'],
  denied: ['off stage (OFF_STAGE), 0 waiting', 'off stage (OFF_STAGE)'],
};

test('Vue app: request, approve, join, remove, deny between a host and a viewer', () =>
  withSession(browser, async (session) => {
    const room = uniqueRoom('vue');
    const open = (preset: 'host' | 'viewer', name: string) =>
      session.open(stack.url('/demo/vue/dist/index.html', { room, preset, name }));
    const { host, viewer } = await walkFlow({
      openHost: () => open('host', 'Hana'),
      openViewer: () => open('viewer', 'Ada'),
      async check(step, { host, viewer }) {
        const [forHost, forViewer] = expected[step] ?? [];
        if (forHost) await vueSees(host, forHost);
        if (forViewer) await vueSees(viewer, forViewer);
      },
    });
    for (const page of [host, viewer]) {
      assert.equal(await page.locator('p.vue-error').textContent(), '');
    }
  }));

test('Vue app: shows what an element reports with rtk-stage-error (a full stage)', async () => {
  // One seat: once the host is on stage, approving the viewer fails with 2007, which the
  // queue element reports with rtk-stage-error and the app shows in its own alert line.
  const small = await startStack({ maxOnStage: 1 });
  try {
    await withSession(browser, async (session) => {
      const room = uniqueRoom('vue-full');
      const open = (preset: 'host' | 'viewer', name: string) =>
        session.open(small.url('/demo/vue/dist/index.html', { room, preset, name }));
      const [host, viewer] = await Promise.all([open('host', 'Hana'), open('viewer', 'Ada')]);
      await host.getByRole('button', { name: 'Join stage', exact: true }).click();
      await vueSees(host, 'on stage (ON_STAGE)');
      await viewer.getByRole('button', { name: 'Request to join stage', exact: true }).click();
      const queue = host.getByRole('list', { name: 'Requests to join the stage', exact: true });
      await queue.getByRole('button', { name: 'Approve Ada', exact: true }).click();
      const appAlert = host.locator('p.vue-error[role="alert"]');
      await appAlert.filter({ hasText: 'all 1 stage seats are taken' }).waitFor();
      await vueSees(viewer, 'waiting for approval');
    });
  } finally {
    await small.close();
  }
});

test('Vue app: says so when the server refuses its token', () =>
  withSession(browser, async (session) => {
    const address = new URL(stack.url('/demo/vue/dist/index.html', { room: uniqueRoom('vue') }));
    address.searchParams.set('url', stack.stageUrl);
    address.searchParams.set('token', 'not-a-token');
    const page = await session.open(address.href);
    await page.getByRole('alert').filter({ hasText: 'token' }).waitFor();
    await page.getByText('Not connected to a stage').first().waitFor();
  }));
