import { BehaviorSubject, type Observable } from 'rxjs';
import { combineLatest, map } from '../controller/select.js';
import {
  isPrivileged,
  samePermissions,
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

// Lists of thousands are rebuilt from these on every change: object literals of a fixed
// shape, which are many times faster than spreading the wire objects.

/** A wire participant without its order key. */
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
  /** Set from the snapshot by the constructor, like every list below. */
  readonly position$ = new BehaviorSubject<number | null>(null);
  readonly onStage$ = new BehaviorSubject<readonly StageParticipant[]>(EMPTY);
  private readonly seated$ = new BehaviorSubject<readonly WireParticipant[]>(EMPTY);
  /** Tick when the queue or the active list changed (their lists are rebuilt when read). */
  private readonly queueTick$ = new BehaviorSubject<void>(undefined);
  private readonly activeTick$ = new BehaviorSubject<void>(undefined);
  private readonly queue = new Map<string, WireRequest>();
  private active = new Map<string, WireParticipant>();
  private requestsCache: readonly StageRequest[] | undefined;
  private activeCache: readonly StageParticipant[] | undefined;
  /** This user as the lists would show it; set by setSelf, from the constructor on. */
  private me!: WireParticipant;
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
    this.apply(snapshot);
    // Both depend on this user's permissions (self$). A list that did not change is the same
    // array, which the controller does not emit again.
    this.requests$ = combineLatest([this.self$, this.queueTick$]).pipe(map(() => this.requests()));
    this.participants$ = combineLatest([this.self$, this.activeTick$, this.seated$]).pipe(
      map(() => (this.privileged ? this.activeList() : this.visible())),
    );
  }

  get privileged(): boolean {
    return isPrivileged(this.self$.value.permissions);
  }

  /** Replaces everything with a snapshot. Returns whether the queue's users or order changed. */
  apply(s: Snapshot): boolean {
    const queued = [...this.queue.keys()];
    this.known.pub = this.known.priv = this.known.self = s.version;
    this.applyPublic(s);
    // A snapshot is a delta that removes everything known and adds its lists.
    this.activeMaxO = -Infinity;
    this.applyPrivileged({
      queueRemove: queued,
      queueAdd: s.queue ?? [],
      remove: [...this.active.keys()],
      set: s.participants ?? [],
    });
    this.setSelf(s.self);
    return [...this.queue.keys()].join('\u0000') !== queued.join('\u0000');
  }

  setSelf(w: WireSelf): void {
    const { permissions, position, ...entry } = w;
    this.me = { userId: this.userId, ...entry };
    const prev = this.self$.value;
    const same =
      prev.status === w.status &&
      prev.displayName === w.displayName &&
      samePermissions(prev.permissions, permissions);
    if (!same) this.self$.next(selfView(w));
    this.position$.next(position); // the controller emits only changes
  }

  applyPublic(d: Pick<PublicDelta, 'onStage' | 'seated'>): void {
    if (d.onStage) this.onStage$.next(Object.freeze(d.onStage.map(participant)));
    if (d.seated) this.seated$.next(d.seated);
  }

  /** Applies a privileged delta; returns whether the queue changed. */
  applyPrivileged(d: Omit<PrivilegedDelta, 't' | 'v' | 'pv'>): boolean {
    let queueChanged = false;
    for (const id of d.queueRemove ?? []) queueChanged = this.queue.delete(id) || queueChanged;
    for (const r of d.queueAdd ?? []) {
      this.queue.set(r.userId, r);
      queueChanged = true;
    }
    for (const id of d.remove ?? []) this.active.delete(id);
    let unsorted = false;
    for (const p of d.set ?? []) {
      if (this.active.get(p.userId)?.o !== p.o) {
        // New, or left OFF again: goes by its new order key, so at the end as a rule.
        this.active.delete(p.userId);
        if (p.o < this.activeMaxO) unsorted = true;
        else this.activeMaxO = p.o;
      }
      this.active.set(p.userId, p); // changed in place: keeps its place
    }
    if (unsorted) this.active = new Map([...this.active].sort((a, b) => a[1].o - b[1].o));
    if (queueChanged) {
      this.requestsCache = undefined;
      this.queueTick$.next();
    }
    if (d.set || d.remove) {
      this.activeCache = undefined;
      this.activeTick$.next();
    }
    return queueChanged;
  }

  requests(): readonly StageRequest[] {
    if (!this.privileged) return EMPTY;
    return (this.requestsCache ??= Object.freeze(
      Array.from(this.queue.values(), (r, i) => ({
        userId: r.userId,
        displayName: r.displayName,
        requestedAt: r.requestedAt,
        position: i + 1,
      })),
    ));
  }

  private activeList(): readonly StageParticipant[] {
    return (this.activeCache ??= Object.freeze(Array.from(this.active.values(), participant)));
  }

  /** Seated users plus this user while it waits (contract 9.7). */
  private visible(): readonly StageParticipant[] {
    const seated = this.seated$.value;
    const list =
      this.me.status === 'REQUESTED_TO_JOIN_STAGE'
        ? [...seated, this.me].sort((a, b) => a.o - b.o)
        : seated;
    return Object.freeze(list.map(participant));
  }
}

function selfView(w: WireSelf): SelfView {
  return { status: w.status, permissions: w.permissions, displayName: w.displayName };
}
