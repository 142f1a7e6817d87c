import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../components/stage-status/stage-status.js';
import type { RtkStageStatus } from '../../components/stage-status/stage-status.js';
import { findByRole, queryAllByRole, stageRoom } from './support.js';

/** The text of the element's live region, as a screen reader announces it. */
async function announced(el: RtkStageStatus): Promise<string> {
  await el.updateComplete;
  const regions = queryAllByRole(el, 'status');
  expect(regions).to.have.length(1);
  return regions[0]!.textContent!.replace(/\s+/g, ' ').trim();
}

describe('<rtk-stage-status>', () => {
  it('tells the local user its status, politely, in every status', async () => {
    const { room, host, ada, bo } = stageRoom();
    const el = await fixture<RtkStageStatus>(
      html`<rtk-stage-status .stage=${ada}></rtk-stage-status>`,
    );
    await findByRole(el, 'status');
    expect(await announced(el)).to.equal('You are off stage');
    await expect(el).to.be.accessible();

    await bo.requestAccess();
    await ada.requestAccess();
    await waitUntil(async () => (await announced(el)).includes('#2'));
    expect(await announced(el)).to.equal('You asked to join the stage. You are #2 in line');
    await expect(el).to.be.accessible();

    await bo.cancelRequestAccess();
    await waitUntil(async () => (await announced(el)).includes('#1'));

    await host.grantAccess(['ada']);
    await waitUntil(async () => (await announced(el)).startsWith('You were accepted'));
    expect(await announced(el)).to.equal('You were accepted: join the stage when ready');
    await expect(el).to.be.accessible();

    await ada.join();
    await waitUntil(async () => (await announced(el)) === 'You are on stage');
    await expect(el).to.be.accessible();

    await host.kick(['ada']);
    await waitUntil(async () => (await announced(el)) === 'You are off stage');
    room.close();
  });

  it('takes its texts from `strings`', async () => {
    const { room, ada } = stageRoom();
    const el = await fixture<RtkStageStatus>(
      html`<rtk-stage-status
        .stage=${ada}
        .strings=${{ statusRequested: 'Waiting', positionInLine: 'number {n}' }}
      ></rtk-stage-status>`,
    );
    await ada.requestAccess();
    await waitUntil(async () => (await announced(el)) === 'Waiting. number 1');
    room.close();
  });

  it('says it is not connected when it has no stage', async () => {
    const warn = console.warn;
    console.warn = () => {};
    try {
      const el = await fixture<RtkStageStatus>(html`<rtk-stage-status></rtk-stage-status>`);
      expect(el.shadowRoot!.textContent!.trim()).to.equal('Not connected to a stage');
      await expect(el).to.be.accessible();
    } finally {
      console.warn = warn;
    }
  });
});
