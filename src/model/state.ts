import type { ChangeBuilder } from './change.js';
import type {
  SelfView,
  StageParticipant,
  StagePermissions,
  StageRequest,
  StageStatus,
} from './types.js';

/** One user of a room (all its connections together). Internal to the model. */
export interface Member {
  readonly userId: string;
  displayName: string;
  permissions: StagePermissions;
  status: StageStatus;
  /** Open connections (tabs); 0 while in reconnect grace. */
  connections: number;
  /** Order key: when the user last left OFF_STAGE. */
  since: number;
  requestedAt: number;
  acceptedAt: number;
  graceDeadline: number;
  /** Index in the queue while REQUESTED, else -1. */
  queueIndex: number;
  participant: StageParticipant;
  request: StageRequest | undefined;
  self: SelfView;
}

/** What a member is made of; its queue place and views are derived. */
export type MemberFields = Omit<Member, 'queueIndex' | 'participant' | 'request' | 'self'>;

/** A member outside the queue, its views built. */
export function createMember(f: MemberFields): Member {
  // Every field written here, in one order: all members share one shape, which keeps the
  // engine's property reads fast (a spread, or views added later, would give them several).
  return {
    userId: f.userId,
    displayName: f.displayName,
    permissions: f.permissions,
    status: f.status,
    connections: f.connections,
    since: f.since,
    requestedAt: f.requestedAt,
    acceptedAt: f.acceptedAt,
    graceDeadline: f.graceDeadline,
    queueIndex: -1,
    participant: participantOf(f),
    request: undefined,
    self: selfOf(f),
  };
}

/** The participant entry of a member as it is now; `requestedAt` only while it waits. */
function participantOf(m: MemberFields): StageParticipant {
  return m.status === 'REQUESTED_TO_JOIN_STAGE'
    ? { userId: m.userId, displayName: m.displayName, status: m.status, requestedAt: m.requestedAt }
    : { userId: m.userId, displayName: m.displayName, status: m.status };
}

function selfOf(m: MemberFields): SelfView {
  return { status: m.status, permissions: m.permissions, displayName: m.displayName };
}

/** Takes a seat: ACCEPTED or ON_STAGE. */
export function isSeated(status: StageStatus): boolean {
  return status === 'ACCEPTED_TO_JOIN_STAGE' || status === 'ON_STAGE';
}

/**
 * A list derived from the room's state: rebuilt when asked for after `invalidate()`, so at most
 * once per change and only when someone reads it.
 */
class DerivedList<T> {
  private stale = false;
  private value: readonly T[] = Object.freeze([]);

  constructor(private readonly build: () => T[]) {}

  invalidate(): void {
    this.stale = true;
  }

  get(): readonly T[] {
    if (this.stale) {
      const next = this.build();
      // An equal list keeps its identity, so subscribers see no change (a request and its
      // cancel in one burst, say).
      if (!sameItems(this.value, next)) this.value = Object.freeze(next);
      this.stale = false;
    }
    return this.value;
  }
}

/**
 * The bookkeeping behind a room: members, the queue and the ordered lists, each kept up to
 * date in O(1) or O(log n) per status change, and each list built at most once per change,
 * only when someone asks for it.
 */
export class RoomState {
  readonly members = new Map<string, Member>();
  /**
   * REQUESTED members in queue order. A step may leave stale entries; `compact()` drops them at
   * its end, so between steps the queue holds only live ones.
   */
  queue: Member[] = [];
  private queueHole = -1;
  /** ON_STAGE members in the order they joined. */
  readonly onStage = new Map<string, Member>();
  /** Members not OFF_STAGE in the order they left it. */
  readonly active = new Map<string, Member>();
  /** ACCEPTED and ON_STAGE members sorted by `since`; may hold stale entries until `compact()`. */
  seated: Member[] = [];
  /** Some members in `seated` left their seat; `compact()` drops them. */
  private seatsVacated = false;
  /** ACCEPTED members in the order they were accepted (for the accepted TTL). */
  readonly accepted = new Map<string, Member>();
  /** Disconnected members in the order their grace ends. */
  readonly grace = new Map<string, Member>();
  /** Users who may grant, deny and kick. */
  readonly privileged = new Set<string>();
  /** Order key source: grows each time a member leaves OFF_STAGE. */
  sequence = 0;

  /** The pending requests in queue order. */
  readonly requestList = new DerivedList(() => this.queue.map((m) => this.requestOf(m)));
  readonly onStageList = new DerivedList(() => Array.from(this.onStage.values(), participant));
  readonly activeList = new DerivedList(() => Array.from(this.active.values(), participant));
  readonly seatedList = new DerivedList(() => this.seated.map(participant));

  /** Moves a member to a new status and keeps every index and list in step. */
  setStatus(m: Member, to: StageStatus, now: number, change: ChangeBuilder): void {
    const from = m.status;
    if (from === to) return;
    m.status = to;
    if (from === 'OFF_STAGE') {
      m.since = ++this.sequence;
      this.active.set(m.userId, m);
    } else if (to === 'OFF_STAGE') {
      this.active.delete(m.userId);
    }
    if (from === 'REQUESTED_TO_JOIN_STAGE') {
      // Left in `queue` until compact(), once per step: many removals cost one pass.
      if (this.queueHole < 0 || m.queueIndex < this.queueHole) this.queueHole = m.queueIndex;
      m.queueIndex = -1;
    }
    if (to === 'REQUESTED_TO_JOIN_STAGE') {
      m.requestedAt = now;
      m.queueIndex = this.queue.push(m) - 1;
    }
    if (from === 'REQUESTED_TO_JOIN_STAGE' || to === 'REQUESTED_TO_JOIN_STAGE') {
      change.queueChanged = true;
    }
    if (from === 'ACCEPTED_TO_JOIN_STAGE') this.accepted.delete(m.userId);
    if (to === 'ACCEPTED_TO_JOIN_STAGE') {
      m.acceptedAt = now;
      this.accepted.set(m.userId, m);
    }
    if (from === 'ON_STAGE') this.onStage.delete(m.userId);
    if (to === 'ON_STAGE') this.onStage.set(m.userId, m);
    if (from === 'ON_STAGE' || to === 'ON_STAGE') change.onStageChanged = true;
    const wasSeated = isSeated(from);
    const nowSeated = isSeated(to);
    // One who leaves a seat stays in `seated` until compact(), once per step: many removals
    // cost one pass.
    if (wasSeated && !nowSeated) this.seatsVacated = true;
    if (nowSeated && !wasSeated) this.seated.splice(this.seatedIndex(m.since), 0, m);
    if (wasSeated || nowSeated) change.seatedChanged = true;
    change.participantsChanged = true;
    this.refresh(m, change);
  }

  /** Rebuilds a member's public objects after its status, name or permissions changed. */
  refresh(m: Member, change: ChangeBuilder): void {
    m.participant = participantOf(m);
    m.request = undefined;
    m.self = selfOf(m);
    change.self.add(m.userId);
  }

  /** A REQUESTED member's queue entry; rebuilt only when its place changed. */
  requestOf(m: Member): StageRequest {
    const position = m.queueIndex + 1;
    if (m.request?.position !== position) {
      m.request = {
        userId: m.userId,
        displayName: m.displayName,
        requestedAt: m.requestedAt,
        position,
      };
    }
    return m.request;
  }

  /**
   * Closes the holes that removals left in the queue and in the seats, once per step, so that
   * many removals cost one pass. Queue places are read from `queueIndex` when asked for.
   */
  compact(change: ChangeBuilder): void {
    if (this.seatsVacated) {
      this.seated = this.seated.filter((m) => isSeated(m.status));
      this.seatsVacated = false;
    }
    if (this.queueHole < 0) return;
    change.queueFrom = this.queueHole;
    const q = this.queue;
    let j = this.queueHole;
    for (let i = j; i < q.length; i++) {
      const m = q[i]!;
      if (m.queueIndex !== i) continue;
      m.queueIndex = j;
      q[j++] = m;
    }
    q.length = j;
    this.queueHole = -1;
  }

  /** Index of `since` in `seated` (or where it belongs, for a member not seated). */
  seatedIndex(since: number): number {
    let lo = 0;
    let hi = this.seated.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.seated[mid]!.since < since) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Marks lists as stale after a change; they are rebuilt when next asked for. */
  invalidate(change: ChangeBuilder): void {
    if (change.queueChanged) this.requestList.invalidate();
    if (change.onStageChanged) this.onStageList.invalidate();
    if (change.participantsChanged) this.activeList.invalidate();
    if (change.seatedChanged) this.seatedList.invalidate();
  }

  /** Every list is stale (after an import). */
  invalidateAll(): void {
    for (const list of [this.requestList, this.onStageList, this.activeList, this.seatedList]) {
      list.invalidate();
    }
  }
}

function participant(m: Member): StageParticipant {
  return m.participant;
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
