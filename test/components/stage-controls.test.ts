import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../components/stage-controls/stage-controls.js';
import type { RtkStageControls } from '../../components/stage-controls/stage-controls.js';
import type { StageController, StageError } from '../../src/index.js';
import { button, queryAllByRole, stageRoom } from './support.js';

function controls(stage: StageController | undefined) {
  return fixture<RtkStageControls>(html`<rtk-stage-controls .stage=${stage}></rtk-stage-controls>`);
}

/** The names of the buttons the user can see, in order. */
async function actions(el: RtkStageControls): Promise<string[]> {
  await el.updateComplete;
  return queryAllByRole(el, 'button').map((b) => b.textContent!.trim());
}

function alertText(el: RtkStageControls): string {
  return queryAllByRole(el, 'alert')[0]!.textContent!.trim();
}

/** Holds every command of a real controller back for `ms`, as a slow network would. */
function slowDown(stage: StageController, ms: number) {
  const calls: string[] = [];
  for (const name of ['requestAccess', 'cancelRequestAccess', 'join', 'leave'] as const) {
    const real = stage[name].bind(stage);
    stage[name] = () => {
      calls.push(name);
      return new Promise<void>((resolve) => setTimeout(resolve, ms)).then(real);
    };
  }
  return calls;
}

describe('<rtk-stage-controls>', () => {
  it('offers the right actions, accessibly, in every status', async () => {
    const { room, host, ada, bo } = stageRoom();
    const viewer = await controls(ada);
    const self = await controls(host);

    expect(await actions(viewer)).to.deep.equal(['Request to join stage']);
    expect(await actions(self)).to.deep.equal(['Join stage']);
    await expect(viewer).to.be.accessible();
    await expect(self).to.be.accessible();

    await bo.requestAccess();
    await ada.requestAccess();
    await button(viewer, 'Cancel request');
    expect(await actions(viewer)).to.deep.equal(['Cancel request']);
    expect(viewer.shadowRoot!.textContent).to.contain('You are #2 in line');
    await expect(viewer).to.be.accessible();

    await bo.cancelRequestAccess();
    await waitUntil(() => viewer.shadowRoot!.textContent!.includes('You are #1 in line'));

    await host.grantAccess(['ada']);
    await button(viewer, 'Decline');
    expect(await actions(viewer)).to.deep.equal(['Join stage', 'Decline']);
    expect(viewer.shadowRoot!.textContent).not.to.contain('in line');
    await expect(viewer).to.be.accessible();

    await ada.join();
    await button(viewer, 'Leave stage');
    expect(await actions(viewer)).to.deep.equal(['Leave stage']);
    await expect(viewer).to.be.accessible();
    room.close();
  });

  it('offers nothing to the audience or when the stage is disabled', async () => {
    const { room, join } = stageRoom();
    const audience = await controls(join('al', 'Al', 'audience'));
    const disabled = await controls(
      room.connect({
        userId: 'di',
        displayName: 'Di',
        permissions: {
          stageEnabled: false,
          stageAccess: 'CAN_REQUEST',
          acceptStageRequests: false,
        },
      }),
    );
    for (const el of [audience, disabled]) {
      expect(await actions(el)).to.deep.equal([]);
      expect(queryAllByRole(el, 'alert')).to.have.length(1);
      await expect(el).to.be.accessible();
    }
    room.close();
  });

  it('says it is not connected when it has no stage, and never throws', async () => {
    const warn = console.warn;
    console.warn = () => {};
    try {
      const el = await controls(undefined);
      expect(el.shadowRoot!.textContent!.trim()).to.equal('Not connected to a stage');
      expect(await actions(el)).to.deep.equal([]);
      await expect(el).to.be.accessible();
    } finally {
      console.warn = warn;
    }
  });

  it('takes a viewer through request, approval, join and leave', async () => {
    const { room, host, ada } = stageRoom();
    const el = await controls(ada);

    (await button(el, 'Request to join stage')).click();
    await button(el, 'Cancel request');
    expect(ada.status).to.equal('REQUESTED_TO_JOIN_STAGE');
    expect(host.getAccessRequests().stageRequests.map((r) => r.userId)).to.deep.equal(['ada']);

    await host.grantAccess(['ada']);
    (await button(el, 'Join stage')).click();
    await button(el, 'Leave stage');
    expect(ada.status).to.equal('ON_STAGE');

    (await button(el, 'Leave stage')).click();
    await button(el, 'Request to join stage');
    expect(ada.status).to.equal('OFF_STAGE');
    room.close();
  });

  it('declines an invitation and cancels a request', async () => {
    const { room, host, ada } = stageRoom();
    const el = await controls(ada);

    await host.grantAccess(['ada']);
    (await button(el, 'Decline')).click();
    await button(el, 'Request to join stage');
    expect(ada.status).to.equal('OFF_STAGE');

    (await button(el, 'Request to join stage')).click();
    (await button(el, 'Cancel request')).click();
    await button(el, 'Request to join stage');
    expect(ada.status).to.equal('OFF_STAGE');
    expect(host.getAccessRequests().stageRequests).to.deep.equal([]);
    room.close();
  });

  it('puts a host on stage in one click', async () => {
    const { room, host } = stageRoom();
    const el = await controls(host);
    (await button(el, 'Join stage')).click();
    await button(el, 'Leave stage');
    expect(host.status).to.equal('ON_STAGE');
    room.close();
  });

  it('is busy while a command is in flight and sends it once', async () => {
    const { room, ada } = stageRoom();
    const calls = slowDown(ada, 80);
    const el = await controls(ada);
    const request = await button(el, 'Request to join stage');

    request.click();
    request.click();
    await el.updateComplete;
    expect(request.getAttribute('aria-busy')).to.equal('true');
    expect(request.getAttribute('aria-disabled')).to.equal('true');
    await expect(el).to.be.accessible();

    const cancel = await button(el, 'Cancel request');
    await waitUntil(() => cancel.getAttribute('aria-busy') === 'false');
    expect(cancel.getAttribute('aria-disabled')).to.equal('false');
    expect(calls).to.deep.equal(['requestAccess']);
    expect(ada.status).to.equal('REQUESTED_TO_JOIN_STAGE');
    room.close();
  });

  it('works from the keyboard alone, keeping focus on the actions', async () => {
    const { room, host, ada } = stageRoom();
    const el = await controls(ada);
    const focused = () => el.shadowRoot!.activeElement as HTMLElement | null;

    (await button(el, 'Request to join stage')).focus();
    await sendKeys({ press: 'Enter' });
    await button(el, 'Cancel request');
    expect(ada.status).to.equal('REQUESTED_TO_JOIN_STAGE');
    expect(focused()?.textContent?.trim()).to.equal('Cancel request');

    await host.grantAccess(['ada']);
    await button(el, 'Decline');
    await sendKeys({ press: 'Tab' });
    expect(focused()?.textContent?.trim()).to.equal('Decline');
    await sendKeys({ press: 'Space' });
    await button(el, 'Request to join stage');
    expect(ada.status).to.equal('OFF_STAGE');
    // The Decline button is gone: focus moved to the action that is left, not to <body>.
    expect(focused()?.textContent?.trim()).to.equal('Request to join stage');
    room.close();
  });

  it('shows a failed command in its alert region and fires rtk-stage-error', async () => {
    const { room, host, ada } = stageRoom({ maxOnStage: 1 });
    await host.grantAccess(['ada']);
    const el = await controls(host);

    const failed = oneEvent(el, 'rtk-stage-error');
    (await button(el, 'Join stage')).click();
    const { detail } = (await failed) as CustomEvent<StageError>;
    expect(detail.code).to.equal('2007');
    await el.updateComplete;
    expect(alertText(el)).to.equal(detail.message);
    expect(alertText(el)).not.to.equal('');
    expect(host.status).to.equal('OFF_STAGE');
    expect(await actions(el)).to.deep.equal(['Join stage']);
    await expect(el).to.be.accessible();

    // The next command clears the alert.
    await ada.leave();
    (await button(el, 'Join stage')).click();
    await button(el, 'Leave stage');
    expect(alertText(el)).to.equal('');
    room.close();
  });

  it('reports a command on a disposed controller (2005)', async () => {
    const { room, ada } = stageRoom();
    const el = await controls(ada);
    ada.dispose();
    const failed = oneEvent(el, 'rtk-stage-error');
    (await button(el, 'Request to join stage')).click();
    const { detail } = (await failed) as CustomEvent<StageError>;
    expect(detail.code).to.equal('2005');
    await waitUntil(() => alertText(el) === detail.message);
    room.close();
  });

  it('takes its texts from `strings`', async () => {
    const { room, ada } = stageRoom();
    const el = await fixture<RtkStageControls>(
      html`<rtk-stage-controls
        .stage=${ada}
        .strings=${{ requestToJoin: 'Ask to speak', positionInLine: 'Place {n}' }}
      ></rtk-stage-controls>`,
    );
    (await button(el, 'Ask to speak')).click();
    await button(el, 'Cancel request');
    expect(el.shadowRoot!.textContent).to.contain('Place 1');
    room.close();
  });

  it('can be styled through ::part() and custom properties', async () => {
    const { room, ada } = stageRoom();
    const wrapper = await fixture(
      html`<div>
        <style>
          .themed::part(button) {
            border-color: rgb(255, 0, 0);
          }
          .themed {
            --rtk-stage-accent: rgb(0, 128, 0);
          }
        </style>
        <rtk-stage-controls class="themed" .stage=${ada}></rtk-stage-controls>
      </div>`,
    );
    const el = wrapper.querySelector('rtk-stage-controls')!;
    const request = await button(el, 'Request to join stage');
    const style = getComputedStyle(request);
    expect(style.borderTopColor).to.equal('rgb(255, 0, 0)');
    expect(style.backgroundColor).to.equal('rgb(0, 128, 0)');
    room.close();
  });
});
