import type { LogEntry, RoomLog, RoomOp } from './room-log.js';

const APPEND_ATTEMPTS = 60;
/** Lost races after which a server claims the room's next turn (RoomLog.append). */
const CLAIM_TURN_AFTER = 3;
const CHECKPOINT_EVERY = 200;
/** Most steps sent to the store in one append. */
const MAX_BATCH = 64;

/** The room log could not take a step (Redis unreachable). */
export class StoreUnavailable extends Error {
  override name = 'StoreUnavailable';
}

/** Other servers kept taking the room's next version first, APPEND_ATTEMPTS times in a row. */
export class StoreBusy extends Error {
  override name = 'StoreBusy';
}

/** What the writer needs of the room's replica (RoomHub). */
export interface Replica {
  /** The version the replica holds: steps are appended after it. */
  version(): number;
  closed(): boolean;
  /** A step from the log, applied in order (the writer's own, once appended, or missed ones). */
  ingest(entry: LogEntry): void;
  /** Reads and applies the steps the replica missed. */
  catchUp(): Promise<void>;
  /** Saves the room whole (a checkpoint). */
  saveCheckpoint(): Promise<void>;
}

/** Appends one room's steps to its log for this server, in the order they are submitted. */
export class RoomWriter {
  private readonly waiting: {
    make: () => RoomOp;
    resolve: (version: number) => void;
    reject: (error: unknown) => void;
  }[] = [];
  private pumping = false;

  constructor(
    private readonly room: string,
    private readonly log: RoomLog,
    private readonly replica: Replica,
  ) {}

  /**
   * Appends a step (made fresh on each attempt) at the replica's version, retrying on conflict.
   * Steps submitted while an append is in flight go together in the next one: one round trip
   * to the store for many commands, in the order they were submitted.
   */
  submit(make: () => RoomOp): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ make, resolve, reject });
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, MAX_BATCH);
        try {
          const first = await this.appendBatch(batch.map((b) => b.make));
          batch.forEach((b, i) => b.resolve(first + i));
        } catch (error) {
          for (const b of batch) b.reject(error);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Appends steps as versions v+1… only if the room is still at v; returns the first version. */
  private async appendBatch(makes: (() => RoomOp)[]): Promise<number> {
    for (let attempt = 0; attempt < APPEND_ATTEMPTS; attempt++) {
      if (this.replica.closed()) throw new StoreUnavailable('room closed');
      const expected = this.replica.version();
      const ops = makes.map((make) => make());
      // Lost too often: claim the next turn, so the other servers let this one in.
      const claim = attempt >= CLAIM_TURN_AFTER;
      const answer = await this.log
        .append(this.room, expected, ops, claim)
        .catch((error: unknown) => {
          throw new StoreUnavailable(String(error));
        });
      if (answer.ok) {
        ops.forEach((op, i) => this.replica.ingest({ v: expected + 1 + i, op }));
        const last = expected + ops.length;
        if (
          this.log.keepsCheckpoints &&
          Math.floor(last / CHECKPOINT_EVERY) > Math.floor(expected / CHECKPOINT_EVERY)
        ) {
          // Serializing the room is O(room): off the command's path.
          setImmediate(() => void this.replica.saveCheckpoint());
        }
        return expected + 1;
      }
      if (answer.current < expected) {
        // The store lost steps (a Redis restart without persistence): this replica is ahead,
        // so it seeds the store again.
        await this.replica.saveCheckpoint();
      } else if (answer.missed?.[0]?.v === expected + 1) {
        for (const entry of answer.missed) this.replica.ingest(entry);
      } else if (answer.current > expected) {
        await this.replica.catchUp();
      } // else: nothing missed, another server has the turn (below: wait a little)
      // Under sustained contention, step aside a little so the writers interleave; the server
      // whose turn is next goes again at once.
      if (attempt >= 3 && !answer.turn) {
        await new Promise((r) => setTimeout(r, Math.random() * 2 * attempt));
      }
    }
    throw new StoreBusy();
  }
}
