import { aTimeout, expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../components/stage-notifications/stage-notifications.js';
import type { RtkStageNotifications } from '../../components/stage-notifications/stage-notifications.js';
import { FakeClock } from '../support/fake-clock.js';
import { button, findByRole, queryAllByRole, queryByRole, stageRoom } from './support.js';

const messages = (el: Element) =>
  [...el.shadowRoot!.querySelectorAll('[part="message"]')].map((p) => p.textContent!.trim());

/** Waits for exactly these notices (by their text), in this order. */
async function notices(el: Element, expected: string[]) {
  await waitUntil(
    () => JSON.stringify(messages(el)) === JSON.stringify(expected),
    `expected notices ${JSON.stringify(expected)}, saw ${JSON.stringify(messages(el))}`,
    { timeout: 3000 },
  );
}

function notifications(stage: unknown, extra: { duration?: number; max?: number } = {}) {
  return fixture<RtkStageNotifications>(
    html`<rtk-stage-notifications
      .stage=${stage}
      .duration=${extra.duration ?? 0}
      .max=${extra.max ?? 5}
    ></rtk-stage-notifications>`,
  );
}

describe('<rtk-stage-notifications>', () => {
  it('says it is not connected without a stage', async () => {
    const el = await fixture(html`<rtk-stage-notifications></rtk-stage-notifications>`);
    expect(el.shadowRoot!.textContent).to.contain('Not connected to a stage');
    await expect(el).to.be.accessible();
  });

  it('has a named polite live region and an alert region from the first render', async () => {
    const { room, host } = stageRoom();
    const el = await notifications(host);
    const log = await findByRole(el, 'log', 'Stage notifications');
    expect(log.getAttribute('aria-live')).to.equal('polite');
    expect(queryByRole(el, 'alert')).to.not.equal(null);
    expect(messages(el)).to.deep.equal([]);
    await expect(el).to.be.accessible();
    room.close();
  });

  it('asks the host about a request; Approve accepts the requester', async () => {
    const { room, host, ada } = stageRoom();
    const el = await notifications(host);
    await ada.requestAccess();
    await notices(el, ['Ada asked to join the stage']);
    await button(el, 'Deny Ada');
    await button(el, 'Dismiss');
    await expect(el).to.be.accessible();
    (await button(el, 'Approve Ada')).click();
    await waitUntil(() => ada.status === 'ACCEPTED_TO_JOIN_STAGE');
    await notices(el, []);
    expect(queryByRole(el, 'alert')!.textContent!.trim()).to.equal('');
    room.close();
  });

  it('Deny turns the request down', async () => {
    const { room, host, ada, bo } = stageRoom();
    const el = await notifications(host);
    await ada.requestAccess();
    await bo.requestAccess();
    await notices(el, ['Ada asked to join the stage', 'Bo asked to join the stage']);
    (await button(el, 'Deny Bo')).click();
    await waitUntil(() => bo.status === 'OFF_STAGE');
    await notices(el, ['Ada asked to join the stage']);
    expect(ada.status).to.equal('REQUESTED_TO_JOIN_STAGE');
    room.close();
  });

  it('drops a host notice when the request is handled elsewhere', async () => {
    const { room, host, moderator, ada, bo, cy } = stageRoom();
    const el = await notifications(host);
    await ada.requestAccess();
    await bo.requestAccess();
    await cy.requestAccess();
    await notices(el, [
      'Ada asked to join the stage',
      'Bo asked to join the stage',
      'Cy asked to join the stage',
    ]);
    await moderator.grantAccess(['ada']);
    await notices(el, ['Bo asked to join the stage', 'Cy asked to join the stage']);
    await moderator.denyAccess(['cy']);
    await notices(el, ['Bo asked to join the stage']);
    await bo.cancelRequestAccess();
    await notices(el, []);
    room.close();
  });

  it('tells the requester it was approved, and Join now puts it on stage', async () => {
    const { room, host, ada } = stageRoom();
    const el = await notifications(ada);
    await ada.requestAccess();
    await host.grantAccess(['ada']);
    await notices(el, ['Your request was approved']);
    await expect(el).to.be.accessible();
    (await button(el, 'Join now')).click();
    await waitUntil(() => ada.status === 'ON_STAGE');
    await notices(el, []);
    room.close();
  });

  it('tells an invitee, and withdraws Join now when the invite is withdrawn', async () => {
    const { room, host, cy } = stageRoom();
    const el = await notifications(cy);
    await host.grantAccess(['cy']);
    await notices(el, ['You were invited to join the stage']);
    await button(el, 'Join now');
    await host.denyAccess(['cy']);
    // A withdrawn invite is a rejection; the stale "Join now" goes.
    await notices(el, ['Your request to join the stage was declined']);
    expect(queryByRole(el, 'button', 'Join now')).to.equal(null);
    room.close();
  });

  it('tells the requester it was declined, and Dismiss removes the notice', async () => {
    const { room, host, ada } = stageRoom();
    const el = await notifications(ada);
    await ada.requestAccess();
    await host.denyAccess(['ada']);
    await notices(el, ['Your request to join the stage was declined']);
    await expect(el).to.be.accessible();
    (await button(el, 'Dismiss')).click();
    await notices(el, []);
    room.close();
  });

  it('tells a user it was removed from the stage', async () => {
    const { room, host, ada } = stageRoom();
    const el = await notifications(ada);
    await ada.requestAccess();
    await host.grantAccess(['ada']);
    await ada.join();
    await host.kick(['ada']);
    await notices(el, ['You were removed from the stage']);
    await expect(el).to.be.accessible();
    room.close();
  });

  it('tells the requester its request expired', async () => {
    const clock = new FakeClock();
    const { room, ada } = stageRoom({ requestTtlMs: 60_000, clock });
    const el = await notifications(ada);
    await ada.requestAccess();
    clock.advance(60_000);
    await notices(el, ['Your request to join the stage expired']);
    expect(ada.status).to.equal('OFF_STAGE');
    await expect(el).to.be.accessible();
    room.close();
  });

  it('dismisses notices after `duration`, and keeps them with duration 0', async () => {
    const { room, host, ada, bo } = stageRoom();
    const quick = await notifications(host, { duration: 60 });
    const staying = await notifications(host, { duration: 0 });
    await ada.requestAccess();
    await notices(quick, ['Ada asked to join the stage']);
    await notices(quick, []);
    expect(messages(staying)).to.deep.equal(['Ada asked to join the stage']);
    expect(ada.status).to.equal('REQUESTED_TO_JOIN_STAGE');
    // Not while keyboard focus is on the notices.
    await bo.requestAccess();
    await notices(quick, ['Bo asked to join the stage']);
    (await button(quick, 'Approve Bo')).focus();
    await aTimeout(150);
    expect(messages(quick)).to.deep.equal(['Bo asked to join the stage']);
    (await button(quick, 'Approve Bo')).blur();
    await notices(quick, []);
    room.close();
  });

  it('stops its timers while out of the DOM and restarts them on return', async () => {
    const { room, host, ada } = stageRoom();
    const wrapper = await fixture(html`<div></div>`);
    const el = document.createElement('rtk-stage-notifications');
    el.stage = host;
    el.duration = 80;
    wrapper.append(el);
    await el.updateComplete;
    await ada.requestAccess();
    await notices(el, ['Ada asked to join the stage']);
    el.remove();
    await aTimeout(160);
    wrapper.append(el);
    await el.updateComplete;
    expect(messages(el)).to.deep.equal(['Ada asked to join the stage']);
    await notices(el, []);
    room.close();
  });

  it('shows at most `max` notices, the newest', async () => {
    const { room, host, moderator, ada, bo, cy } = stageRoom();
    const el = await notifications(host, { max: 2 });
    for (const c of [moderator, ada, bo, cy]) await c.requestAccess();
    await notices(el, ['Bo asked to join the stage', 'Cy asked to join the stage']);
    room.close();
  });

  it('keeps the DOM small when 10,000 requests arrive', async () => {
    const { room, host, join } = stageRoom();
    const el = await notifications(host);
    for (let i = 0; i < 10_000; i++) void join(`v${i}`, `Viewer ${i}`, 'viewer').requestAccess();
    await notices(
      el,
      [9995, 9996, 9997, 9998, 9999].map((i) => `Viewer ${i} asked to join the stage`),
    );
    expect(el.shadowRoot!.querySelectorAll('*').length).to.be.below(60);
    expect(queryAllByRole(el, 'button')).to.have.length(15);
    room.close();
  });

  it('keeps focus on the same notice when one above it goes', async () => {
    const { room, host, moderator, ada, bo, cy } = stageRoom();
    const el = await notifications(host);
    for (const viewer of [ada, bo, cy]) await viewer.requestAccess();
    const focused = () => el.shadowRoot!.activeElement as HTMLElement | null;
    // The middle notice: its place is taken by Cy's when Ada's goes.
    (await button(el, 'Deny Bo')).focus();
    await moderator.denyAccess(['ada']);
    await notices(el, ['Bo asked to join the stage', 'Cy asked to join the stage']);
    expect(focused()?.textContent?.trim()).to.equal('Deny Bo');
    room.close();
  });

  it('works from the keyboard, keeping focus among the notices', async () => {
    const { room, host, ada, bo } = stageRoom();
    const el = await notifications(host);
    await ada.requestAccess();
    await bo.requestAccess();
    const focused = () => el.shadowRoot!.activeElement as HTMLElement | null;
    (await button(el, 'Approve Ada')).focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => ada.status === 'ACCEPTED_TO_JOIN_STAGE');
    await notices(el, ['Bo asked to join the stage']);
    await waitUntil(() => focused()?.textContent?.trim() === 'Approve Bo');
    await sendKeys({ press: 'Tab' });
    expect(focused()?.textContent?.trim()).to.equal('Deny Bo');
    await sendKeys({ press: 'Space' });
    await waitUntil(() => bo.status === 'OFF_STAGE');
    await notices(el, []);
    await waitUntil(() => focused()?.getAttribute('part') === 'base');
    room.close();
  });

  it('takes its texts from `strings`', async () => {
    const { room, host, ada } = stageRoom();
    const strings = {
      notificationsLabel: 'Bühnen-Hinweise',
      askedToJoin: '{name} möchte auf die Bühne',
      approve: '{name} annehmen',
      deny: '{name} ablehnen',
      dismiss: 'Schließen',
    };
    const el = await fixture(
      html`<rtk-stage-notifications .stage=${host} .strings=${strings}></rtk-stage-notifications>`,
    );
    await findByRole(el, 'log', 'Bühnen-Hinweise');
    await ada.requestAccess();
    await notices(el, ['Ada möchte auf die Bühne']);
    await button(el, 'Ada ablehnen');
    await button(el, 'Schließen');
    (await button(el, 'Ada annehmen')).click();
    await waitUntil(() => ada.status === 'ACCEPTED_TO_JOIN_STAGE');
    room.close();
  });

  it('can be styled through ::part', async () => {
    const { room, host, ada } = stageRoom();
    const wrapper = await fixture(
      html`<div>
        <style>
          rtk-stage-notifications::part(notice) {
            background-color: rgb(1, 2, 3);
          }
          rtk-stage-notifications::part(approve) {
            color: rgb(4, 5, 6);
          }
        </style>
        <rtk-stage-notifications .stage=${host}></rtk-stage-notifications>
      </div>`,
    );
    const el = wrapper.querySelector('rtk-stage-notifications')!;
    await ada.requestAccess();
    const approve = await button(el, 'Approve Ada');
    const notice = el.shadowRoot!.querySelector('[part~="notice"]')!;
    expect(getComputedStyle(notice).backgroundColor).to.equal('rgb(1, 2, 3)');
    expect(getComputedStyle(approve).color).to.equal('rgb(4, 5, 6)');
    room.close();
  });

  it('shows the second host’s failed Approve and fires rtk-stage-error', async () => {
    const { room, host, moderator, ada } = stageRoom();
    const hana = await notifications(host);
    const mo = await notifications(moderator);
    await ada.requestAccess();
    const hanaApprove = await button(hana, 'Approve Ada');
    const moApprove = await button(mo, 'Approve Ada');
    const fired = oneEvent(mo, 'rtk-stage-error');
    // Both click at once: the first wins, the second is told why it failed.
    hanaApprove.click();
    moApprove.click();
    const event = await fired;
    expect(event.detail.code).to.equal('2006');
    expect(event.bubbles && event.composed).to.equal(true);
    const alert = queryByRole(mo, 'alert')!;
    await waitUntil(() => alert.textContent!.trim() === event.detail.message);
    expect(ada.status).to.equal('ACCEPTED_TO_JOIN_STAGE');
    await notices(mo, []);
    await expect(mo).to.be.accessible();
    room.close();
  });

  it('shows the busy state while a command is in flight', async () => {
    const { room, host, ada } = stageRoom();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    // The real controller, its grantAccess held back until release().
    const held = new Proxy(host, {
      get(target, key) {
        if (key === 'grantAccess') {
          return async (ids: string[]) => {
            calls += 1;
            await gate;
            return target.grantAccess(ids);
          };
        }
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const el = await notifications(held);
    await ada.requestAccess();
    const approve = await button(el, 'Approve Ada');
    approve.focus();
    approve.click();
    await el.updateComplete;
    expect(approve.getAttribute('aria-busy')).to.equal('true');
    expect(approve.getAttribute('aria-disabled')).to.equal('true');
    expect(el.shadowRoot!.activeElement).to.equal(approve);
    await expect(el).to.be.accessible();
    approve.click();
    (await button(el, 'Deny Ada')).click();
    expect(calls).to.equal(1);
    expect(ada.status).to.equal('REQUESTED_TO_JOIN_STAGE');
    release();
    await waitUntil(() => ada.status === 'ACCEPTED_TO_JOIN_STAGE');
    await notices(el, []);
    room.close();
  });

  it('keeps exactly one subscription when moved in the DOM', async () => {
    const { room, host, ada, bo } = stageRoom();
    const wrapper = await fixture(html`<div><section aria-label="elsewhere"></section></div>`);
    const el = document.createElement('rtk-stage-notifications');
    el.stage = host;
    el.duration = 0;
    wrapper.append(el);
    await el.updateComplete;
    wrapper.querySelector('section')!.append(el);
    el.remove();
    wrapper.append(el);
    await el.updateComplete;
    await ada.requestAccess();
    await notices(el, ['Ada asked to join the stage']);
    await aTimeout(20);
    expect(messages(el)).to.have.length(1);
    // While out of the DOM it listens to nothing, and catches up with the queue on return.
    el.remove();
    await ada.cancelRequestAccess();
    await bo.requestAccess();
    wrapper.append(el);
    await notices(el, []);
    await aTimeout(20);
    expect(messages(el)).to.deep.equal([]);
    room.close();
  });

  it('starts afresh when given another stage', async () => {
    const { room, host, moderator, ada } = stageRoom();
    const el = await notifications(host);
    await ada.requestAccess();
    await notices(el, ['Ada asked to join the stage']);
    el.stage = ada;
    await notices(el, []);
    await moderator.denyAccess(['ada']);
    await notices(el, ['Your request to join the stage was declined']);
    room.close();
  });
});
