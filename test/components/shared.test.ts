import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { defer, finalize, type Observable } from 'rxjs';
import { RtkStageControls } from '../../components/stage-controls/stage-controls.js';
import '../../components/stage-status/stage-status.js';
import type { RtkStageStatus } from '../../components/stage-status/stage-status.js';
import { define } from '../../components/shared/stage-element.js';
import type { StageController } from '../../src/index.js';
import { button, queryAllByRole, stageRoom } from './support.js';

type Watched = 'status$' | 'position$' | 'permissions$';

/**
 * Wraps a real controller's observables so that the number of live subscriptions to each can
 * be read at any time: +1 on subscribe, -1 when the subscription ends.
 */
function countSubscribers(stage: StageController, names: Watched[]) {
  const live: Record<string, number> = {};
  for (const name of names) {
    const real = stage[name] as Observable<unknown>;
    live[name] = 0;
    const counted = defer(() => {
      live[name]! += 1;
      return real.pipe(finalize(() => (live[name]! -= 1)));
    });
    Object.defineProperty(stage, name, { value: counted, configurable: true });
  }
  return live;
}

describe('rtk-stage elements (shared behaviour)', () => {
  it('keep exactly one subscription per observable while moved around the DOM', async () => {
    const { room, ada } = stageRoom();
    const live = countSubscribers(ada, ['status$', 'position$', 'permissions$']);
    const home = await fixture(html`<div><section aria-label="Elsewhere"></section></div>`);
    const elsewhere = home.querySelector('section')!;
    const el = document.createElement('rtk-stage-controls');
    el.stage = ada;
    const counts = () => Object.values(live);

    home.append(el);
    await el.updateComplete;
    expect(counts()).to.deep.equal([1, 1, 1]);

    for (let i = 0; i < 5; i++) {
      el.remove();
      expect(counts()).to.deep.equal([0, 0, 0]);
      (i % 2 ? home : elsewhere).append(el);
      expect(counts()).to.deep.equal([1, 1, 1]);
      await el.updateComplete;
    }
    // A move within one task (detach then attach) as well.
    elsewhere.append(el);
    home.append(el);
    await el.updateComplete;
    expect(counts()).to.deep.equal([1, 1, 1]);

    // Still live and working after all that.
    (await button(el, 'Request to join stage')).click();
    await button(el, 'Cancel request');
    expect(counts()).to.deep.equal([1, 1, 1]);

    el.remove();
    expect(counts()).to.deep.equal([0, 0, 0]);
    room.close();
  });

  it('drop the old stage’s subscriptions when given another stage', async () => {
    const { room, ada, bo } = stageRoom();
    const adaLive = countSubscribers(ada, ['status$', 'position$']);
    const boLive = countSubscribers(bo, ['status$', 'position$']);
    const el = await fixture<RtkStageStatus>(
      html`<rtk-stage-status .stage=${ada}></rtk-stage-status>`,
    );
    expect(Object.values(adaLive)).to.deep.equal([1, 1]);
    el.stage = bo;
    await el.updateComplete;
    expect(Object.values(adaLive)).to.deep.equal([0, 0]);
    expect(Object.values(boLive)).to.deep.equal([1, 1]);
    room.close();
  });

  it('show the current state when re-attached after it changed while detached', async () => {
    const { room, ada } = stageRoom();
    const el = await fixture<RtkStageStatus>(
      html`<rtk-stage-status .stage=${ada}></rtk-stage-status>`,
    );
    const parent = el.parentElement!;
    el.remove();
    await ada.requestAccess();
    parent.append(el);
    await waitUntil(
      () => queryAllByRole(el, 'status')[0]?.textContent?.includes('#1 in line'),
      'the re-attached element still shows the status it had before it was detached',
      { timeout: 500 },
    );
    room.close();
  });

  it('register safely more than once, even when a second copy of the code is loaded', async () => {
    const first = await import('../../components/index.js');
    // A second copy of every module (as two bundles on one page would bring): fresh classes
    // whose registration must not throw, and the first registration stays.
    const copies: Record<string, unknown>[] = [];
    for (const path of [
      'index',
      'stage-provider/stage-provider',
      'stage-controls/stage-controls',
      'stage-queue/stage-queue',
      'stage-list/stage-list',
      'stage-status/stage-status',
      'stage-notifications/stage-notifications',
    ]) {
      const url = new URL(`../../components/${path}.ts?copy=2`, import.meta.url).href;
      copies.push((await import(url)) as Record<string, unknown>);
    }
    expect(copies[2]!.RtkStageControls).to.be.a('function').and.not.equal(RtkStageControls);
    expect(() => define('rtk-stage-controls', RtkStageControls)).not.to.throw();
    expect(() => define('rtk-stage-controls', class extends RtkStageControls {})).not.to.throw();
    for (const [tag, cls] of [
      ['rtk-stage-provider', first.RtkStageProvider],
      ['rtk-stage-controls', first.RtkStageControls],
      ['rtk-stage-queue', first.RtkStageQueue],
      ['rtk-stage-list', first.RtkStageList],
      ['rtk-stage-status', first.RtkStageStatus],
      ['rtk-stage-notifications', first.RtkStageNotifications],
    ] as const) {
      expect(customElements.get(tag), tag).to.equal(cls);
    }
    expect(first.RtkStageControls).to.equal(RtkStageControls);
    expect(first.defaultStrings.requestToJoin).to.equal('Request to join stage');
    expect(first.stageContext).to.be.ok;
    expect(first.StageElement).to.be.a('function');
  });
});
