/** The four stage statuses of RealtimeKit's `meeting.stage.status`. */
export type StageStatus =
  'OFF_STAGE' | 'REQUESTED_TO_JOIN_STAGE' | 'ACCEPTED_TO_JOIN_STAGE' | 'ON_STAGE';

/** ALLOWED: may go on stage without approval; CAN_REQUEST: must ask; NOT_ALLOWED: watch only. */
export type StageAccess = 'ALLOWED' | 'CAN_REQUEST' | 'NOT_ALLOWED';

/** A participant's stage permissions (RealtimeKit's preset flags). */
export interface StagePermissions {
  readonly stageEnabled: boolean;
  readonly stageAccess: StageAccess;
  /** Privileged: may grant, deny and kick. */
  readonly acceptStageRequests: boolean;
}

export type PresetName = 'host' | 'moderator' | 'speaker' | 'viewer' | 'audience';

/** A pending request to join the stage, as privileged users see it in the queue. */
export interface StageRequest {
  readonly userId: string;
  readonly displayName: string;
  /** Authority clock, in ms since the epoch. */
  readonly requestedAt: number;
  /** 1-based place in the queue. */
  readonly position: number;
}

/** A user who is not OFF_STAGE, as the lists show them. */
export interface StageParticipant {
  readonly userId: string;
  readonly displayName: string;
  readonly status: StageStatus;
  readonly requestedAt?: number;
}

export type StageErrorCode = '2001' | '2003' | '2005' | '2006' | '2007' | '2008' | '2009' | '2010';

export type StageErrorReason =
  | 'PERMISSION_DENIED'
  | 'STAGE_DISABLED'
  | 'NOT_CONNECTED'
  | 'INVALID_STATUS'
  | 'STAGE_FULL'
  | 'RATE_LIMITED'
  | 'INVALID_ARGUMENT'
  | 'TIMEOUT';

/** What a bulk command (grant, deny, kick) did for each user it named. */
export interface StageBulkResult {
  readonly ok: string[];
  readonly failed: { userId: string; code: StageErrorCode; message: string }[];
}

/** Room options beyond RealtimeKit. Every duration is in milliseconds; 0 means "never". */
export interface RoomOptions {
  /** Seats: ACCEPTED + ON_STAGE users may never exceed it. Default: unlimited. */
  readonly maxOnStage?: number;
  /** A request older than this returns to OFF_STAGE. Default 0 (never). */
  readonly requestTtlMs?: number;
  /** An ACCEPTED user who has not joined within this returns to OFF_STAGE. Default 0 (never). */
  readonly acceptedTtlMs?: number;
  /** How long a user whose last connection dropped keeps status and queue place. Default 30000. */
  readonly reconnectGraceMs?: number;
}

/** Payloads of the stage events, by name. */
export interface StageEventPayloads {
  stageStatusUpdate: { status: StageStatus };
  stageAccessRequestUpdate: { requests: readonly StageRequest[] };
  newStageRequest: { count: number; request: StageRequest };
  stageRequestApproved: { by: string; invited: boolean };
  stageRequestRejected: { by: string };
  acceptPresentRequests: { userIds: string[]; by: string };
  stageRequestExpired: { requestedAt: number };
  removedFromStage: { by: string };
  stageAccessDeclined: { userId: string };
}

export type StageEventName = keyof StageEventPayloads;

/** The discriminated union carried by `events$`. */
export type StageEvent = {
  [K in StageEventName]: { readonly type: K } & StageEventPayloads[K];
}[StageEventName];

/** The commands a participant can send to the authority. */
export type StageCommand =
  | { readonly type: 'requestAccess' }
  | { readonly type: 'cancelRequestAccess' }
  | { readonly type: 'join' }
  | { readonly type: 'leave' }
  | { readonly type: 'grantAccess'; readonly userIds: unknown }
  | { readonly type: 'denyAccess'; readonly userIds: unknown }
  | { readonly type: 'kick'; readonly userIds: unknown };

export type StageCommandType = StageCommand['type'];
export type BulkCommandType = 'grantAccess' | 'denyAccess' | 'kick';

/**
 * What a participant knows about itself. One object per change, shared by all its tabs.
 * (Its queue place is read separately: it changes whenever someone ahead leaves the queue.)
 */
export interface SelfView {
  readonly status: StageStatus;
  readonly permissions: StagePermissions;
  readonly displayName: string;
}

/** Who connects: identity and permissions come from the authority, never from the client. */
export interface MemberInput {
  readonly userId: string;
  readonly displayName: string;
  readonly permissions: StagePermissions;
}

/** A plain copy of the room, for tests, diagnostics and resyncing clients. */
export interface RoomSnapshot {
  readonly version: number;
  readonly users: readonly {
    readonly userId: string;
    readonly displayName: string;
    readonly status: StageStatus;
    readonly connections: number;
    readonly permissions: StagePermissions;
    readonly requestedAt?: number;
  }[];
  readonly queue: readonly string[];
  readonly onStage: readonly string[];
}
