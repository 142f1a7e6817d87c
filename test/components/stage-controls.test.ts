import { expect, fixture, html } from '@open-wc/testing';
import '../../components/stage-controls/stage-controls.js';
import { button, stageRoom } from './support.js';

describe('<rtk-stage-controls>', () => {
  it('lets a viewer request, and shows the place in line', async () => {
    const { room, ada } = stageRoom();
    const el = await fixture(html`<rtk-stage-controls .stage=${ada}></rtk-stage-controls>`);
    await expect(el).to.be.accessible();
    (await button(el, 'Request to join stage')).click();
    await button(el, 'Cancel request');
    expect(ada.status).to.equal('REQUESTED_TO_JOIN_STAGE');
    expect(el.shadowRoot!.textContent).to.contain('You are #1 in line');
    await expect(el).to.be.accessible();
    room.close();
  });
});
