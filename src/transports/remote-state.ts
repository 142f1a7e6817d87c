import { BehaviorSubject, type Observable } from 'rxjs';
import { combineLatest, distinctUntilChanged, map } from '../controller/select.js';
import {
  isPrivileged,
  type PrivilegedDelta,
  type PublicDelta,
  type SelfView,
  type Snapshot,
  type StageParticipant,
  type StageRequest,
  type WireParticipant,
  type WireRequest,
  type WireSelf,
} from '../model/index.js';

const EMPTY: readonly never[] = Object.freeze([]);

function participant(w: WireParticipant): StageParticipant {
  return w.requestedAt === undefined
    ? { userId: w.userId, displayName: w.displayName, status: w.status }
    : {
        userId: w.userId,
        displayName: w.displayName,
        status: w.status,
        requestedAt: w.requestedAt,
      };
}

/**
 * What a remote client knows of its room, kept from the server's snapshot and deltas. Lists
 * are rebuilt only when someone reads them, once per change.
 */
export class RemoteState {
  readonly self$: BehaviorSubject<SelfView>;
  readonly position$: BehaviorSubject<number | null>;
  readonly onStage$ = new BehaviorSubject<readonly StageParticipant[]>(EMPTY);
  private readonly seated$ = new BehaviorSubject<readonly WireParticipant[]>(EMPTY);
  private readonly queueTick$ = new BehaviorSubject(0);
  private readonly activeTick$ = new BehaviorSubject(0);
  private readonly queue = new Map<string, WireRequest>();
  private active = new Map<string, WireParticipant>();
  private requestsCache: readonly StageRequest[] | undefined;
  private activeCache: readonly StageParticipant[] | undefined;
  private selfO = 0;
  private selfRequestedAt: number | undefined;
  private activeMaxO = -Infinity;
  /** Last version applied per stream, for gap detection. */
  readonly known = { pub: 0, priv: 0, self: 0 };

  readonly requests$: Observable<readonly StageRequest[]>;
  readonly participants$: Observable<readonly StageParticipant[]>;

  constructor(
    private readonly userId: string,
    snapshot: Snapshot,
  ) {
    this.self$ = new BehaviorSubject(selfView(snapshot.self));
    this.position$ = new BehaviorSubject(snapshot.self.position);
    this.apply(snapshot);
    const privileged$ = this.self$.pipe(
      map((s) => isPrivileged(s.permissions)),
      distinctUntilChanged(),
    );
    this.requests$ = combineLatest([privileged$, this.queueTick$]).pipe(
      map(([p]) => (p ? this.requests() : EMPTY)),
    );
    this.participants$ = combineLatest([
      privileged$,
      this.activeTick$,
      this.seated$,
      this.self$,
    ]).pipe(map(([p]) => (p ? this.activeList() : this.visible())));
  }

  get privileged(): boolean {
    return isPrivileged(this.self$.value.permissions);
  }

  /** Replaces everything with a snapshot. Returns whether the queue changed. */
  apply(s: Snapshot): boolean {
    const before = this.queueKey();
    this.known.pub = this.known.priv = this.known.self = s.version;
    this.selfO = s.self.o;
    this.onStage$.next(Object.freeze(s.onStage.map(participant)));
    this.seated$.next(s.seated);
    this.queue.clear();
    for (const r of s.queue ?? []) this.queue.set(r.userId, r);
    this.active = new Map((s.participants ?? []).map((p) => [p.userId, p]));
    this.activeMaxO = Math.max(-Infinity, ...(s.participants ?? []).map((p) => p.o));
    this.touchQueue();
    this.touchActive();
    this.setSelf(s.self);
    return this.queueKey() !== before;
  }

  setSelf(w: WireSelf): void {
    this.selfO = w.o;
    this.selfRequestedAt = w.requestedAt;
    const prev = this.self$.value;
    const p = w.permissions;
    const same =
      prev.status === w.status &&
      prev.displayName === w.displayName &&
      prev.permissions.stageEnabled === p.stageEnabled &&
      prev.permissions.stageAccess === p.stageAccess &&
      prev.permissions.acceptStageRequests === p.acceptStageRequests;
    if (!same) this.self$.next(selfView(w));
    if (this.position$.value !== w.position) this.position$.next(w.position);
  }

  applyPublic(d: PublicDelta): void {
    if (d.onStage) this.onStage$.next(Object.freeze(d.onStage.map(participant)));
    if (d.seated) this.seated$.next(d.seated);
  }

  /** Applies a privileged delta; returns whether the queue changed. */
  applyPrivileged(d: PrivilegedDelta): boolean {
    let queueChanged = false;
    for (const id of d.queueRemove ?? []) queueChanged = this.queue.delete(id) || queueChanged;
    for (const r of d.queueAdd ?? []) {
      this.queue.set(r.userId, r);
      queueChanged = true;
    }
    for (const id of d.remove ?? []) this.active.delete(id);
    let unsorted = false;
    for (const p of d.set ?? []) {
      const old = this.active.get(p.userId);
      if (old && old.o === p.o) {
        this.active.set(p.userId, p); // changed in place: keeps its place
        continue;
      }
      if (old) this.active.delete(p.userId);
      this.active.set(p.userId, p); // left OFF again: goes by its new order key
      if (p.o < this.activeMaxO) unsorted = true;
      else this.activeMaxO = p.o;
    }
    if (unsorted) this.active = new Map([...this.active].sort((a, b) => a[1].o - b[1].o));
    if (queueChanged) this.touchQueue();
    if (d.set || d.remove) this.touchActive();
    return queueChanged;
  }

  requests(): readonly StageRequest[] {
    if (!this.privileged) return EMPTY;
    if (!this.requestsCache) {
      let position = 0;
      this.requestsCache = Object.freeze(
        Array.from(this.queue.values(), (r) => ({
          userId: r.userId,
          displayName: r.displayName,
          requestedAt: r.requestedAt,
          position: ++position,
        })),
      );
    }
    return this.requestsCache;
  }

  private activeList(): readonly StageParticipant[] {
    this.activeCache ??= Object.freeze(Array.from(this.active.values(), participant));
    return this.activeCache;
  }

  /** Seated users plus this user while it waits (contract 9.7). */
  private visible(): readonly StageParticipant[] {
    const seated = this.seated$.value.map(participant);
    const self = this.self$.value;
    if (self.status === 'REQUESTED_TO_JOIN_STAGE') {
      const me = this.seated$.value.findIndex((p) => p.o > this.selfO);
      const entry: StageParticipant = {
        userId: this.userId,
        displayName: self.displayName,
        status: self.status,
        ...(this.selfRequestedAt === undefined ? {} : { requestedAt: this.selfRequestedAt }),
      };
      seated.splice(me < 0 ? seated.length : me, 0, entry);
    }
    return Object.freeze(seated);
  }

  private queueKey(): string {
    return [...this.queue.keys()].join('\u0000');
  }

  private touchQueue(): void {
    this.requestsCache = undefined;
    this.queueTick$.next(this.queueTick$.value + 1);
  }

  private touchActive(): void {
    this.activeCache = undefined;
    this.activeTick$.next(this.activeTick$.value + 1);
  }
}

function selfView(w: WireSelf): SelfView {
  return { status: w.status, permissions: w.permissions, displayName: w.displayName };
}
