import { aTimeout, expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../components/stage-list/stage-list.js';
import '../../components/stage-provider/stage-provider.js';
import type { RtkStageList } from '../../components/stage-list/stage-list.js';
import type { StageBulkResult, StageController } from '../../src/index.js';
import { button, findByRole, queryAllByRole, queryByRole, stageRoom } from './support.js';

/** Ada accepted (not joined), Bo on stage. */
async function seatAdaAndBo(room: ReturnType<typeof stageRoom>) {
  const { host, ada, bo } = room;
  await ada.requestAccess();
  await bo.requestAccess();
  await host.grantAccess(['ada', 'bo']);
  await bo.join();
}

/** The same controller, its `kick` held until `release()` (to see the busy state). */
function holdKick(stage: StageController) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let calls = 0;
  const held = new Proxy(stage, {
    get(target, key) {
      if (key === 'kick') {
        return async (ids: string[]): Promise<StageBulkResult> => {
          calls += 1;
          await gate;
          return target.kick(ids);
        };
      }
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { held, release, calls: () => calls };
}

const rowTexts = (el: Element) =>
  queryAllByRole(el, 'listitem').map((li) => li.textContent!.replace(/\s+/g, ' ').trim());

describe('<rtk-stage-list>', () => {
  it('says it is not connected without a stage', async () => {
    const el = await fixture(html`<rtk-stage-list></rtk-stage-list>`);
    expect(el.shadowRoot!.textContent).to.contain('Not connected to a stage');
    expect(queryByRole(el, 'list')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('shows an empty state and an alert region from the first render', async () => {
    const { room, host } = stageRoom();
    const el = await fixture(html`<rtk-stage-list .stage=${host}></rtk-stage-list>`);
    expect(el.shadowRoot!.textContent).to.contain('Nobody is on stage');
    expect(queryByRole(el, 'list')).to.equal(null);
    expect(queryByRole(el, 'alert')).to.not.equal(null);
    await expect(el).to.be.accessible();
    room.close();
  });

  it('shows a viewer who is on stage and who is accepted, without Remove buttons', async () => {
    const r = stageRoom();
    const el = await fixture<RtkStageList>(html`<rtk-stage-list .stage=${r.cy}></rtk-stage-list>`);
    await seatAdaAndBo(r);
    const list = await findByRole(el, 'list', 'On stage');
    await waitUntil(() => rowTexts(list).length === 2);
    expect(rowTexts(list)).to.deep.equal(['Ada accepted, not joined yet', 'Bo on stage']);
    expect(queryAllByRole(el, 'button')).to.have.length(0);
    await expect(el).to.be.accessible();
    // Requesters are not on the list.
    await r.cy.requestAccess();
    await r.moderator.requestAccess();
    await el.updateComplete;
    expect(rowTexts(list)).to.have.length(2);
    r.room.close();
  });

  it('lets a host remove an on-stage and an accepted user', async () => {
    const r = stageRoom();
    const el = await fixture(html`<rtk-stage-list .stage=${r.host}></rtk-stage-list>`);
    await seatAdaAndBo(r);
    await button(el, 'Remove Ada from stage');
    await button(el, 'Remove Bo from stage');
    await expect(el).to.be.accessible();

    (await button(el, 'Remove Bo from stage')).click();
    await waitUntil(() => r.bo.status === 'OFF_STAGE');
    (await button(el, 'Remove Ada from stage')).click();
    await waitUntil(() => r.ada.status === 'OFF_STAGE');
    await waitUntil(() => el.shadowRoot!.textContent!.includes('Nobody is on stage'));
    expect(queryAllByRole(el, 'listitem')).to.have.length(0);
    expect(queryByRole(el, 'alert')!.textContent!.trim()).to.equal('');
    r.room.close();
  });

  it('gives no Remove button on the host’s own row', async () => {
    const r = stageRoom();
    const el = await fixture(html`<rtk-stage-list .stage=${r.host}></rtk-stage-list>`);
    await r.host.requestAccess();
    await r.host.join();
    await waitUntil(() => rowTexts(el).length === 1);
    expect(rowTexts(el)).to.deep.equal(['Hana on stage']);
    expect(queryAllByRole(el, 'button')).to.have.length(0);
    r.room.close();
  });

  it('works from the keyboard, moving focus to the next row when one goes', async () => {
    const r = stageRoom();
    const el = await fixture(html`<rtk-stage-list .stage=${r.host}></rtk-stage-list>`);
    await seatAdaAndBo(r);
    const focused = () => el.shadowRoot!.activeElement as HTMLElement | null;
    (await button(el, 'Remove Ada from stage')).focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => r.ada.status === 'OFF_STAGE');
    await waitUntil(() => focused()?.textContent?.trim() === 'Remove Bo from stage');
    await sendKeys({ press: 'Space' });
    await waitUntil(() => r.bo.status === 'OFF_STAGE');
    // No row left: focus stays in the element, not on <body>.
    await waitUntil(() => focused() !== null);
    expect(focused()!.getAttribute('part')).to.equal('base');
    r.room.close();
  });

  it('keeps focus on the same participant when someone above leaves the list', async () => {
    const r = stageRoom();
    const el = await fixture(html`<rtk-stage-list .stage=${r.host}></rtk-stage-list>`);
    await seatAdaAndBo(r);
    await r.cy.requestAccess();
    await r.host.grantAccess(['cy']);
    const focused = () => el.shadowRoot!.activeElement as HTMLElement | null;
    // The middle row: its place is taken by Cy's when Ada's goes.
    (await button(el, 'Remove Bo from stage')).focus();
    await r.moderator.kick(['ada']);
    await waitUntil(() => queryAllByRole(el, 'button').length === 2);
    expect(focused()?.textContent?.trim()).to.equal('Remove Bo from stage');
    r.room.close();
  });

  it('shows the busy state, keeps focus and ignores clicks while a removal is in flight', async () => {
    const r = stageRoom();
    const { held, release, calls } = holdKick(r.host);
    const el = await fixture<RtkStageList>(html`<rtk-stage-list .stage=${held}></rtk-stage-list>`);
    await seatAdaAndBo(r);
    const remove = await button(el, 'Remove Bo from stage');
    remove.focus();
    remove.click();
    await el.updateComplete;
    expect(remove.getAttribute('aria-busy')).to.equal('true');
    expect(remove.getAttribute('aria-disabled')).to.equal('true');
    expect(el.shadowRoot!.activeElement).to.equal(remove);
    // Other rows stay usable.
    expect((await button(el, 'Remove Ada from stage')).getAttribute('aria-disabled')).to.equal(
      'false',
    );
    await expect(el).to.be.accessible();
    remove.click();
    expect(calls()).to.equal(1);
    release();
    await waitUntil(() => r.bo.status === 'OFF_STAGE');
    await waitUntil(() => !remove.isConnected);
    r.room.close();
  });

  it('shows a failure in the alert region and fires rtk-stage-error', async () => {
    const r = stageRoom();
    const el = await fixture(html`<rtk-stage-list .stage=${r.host}></rtk-stage-list>`);
    await seatAdaAndBo(r);
    const remove = await button(el, 'Remove Bo from stage');
    r.room.disconnect('host');
    const fired = oneEvent(el, 'rtk-stage-error');
    remove.click();
    const event = await fired;
    expect(event.detail.code).to.equal('2005');
    expect(event.bubbles && event.composed).to.equal(true);
    const alert = queryByRole(el, 'alert')!;
    await waitUntil(() => alert.textContent!.trim() === event.detail.message);
    expect(r.bo.status).to.equal('ON_STAGE');
    await expect(el).to.be.accessible();
    r.room.close();
  });

  it('reports the second of two hosts removing the same user, and clears it on the next try', async () => {
    const r = stageRoom();
    const hana = await fixture(html`<rtk-stage-list .stage=${r.host}></rtk-stage-list>`);
    const mo = await fixture(html`<rtk-stage-list .stage=${r.moderator}></rtk-stage-list>`);
    await seatAdaAndBo(r);
    const hanaRemove = await button(hana, 'Remove Bo from stage');
    const moRemove = await button(mo, 'Remove Bo from stage');
    const fired = oneEvent(mo, 'rtk-stage-error');
    hanaRemove.click();
    moRemove.click();
    expect((await fired).detail.code).to.equal('2006');
    const alert = queryByRole(mo, 'alert')!;
    await waitUntil(() => alert.textContent!.trim() !== '');
    expect(r.bo.status).to.equal('OFF_STAGE');
    // The next command starts with a clean alert region.
    (await button(mo, 'Remove Ada from stage')).click();
    await waitUntil(() => r.ada.status === 'OFF_STAGE');
    await waitUntil(() => alert.textContent!.trim() === '');
    r.room.close();
  });

  it('takes its texts from `strings`', async () => {
    const r = stageRoom();
    const strings = {
      listLabel: 'Auf der Bühne',
      onStage: 'auf der Bühne',
      acceptedNotJoined: 'angenommen',
      remove: '{name} entfernen',
      listEmpty: 'Niemand',
    };
    const el = await fixture(
      html`<rtk-stage-list .stage=${r.host} .strings=${strings}></rtk-stage-list>`,
    );
    expect(el.shadowRoot!.textContent).to.contain('Niemand');
    await seatAdaAndBo(r);
    const list = await findByRole(el, 'list', 'Auf der Bühne');
    await waitUntil(() => rowTexts(list).length === 2);
    expect(rowTexts(list)).to.deep.equal([
      'Ada angenommen Ada entfernen',
      'Bo auf der Bühne Bo entfernen',
    ]);
    await button(el, 'Bo entfernen');
    r.room.close();
  });

  it('can be styled through ::part and custom properties', async () => {
    const r = stageRoom();
    const wrapper = await fixture(
      html`<div>
        <style>
          rtk-stage-list::part(row) {
            background-color: rgb(1, 2, 3);
          }
          rtk-stage-list {
            --rtk-stage-danger: rgb(200, 0, 0);
          }
        </style>
        <rtk-stage-list .stage=${r.host}></rtk-stage-list>
      </div>`,
    );
    const el = wrapper.querySelector('rtk-stage-list')!;
    await seatAdaAndBo(r);
    const remove = await button(el, 'Remove Bo from stage');
    const row = el.shadowRoot!.querySelector('[part~="row"]')!;
    expect(getComputedStyle(row).backgroundColor).to.equal('rgb(1, 2, 3)');
    expect(getComputedStyle(remove).color).to.equal('rgb(200, 0, 0)');
    r.room.close();
  });

  it('takes its stage from a provider and keeps following it after a move', async () => {
    const r = stageRoom();
    const wrapper = await fixture(
      html`<div>
        <rtk-stage-provider .stage=${r.host}><rtk-stage-list></rtk-stage-list></rtk-stage-provider>
        <rtk-stage-provider .stage=${r.host}
          ><section aria-label="other"></section
        ></rtk-stage-provider>
      </div>`,
    );
    const el = wrapper.querySelector('rtk-stage-list')!;
    await seatAdaAndBo(r);
    await button(el, 'Remove Bo from stage');
    wrapper.querySelector('section')!.append(el);
    await aTimeout(0);
    await r.host.kick(['bo']);
    await waitUntil(() => rowTexts(el).length === 1);
    expect(rowTexts(el)).to.deep.equal(['Ada accepted, not joined yet Remove Ada from stage']);
    r.room.close();
  });
});
