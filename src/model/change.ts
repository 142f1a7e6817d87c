import { failure, type StageFailure } from './errors.js';
import type { StageBulkResult, StageEvent } from './types.js';

/** An event for one user: the reason for a change of its own status (approved, removed…). */
export interface TargetedEvent {
  readonly userId: string;
  readonly event: StageEvent;
}

/**
 * What one step of the room (a command, a connection, the clock) changed. Only what concerns
 * someone is listed, so an authority can tell each participant just its own part.
 */
export interface RoomChange {
  /** The room's version after this change; versions grow by one per change. */
  readonly version: number;
  /** Reason events for single users, in order; each comes before that user's new SelfView. */
  readonly notices: readonly TargetedEvent[];
  /** Users whose SelfView (status, queue place, permissions, name) changed. */
  readonly selfChanged: readonly string[];
  /** Events for every privileged user, in order. */
  readonly privilegedEvents: readonly StageEvent[];
  /** The pending queue changed (membership or order). */
  readonly queueChanged: boolean;
  /** The first 0-based queue index whose request moved or left, or -1: places from here on changed. */
  readonly queueFrom: number;
  /** The ON_STAGE list changed. */
  readonly onStageChanged: boolean;
  /** The list of users not OFF_STAGE changed (what privileged users see as participants). */
  readonly participantsChanged: boolean;
  /** The list of ACCEPTED and ON_STAGE users changed (what everyone else sees). */
  readonly seatedChanged: boolean;
  /** Users who left the room for good (their reconnect grace ran out). */
  readonly removed: readonly string[];
}

/** Collects the effects of one step; mutable only while the step runs. */
export class ChangeBuilder {
  readonly notices: TargetedEvent[] = [];
  readonly self = new Set<string>();
  readonly privilegedEvents: StageEvent[] = [];
  readonly removed: string[] = [];
  queueChanged = false;
  queueFrom = -1;
  onStageChanged = false;
  participantsChanged = false;
  seatedChanged = false;

  /** Nothing changed: every effect of a step changes someone's self view or removes someone. */
  get empty(): boolean {
    return this.self.size === 0 && this.removed.length === 0;
  }

  // Every field written out: a literal of one shape is much cheaper, once per step, than
  // copying the builder with rest and spread.
  build(version: number): RoomChange {
    return {
      version,
      notices: this.notices,
      selfChanged: [...this.self],
      privilegedEvents: this.privilegedEvents,
      queueChanged: this.queueChanged,
      queueFrom: this.queueFrom,
      onStageChanged: this.onStageChanged,
      participantsChanged: this.participantsChanged,
      seatedChanged: this.seatedChanged,
      removed: this.removed,
    };
  }
}

/** The one value that means "nothing changed": an authority emits nothing for it. */
export const NO_CHANGE: RoomChange = deepFreeze(new ChangeBuilder().build(-1));

/** Freezes a change and its lists. */
function deepFreeze(change: RoomChange): RoomChange {
  for (const list of Object.values(change)) if (Array.isArray(list)) Object.freeze(list);
  return Object.freeze(change);
}

/** The answer to one command: a failure that changed nothing, or what it changed. */
export type CommandOutcome =
  | { readonly ok: true; readonly result: StageBulkResult | undefined; readonly change: RoomChange }
  | { readonly ok: false; readonly error: StageFailure };

/** A refusal, with its code and message for people. */
export function fail(code: StageFailure['code'], message: string): CommandOutcome {
  return { ok: false, error: failure(code, message) };
}

export function refused(error: StageFailure): CommandOutcome {
  return { ok: false, error };
}

/** A command that was applied. */
export function done(result: StageBulkResult | undefined, change: RoomChange): CommandOutcome {
  return { ok: true, result, change };
}
