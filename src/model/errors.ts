import type { StageCommandType, StageErrorCode, StageErrorReason } from './types.js';

const REASONS: Record<StageErrorCode, StageErrorReason> = {
  '2001': 'PERMISSION_DENIED',
  '2003': 'STAGE_DISABLED',
  '2005': 'NOT_CONNECTED',
  '2006': 'INVALID_STATUS',
  '2007': 'STAGE_FULL',
  '2008': 'RATE_LIMITED',
  '2009': 'INVALID_ARGUMENT',
  '2010': 'TIMEOUT',
};

/**
 * Every failure of a stage command. `code` is RealtimeKit's string code, `reason` its name,
 * and the message says what was tried, why it failed and what to do next.
 */
export class StageError extends Error {
  readonly code: StageErrorCode;
  readonly reason: StageErrorReason;

  constructor(code: StageErrorCode, message: string) {
    super(message);
    this.name = 'StageError';
    this.code = code;
    this.reason = REASONS[code];
  }

  /** True for any value that looks like a StageError, even from another realm or the wire. */
  static is(value: unknown): value is StageError {
    return (
      value instanceof StageError ||
      (typeof value === 'object' &&
        value !== null &&
        (value as { name?: unknown }).name === 'StageError' &&
        typeof (value as { code?: unknown }).code === 'string' &&
        (value as { code: string }).code in REASONS)
    );
  }
}

export function isStageErrorCode(value: unknown): value is StageErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(REASONS, value);
}

/** What each command tries to do, in words a person reads. */
export const ACTIONS: Record<StageCommandType, string> = {
  requestAccess: 'ask to join the stage',
  cancelRequestAccess: 'cancel the stage request',
  join: 'join the stage',
  leave: 'leave the stage',
  grantAccess: 'grant stage access',
  denyAccess: 'deny stage access',
  kick: 'remove participants from the stage',
};

/** A failure as the authority reports it, before it becomes a StageError. */
export interface StageFailure {
  readonly code: StageErrorCode;
  readonly message: string;
}

export function failure(code: StageErrorCode, message: string): StageFailure {
  return { code, message };
}

export function toStageError(f: StageFailure): StageError {
  return new StageError(f.code, f.message);
}

export function notConnected(command: StageCommandType | string, why: string): StageError {
  const action = (ACTIONS as Record<string, string>)[command] ?? command;
  return new StageError(
    '2005',
    `Could not ${action}: ${why}. Connect to the stage again (room.connect() or connectStage()) and retry.`,
  );
}
