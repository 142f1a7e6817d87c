/**
 * The wire protocol between rtk-stage clients and servers (JSON over WebSocket), version 1.
 * docs/protocol.md explains it; these are its shapes. Pure types and constants only.
 */
import type {
  StageBulkResult,
  StageCommandType,
  StageErrorCode,
  StageEvent,
  StagePermissions,
  StageStatus,
} from './types.js';

export const PROTOCOL_VERSION = 1;
/** Largest frame either side accepts; larger frames close the socket with 1009. */
export const MAX_FRAME_BYTES = 64 * 1024;

/** WebSocket close codes of the protocol. */
export const CloseCode = {
  /** The server is shutting down: reconnect (to another node). */
  GOING_AWAY: 1001,
  /** Policy: repeated malformed frames or rate-limit abuse. */
  POLICY: 1008,
  /** A frame over MAX_FRAME_BYTES. */
  TOO_BIG: 1009,
  /** The server cannot serve right now (its store is unreachable): reconnect later. */
  TRY_AGAIN_LATER: 1013,
  /** Bad, expired or missing token, or a frame before a valid hello. */
  UNAUTHORIZED: 4401,
  /** A valid token that is refused here (too many connections, origin not allowed). */
  FORBIDDEN: 4403,
} as const;

// ---- client → server ------------------------------------------------------------------------

export interface HelloFrame {
  readonly t: 'hello';
  readonly v: number;
  readonly token: string;
}

export interface CommandFrame {
  readonly t: 'cmd';
  /** Unique per user for the session: a re-sent id is answered from memory, not re-applied. */
  readonly id: string;
  readonly cmd: StageCommandType;
  readonly userIds?: string[];
}

export interface SyncFrame {
  readonly t: 'sync';
}

export type ClientFrame = HelloFrame | CommandFrame | SyncFrame;

// ---- server → client ------------------------------------------------------------------------

/** A participant on the wire: `o` orders lists (it grows each time a user leaves OFF_STAGE). */
export interface WireParticipant {
  readonly userId: string;
  readonly displayName: string;
  readonly status: StageStatus;
  readonly requestedAt?: number;
  readonly o: number;
}

/** A queued request on the wire; its place is its index in the queue. */
export interface WireRequest {
  readonly userId: string;
  readonly displayName: string;
  readonly requestedAt: number;
}

export interface WireSelf {
  readonly status: StageStatus;
  readonly permissions: StagePermissions;
  readonly displayName: string;
  readonly position: number | null;
  /** While REQUESTED: when the request was made. */
  readonly requestedAt?: number;
  /** This user's order key (see WireParticipant.o). */
  readonly o: number;
}

/** Everything one connection may see, at one room version. */
export interface Snapshot {
  readonly version: number;
  readonly self: WireSelf;
  /** ON_STAGE users by join time. */
  readonly onStage: readonly WireParticipant[];
  /** ACCEPTED and ON_STAGE users by `o`. */
  readonly seated: readonly WireParticipant[];
  /** Privileged users only: the queue, in order. */
  readonly queue?: readonly WireRequest[];
  /** Privileged users only: every user not OFF_STAGE, by `o`. */
  readonly participants?: readonly WireParticipant[];
}

export interface WelcomeFrame {
  readonly t: 'welcome';
  readonly v: number;
  readonly userId: string;
  readonly room: string;
  readonly snapshot: Snapshot;
}

export interface SnapshotFrame {
  readonly t: 'snapshot';
  readonly snapshot: Snapshot;
}

/**
 * A change of the lists everyone sees. `pv` is the version of the previous frame of this
 * stream: a client whose last one differs has missed something and asks for a snapshot.
 */
export interface PublicDelta {
  readonly t: 'pub';
  readonly v: number;
  readonly pv: number;
  readonly onStage?: readonly WireParticipant[];
  readonly seated?: readonly WireParticipant[];
}

/** A change of what privileged users see. Requests are added at the end; places follow. */
export interface PrivilegedDelta {
  readonly t: 'priv';
  readonly v: number;
  readonly pv: number;
  readonly queueAdd?: readonly WireRequest[];
  readonly queueRemove?: readonly string[];
  /** Participants set (added or changed; changed ones keep their place) and removed. */
  readonly set?: readonly WireParticipant[];
  readonly remove?: readonly string[];
}

/** This user's own state changed (status, permissions, name or place). `pv` as above, per user. */
export interface SelfDelta {
  readonly t: 'self';
  readonly v: number;
  readonly pv: number;
  readonly self: WireSelf;
}

/** An event for this connection; reason events come before the `self` frame they explain. */
export interface EventFrame {
  readonly t: 'ev';
  readonly e: StageEvent;
}

export type ResultFrame =
  | {
      readonly t: 'result';
      readonly id: string;
      readonly ok: true;
      readonly result?: StageBulkResult;
    }
  | {
      readonly t: 'result';
      readonly id: string;
      readonly ok: false;
      readonly code: StageErrorCode;
      readonly message: string;
    };

/** A frame the server could not use; nothing changed. */
export interface ErrorFrame {
  readonly t: 'error';
  readonly code: StageErrorCode;
  readonly message: string;
}

export type ServerFrame =
  | WelcomeFrame
  | SnapshotFrame
  | PublicDelta
  | PrivilegedDelta
  | SelfDelta
  | EventFrame
  | ResultFrame
  | ErrorFrame;
