import {
  NO_CHANGE,
  type MemberInput,
  type RoomChange,
  type Snapshot,
  type StageParticipant,
  type StageRoom,
  type WireParticipant,
  type WireRequest,
  type WireSelf,
} from '../model/index.js';

/** One open client connection as a room sees it. */
export interface HubConnection {
  readonly userId: string;
  /** Who the connection's token says it is. */
  readonly member: MemberInput;
  /** A frame for this connection (frames of one turn may be written together). */
  send(frame: string): void;
  /** A frame every connection gets: written at once, so clients start reading sooner. */
  broadcast(frame: string): void;
}

/**
 * Turns a room's changes into frames for this server's connections. Each change is serialized
 * once per audience (everyone, privileged users, one user), so a viewer who stays OFF_STAGE
 * costs the others nothing.
 */
export class Fanout {
  readonly users = new Map<string, Set<HubConnection>>();
  private pubVersion: number;
  private privVersion: number;
  private readonly selfVersions = new Map<string, number>();

  /** `since`: the version the replica started from (earlier frames were never sent here). */
  constructor(
    private engine: StageRoom,
    since = 0,
  ) {
    this.pubVersion = this.privVersion = since;
  }

  /** After the replica was reloaded: frames continue from its version. */
  reset(engine: StageRoom): void {
    this.engine = engine;
    this.pubVersion = this.privVersion = engine.version;
    this.selfVersions.clear();
  }

  add(conn: HubConnection): void {
    let set = this.users.get(conn.userId);
    if (!set) this.users.set(conn.userId, (set = new Set()));
    set.add(conn);
  }

  delete(conn: HubConnection): boolean {
    const set = this.users.get(conn.userId);
    if (!set?.delete(conn)) return false;
    if (set.size === 0) this.users.delete(conn.userId);
    return true;
  }

  /** Everything one user may see now. */
  snapshot(userId: string): Snapshot {
    const e = this.engine;
    const base = {
      version: e.version,
      self: this.wireSelf(userId),
      onStage: e.onStage().map((p) => this.wire(p)),
      seated: e.seated().map((p) => this.wire(p)),
    };
    if (!e.isPrivileged(userId)) return base;
    return {
      ...base,
      queue: e.requests().map(({ userId, displayName, requestedAt }) => ({
        userId,
        displayName,
        requestedAt,
      })),
      participants: e.participants().map((p) => this.wire(p)),
    };
  }

  /** Tells every connection what concerns it, in order: reasons, own state, lists, events. */
  send(change: RoomChange): void {
    if (change === NO_CHANGE) return;
    const e = this.engine;
    const v = change.version;
    for (const { userId, event } of change.notices) {
      if (this.users.has(userId)) this.sendTo(userId, JSON.stringify({ t: 'ev', e: event }));
    }
    const selfUsers = new Set(change.selfChanged);
    if (change.queueFrom >= 0) {
      const queue = e.requests();
      for (let i = change.queueFrom; i < queue.length; i++) selfUsers.add(queue[i]!.userId);
    }
    for (const userId of selfUsers) {
      if (!e.has(userId)) continue;
      const pv = this.selfVersions.get(userId) ?? 0;
      this.selfVersions.set(userId, v);
      if (!this.users.has(userId)) continue;
      this.sendTo(userId, JSON.stringify({ t: 'self', v, pv, self: this.wireSelf(userId) }));
    }
    for (const userId of change.removed) this.selfVersions.delete(userId);
    if (change.onStageChanged || change.seatedChanged) {
      const frame = JSON.stringify({
        t: 'pub',
        v,
        pv: this.pubVersion,
        ...(change.onStageChanged ? { onStage: e.onStage().map((p) => this.wire(p)) } : {}),
        ...(change.seatedChanged ? { seated: e.seated().map((p) => this.wire(p)) } : {}),
      });
      this.pubVersion = v;
      for (const set of this.users.values()) for (const c of set) c.broadcast(frame);
    }
    // Events first, then the list delta (its stageAccessRequestUpdate comes last, as in the
    // local room).
    const privFrames = change.privilegedEvents.map((ev) => JSON.stringify({ t: 'ev', e: ev }));
    if (change.queueChanged || change.participantsChanged) {
      privFrames.push(this.privilegedDelta(change));
    }
    if (privFrames.length === 0) return;
    for (const userId of e.privilegedUsers()) {
      const set = this.users.get(userId);
      if (set) for (const c of set) for (const f of privFrames) c.send(f);
    }
  }

  private sendTo(userId: string, frame: string): void {
    const set = this.users.get(userId);
    if (set) for (const c of set) c.send(frame);
  }

  // Snapshots map every participant through this: a literal of a fixed shape, many times
  // faster than a spread with one more field.
  private wire(p: StageParticipant): WireParticipant {
    const { userId, displayName, status, requestedAt } = p;
    const o = this.engine.since(userId);
    return requestedAt === undefined
      ? { userId, displayName, status, o }
      : { userId, displayName, status, requestedAt, o };
  }

  private wireSelf(userId: string): WireSelf {
    const e = this.engine;
    const view = e.selfView(userId)!;
    return {
      status: view.status,
      permissions: view.permissions,
      displayName: view.displayName,
      position: e.position(userId),
      ...(view.status === 'REQUESTED_TO_JOIN_STAGE' ? { requestedAt: e.requestedAt(userId) } : {}),
      o: e.since(userId),
    };
  }

  private privilegedDelta(change: RoomChange): string {
    const e = this.engine;
    const queueAdd: WireRequest[] = [];
    const queueRemove: string[] = [...change.removed];
    const set: WireParticipant[] = [];
    const remove: string[] = [...change.removed];
    for (const userId of change.selfChanged) {
      const status = e.status(userId);
      if (status === undefined || status === 'OFF_STAGE') {
        remove.push(userId);
        queueRemove.push(userId);
        continue;
      }
      const displayName = e.selfView(userId)!.displayName;
      const requested = status === 'REQUESTED_TO_JOIN_STAGE';
      const requestedAt = e.requestedAt(userId);
      set.push({
        userId,
        displayName,
        status,
        ...(requested ? { requestedAt } : {}),
        o: e.since(userId),
      });
      if (requested) queueAdd.push({ userId, displayName, requestedAt });
      else queueRemove.push(userId);
    }
    const frame = JSON.stringify({
      t: 'priv',
      v: change.version,
      pv: this.privVersion,
      ...(queueAdd.length ? { queueAdd } : {}),
      ...(queueRemove.length ? { queueRemove } : {}),
      ...(set.length ? { set } : {}),
      ...(remove.length ? { remove } : {}),
    });
    this.privVersion = change.version;
    return frame;
  }
}
