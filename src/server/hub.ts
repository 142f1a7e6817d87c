import {
  SerializableRoom,
  type CommandFrame,
  type MemberInput,
  type ResultFrame,
  type RoomOptions,
  type Snapshot,
} from '../model/index.js';
import { Fanout, type HubConnection } from './fanout.js';
import type { LogEntry, RoomCheckpoint, RoomLog, RoomOp } from './room-log.js';
import { RoomWriter, StoreBusy } from './room-writer.js';

export type { HubConnection } from './fanout.js';
export { StoreBusy, StoreUnavailable } from './room-writer.js';

const RESULTS_KEPT = 256;
const NODE_CHECK_MS = 1000;

/**
 * One room on one server: a replica of the room (the rules engine fed with the room's steps in
 * log order), this server's connections in it, its timers, and the fan-out of every change.
 * In memory the log is this process; with Redis every server holding the room replays the
 * same steps, so any of them can serve any client and run any timer.
 */
export class RoomHub {
  private engine: SerializableRoom;
  private version = 0;
  /** Open connections per node and user, replayed from the steps like the room itself. */
  private nodes = new Map<string, Map<string, number>>();
  private readonly fanout: Fanout;
  private readonly results = new Map<string, Map<string, ResultFrame>>();
  private readonly writer: RoomWriter;
  private catching: Promise<void> | undefined;
  private buffered: LogEntry[] | undefined = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt: number | undefined;
  private readonly nodeCheck: ReturnType<typeof setInterval> | undefined;
  private closed = false;
  /** Nodes seen without a heartbeat, and since when. */
  private readonly suspects = new Map<string, number>();

  private constructor(
    readonly id: string,
    private readonly options: RoomOptions,
    private readonly log: RoomLog,
    private readonly now: () => number,
    private readonly onIdle: (hub: RoomHub) => void,
  ) {
    this.engine = new SerializableRoom(options);
    this.fanout = new Fanout(this.engine);
    this.writer = new RoomWriter(id, log, {
      version: () => this.version,
      closed: () => this.closed,
      ingest: (entry) => this.ingest(entry),
      catchUp: () => this.catchUp(),
      saveCheckpoint: () => this.saveCheckpoint(),
    });
    if (log.node !== 'local') {
      this.nodeCheck = setInterval(() => void this.checkNodes(), NODE_CHECK_MS);
      this.nodeCheck.unref?.();
    }
  }

  /** Loads a room from its log (checkpoint plus the steps after it) and follows new steps. */
  static async open(
    id: string,
    options: RoomOptions,
    log: RoomLog,
    now: () => number,
    onIdle: (hub: RoomHub) => void,
  ): Promise<RoomHub> {
    const hub = new RoomHub(id, options, log, now, onIdle);
    try {
      await log.subscribe(
        id,
        (entry) => hub.ingest(entry),
        () => void hub.catchUp().catch(() => {}),
      );
      await hub.reload();
    } catch (error) {
      hub.close();
      throw error;
    }
    return hub;
  }

  get connections(): number {
    let n = 0;
    for (const set of this.fanout.users.values()) n += set.size;
    return n;
  }

  connectionsOf(userId: string): number {
    return this.fanout.users.get(userId)?.size ?? 0;
  }

  /**
   * A client logged in: attach it, then hand `welcome` its snapshot; from that moment on (in the
   * same turn, so nothing falls in between) the connection receives every delta.
   */
  async join(
    conn: HubConnection,
    member: MemberInput,
    welcome: (snapshot: Snapshot) => void,
  ): Promise<void> {
    await this.writer.submit(() => ({
      k: 'attach',
      node: this.log.node,
      m: member,
      now: this.now(),
    }));
    welcome(this.fanout.snapshot(conn.userId));
    this.fanout.add(conn);
  }

  /** A client's socket closed; the room starts the grace when it was the user's last. */
  leave(conn: HubConnection): void {
    if (!this.fanout.delete(conn)) return;
    const op = (): RoomOp => ({
      k: 'detach',
      node: this.log.node,
      u: conn.userId,
      now: this.now(),
    });
    this.writer.submit(op).catch(() => {
      // The store is down: the step is retried until it lands, or until this node's heartbeat
      // lapses and another node counts its connections as dropped.
      const retry = setInterval(() => {
        if (this.closed) return clearInterval(retry);
        this.writer.submit(op).then(
          () => clearInterval(retry),
          () => {},
        );
      }, 1000);
      retry.unref?.();
    });
  }

  /** Applies a command (or answers a re-sent one from memory) and returns the result frame. */
  async command(conn: HubConnection, frame: CommandFrame): Promise<ResultFrame> {
    const known = this.results.get(conn.userId)?.get(frame.id);
    if (known) return known;
    const c =
      frame.cmd === 'grantAccess' || frame.cmd === 'denyAccess' || frame.cmd === 'kick'
        ? { type: frame.cmd, userIds: frame.userIds }
        : { type: frame.cmd };
    try {
      await this.writer.submit(() => ({
        k: 'apply',
        u: conn.userId,
        id: frame.id,
        c,
        now: this.now(),
      }));
    } catch (error) {
      if (error instanceof StoreBusy) {
        return {
          t: 'result',
          id: frame.id,
          ok: false,
          code: '2010',
          message:
            'The command was not applied: the room is too busy right now (other servers kept writing first). Retry in a moment.',
        };
      }
      return {
        t: 'result',
        id: frame.id,
        ok: false,
        code: '2005',
        message:
          'The stage store is unreachable, so the command was not confirmed and probably not applied. Check the stage and retry in a moment.',
      };
    }
    return (
      this.results.get(conn.userId)?.get(frame.id) ?? {
        t: 'result',
        id: frame.id,
        ok: false,
        code: '2005',
        message:
          'The command was not applied: you are no longer in this room. Reconnect and retry.',
      }
    );
  }

  snapshot(userId: string): Snapshot {
    return this.fanout.snapshot(userId);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.nodeCheck) clearInterval(this.nodeCheck);
    this.timer = undefined;
    void this.log.unsubscribe(this.id).catch(() => {});
  }

  // ---- The replica ---------------------------------------------------------------------------

  /** A step from the log (this server's or another's). */
  private ingest(entry: LogEntry): void {
    if (this.buffered) {
      this.buffered.push(entry);
      return;
    }
    if (entry.v <= this.version) return;
    if (entry.v === this.version + 1) {
      this.applyEntry(entry);
      return;
    }
    void this.catchUp();
  }

  private catchUp(): Promise<void> {
    this.catching ??= (async () => {
      try {
        const entries = await this.log.read(this.id, this.version);
        if (entries === 'gap') return this.reload(true);
        for (const e of entries) if (e.v === this.version + 1) this.applyEntry(e);
      } finally {
        this.catching = undefined;
      }
    })();
    return this.catching;
  }

  /** Loads the newest checkpoint and the steps after it; tells local clients to resync. */
  private async reload(resync = false): Promise<void> {
    this.buffered ??= [];
    const checkpoint = await this.log.checkpoint(this.id);
    if (checkpoint && checkpoint.v >= this.version) {
      this.engine = SerializableRoom.fromJSON(checkpoint.room);
      this.version = checkpoint.v;
      this.nodes = new Map(
        Object.entries(checkpoint.nodes).map(([node, users]) => [
          node,
          new Map(Object.entries(users)),
        ]),
      );
      this.fanout.reset(this.engine);
    }
    const entries = await this.log.read(this.id, this.version);
    const buffered = this.buffered;
    this.buffered = undefined;
    if (entries !== 'gap')
      for (const e of entries) if (e.v === this.version + 1) this.applyEntry(e);
    for (const e of buffered) this.ingest(e);
    if (resync) {
      for (const [userId, set] of this.fanout.users) {
        if (!this.engine.has(userId)) continue;
        const frame = JSON.stringify({ t: 'snapshot', snapshot: this.fanout.snapshot(userId) });
        for (const c of set) c.send(frame);
      }
    }
    this.schedule();
  }

  private applyEntry({ v, op }: LogEntry): void {
    this.version = v;
    const e = this.engine;
    switch (op.k) {
      case 'attach':
        this.count(op.node, op.m.userId, 1);
        this.fanout.send(e.attach(op.m, op.now));
        break;
      case 'detach':
        if (this.count(op.node, op.u, -1)) this.fanout.send(e.detach(op.u, op.now));
        break;
      case 'apply': {
        const outcome = e.apply(op.u, op.c, op.now);
        if (outcome.ok) this.fanout.send(outcome.change);
        this.remember(op.u, op.id, resultFrame(op.id, outcome));
        break;
      }
      case 'advance':
        this.fanout.send(e.advance(op.now));
        break;
      case 'nodeGone': {
        const users = this.nodes.get(op.node);
        this.nodes.delete(op.node);
        for (const [userId, n] of users ?? []) {
          for (let i = 0; i < n; i++) this.fanout.send(e.detach(userId, op.now));
        }
        if (op.node === this.log.node) this.reattach(op.now);
        break;
      }
    }
    this.schedule(op.k !== 'attach' && op.k !== 'apply');
  }

  /** Adjusts a node's connection count; false when there was none to remove. */
  private count(node: string, userId: string, delta: 1 | -1): boolean {
    let users = this.nodes.get(node);
    if (!users) this.nodes.set(node, (users = new Map()));
    const n = (users.get(userId) ?? 0) + delta;
    if (n < 0) return false;
    if (n === 0) users.delete(userId);
    else users.set(userId, n);
    if (users.size === 0) this.nodes.delete(node);
    return true;
  }

  private remember(userId: string, id: string, result: ResultFrame): void {
    let map = this.results.get(userId);
    if (!map) this.results.set(userId, (map = new Map()));
    map.set(id, result);
    if (map.size > RESULTS_KEPT) map.delete(map.keys().next().value!);
  }

  private async saveCheckpoint(): Promise<void> {
    const checkpoint: RoomCheckpoint = {
      v: this.version,
      room: this.engine.toJSON(),
      nodes: Object.fromEntries(
        [...this.nodes].map(([node, users]) => [node, Object.fromEntries(users)]),
      ),
    };
    await this.log.save(this.id, checkpoint).catch(() => {});
  }

  /**
   * Any server holding the room may run its timers: a duplicate `advance` changes nothing.
   * After a step that may have emptied the room, a room with nobody and nothing pending is idle.
   */
  private schedule(mayBeIdle = false): void {
    if (this.closed) return;
    const next = this.engine.nextDeadline();
    if (mayBeIdle && next === undefined && this.connections === 0 && this.nodes.size === 0) {
      this.onIdle(this);
      return;
    }
    if (next === this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = next;
    if (next === undefined) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = undefined;
        this.writer
          .submit(() => ({ k: 'advance', now: this.now() }))
          .catch(() => this.retryLater());
      },
      Math.max(0, next - this.now()),
    );
    this.timer.unref?.();
  }

  private retryLater(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = undefined;
      this.schedule();
    }, 1000);
    this.timer.unref?.();
  }

  /**
   * Connections held by a node whose heartbeat lapsed count as dropped (once, by whoever sees
   * it first). A node must look dead on two checks in a row: right after a Redis restart every
   * heartbeat is briefly missing.
   */
  private async checkNodes(): Promise<void> {
    if (!this.log.healthy) return this.suspects.clear();
    for (const node of [...this.nodes.keys()]) {
      if (node === this.log.node) continue;
      const alive = await this.log.alive(node).catch(() => true);
      if (alive) {
        this.suspects.delete(node);
        continue;
      }
      const since = this.suspects.get(node);
      if (since === undefined) {
        this.suspects.set(node, this.now());
      } else if (this.now() - since >= NODE_CHECK_MS && this.nodes.has(node)) {
        this.suspects.delete(node);
        await this.writer.submit(() => ({ k: 'nodeGone', node, now: this.now() })).catch(() => {});
      }
    }
  }

  /** This node was taken for dead (a long pause or outage): its live connections attach again. */
  private reattach(now: number): void {
    for (const set of this.fanout.users.values()) {
      for (const { member } of set) {
        const op = (): RoomOp => ({ k: 'attach', node: this.log.node, m: member, now });
        void this.writer.submit(op).catch(() => {});
      }
    }
  }
}

function resultFrame(id: string, outcome: ReturnType<SerializableRoom['apply']>): ResultFrame {
  if (!outcome.ok) return { t: 'result', id, ok: false, ...outcome.error };
  return outcome.result
    ? { t: 'result', id, ok: true, result: outcome.result }
    : { t: 'result', id, ok: true };
}
