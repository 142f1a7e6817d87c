// demo/observables.html end to end: no elements, only a connectStage() controller's observables
// rendered by hand; a host and a viewer in Chromium against the real stage server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
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
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await stack?.close();
});

test('observables.html: request, approve, join, remove, deny with no element at all', () =>
  withSession(browser, async (session) => {
    const room = uniqueRoom('observables');
    const open = (preset: 'host' | 'viewer', name: string) =>
      session.open(stack.url('/demo/observables.html', { room, preset, name }));
    const events = (page: Page) => page.getByRole('log', { name: 'Events' }).getByRole('listitem');
    const { host, viewer } = await walkFlow({
      openHost: () => open('host', 'Hana'),
      openViewer: () => open('viewer', 'Ada'),
      async check(step, { host }) {
        // The host's count comes from requests$.
        if (step === 'requested') await host.getByText('(1 waiting)', { exact: true }).waitFor();
        if (step === 'approved') await host.getByText('(0 waiting)', { exact: true }).waitFor();
      },
    });
    // No custom element was ever defined on either page.
    for (const page of [host, viewer]) {
      assert.equal(
        await page.evaluate(() =>
          [...document.querySelectorAll('*')].some((el) => customElements.get(el.localName)),
        ),
        false,
      );
    }
    // events$ as the viewer saw it, newest first.
    const seen = (await events(viewer).allTextContents()).map((line) => line.split(' ')[0]);
    assert.deepEqual(
      seen.filter((type) => type !== 'stageStatusUpdate'),
      ['stageRequestRejected', 'removedFromStage', 'stageRequestApproved'],
    );
    const hostSaw = await events(host).allTextContents();
    assert.ok(hostSaw.some((line) => line.startsWith('newStageRequest')));
  }));
