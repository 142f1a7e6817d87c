import {
  NO_CHANGE,
  StageRoom,
  type CommandFrame,
  type MemberInput,
  type ResultFrame,
  type RoomChange,
  type RoomOptions,
  type Snapshot,
  type StageParticipant,
  type WireParticipant,
  type WireRequest,
  type WireSelf,
} from '../model/index.js';

/** One open client connection as the hub sees it. */
export interface HubConnection {
  readonly userId: string;
  send(frame: string): void;
}

const RESULTS_KEPT = 256;

/**
 * One room on one server: the rules engine, the connections in it, and the fan-out of every
 * change. Each change is serialized once per audience (everyone, privileged users, one user),
 * so a viewer who stays OFF_STAGE costs the others nothing.
 */
export class RoomHub {
  readonly engine: StageRoom;
  private readonly users = new Map<string, Set<HubConnection>>();
  private connectionCount = 0;
  private pubVersion = 0;
  private privVersion = 0;
  private readonly selfVersions = new Map<string, number>();
  /** Answers to recent commands per user, so a command re-sent after a reconnect is not re-applied. */
  private readonly results = new Map<string, Map<string, ResultFrame>>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt: number | undefined;

  constructor(
    readonly id: string,
    options: RoomOptions,
    private readonly now: () => number = Date.now,
    private readonly onEmpty?: (hub: RoomHub) => void,
  ) {
    this.engine = new StageRoom(options);
  }

  get connections(): number {
    return this.connectionCount;
  }

  connectionsOf(userId: string): number {
    return this.users.get(userId)?.size ?? 0;
  }

  /** A client logged in: attach it and return its welcome snapshot. */
  join(conn: HubConnection, member: MemberInput): Snapshot {
    const change = this.engine.attach(member, this.now());
    let set = this.users.get(conn.userId);
    if (!set) this.users.set(conn.userId, (set = new Set()));
    set.add(conn);
    this.connectionCount++;
    this.fanout(change);
    this.schedule();
    return this.snapshot(conn.userId);
  }

  /** A client's socket closed; the engine starts the grace when it was the user's last. */
  leave(conn: HubConnection): void {
    const set = this.users.get(conn.userId);
    if (!set?.delete(conn)) return;
    this.connectionCount--;
    if (set.size === 0) this.users.delete(conn.userId);
    this.fanout(this.engine.detach(conn.userId, this.now()));
    this.schedule();
  }

  /** Applies a command (or answers a re-sent one from memory) and returns the result frame. */
  command(conn: HubConnection, frame: CommandFrame): ResultFrame {
    const kept = this.results.get(conn.userId)?.get(frame.id);
    if (kept) return kept;
    const now = this.now();
    this.fanout(this.engine.advance(now));
    const command =
      frame.cmd === 'grantAccess' || frame.cmd === 'denyAccess' || frame.cmd === 'kick'
        ? { type: frame.cmd, userIds: frame.userIds }
        : { type: frame.cmd };
    const outcome = this.engine.apply(conn.userId, command, now);
    let result: ResultFrame;
    if (outcome.ok) {
      this.fanout(outcome.change);
      result = outcome.result
        ? { t: 'result', id: frame.id, ok: true, result: outcome.result }
        : { t: 'result', id: frame.id, ok: true };
    } else {
      result = { t: 'result', id: frame.id, ok: false, ...outcome.error };
    }
    this.remember(conn.userId, frame.id, result);
    this.schedule();
    return result;
  }

  snapshot(userId: string): Snapshot {
    const e = this.engine;
    const privileged = e.isPrivileged(userId);
    const base = {
      version: e.version,
      self: this.wireSelf(userId),
      onStage: e.onStage().map((p) => this.wire(p)),
      seated: e.seated().map((p) => this.wire(p)),
    };
    if (!privileged) return base;
    return {
      ...base,
      queue: e.requests().map(wireRequest),
      participants: e.participants().map((p) => this.wire(p)),
    };
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private remember(userId: string, id: string, result: ResultFrame): void {
    let map = this.results.get(userId);
    if (!map) this.results.set(userId, (map = new Map()));
    map.set(id, result);
    if (map.size > RESULTS_KEPT) map.delete(map.keys().next().value!);
  }

  private wire(p: StageParticipant): WireParticipant {
    return { ...p, o: this.engine.since(p.userId) };
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

  private sendTo(userId: string, frame: string): void {
    const set = this.users.get(userId);
    if (set) for (const c of set) c.send(frame);
  }

  /** Tells every connection what concerns it, in order: reasons, own state, lists, events. */
  private fanout(change: RoomChange): void {
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
    for (const userId of change.removed) {
      this.selfVersions.delete(userId);
      this.results.delete(userId);
    }
    if (change.onStageChanged || change.seatedChanged) {
      const frame = JSON.stringify({
        t: 'pub',
        v,
        pv: this.pubVersion,
        ...(change.onStageChanged ? { onStage: e.onStage().map((p) => this.wire(p)) } : {}),
        ...(change.seatedChanged ? { seated: e.seated().map((p) => this.wire(p)) } : {}),
      });
      this.pubVersion = v;
      for (const set of this.users.values()) for (const c of set) c.send(frame);
    }
    // Events first, then the list delta (its stageAccessRequestUpdate comes last, as in the
    // local room).
    const privFrames = change.privilegedEvents.map((e) => JSON.stringify({ t: 'ev', e }));
    if (change.queueChanged || change.participantsChanged) {
      privFrames.push(this.privilegedDelta(change));
    }
    if (privFrames.length === 0) return;
    for (const userId of e.privilegedUsers()) {
      const set = this.users.get(userId);
      if (set) for (const c of set) for (const f of privFrames) c.send(f);
    }
  }

  private privilegedDelta(change: RoomChange): string {
    const e = this.engine;
    const queueAdd: WireRequest[] = [];
    const queueRemove: string[] = [];
    const set: WireParticipant[] = [];
    const remove: string[] = [...change.removed];
    for (const userId of change.selfChanged) {
      const status = e.status(userId);
      if (status === undefined || status === 'OFF_STAGE') {
        remove.push(userId);
      } else {
        const view = e.selfView(userId)!;
        set.push({
          userId,
          displayName: view.displayName,
          status,
          ...(status === 'REQUESTED_TO_JOIN_STAGE' ? { requestedAt: e.requestedAt(userId) } : {}),
          o: e.since(userId),
        });
      }
      if (status === 'REQUESTED_TO_JOIN_STAGE') {
        queueAdd.push({
          userId,
          displayName: e.selfView(userId)!.displayName,
          requestedAt: e.requestedAt(userId),
        });
      } else {
        queueRemove.push(userId);
      }
    }
    for (const userId of change.removed) queueRemove.push(userId);
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

  private schedule(): void {
    const next = this.engine.nextDeadline();
    // Nobody connected and nothing pending (every grace ran out): the room can go.
    if (next === undefined && this.connectionCount === 0) this.onEmpty?.(this);
    if (next === this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = next;
    if (next === undefined) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = undefined;
        this.fanout(this.engine.advance(this.now()));
        this.schedule();
      },
      Math.max(0, next - this.now()),
    );
    this.timer.unref?.();
  }
}

function wireRequest(r: { userId: string; displayName: string; requestedAt: number }): WireRequest {
  return { userId: r.userId, displayName: r.displayName, requestedAt: r.requestedAt };
}
