// The rules engine's refusals: when a command may not act, and what was tried, why it failed
// and what to do next.
import { ACTIONS, failure, type StageFailure } from './errors.js';
import { mayBeOnStage } from './presets.js';
import { isSeated } from './state.js';
import type { BulkCommandType, StagePermissions, StageStatus } from './types.js';

export const STATUS_WORDS: Record<StageStatus, string> = {
  OFF_STAGE: 'off stage',
  REQUESTED_TO_JOIN_STAGE: 'waiting in the queue',
  ACCEPTED_TO_JOIN_STAGE: 'accepted but not yet on stage',
  ON_STAGE: 'on stage',
};

export function notAllowed(action: string): StageFailure {
  return failure(
    '2001',
    `Could not ${action}: your role may watch but not go on stage. Ask a host for a role with stage access.`,
  );
}

export function full(action: string, seats: number): string {
  const what = action ? `Could not ${action}: ` : '';
  return `${what}all ${seats} stage seats are taken. Try again when someone leaves the stage.`;
}

/** Why an actor's own status does not allow a command; `position` is its place while waiting. */
export function wrongStatus(action: string, st: StageStatus, position: number): StageFailure {
  let why: string;
  if (st === 'ON_STAGE' && action === ACTIONS.join)
    return failure('2006', 'You are already on stage.');
  switch (st) {
    case 'OFF_STAGE':
      why =
        action === ACTIONS.join
          ? 'you have not been accepted yet. Ask to join first with requestAccess().'
          : 'you are off stage, so there is nothing to do.';
      break;
    case 'REQUESTED_TO_JOIN_STAGE':
      why =
        action === ACTIONS.leave
          ? `your request is still pending (#${position} in line). Use cancelRequestAccess() to withdraw it.`
          : `your request is still waiting for a host (#${position} in line). Wait, or cancel it with cancelRequestAccess().`;
      break;
    case 'ACCEPTED_TO_JOIN_STAGE':
      why = 'you have already been accepted. Join the stage with join(), or decline with leave().';
      break;
    case 'ON_STAGE':
      why = 'you are already on stage. Use leave() to step down.';
      break;
  }
  return failure('2006', `Could not ${action}: ${why}`);
}

/** Why a bulk command may not act on this target, or undefined when it may. */
export function refuseTarget(
  type: BulkCommandType,
  m: { readonly status: StageStatus; readonly permissions: StagePermissions },
  seatsLeft: number,
  maxOnStage: number,
): StageFailure | undefined {
  const st = m.status;
  const where = `they are ${STATUS_WORDS[st]}.`;
  switch (type) {
    case 'grantAccess':
      if (!mayBeOnStage(m.permissions)) {
        return failure('2001', 'their role may not go on stage. Change their role first.');
      }
      if (isSeated(st)) return failure('2006', `${where} Nothing to grant.`);
      if (seatsLeft <= 0) return failure('2007', `${full('', maxOnStage)}`);
      return undefined;
    case 'denyAccess':
      if (st === 'REQUESTED_TO_JOIN_STAGE' || st === 'ACCEPTED_TO_JOIN_STAGE') return undefined;
      return failure(
        '2006',
        `${where} Only pending requests and accepted users who have not joined can be denied; use kick() for users on stage.`,
      );
    case 'kick':
      if (isSeated(st)) return undefined;
      return failure(
        '2006',
        `${where} Only users on stage or accepted can be removed; use denyAccess() for pending requests.`,
      );
  }
}
