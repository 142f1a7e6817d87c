// Saving a room as plain JSON and restoring it: what a store shared by several servers keeps
// (the Redis checkpoints). Apart from StageRoom so that browser bundles, whose rooms never
// leave the page, do not carry it.
import { ChangeBuilder } from './change.js';
import { isPrivileged } from './presets.js';
import { StageRoom } from './room.js';
import { RoomState, createMember, isSeated, type Member } from './state.js';
import type { RoomOptions, StagePermissions, StageStatus } from './types.js';

/** A room saved by `SerializableRoom.toJSON()`. */
export interface RoomData {
  readonly format: 1;
  readonly version: number;
  readonly clock: number | null;
  readonly options: RoomOptions;
  readonly state: RoomStateData;
}

/** A StageRoom that can be saved as JSON and restored exactly. */
export class SerializableRoom extends StageRoom {
  /** The whole room as plain JSON (for stores shared by several servers). */
  toJSON(): RoomData {
    return {
      format: 1,
      version: this.versionNumber,
      clock: Number.isFinite(this.clock) ? this.clock : null,
      // JSON has no Infinity: an unlimited stage is written without maxOnStage.
      options: Object.fromEntries(
        Object.entries(this.options).filter(([, value]) => Number.isFinite(value)),
      ),
      state: exportState(this.state),
    };
  }

  /** A room exactly as `toJSON()` left it: the same commands give the same changes. */
  static fromJSON(data: RoomData): SerializableRoom {
    if (data.format !== 1) throw new Error(`rtk-stage: unknown room data format ${data.format}`);
    const room = new SerializableRoom(data.options);
    room.state = importState(data.state);
    room.versionNumber = data.version;
    room.clock = data.clock ?? -Infinity;
    return room;
  }
}

/** A room's state as plain JSON, for stores that keep rooms outside one process. */
export interface RoomStateData {
  readonly seq: number;
  readonly members: readonly MemberData[];
  readonly queue: readonly string[];
  readonly onStage: readonly string[];
  readonly active: readonly string[];
  readonly accepted: readonly string[];
  readonly grace: readonly string[];
}

export interface MemberData {
  readonly u: string;
  readonly n: string;
  readonly p: StagePermissions;
  readonly s: StageStatus;
  readonly c: number;
  readonly o: number;
  readonly r: number;
  readonly a: number;
  readonly g: number;
}

function exportState(state: RoomState): RoomStateData {
  state.compact(new ChangeBuilder());
  const ids = (m: Iterable<Member>) => Array.from(m, (x) => x.userId);
  return {
    seq: state.sequence,
    members: Array.from(state.members.values(), (m) => ({
      u: m.userId,
      n: m.displayName,
      p: m.permissions,
      s: m.status,
      c: m.connections,
      o: m.since,
      r: m.requestedAt,
      a: m.acceptedAt,
      g: m.graceDeadline,
    })),
    queue: ids(state.queue),
    onStage: ids(state.onStage.values()),
    active: ids(state.active.values()),
    accepted: ids(state.accepted.values()),
    grace: ids(state.grace.values()),
  };
}

function importState(data: RoomStateData): RoomState {
  const state = new RoomState();
  for (const d of data.members) {
    const m = createMember({
      userId: d.u,
      displayName: d.n,
      permissions: d.p,
      status: d.s,
      connections: d.c,
      since: d.o,
      requestedAt: d.r,
      acceptedAt: d.a,
      graceDeadline: d.g,
    });
    state.members.set(m.userId, m);
    if (isPrivileged(m.permissions)) state.privileged.add(m.userId);
  }
  const get = (id: string) => {
    const m = state.members.get(id);
    if (!m) throw new Error(`rtk-stage: room data names ${id}, who is not a member`);
    return m;
  };
  data.queue.forEach((id, i) => {
    const m = get(id);
    m.queueIndex = i;
    state.queue.push(m);
  });
  for (const id of data.onStage) state.onStage.set(id, get(id));
  for (const id of data.active) state.active.set(id, get(id));
  for (const id of data.accepted) state.accepted.set(id, get(id));
  for (const id of data.grace) state.grace.set(id, get(id));
  state.seated = [...state.members.values()]
    .filter((m) => isSeated(m.status))
    .sort((a, b) => a.since - b.since);
  state.sequence = data.seq;
  state.invalidateAll();
  return state;
}
