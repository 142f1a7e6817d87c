// The Angular demo (demo/angular, an Angular standalone app with its own package.json) end to
// end: its built files served as a static site, a host and a viewer in Chromium against the
// real stage server. Besides the elements, the app renders its own view of the observables
// (through the async pipe) and shows the rtk-stage-error events the elements fire.
// The first run installs demo/angular's dependencies and builds it (scripts/build-demos.mjs);
// later runs rebuild only when demo/angular, src/ or components/ changed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createStageServer } from '../../src/server/index.js';
import {
  ensureDemo,
  launchBrowser,
  newSession,
  startStack,
  uniqueRoom,
  walkFlow,
  type FlowStep,
  type Stack,
} from './support.js';

let stack: Stack;
let browser: Browser;
/** Where the static server serves demo/angular/dist. */
let app: string;

before(async () => {
  await ensureDemo('angular');
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  app = await stack.serve('demo/angular/dist');
});

after(async () => {
  await browser?.close();
  await stack?.close();
});

/** The part of the page Angular renders itself from the observables. */
const angularView = (page: Page) => page.getByRole('region', { name: "Angular's view" });
const angularSays = (page: Page, text: string) =>
  angularView(page).getByText(text, { exact: true }).waitFor();
const angularNoLonger = (page: Page, text: string) =>
  angularView(page).getByText(text, { exact: true }).waitFor({ state: 'hidden' });
/** The names in Angular's own on-stage list (from onStage$). */
const angularOnStage = (page: Page) =>
  angularView(page).getByRole('list', { name: 'Angular: on stage' }).getByRole('listitem');

const hostSees: Partial<Record<FlowStep, string[]>> = {
  connected: ['Connection: connected', 'Status: off stage', 'Requests waiting: 0'],
  requested: ['Requests waiting: 1'],
  approved: ['Requests waiting: 0'],
  'requested again': ['Requests waiting: 1'],
  denied: ['Requests waiting: 0'],
};
const viewerSees: Partial<Record<FlowStep, string[]>> = {
  connected: ['Connection: connected', 'Status: off stage'],
  requested: ['Status: requested to join', 'Place in line: #1'],
  approved: ['Status: accepted, not joined yet'],
  joined: ['Status: on stage'],
  removed: ['Status: off stage'],
  'requested again': ['Place in line: #1'],
  denied: ['Status: off stage'],
};

test('Angular app: request, approve, join, remove, deny between a host and a viewer', async () => {
  const session = newSession(browser);
  try {
    const room = uniqueRoom('angular');
    // No url or token in the address: the app reads /demo/config.json and asks the stage
    // server's dev token endpoint, as under `npm start`.
    const open = (preset: 'host' | 'viewer', name: string) =>
      session.open(`${app}/index.html?${new URLSearchParams({ room, preset, name })}`);
    const pages = await walkFlow({
      openHost: () => open('host', 'Hana'),
      openViewer: () => open('viewer', 'Ada'),
      errors: session.errors,
      async check(step, { host, viewer }) {
        await Promise.all([
          ...(hostSees[step] ?? []).map((text) => angularSays(host, text)),
          ...(viewerSees[step] ?? []).map((text) => angularSays(viewer, text)),
        ]);
        if (step === 'approved' || step === 'denied') {
          await angularNoLonger(viewer, 'Place in line: #1');
        }
        if (step === 'joined') {
          for (const page of [host, viewer]) {
            await angularOnStage(page).filter({ hasText: 'Ada' }).waitFor();
          }
        }
        if (step === 'removed') {
          for (const page of [host, viewer]) {
            await angularOnStage(page).filter({ hasText: 'Nobody' }).waitFor();
            assert.equal(await angularOnStage(page).filter({ hasText: 'Ada' }).count(), 0);
          }
        }
      },
    });
    // The elements' alert regions stayed empty: no command failed.
    for (const page of [pages.host, pages.viewer]) {
      assert.equal(await page.getByRole('alert').filter({ hasText: /\S/ }).count(), 0);
    }
  } finally {
    await session.close();
  }
});

test('Angular app: shows the rtk-stage-error an element fires', async () => {
  // A stage with one seat, connected to with ?url=&token=: the host takes the seat, so the
  // server refuses the host's approval of the viewer, and the queue fires rtk-stage-error.
  const server = await createStageServer({
    dev: true,
    port: 0,
    host: '127.0.0.1',
    logLevel: 'silent',
    maxOnStage: 1,
  });
  const session = newSession(browser);
  try {
    const room = uniqueRoom('angular-full');
    const open = async (user: string, preset: 'host' | 'viewer', name: string) => {
      const token = await stack.tokenFor(user, preset, name, room);
      const query = new URLSearchParams({ url: server.url, token, room, preset, name });
      return session.open(`${app}/index.html?${query}`);
    };
    const [host, viewer] = await Promise.all([
      open('hana', 'host', 'Hana'),
      open('ada', 'viewer', 'Ada'),
    ]);
    await host.getByRole('button', { name: 'Join stage', exact: true }).click();
    await angularSays(host, 'Status: on stage');
    await viewer.getByRole('button', { name: 'Request to join stage', exact: true }).click();
    const queue = host.getByRole('list', { name: 'Requests to join the stage', exact: true });
    await queue.getByRole('button', { name: 'Approve Ada', exact: true }).click();

    const caught = host.getByRole('alert').filter({ hasText: 'Angular caught rtk-stage-error:' });
    await caught.waitFor();
    assert.match(
      (await caught.textContent()) ?? '',
      /Could not grant stage access for Ada: all 1 stage seats are taken/,
    );
    // The request is still there, and Angular's count says so.
    await angularSays(host, 'Requests waiting: 1');
    await angularSays(viewer, 'Place in line: #1');
  } finally {
    await session.close();
    await server.close();
  }
});

test('Angular app: says so when the stage server refuses its token', async () => {
  const session = newSession(browser);
  try {
    const query = new URLSearchParams({ url: stack.stageUrl, token: 'not-a-token', name: 'Ada' });
    const page = await session.open(`${app}/index.html?${query}`);
    const alert = page.getByRole('alert').filter({ hasText: 'Could not connect to the stage:' });
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /token/i);
    assert.equal(await angularView(page).count(), 0);
  } finally {
    await session.close();
  }
});
