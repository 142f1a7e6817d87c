import { ContextConsumer, ContextProvider } from '@lit/context';
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { LitElement, html as litHtml } from 'lit';
import { stageContext } from '../../components/shared/context.js';
import '../../components/stage-controls/stage-controls.js';
import '../../components/stage-provider/stage-provider.js';
import '../../components/stage-status/stage-status.js';
import type { RtkStageProvider } from '../../components/stage-provider/stage-provider.js';
import { button, findByRole, queryAllByRole, stageRoom } from './support.js';

/** Some other component of the page that renders rtk-stage elements in its own shadow root. */
class TestPanel extends LitElement {
  protected override render() {
    return litHtml`<section aria-label="Panel">
      <rtk-stage-status></rtk-stage-status>
      <rtk-stage-controls></rtk-stage-controls>
    </section>`;
  }
}
customElements.define('test-stage-panel', TestPanel);

/** Another library's element that reads the stage with @lit/context's own consumer. */
class TestContextReader extends LitElement {
  readonly consumer = new ContextConsumer(this, { context: stageContext, subscribe: true });
}
customElements.define('test-context-reader', TestContextReader);

/** Another library's element that provides a stage with @lit/context's own provider. */
class TestContextSource extends LitElement {
  readonly provider = new ContextProvider(this, { context: stageContext });
  protected override render() {
    return litHtml`<slot></slot>`;
  }
}

function statusText(root: Element): string {
  return queryAllByRole(root, 'status')
    .map((s) => s.textContent!.replace(/\s+/g, ' ').trim())
    .join(' | ');
}

/** Counts console.warn calls while `run` runs (and a little after, as warnings are deferred). */
async function countWarnings(run: () => Promise<void>): Promise<string[]> {
  const warn = console.warn;
  const calls: string[] = [];
  console.warn = (...args: unknown[]) => calls.push(args.map(String).join(' '));
  try {
    await run();
    await new Promise((r) => setTimeout(r, 20));
  } finally {
    console.warn = warn;
  }
  return calls;
}

describe('<rtk-stage-provider>', () => {
  it('feeds the elements inside it, even inside another shadow root', async () => {
    const { room, ada } = stageRoom();
    const provider = await fixture<RtkStageProvider>(
      html`<rtk-stage-provider .stage=${ada}>
        <rtk-stage-status></rtk-stage-status>
        <div><test-stage-panel></test-stage-panel></div>
      </rtk-stage-provider>`,
    );
    await expect(provider).to.be.accessible();
    expect(statusText(provider)).to.equal('You are off stage | You are off stage');

    const panel = provider.querySelector('test-stage-panel')!;
    (await button(panel, 'Request to join stage')).click();
    await button(panel, 'Cancel request');
    expect(ada.status).to.equal('REQUESTED_TO_JOIN_STAGE');
    await waitUntil(() =>
      statusText(provider)
        .split(' | ')
        .every((t) => t.includes('#1 in line')),
    );
    room.close();
  });

  it('lets a child’s own `stage` win, and re-targets the others when its stage changes', async () => {
    const { room, ada, bo, cy } = stageRoom();
    await bo.requestAccess();
    const provider = await fixture<RtkStageProvider>(
      html`<rtk-stage-provider .stage=${ada}>
        <rtk-stage-status id="provided"></rtk-stage-status>
        <rtk-stage-controls id="provided-controls"></rtk-stage-controls>
        <rtk-stage-status id="own" .stage=${cy}></rtk-stage-status>
      </rtk-stage-provider>`,
    );
    const provided = provider.querySelector('#provided')!;
    const own = provider.querySelector('#own')!;
    const controls = provider.querySelector('#provided-controls')!;
    await findByRole(provided, 'status');
    expect(statusText(provided)).to.equal('You are off stage');
    await button(controls, 'Request to join stage');

    provider.stage = bo;
    await waitUntil(() => statusText(provided).includes('#1 in line'));
    (await button(controls, 'Cancel request')).click();
    await button(controls, 'Request to join stage');
    expect(bo.status).to.equal('OFF_STAGE');
    expect(ada.status).to.equal('OFF_STAGE');
    expect(statusText(own)).to.equal('You are off stage');

    await cy.requestAccess();
    await waitUntil(() => statusText(own).includes('#1 in line'));
    expect(statusText(provided)).to.equal('You are off stage');
    room.close();
  });

  it('connects an element moved into it', async () => {
    const { room, ada } = stageRoom();
    const warnings = await countWarnings(async () => {
      const wrapper = await fixture(
        html`<div>
          <rtk-stage-status></rtk-stage-status>
          <rtk-stage-provider .stage=${ada}></rtk-stage-provider>
        </div>`,
      );
      const status = wrapper.querySelector('rtk-stage-status')!;
      wrapper.querySelector('rtk-stage-provider')!.append(status);
      await findByRole(status, 'status');
      expect(statusText(status)).to.equal('You are off stage');
    });
    // It may have warned while it stood outside; it must not throw nor keep warning.
    expect(warnings.length).to.be.at.most(1);
    room.close();
  });

  it('speaks the context protocol with @lit/context’s own consumers and providers', async () => {
    const { room, ada, bo, cy } = stageRoom();
    await bo.requestAccess();
    const provider = await fixture<RtkStageProvider>(
      html`<rtk-stage-provider .stage=${ada}>
        <test-context-reader></test-context-reader>
        <test-context-source><rtk-stage-status></rtk-stage-status></test-context-source>
      </rtk-stage-provider>`,
    );
    const reader = provider.querySelector<TestContextReader>('test-context-reader')!;
    const status = provider.querySelector('rtk-stage-status')!;
    // The reader subscribes to rtk-stage's provider, and follows it.
    expect(reader.consumer.value).to.equal(ada);
    provider.stage = cy;
    await provider.updateComplete;
    expect(reader.consumer.value).to.equal(cy);
    // test-context-source was defined only now: when it connects, it announces itself and the
    // status below it, served by rtk-stage's provider until then, asks it instead.
    expect(statusText(status)).to.equal('You are off stage');
    customElements.define('test-context-source', TestContextSource);
    provider.querySelector<TestContextSource>('test-context-source')!.provider.setValue(bo);
    await waitUntil(() => statusText(status).includes('#1 in line'));
    // ...and no longer follows the outer provider.
    provider.stage = ada;
    await provider.updateComplete;
    await status.updateComplete;
    expect(statusText(status)).to.contain('#1 in line');
    room.close();
  });

  it('leaves elements without a stage "not connected", warning once (outside a provider) and never throwing', async () => {
    const warnings = await countWarnings(async () => {
      const wrapper = await fixture(
        html`<div>
          <rtk-stage-controls></rtk-stage-controls>
          <rtk-stage-provider><rtk-stage-status></rtk-stage-status></rtk-stage-provider>
        </div>`,
      );
      const controls = wrapper.querySelector('rtk-stage-controls')!;
      const status = wrapper.querySelector('rtk-stage-status')!;
      for (const el of [controls, status]) {
        expect(el.shadowRoot!.textContent!.trim()).to.equal('Not connected to a stage');
        expect(queryAllByRole(el, 'button')).to.have.length(0);
      }
      await expect(wrapper).to.be.accessible();
      // More updates, and a trip out of the DOM and back, warn no more.
      await new Promise((r) => setTimeout(r, 10));
      controls.strings = { notConnected: 'Offline' };
      status.strings = { notConnected: 'Offline' };
      await controls.updateComplete;
      wrapper.append(controls);
      await status.updateComplete;
      expect(controls.shadowRoot!.textContent!.trim()).to.equal('Offline');
      // Warnings wait a moment: pages often set `stage` right after connecting.
      await new Promise((r) => setTimeout(r, 2100));
    });
    // Only the element outside any provider warns: a provider without a stage may be connecting.
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.include('<rtk-stage-controls>');
  });
});
