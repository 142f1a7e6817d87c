import { BehaviorSubject, Observable, Subject } from 'rxjs';
import { StageController, type ConnectionState, type StageLink } from '../controller/index.js';
import { combineLatest, map, select, switchMap } from '../controller/select.js';
import {
  NO_CHANGE,
  StageError,
  StageRoom,
  isPrivileged,
  notConnected,
  resolvePermissions,
  toStageError,
  type PresetName,
  type RoomChange,
  type RoomOptions,
  type RoomSnapshot,
  type SelfView,
  type StageBulkResult,
  type StageCommand,
  type StageEvent,
  type StageParticipant,
  type StagePermissions,
  type StageRequest,
} from '../model/index.js';
import { systemClock, type StageClock } from './clock.js';

export interface LocalStageOptions extends RoomOptions {
  /** Time and timers; defaults to the system clock. */
  readonly clock?: StageClock;
}

/** Who joins a local room. Permissions win over a preset; neither means `viewer`. */
export interface LocalConnectOptions {
  readonly userId: string;
  readonly displayName?: string;
  readonly preset?: PresetName;
  readonly permissions?: StagePermissions;
}

/** A stage room that lives in this JavaScript realm: demos, tests, single-page prototypes. */
export interface LocalStage {
  /** Opens a connection (a tab) for a user and returns its controller, synchronously. */
  connect(options: LocalConnectOptions): StageController;
  /** Drops every connection of a user, as a lost network would; the reconnect grace applies. */
  disconnect(userId: string): void;
  /** Ends the room: every controller goes 'disconnected'. */
  close(): void;
  /** A plain copy of the room's state. */
  snapshot(): RoomSnapshot;
  readonly options: StageRoom['options'];
}

export function createLocalStage(options: LocalStageOptions = {}): LocalStage {
  return new LocalRoom(options);
}

const EMPTY: readonly never[] = Object.freeze([]);
/** The RoomChange flags that tick a list (LocalRoom.ticks), checked on every change. */
const LIST_FLAGS = [
  'queueChanged',
  'onStageChanged',
  'participantsChanged',
  'seatedChanged',
] as const;
/** What a user who may not see the queue sees of it: an empty list, then completion. */
const NO_REQUESTS$ = new Observable<readonly StageRequest[]>((subscriber) => {
  subscriber.next(EMPTY);
  subscriber.complete();
});

class LocalRoom implements LocalStage {
  readonly engine: StageRoom;
  private readonly clock: StageClock;
  private readonly links = new Map<string, Set<LocalLink>>();
  private closed = false;
  private timer: unknown;
  private timerAt: number | undefined;
  /**
   * Changes waiting to be delivered, each with the self views it produced (taken at once: a
   * handler's nested command must neither overtake its cause nor rewrite what it reports).
   */
  private readonly pending: { change: RoomChange; views: (SelfView | undefined)[] }[] = [];
  private delivering = false;

  // One tick per kind of list change, named by its RoomChange flag; a list is built once per
  // change, only when someone subscribes.
  readonly ticks = {
    queueChanged: new BehaviorSubject(0),
    onStageChanged: new BehaviorSubject(0),
    participantsChanged: new BehaviorSubject(0),
    seatedChanged: new BehaviorSubject(0),
  };
  /** Ticks due at the next flush; not empty while a flush is queued. */
  private readonly dirty = new Set<(typeof LIST_FLAGS)[number]>();
  readonly requests$: Observable<readonly StageRequest[]>;
  readonly onStage$: Observable<readonly StageParticipant[]>;
  readonly participants$: Observable<readonly StageParticipant[]>;

  constructor(options: LocalStageOptions) {
    const { clock, ...roomOptions } = options;
    this.clock = clock ?? systemClock;
    this.engine = new StageRoom(roomOptions);
    const { ticks, engine } = this;
    this.requests$ = ticks.queueChanged.pipe(select(() => engine.requests()));
    this.onStage$ = ticks.onStageChanged.pipe(select(() => engine.onStage()));
    this.participants$ = ticks.participantsChanged.pipe(select(() => engine.participants()));
  }

  get options(): StageRoom['options'] {
    return this.engine.options;
  }

  connect(options: LocalConnectOptions): StageController {
    if (this.closed) throw notConnected('connect', 'this local room was closed');
    const input = parseConnect(options);
    const change = this.engine.attach(input, this.clock.now());
    const link = new LocalLink(this, input.userId, this.engine.selfView(input.userId)!);
    let set = this.links.get(input.userId);
    if (!set) this.links.set(input.userId, (set = new Set()));
    set.add(link);
    this.settle(change);
    return new StageController(link, link.self$.value);
  }

  disconnect(userId: string): void {
    const set = this.links.get(userId);
    if (set) for (const link of set) link.cut();
    this.links.delete(userId);
    this.settle(this.engine.detach(userId, this.clock.now(), true));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const set of this.links.values()) for (const link of set) link.cut();
    this.links.clear();
    this.schedule();
  }

  snapshot(): RoomSnapshot {
    return this.engine.snapshot();
  }

  /** A controller closed its link (dispose). */
  release(link: LocalLink): void {
    const set = this.links.get(link.userId);
    if (!set?.delete(link)) return;
    if (set.size === 0) this.links.delete(link.userId);
    this.settle(this.engine.detach(link.userId, this.clock.now()));
  }

  send(userId: string, command: StageCommand): Promise<StageBulkResult | undefined> {
    if (this.closed) return Promise.reject(notConnected(command.type, 'the local room was closed'));
    const now = this.clock.now();
    this.settle(this.engine.advance(now));
    const outcome = this.engine.apply(userId, command, now);
    if (!outcome.ok) return Promise.reject(toStageError(outcome.error));
    this.settle(outcome.change);
    return Promise.resolve(outcome.result);
  }

  /** Delivers what a step changed, then sets the timer for the room's next deadline. */
  private settle(change: RoomChange): void {
    if (change !== NO_CHANGE) this.deliver(change);
    this.schedule();
  }

  private deliver(change: RoomChange): void {
    const views = change.selfChanged.map((userId) => this.engine.selfView(userId));
    this.pending.push({ change, views });
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let p = this.pending.shift(); p; p = this.pending.shift()) {
        this.dispatch(p.change, p.views);
      }
    } finally {
      this.delivering = false;
    }
  }

  /** Tells each connection only what concerns it (contract 9.3). */
  private dispatch(change: RoomChange, views: (SelfView | undefined)[]): void {
    for (const { userId, event } of change.notices) {
      const set = this.links.get(userId);
      if (set) for (const link of set) link.events$.next(event);
    }
    change.selfChanged.forEach((userId, i) => {
      const set = this.links.get(userId);
      const view = views[i];
      if (set && view) for (const link of set) link.self$.next(view);
    });
    this.markDirty(change);
    const queueUpdate = change.queueChanged ? this.queueUpdateEvent() : undefined;
    if (change.privilegedEvents.length === 0 && !queueUpdate) return;
    for (const userId of this.engine.privilegedUsers()) {
      const set = this.links.get(userId);
      if (!set) continue;
      for (const link of set) {
        for (const event of change.privilegedEvents) link.events$.next(event);
        if (queueUpdate) link.events$.next(queueUpdate);
      }
    }
  }

  /** The queue list is read lazily: only a listener of this event pays for building it. */
  private queueUpdateEvent(): StageEvent {
    const engine = this.engine;
    let requests: readonly StageRequest[] | undefined;
    return {
      type: 'stageAccessRequestUpdate',
      get requests() {
        return (requests ??= engine.requests());
      },
    };
  }

  /**
   * Lists coalesce a synchronous burst of changes into one emission, flushed in a microtask
   * queued before the command's Promise settles (contract 9.2).
   */
  private markDirty(change: RoomChange): void {
    const flushQueued = this.dirty.size > 0;
    for (const flag of LIST_FLAGS) if (change[flag]) this.dirty.add(flag);
    if (!flushQueued && this.dirty.size > 0) queueMicrotask(() => this.flush());
  }

  private flush(): void {
    const due = [...this.dirty];
    this.dirty.clear();
    const version = this.engine.version;
    for (const flag of due) this.ticks[flag].next(version);
  }

  private schedule(): void {
    const next = this.closed ? undefined : this.engine.nextDeadline();
    if (next === this.timerAt) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = next;
    if (next === undefined) return;
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = undefined;
        this.settle(this.engine.advance(this.clock.now()));
      },
      Math.max(0, next - this.clock.now()),
    );
  }
}

/** One connection (tab) of a user to a local room. */
class LocalLink implements StageLink {
  readonly self$: BehaviorSubject<SelfView>;
  readonly events$ = new Subject<StageEvent>();
  readonly connection$ = new BehaviorSubject<ConnectionState>('connected');
  private live = true;

  constructor(
    private readonly room: LocalRoom,
    readonly userId: string,
    initial: SelfView,
  ) {
    this.self$ = new BehaviorSubject(initial);
  }

  get onStage$(): Observable<readonly StageParticipant[]> {
    return this.room.onStage$;
  }

  // position$, requests$ and participants$ are made when read, which the controller does once,
  // on first use: most viewers of a big room never look at them.
  get position$(): Observable<number | null> {
    const { room, userId } = this;
    return combineLatest([room.ticks.queueChanged, this.self$]).pipe(
      map(() => room.engine.position(userId)),
    );
  }

  get requests$(): Observable<readonly StageRequest[]> {
    return this.privileged$().pipe(switchMap((p) => (p ? this.room.requests$ : NO_REQUESTS$)));
  }

  get participants$(): Observable<readonly StageParticipant[]> {
    const { room, userId } = this;
    return this.privileged$().pipe(
      switchMap((p) =>
        p
          ? room.participants$
          : combineLatest([room.ticks.seatedChanged, this.self$]).pipe(
              map(() => room.engine.participantsFor(userId)),
            ),
      ),
    );
  }

  private privileged$(): Observable<boolean> {
    return this.self$.pipe(select((s) => isPrivileged(s.permissions)));
  }

  currentRequests(): readonly StageRequest[] {
    const engine = this.room.engine;
    return this.live && engine.isPrivileged(this.userId) ? engine.requests() : EMPTY;
  }

  send(command: StageCommand): Promise<StageBulkResult | undefined> {
    if (!this.live) {
      return Promise.reject(notConnected(command.type, 'this connection was dropped'));
    }
    return this.room.send(this.userId, command);
  }

  close(): void {
    if (!this.live) return;
    this.live = false;
    this.room.release(this);
  }

  /** The room dropped this connection. */
  cut(): void {
    this.live = false;
    this.connection$.next('disconnected');
  }
}

function parseConnect(options: LocalConnectOptions): {
  userId: string;
  displayName: string;
  permissions: StagePermissions;
} {
  const bad = (why: string) =>
    new StageError('2009', `Could not connect to the local stage: ${why}.`);
  if (typeof options !== 'object' || options === null) {
    throw bad('pass an options object { userId, displayName?, preset? | permissions? }');
  }
  const { userId, displayName, preset, permissions } = options;
  if (typeof userId !== 'string' || userId.length === 0) {
    throw bad('userId must be a non-empty string');
  }
  if (displayName !== undefined && typeof displayName !== 'string') {
    throw bad('displayName must be a string when given');
  }
  const resolved = resolvePermissions(preset, permissions);
  if (typeof resolved === 'string') throw bad(resolved);
  return { userId, displayName: displayName || userId, permissions: resolved };
}
