// demo/plain.html end to end: markup and the drop-in only, served as `npm start` serves it,
// two participants (a host and a viewer) in Chromium against the real stage server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import {
  ensureDropIn,
  launchBrowser,
  startStack,
  uniqueRoom,
  walkFlow,
  withSession,
  type Stack,
} from './support.js';

let stack: Stack;
let browser: Browser;

before(async () => {
  await ensureDropIn();
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await stack?.close();
});

test('plain.html: request, approve, join, remove, deny between a host and a viewer', () =>
  withSession(browser, async (session) => {
    const room = uniqueRoom('plain');
    const scripts: string[] = [];
    const { viewer } = await walkFlow({
      openHost: () =>
        session.open(stack.url('/demo/plain.html', { room, preset: 'host', name: 'Hana' })),
      openViewer: () =>
        session.open(
          stack.url('/demo/plain.html', { room, preset: 'viewer', name: 'Ada' }),
          (page) =>
            void page.on('request', (request) => {
              if (request.resourceType() === 'script')
                scripts.push(new URL(request.url()).pathname);
            }),
        ),
    });
    // The page is markup and the drop-in: no other script is loaded, and the provider connected
    // by itself with the url and token the dev server filled in.
    assert.deepEqual(scripts, ['/dist/rtk-stage.min.js']);
    const provider = viewer.locator('rtk-stage-provider');
    assert.equal(await provider.getAttribute('url'), stack.stageUrl);
    assert.equal(await provider.getAttribute('connection'), 'connected');
  }));
