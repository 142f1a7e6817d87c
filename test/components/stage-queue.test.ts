import { aTimeout, expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../components/stage-queue/stage-queue.js';
import type { RtkStageQueue } from '../../components/stage-queue/stage-queue.js';
import type { StageBulkResult, StageController, StageError } from '../../src/index.js';
import { button, findByRole, queryAllByRole, queryByRole, stageRoom } from './support.js';

function queue(stage: StageController | undefined, strings = {}) {
  return fixture<RtkStageQueue>(
    html`<rtk-stage-queue .stage=${stage} .strings=${strings}></rtk-stage-queue>`,
  );
}

function rows(el: RtkStageQueue): HTMLElement[] {
  return queryAllByRole(el, 'listitem');
}

/** What each visible row says, e.g. "#1 Ada waiting 0s Approve Ada Deny Ada". */
function rowTexts(el: RtkStageQueue): string[] {
  return rows(el).map((r) => r.textContent!.replace(/\s+/g, ' ').trim());
}

function alertText(el: RtkStageQueue): string {
  return queryByRole(el, 'alert')!.textContent!.trim();
}

function focused(el: RtkStageQueue): Element | null {
  return el.shadowRoot!.activeElement;
}

/** Holds a real controller's grant and deny back until `release()`, as a slow network would. */
function hold(stage: StageController) {
  const calls: string[][] = [];
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  for (const name of ['grantAccess', 'denyAccess'] as const) {
    const real = stage[name].bind(stage);
    stage[name] = (ids: string[]): Promise<StageBulkResult> => {
      calls.push(ids);
      return gate.then(() => real(ids));
    };
  }
  return { calls, release: () => open() };
}

describe('<rtk-stage-queue>', () => {
  it('shows "not connected" without a stage, and nothing to non-privileged users', async () => {
    const { room, ada } = stageRoom();
    const lonely = await queue(undefined);
    expect(lonely.shadowRoot!.textContent).to.contain('Not connected to a stage');
    await expect(lonely).to.be.accessible();

    await ada.requestAccess();
    const viewer = await queue(ada);
    expect(queryAllByRole(viewer, 'button')).to.have.length(0);
    expect(queryByRole(viewer, 'list')).to.equal(null);
    expect(viewer.shadowRoot!.textContent!.trim()).to.equal('');
    await expect(viewer).to.be.accessible();
    room.close();
  });

  it('shows an empty queue with its alert region, accessibly', async () => {
    const { room, host } = stageRoom();
    const el = await queue(host);
    expect(el.shadowRoot!.textContent).to.contain('0 waiting');
    expect(el.shadowRoot!.textContent).to.contain('No requests');
    expect(queryByRole(el, 'alert')).not.to.equal(null);
    expect((await button(el, 'Approve all')).getAttribute('aria-disabled')).to.equal('true');
    await expect(el).to.be.accessible();
    room.close();
  });

  it('lists requests in queue order with their place, and the count', async () => {
    const { room, host, ada, bo } = stageRoom();
    const el = await queue(host);
    await bo.requestAccess();
    await ada.requestAccess();
    const list = await findByRole(el, 'list', 'Requests to join the stage');
    await button(el, 'Approve Ada');
    expect(rowTexts(el)).to.deep.equal([
      '#1 Bo waiting 0s Approve Bo Deny Bo',
      '#2 Ada waiting 0s Approve Ada Deny Ada',
    ]);
    expect(rows(el).map((r) => r.getAttribute('aria-posinset'))).to.deep.equal(['1', '2']);
    expect(rows(el).map((r) => r.getAttribute('aria-setsize'))).to.deep.equal(['2', '2']);
    expect(list.contains(rows(el)[0]!)).to.equal(true);
    expect(el.shadowRoot!.textContent).to.contain('2 waiting');
    await expect(el).to.be.accessible();
    room.close();
  });

  it('approves one request: the viewer is accepted and leaves the queue', async () => {
    const { room, host, ada, bo } = stageRoom();
    const el = await queue(host);
    await ada.requestAccess();
    await bo.requestAccess();
    (await button(el, 'Approve Ada')).click();
    await waitUntil(() => ada.status === 'ACCEPTED_TO_JOIN_STAGE');
    await waitUntil(() => rowTexts(el).length === 1);
    expect(rowTexts(el)[0]).to.match(/^#1 Bo /);
    expect(bo.status).to.equal('REQUESTED_TO_JOIN_STAGE');
    expect(alertText(el)).to.equal('');
    room.close();
  });

  it('denies one request', async () => {
    const { room, host, ada } = stageRoom();
    const el = await queue(host);
    await ada.requestAccess();
    (await button(el, 'Deny Ada')).click();
    await waitUntil(() => ada.status === 'OFF_STAGE');
    await waitUntil(() => el.shadowRoot!.textContent!.includes('No requests'));
    expect(rows(el)).to.have.length(0);
    room.close();
  });

  it('approves all and denies all', async () => {
    const { room, host, ada, bo, cy } = stageRoom();
    const el = await queue(host);
    await Promise.all([ada.requestAccess(), bo.requestAccess()]);
    (await button(el, 'Approve all')).click();
    await waitUntil(() => el.shadowRoot!.textContent!.includes('0 waiting'));
    expect([ada.status, bo.status]).to.deep.equal([
      'ACCEPTED_TO_JOIN_STAGE',
      'ACCEPTED_TO_JOIN_STAGE',
    ]);

    await cy.requestAccess();
    await bo.leave();
    await bo.requestAccess();
    await waitUntil(() => rows(el).length === 2);
    (await button(el, 'Deny all')).click();
    await waitUntil(() => el.shadowRoot!.textContent!.includes('No requests'));
    expect([ada.status, bo.status, cy.status]).to.deep.equal([
      'ACCEPTED_TO_JOIN_STAGE',
      'OFF_STAGE',
      'OFF_STAGE',
    ]);
    expect(alertText(el)).to.equal('');
    room.close();
  });

  it('reports what "Approve all" could not do when the stage is full', async () => {
    const { room, host, ada, bo, cy, join } = stageRoom({ maxOnStage: 2 });
    const dee = join('dee', 'Dee', 'viewer');
    const el = await queue(host);
    for (const v of [ada, bo, cy, dee]) await v.requestAccess();
    await waitUntil(() => rows(el).length === 4);
    const failed = oneEvent(el, 'rtk-stage-error');
    (await button(el, 'Approve all')).click();
    const error = (await failed).detail as StageError;
    expect(error.code).to.equal('2007');
    await waitUntil(() => alertText(el) !== '');
    expect(alertText(el)).to.match(/^2 could not be changed: .*seats are taken/);
    expect([ada.status, bo.status, cy.status, dee.status]).to.deep.equal([
      'ACCEPTED_TO_JOIN_STAGE',
      'ACCEPTED_TO_JOIN_STAGE',
      'REQUESTED_TO_JOIN_STAGE',
      'REQUESTED_TO_JOIN_STAGE',
    ]);
    expect(rowTexts(el).map((t) => t.split(' ')[1])).to.deep.equal(['Cy', 'Dee']);
    await expect(el).to.be.accessible();
    room.close();
  });

  it('two hosts approving one request: the second sees why, nothing breaks', async () => {
    const { room, host, moderator, ada, bo } = stageRoom();
    const first = await queue(host);
    const second = await queue(moderator);
    await ada.requestAccess();
    await bo.requestAccess();
    const a = await button(first, 'Approve Ada');
    const b = await button(second, 'Approve Ada');
    const failed = oneEvent(second, 'rtk-stage-error');
    // Both clicks land before either element hears about the other's.
    a.click();
    b.click();
    expect(((await failed).detail as StageError).code).to.equal('2006');
    await waitUntil(() => alertText(second) !== '');
    expect(alertText(second)).to.match(/^Could not grant stage access for Ada: .*accepted/);
    expect(alertText(first)).to.equal('');
    expect(ada.status).to.equal('ACCEPTED_TO_JOIN_STAGE');
    await waitUntil(() => rows(second).length === 1 && rows(first).length === 1);
    await expect(second).to.be.accessible();

    // The next command clears the alert, and works.
    (await button(second, 'Deny Bo')).click();
    await second.updateComplete;
    expect(alertText(second)).to.equal('');
    await waitUntil(() => bo.status === 'OFF_STAGE');
    await waitUntil(() => rows(first).length === 0);
    expect(alertText(second)).to.equal('');
    room.close();
  });

  it("shows a moderator's own request in the queue", async () => {
    const { room, host, moderator } = stageRoom();
    const mine = await queue(moderator);
    const hosts = await queue(host);
    await moderator.requestAccess();
    await button(mine, 'Approve Mo');
    await button(hosts, 'Approve Mo');
    expect(rowTexts(mine)[0]).to.match(/^#1 Mo /);
    room.close();
  });

  it('keeps focus on the same request when one above it leaves the queue', async () => {
    const { room, host, moderator, ada, bo, cy } = stageRoom();
    for (const viewer of [ada, bo, cy]) await viewer.requestAccess();
    const el = await queue(host);
    (await button(el, 'Deny Cy')).focus();
    await moderator.grantAccess(['ada']);
    await waitUntil(() => rows(el).length === 2);
    expect(focused(el)?.textContent?.trim()).to.equal('Deny Cy');
    room.close();
  });

  it('marks a command in flight busy, keeps focus, and ignores clicks meanwhile', async () => {
    const { room, host, ada, bo } = stageRoom();
    const el = await queue(host);
    await ada.requestAccess();
    await bo.requestAccess();
    const held = hold(host);
    const approve = await button(el, 'Approve Ada');
    approve.focus();
    approve.click();
    await el.updateComplete;
    expect(approve.getAttribute('aria-busy')).to.equal('true');
    expect(approve.getAttribute('aria-disabled')).to.equal('true');
    expect((await button(el, 'Deny Ada')).getAttribute('aria-disabled')).to.equal('true');
    expect((await button(el, 'Deny Ada')).getAttribute('aria-busy')).to.equal('false');
    expect((await button(el, 'Approve Bo')).getAttribute('aria-disabled')).to.equal('false');
    expect(focused(el)).to.equal(approve);
    approve.click();
    (await button(el, 'Deny Ada')).click();
    expect(held.calls).to.deep.equal([['ada']]);
    await expect(el).to.be.accessible();

    // "Approve all" leaves Ada to her own command, and is busy in turn.
    const all = await button(el, 'Approve all');
    all.click();
    await el.updateComplete;
    expect(held.calls).to.deep.equal([['ada'], ['bo']]);
    expect(all.getAttribute('aria-busy')).to.equal('true');
    expect((await button(el, 'Deny all')).getAttribute('aria-disabled')).to.equal('true');
    expect((await button(el, 'Approve Bo')).getAttribute('aria-disabled')).to.equal('true');
    all.click();
    (await button(el, 'Deny Bo')).click();
    expect(held.calls).to.have.length(2);
    await expect(el).to.be.accessible();

    held.release();
    await waitUntil(() => el.shadowRoot!.textContent!.includes('No requests'));
    expect([ada.status, bo.status]).to.deep.equal([
      'ACCEPTED_TO_JOIN_STAGE',
      'ACCEPTED_TO_JOIN_STAGE',
    ]);
    expect(alertText(el)).to.equal('');
    room.close();
  });

  it('shows a rejected command in the alert region and fires rtk-stage-error', async () => {
    const { room, host, ada } = stageRoom();
    const el = await queue(host);
    await ada.requestAccess();
    const approve = await button(el, 'Approve Ada');
    room.disconnect('host');
    const failed = oneEvent(el, 'rtk-stage-error');
    approve.click();
    const error = (await failed).detail as StageError;
    expect(error.code).to.equal('2005');
    await waitUntil(() => alertText(el) === error.message);
    expect(ada.status).to.equal('REQUESTED_TO_JOIN_STAGE');
    await expect(el).to.be.accessible();
    room.close();
  });

  it('works with the keyboard alone: one Tab stop, arrows, Home/End, Enter', async () => {
    const { room, host, ada, bo, cy } = stageRoom();
    const el = await fixture<RtkStageQueue>(
      html`<div>
        <button>before</button>
        <rtk-stage-queue .stage=${host}></rtk-stage-queue>
        <button>after</button>
      </div>`,
    ).then((d) => d.querySelector('rtk-stage-queue')!);
    for (const v of [ada, bo, cy]) await v.requestAccess();
    await waitUntil(() => rows(el).length === 3);

    // Tab order: Approve all, Deny all, the active row, its Approve and Deny; then out.
    (document.querySelector('button') as HTMLButtonElement).focus();
    const stops: string[] = [];
    for (let i = 0; i < 6; i++) {
      await sendKeys({ press: 'Tab' });
      const f = focused(el) ?? document.activeElement;
      stops.push(f?.getAttribute('role') === 'listitem' ? 'row 1' : f!.textContent!.trim());
    }
    expect(stops).to.deep.equal([
      'Approve all',
      'Deny all',
      'row 1',
      'Approve Ada',
      'Deny Ada',
      'after',
    ]);

    rows(el)[0]!.focus();
    await sendKeys({ press: 'ArrowDown' });
    await el.updateComplete;
    expect(focused(el)!.getAttribute('aria-posinset')).to.equal('2');
    await sendKeys({ press: 'End' });
    await el.updateComplete;
    expect(focused(el)!.getAttribute('aria-posinset')).to.equal('3');
    await sendKeys({ press: 'Home' });
    await el.updateComplete;
    expect(focused(el)!.getAttribute('aria-posinset')).to.equal('1');
    await sendKeys({ press: 'ArrowDown' });
    await el.updateComplete;

    // Tab into the focused row's buttons, arrows keep the column, Enter approves.
    await sendKeys({ press: 'Tab' });
    expect(focused(el)!.textContent!.trim()).to.equal('Approve Bo');
    await sendKeys({ press: 'ArrowUp' });
    await el.updateComplete;
    expect(focused(el)!.textContent!.trim()).to.equal('Approve Ada');
    await sendKeys({ press: 'ArrowDown' });
    await el.updateComplete;
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => bo.status === 'ACCEPTED_TO_JOIN_STAGE');
    await waitUntil(() => rows(el).length === 2);
    // Focus moves to the next request's Approve, ready for the next Enter.
    await waitUntil(() => focused(el)?.textContent?.trim() === 'Approve Cy');
    await sendKeys({ press: ' ' });
    await waitUntil(() => cy.status === 'ACCEPTED_TO_JOIN_STAGE');
    expect(ada.status).to.equal('REQUESTED_TO_JOIN_STAGE');
    room.close();
  });

  it('takes strings overrides for every text', async () => {
    const { room, host, ada } = stageRoom();
    await ada.requestAccess();
    const el = await queue(host, {
      queueLabel: 'Line',
      queueCount: '{n} in line',
      queuePosition: 'No. {n}',
      approve: 'Let {name} in',
      deny: 'Turn {name} away',
      approveAll: 'Everyone in',
      denyAll: 'Nobody in',
      waiting: 'for {time}',
      secondsShort: '{n} sec',
    });
    await findByRole(el, 'list', 'Line');
    await button(el, 'Let Ada in');
    await button(el, 'Turn Ada away');
    await button(el, 'Everyone in');
    await button(el, 'Nobody in');
    expect(el.shadowRoot!.textContent).to.contain('1 in line');
    expect(rowTexts(el)[0]).to.equal('No. 1 Ada for 0 sec Let Ada in Turn Ada away');
    room.close();
  });

  it('can be styled through ::part and custom properties', async () => {
    const { room, host, ada } = stageRoom();
    await ada.requestAccess();
    const style = document.createElement('style');
    style.textContent = `
      rtk-stage-queue.themed::part(row) { background-color: rgb(1, 2, 3); }
      rtk-stage-queue.themed { --rtk-stage-row-height: 60px; --rtk-stage-queue-height: 100px; }`;
    document.head.append(style);
    try {
      const el = await fixture<RtkStageQueue>(
        html`<rtk-stage-queue class="themed" .stage=${host}></rtk-stage-queue>`,
      );
      await waitUntil(() => rows(el).length === 1);
      const row = rows(el)[0]!;
      expect(getComputedStyle(row).backgroundColor).to.equal('rgb(1, 2, 3)');
      expect(row.getBoundingClientRect().height).to.equal(60);
      const viewport = row.closest('[part="viewport"]')!;
      expect(getComputedStyle(viewport).maxHeight).to.equal('100px');
    } finally {
      style.remove();
      room.close();
    }
  });

  it('renders a bounded number of rows for 10,000 requests, and reaches the last one', async () => {
    const { room, host, join } = stageRoom();
    const viewers = Array.from({ length: 10_000 }, (_, i) =>
      join(`v${i}`, `Viewer ${i + 1}`, 'viewer'),
    );
    await Promise.all(viewers.map((v) => v.requestAccess()));
    const el = await queue(host);
    await button(el, 'Approve Viewer 1');
    expect(el.shadowRoot!.textContent).to.contain('10000 waiting');
    expect(rows(el).length).to.be.greaterThan(0).and.lessThan(100);
    expect(el.shadowRoot!.querySelectorAll('button').length).to.be.lessThan(202);

    const viewport = el.shadowRoot!.querySelector('[part="viewport"]')!;
    viewport.scrollTop = viewport.scrollHeight;
    const last = await button(el, 'Approve Viewer 10000');
    expect(last.closest('[role="listitem"]')!.getAttribute('aria-posinset')).to.equal('10000');
    expect(rows(el).length).to.be.lessThan(100);

    // The keyboard reaches rows that were not rendered: End, then Home.
    rows(el).at(-1)!.focus();
    await sendKeys({ press: 'Home' });
    await waitUntil(() => focused(el)?.getAttribute('aria-posinset') === '1');
    await sendKeys({ press: 'End' });
    await waitUntil(() => focused(el)?.getAttribute('aria-posinset') === '10000');
    await expect(el).to.be.accessible();

    // "Approve all" goes through in chunks the authority accepts.
    (await button(el, 'Approve all')).click();
    await waitUntil(() => el.shadowRoot!.textContent!.includes('No requests'), undefined, {
      timeout: 5000,
    });
    expect(viewers.every((v) => v.status === 'ACCEPTED_TO_JOIN_STAGE')).to.equal(true);
    expect(alertText(el)).to.equal('');
    room.close();
  });

  it('shows the top rows again when it is moved after a scroll', async () => {
    const { room, host, join } = stageRoom();
    const viewers = Array.from({ length: 500 }, (_, i) =>
      join(`v${i}`, `Viewer ${i + 1}`, 'viewer'),
    );
    await Promise.all(viewers.map((v) => v.requestAccess()));
    const el = await queue(host);
    const viewport = el.shadowRoot!.querySelector('[part="viewport"]')!;
    viewport.scrollTop = viewport.scrollHeight;
    await button(el, 'Approve Viewer 500');

    const parent = el.parentElement!;
    el.remove();
    parent.append(el);
    expect(viewport.scrollTop, 'the browser resets a re-inserted scroller').to.equal(0);
    // Row 1 holds the Tab stop and is always rendered: look at the rows below it.
    for (const name of ['Viewer 2', 'Viewer 3']) await button(el, `Approve ${name}`);
    room.close();
  });

  it('refreshes waiting times without replacing the rows', async () => {
    const { room, host, ada } = stageRoom();
    await ada.requestAccess();
    const el = await queue(host);
    await button(el, 'Approve Ada');
    const row = rows(el)[0]!;
    const time = row.querySelector('time')!;
    const before = time.textContent;
    expect(before).to.equal('waiting 0s');
    await aTimeout(50); // let the first layout settle: only the clock acts from here
    let renders = 0;
    const counted = el as unknown as { render(): unknown };
    const render = counted.render.bind(el);
    counted.render = () => (renders++, render());
    await aTimeout(1100);
    await waitUntil(() => time.textContent !== before, 'waiting time did not change', {
      timeout: 1000,
    });
    expect(time.textContent).to.equal('waiting 1s');
    expect(rows(el)[0]).to.equal(row);
    expect(row.querySelector('time')).to.equal(time);
    expect(renders, 'renders while the clock ticked').to.equal(0);
    room.close();
  });
});
