// A local room with a host and two viewers side by side, each panel rendered by hand from its
// own controller's observables: the core alone, no framework and no elements.
import { combineLatest } from 'rxjs';
import {
  createLocalStage,
  type PresetName,
  type StageController,
  type StageRequest,
  type StageStatus,
} from '../src/index.js';

const room = createLocalStage({ maxOnStage: 3, requestTtlMs: 120_000 });

const people: { userId: string; displayName: string; preset: PresetName }[] = [
  { userId: 'host', displayName: 'Hana (host)', preset: 'host' },
  { userId: 'ada', displayName: 'Ada', preset: 'viewer' },
  { userId: 'bo', displayName: 'Bo', preset: 'viewer' },
];

const STATUS_TEXT: Record<StageStatus, string> = {
  OFF_STAGE: 'Off stage',
  REQUESTED_TO_JOIN_STAGE: 'Waiting for approval',
  ACCEPTED_TO_JOIN_STAGE: 'Approved: you can join',
  ON_STAGE: 'On stage',
};

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = Object.assign(document.createElement(tag), props);
  el.append(...children);
  return el;
}

function panel(stage: StageController): HTMLElement {
  const status = h('p', { className: 'status' });
  const actions = h('div', { className: 'actions' });
  const error = h('p', { className: 'error', role: 'alert' } as Partial<HTMLParagraphElement>);
  const queue = h('ol', { ariaLabel: 'Requests' } as Partial<HTMLOListElement>);
  const stageList = h('ul', { ariaLabel: 'On stage' } as Partial<HTMLUListElement>);
  const queueHeading = h('h3', {}, 'Requests');
  const section = h(
    'section',
    { ariaLabel: stage.displayName } as Partial<HTMLElement>,
    h('h2', {}, stage.displayName),
    status,
    actions,
    error,
    queueHeading,
    queue,
    h('h3', {}, 'On stage'),
    stageList,
  );

  const run = (label: string, command: () => Promise<unknown>) => {
    const button = h('button', { type: 'button', textContent: label });
    button.addEventListener('click', async () => {
      error.textContent = '';
      button.disabled = true;
      try {
        await command();
      } catch (e) {
        error.textContent = (e as Error).message;
      } finally {
        button.disabled = false;
      }
    });
    return button;
  };

  combineLatest([stage.status$, stage.position$, stage.permissions$]).subscribe(
    ([st, position, permissions]) => {
      status.textContent =
        STATUS_TEXT[st] + (position !== null ? ` (you are #${position} in line)` : '');
      const buttons: HTMLButtonElement[] = [];
      if (st === 'OFF_STAGE' && permissions.stageAccess === 'CAN_REQUEST') {
        buttons.push(run('Request to join stage', () => stage.requestAccess()));
      }
      if (st === 'OFF_STAGE' && permissions.stageAccess === 'ALLOWED') {
        buttons.push(
          run('Join stage', async () => {
            await stage.requestAccess();
            await stage.join();
          }),
        );
      }
      if (st === 'REQUESTED_TO_JOIN_STAGE') {
        buttons.push(run('Cancel request', () => stage.cancelRequestAccess()));
      }
      if (st === 'ACCEPTED_TO_JOIN_STAGE') {
        buttons.push(run('Join stage', () => stage.join()));
        buttons.push(run('Decline', () => stage.leave()));
      }
      if (st === 'ON_STAGE') buttons.push(run('Leave stage', () => stage.leave()));
      actions.replaceChildren(...buttons);
      const privileged = permissions.acceptStageRequests;
      queueHeading.hidden = queue.hidden = !privileged;
    },
  );

  stage.requests$.subscribe((requests: readonly StageRequest[]) => {
    queue.replaceChildren(
      ...requests.map((r) =>
        h(
          'li',
          {},
          r.displayName,
          run(`Approve ${r.displayName}`, () => stage.grantAccess([r.userId])),
          run(`Deny ${r.displayName}`, () => stage.denyAccess([r.userId])),
        ),
      ),
    );
    if (requests.length === 0) queue.replaceChildren(h('li', {}, 'No requests'));
  });

  combineLatest([stage.participants$, stage.permissions$]).subscribe(
    ([participants, permissions]) => {
      const seated = participants.filter((p) => p.status !== 'REQUESTED_TO_JOIN_STAGE');
      stageList.replaceChildren(
        ...seated.map((p) =>
          h(
            'li',
            {},
            `${p.displayName}${p.status === 'ACCEPTED_TO_JOIN_STAGE' ? ' (accepted, not joined)' : ''}`,
            ...(permissions.acceptStageRequests
              ? [run(`Remove ${p.displayName} from stage`, () => stage.kick([p.userId]))]
              : []),
          ),
        ),
      );
      if (seated.length === 0) stageList.replaceChildren(h('li', {}, 'Nobody yet'));
    },
  );

  stage.on('*', (name, payload) => console.debug(`[${stage.userId}] ${name}`, payload));
  return section;
}

const main = document.getElementById('panels')!;
for (const person of people) main.append(panel(room.connect(person)));
