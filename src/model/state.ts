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
export function createMember(fields: MemberFields): Member {
  const m = { ...fields, queueIndex: -1 } as Member; // its views are built just below
  buildViews(m);
  return m;
}

/** The participant entry and self view of a member as it is now. */
function buildViews(m: Member): void {
  m.participant =
    m.status === 'REQUESTED_TO_JOIN_STAGE'
      ? {
          userId: m.userId,
          displayName: m.displayName,
          status: m.status,
          requestedAt: m.requestedAt,
        }
      : { userId: m.userId, displayName: m.displayName, status: m.status };
  m.request = undefined;
  m.self = { status: m.status, permissions: m.permissions, displayName: m.displayName };
}

const SEATED: ReadonlySet<StageStatus> = new Set(['ACCEPTED_TO_JOIN_STAGE', 'ON_STAGE']);

export function isSeated(status: StageStatus): boolean {
  return SEATED.has(status);
}

interface Memo<T> {
  version: number;
  built: number;
  value: T;
}

function memo<T>(value: T): Memo<T> {
  return { version: 0, built: 0, value };
}

/**
 * The bookkeeping behind a room: members, the queue and the ordered lists, each kept up to
 * date in O(1) or O(log n) per status change, and each list built at most once per change,
 * only when someone asks for it.
 */
export class RoomState {
  readonly members = new Map<string, Member>();
  /** REQUESTED members in queue order; may hold stale entries until `compact()`. */
  queue: Member[] = [];
  queued = 0;
  private queueHole = -1;
  /** ON_STAGE members in the order they joined. */
  readonly onStage = new Map<string, Member>();
  /** Members not OFF_STAGE in the order they left it. */
  readonly active = new Map<string, Member>();
  /** ACCEPTED and ON_STAGE members sorted by `since`; may hold stale entries until `compact()`. */
  seated: Member[] = [];
  seatedCount = 0;
  private seatedHole = -1;
  /** ACCEPTED members in the order they were accepted (for the accepted TTL). */
  readonly accepted = new Map<string, Member>();
  /** Disconnected members in the order their grace ends. */
  readonly grace = new Map<string, Member>();
  /** Users who may grant, deny and kick. */
  readonly privileged = new Set<string>();
  /** Order key source: grows each time a member leaves OFF_STAGE. */
  sequence = 0;

  private readonly requestsMemo = memo<readonly StageRequest[]>([]);
  private readonly onStageMemo = memo<readonly StageParticipant[]>([]);
  private readonly activeMemo = memo<readonly StageParticipant[]>([]);
  private readonly seatedMemo = memo<readonly StageParticipant[]>([]);

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
    if (from === 'REQUESTED_TO_JOIN_STAGE') this.dequeue(m, change);
    if (to === 'REQUESTED_TO_JOIN_STAGE') this.enqueue(m, now, change);
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
    if (wasSeated && !nowSeated) {
      // Leave a hole, closed once per step by compact(): many removals cost one pass.
      const i = this.seatedIndex(m.since);
      if (this.seatedHole < 0 || i < this.seatedHole) this.seatedHole = i;
      this.seatedCount--;
    }
    if (nowSeated && !wasSeated) {
      const i = this.seatedIndex(m.since);
      if (i === this.seated.length) this.seated.push(m);
      else this.seated.splice(i, 0, m);
      this.seatedCount++;
    }
    if (wasSeated || nowSeated) change.seatedChanged = true;
    change.participantsChanged = true;
    this.refresh(m, change);
  }

  /** Rebuilds a member's public objects after its status, name or permissions changed. */
  refresh(m: Member, change: ChangeBuilder): void {
    buildViews(m);
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

  private enqueue(m: Member, now: number, change: ChangeBuilder): void {
    m.requestedAt = now;
    m.queueIndex = this.queue.length;
    this.queue.push(m);
    this.queued++;
    change.queueChanged = true;
  }

  private dequeue(m: Member, change: ChangeBuilder): void {
    const i = m.queueIndex;
    m.queueIndex = -1;
    this.queued--;
    if (this.queueHole < 0 || i < this.queueHole) this.queueHole = i;
    change.queueChanged = true;
  }

  /**
   * Closes the holes that removals left in the queue and in the seats, once per step, so that
   * many removals cost one pass. Queue places are read from `queueIndex` when asked for.
   */
  compact(change: ChangeBuilder): void {
    if (this.seatedHole >= 0) {
      const from = this.seatedHole;
      const kept = this.seated.slice(0, from);
      for (let i = from; i < this.seated.length; i++) {
        const m = this.seated[i]!;
        if (isSeated(m.status)) kept.push(m);
      }
      this.seated = kept;
      this.seatedHole = -1;
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

  /** Index of `since` in `seated` (or where it belongs). */
  private seatedIndex(since: number): number {
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
    if (change.queueChanged) this.requestsMemo.version++;
    if (change.onStageChanged) this.onStageMemo.version++;
    if (change.participantsChanged) this.activeMemo.version++;
    if (change.seatedChanged) this.seatedMemo.version++;
  }

  /** Every list is stale (after an import). */
  invalidateAll(): void {
    for (const m of [this.requestsMemo, this.onStageMemo, this.activeMemo, this.seatedMemo]) {
      m.version++;
    }
  }

  requests(): readonly StageRequest[] {
    return build(this.requestsMemo, () => this.queue.map((m) => this.requestOf(m)));
  }

  onStageList(): readonly StageParticipant[] {
    return build(this.onStageMemo, () => Array.from(this.onStage.values(), (m) => m.participant));
  }

  activeList(): readonly StageParticipant[] {
    return build(this.activeMemo, () => Array.from(this.active.values(), (m) => m.participant));
  }

  seatedList(): readonly StageParticipant[] {
    return build(this.seatedMemo, () => this.seated.map((m) => m.participant));
  }

  /** Where a REQUESTED member sits among the seated ones, for a non-privileged view. */
  seatedInsertIndex(m: Member): number {
    return this.seatedIndex(m.since);
  }

  /** The first live request, the oldest one. */
  queueHead(): Member | undefined {
    for (let i = 0; i < this.queue.length; i++) {
      const m = this.queue[i]!;
      if (m.queueIndex === i) return m;
    }
    return undefined;
  }
}

function build<T>(memo: Memo<readonly T[]>, make: () => T[]): readonly T[] {
  if (memo.built !== memo.version) {
    const next = make();
    // An equal list keeps its identity, so subscribers see no change (a request and its
    // cancel in one burst, say).
    if (!sameItems(memo.value, next)) memo.value = Object.freeze(next);
    memo.built = memo.version;
  }
  return memo.value;
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
