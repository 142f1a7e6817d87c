// The core alone: one participant of a room on the stage server, with no rtk-stage element.
// Everything on the page is rendered by hand from the controller's observables, and every
// button calls one of its methods. The dev server tells where the stage server is; its
// development token endpoint signs a token for the participant the address names
// (?room=demo&preset=viewer&name=Ada).
import { combineLatest } from 'rxjs';
import {
  StageError,
  connectStage,
  isPrivileged,
  type StageController,
  type StageEvent,
  type StageParticipant,
  type StagePermissions,
  type StageRequest,
  type StageStatus,
} from '../src/index.js';
import { demoCredentials, demoParticipant } from './dev-stage.js';

const me = demoParticipant();
const { room, preset, name } = me;

const $ = (id: string) => document.getElementById(id)!;
const who = $('who');
const connection = $('connection');
const statusLine = $('status');
const actions = $('actions');
const alert = $('alert');
const queueSection = $('queue-section');
const queueCount = $('queue-count');
const queue = $('queue');
const onStage = $('on-stage');
const nobody = $('nobody');
const events = $('events');

who.textContent = `${name} (${preset}) in room “${room}”`;
document.title = `${name} · rtk-stage observables`;

const STATUS_TEXT: Record<StageStatus, string> = {
  OFF_STAGE: 'You are off stage',
  REQUESTED_TO_JOIN_STAGE: 'You asked to join the stage',
  ACCEPTED_TO_JOIN_STAGE: 'You were accepted: join the stage when ready',
  ON_STAGE: 'You are on stage',
};

/** A button that runs one controller command, shows failures and stays disabled meanwhile. */
function commandButton(label: string, run: () => Promise<unknown>): HTMLButtonElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = label;
  button.addEventListener('click', async () => {
    alert.textContent = '';
    button.disabled = true;
    try {
      await run();
    } catch (error) {
      alert.textContent = StageError.is(error) ? error.message : String(error);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

/** Reports the users a bulk command could not change (the others were changed). */
async function bulk(run: Promise<{ failed: readonly { message: string }[] }>): Promise<void> {
  const { failed } = await run;
  if (failed.length > 0) alert.textContent = failed.map((f) => f.message).join(' ');
}

function renderSelf(
  stage: StageController,
  status: StageStatus,
  position: number | null,
  permissions: StagePermissions,
): void {
  statusLine.dataset['status'] = status;
  statusLine.textContent =
    position === null
      ? STATUS_TEXT[status]
      : `${STATUS_TEXT[status]}. You are #${position} in line`;
  const buttons: HTMLButtonElement[] = [];
  if (permissions.stageEnabled && permissions.stageAccess !== 'NOT_ALLOWED') {
    if (status === 'OFF_STAGE' && permissions.stageAccess === 'ALLOWED') {
      buttons.push(
        commandButton('Join stage', async () => {
          await stage.requestAccess(); // ALLOWED: accepted at once, then join
          await stage.join();
        }),
      );
    } else if (status === 'OFF_STAGE') {
      buttons.push(commandButton('Request to join stage', () => stage.requestAccess()));
    } else if (status === 'REQUESTED_TO_JOIN_STAGE') {
      buttons.push(commandButton('Cancel request', () => stage.cancelRequestAccess()));
    } else if (status === 'ACCEPTED_TO_JOIN_STAGE') {
      buttons.push(commandButton('Join stage', () => stage.join()));
      buttons.push(commandButton('Decline', () => stage.leave()));
    } else {
      buttons.push(commandButton('Leave stage', () => stage.leave()));
    }
  }
  actions.replaceChildren(...buttons);
}

function renderQueue(stage: StageController, requests: readonly StageRequest[]): void {
  queueCount.textContent = `(${requests.length} waiting)`;
  queue.replaceChildren(
    ...requests.map((request) => {
      const item = document.createElement('li');
      const label = document.createElement('span');
      label.textContent = `#${request.position} ${request.displayName}`;
      item.append(
        label,
        ' ',
        commandButton(`Approve ${request.displayName}`, () =>
          bulk(stage.grantAccess([request.userId])),
        ),
        ' ',
        commandButton(`Deny ${request.displayName}`, () =>
          bulk(stage.denyAccess([request.userId])),
        ),
      );
      return item;
    }),
  );
}

function renderOnStage(
  stage: StageController,
  people: readonly StageParticipant[],
  privileged: boolean,
): void {
  nobody.hidden = people.length > 0;
  onStage.replaceChildren(
    ...people.map((person) => {
      const item = document.createElement('li');
      item.append(person.displayName);
      if (privileged && person.userId !== stage.userId) {
        item.append(
          ' ',
          commandButton(`Remove ${person.displayName} from stage`, () =>
            bulk(stage.kick([person.userId])),
          ),
        );
      }
      return item;
    }),
  );
}

/** One line per event of `events$`, in words (the list updates are shown above instead). */
function describe(event: StageEvent): string | undefined {
  switch (event.type) {
    case 'stageStatusUpdate':
      return `Your status is now ${event.status}`;
    case 'stageAccessRequestUpdate':
      return undefined;
    case 'newStageRequest':
      return `${event.request.displayName} asked to join the stage (${event.count} waiting)`;
    case 'stageRequestApproved':
      return event.invited ? 'You were invited to join the stage' : 'Your request was approved';
    case 'stageRequestRejected':
      return 'Your request to join the stage was declined';
    case 'acceptPresentRequests':
      return `${event.userIds.length} request(s) approved`;
    case 'stageRequestExpired':
      return 'Your request to join the stage expired';
    case 'removedFromStage':
      return 'You were removed from the stage';
    case 'stageAccessDeclined':
      return `${event.userId} declined to join the stage`;
  }
}

function show(stage: StageController): void {
  combineLatest([stage.status$, stage.position$, stage.permissions$]).subscribe(
    ([status, position, permissions]) => renderSelf(stage, status, position, permissions),
  );
  combineLatest([stage.permissions$, stage.requests$]).subscribe(([permissions, requests]) => {
    queueSection.hidden = !isPrivileged(permissions);
    renderQueue(stage, requests);
  });
  combineLatest([stage.permissions$, stage.onStage$]).subscribe(([permissions, people]) =>
    renderOnStage(stage, people, isPrivileged(permissions)),
  );
  stage.connection$.subscribe((state) => (connection.textContent = `Connection: ${state}.`));
  stage.events$.subscribe((event) => {
    const text = describe(event);
    if (text === undefined) return;
    const item = document.createElement('li');
    const type = document.createElement('code');
    type.textContent = event.type;
    item.append(type, ` ${text}`);
    events.prepend(item);
  });
  // dispose() completes every observable, which ends the subscriptions above.
  addEventListener('pagehide', () => stage.dispose(), { once: true });
}

try {
  show(await connectStage(await demoCredentials(me)));
} catch (error) {
  connection.textContent = StageError.is(error)
    ? error.message
    : `Could not reach the stage server (${(error as Error).message}). Start everything with npm start.`;
}
