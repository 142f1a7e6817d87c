import type { MemberInput, RoomData, StageCommand } from '../model/index.js';

/**
 * One step of a room, as every server replays it. The engine is deterministic with the clock
 * passed in, so servers that apply the same steps in the same order hold the same room.
 */
export type RoomOp =
  /** A connection opened on `node`. */
  | { readonly k: 'attach'; readonly node: string; readonly m: MemberInput; readonly now: number }
  /** A connection on `node` closed. */
  | { readonly k: 'detach'; readonly node: string; readonly u: string; readonly now: number }
  /** A command of user `u`; `id` is the client's command id. */
  | {
      readonly k: 'apply';
      readonly u: string;
      readonly id: string;
      readonly c: StageCommand;
      readonly now: number;
    }
  /** Time-based rules that fell due. */
  | { readonly k: 'advance'; readonly now: number }
  /** `node` stopped heartbeating: every connection it held counts as dropped. */
  | { readonly k: 'nodeGone'; readonly node: string; readonly now: number };

export interface LogEntry {
  /** The room's log version: one more per step. */
  readonly v: number;
  readonly op: RoomOp;
}

/** A saved room: the engine and each node's open connections, at a log version. */
export interface RoomCheckpoint {
  readonly v: number;
  readonly room: RoomData;
  readonly nodes: Record<string, Record<string, number>>;
}

export type AppendResult =
  | { readonly ok: true }
  /** Another step took the version; `missed` holds the steps after `expected`, when known. */
  | {
      readonly ok: false;
      readonly current: number;
      readonly missed?: readonly LogEntry[];
      /** The room's next turn is this server's (it claimed it): try again at once. */
      readonly turn?: boolean;
    };

/** Where rooms' steps are ordered and kept: this process, or Redis shared by several servers. */
export interface RoomLog {
  /** This server's id (connections are counted per node). */
  readonly node: string;
  /** Whether steps can be written now. */
  readonly healthy: boolean;
  /** Whether rooms are checkpointed (only a shared log needs them). */
  readonly keepsCheckpoints: boolean;
  /** The newest checkpoint of a room, if any. */
  checkpoint(room: string): Promise<RoomCheckpoint | undefined>;
  /** The steps after version `after`, in order; 'gap' when they are no longer all kept. */
  read(room: string, after: number): Promise<LogEntry[] | 'gap'>;
  /**
   * Appends steps as versions `expected + 1`… only if the room is still at `expected`.
   * `claimTurn`: this server keeps losing the race; a shared log then holds the others back
   * until this server's next append (or briefly, should it never come).
   */
  append(
    room: string,
    expected: number,
    ops: readonly RoomOp[],
    claimTurn?: boolean,
  ): Promise<AppendResult>;
  /** Saves a checkpoint (steps up to it may then be dropped). */
  save(room: string, checkpoint: RoomCheckpoint): Promise<void>;
  /** Steps appended by any server, as they happen; `onMissed` when some may have been lost. */
  subscribe(room: string, onEntry: (entry: LogEntry) => void, onMissed: () => void): Promise<void>;
  unsubscribe(room: string): Promise<void>;
  /** Whether a node is alive (its heartbeat has not lapsed). */
  alive(node: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Rooms in this process only: steps are applied as they are appended. */
export class MemoryRoomLog implements RoomLog {
  readonly node = 'local';
  readonly healthy = true;
  readonly keepsCheckpoints = false;
  private readonly versions = new Map<string, number>();
  private readonly listeners = new Map<string, (entry: LogEntry) => void>();

  checkpoint(): Promise<RoomCheckpoint | undefined> {
    return Promise.resolve(undefined);
  }

  read(): Promise<LogEntry[] | 'gap'> {
    return Promise.resolve([]);
  }

  append(room: string, expected: number, ops: readonly RoomOp[]): Promise<AppendResult> {
    const current = this.versions.get(room) ?? 0;
    if (current !== expected) return Promise.resolve({ ok: false, current });
    this.versions.set(room, current + ops.length);
    const listener = this.listeners.get(room);
    ops.forEach((op, i) => listener?.({ v: current + 1 + i, op }));
    return Promise.resolve({ ok: true });
  }

  save(): Promise<void> {
    return Promise.resolve();
  }

  subscribe(room: string, onEntry: (entry: LogEntry) => void): Promise<void> {
    this.listeners.set(room, onEntry);
    return Promise.resolve();
  }

  unsubscribe(room: string): Promise<void> {
    this.listeners.delete(room);
    this.versions.delete(room);
    return Promise.resolve();
  }

  alive(): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
