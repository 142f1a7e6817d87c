import { BehaviorSubject, Subject, type Observable } from 'rxjs';
import { StageController, type ConnectionState, type StageLink } from '../controller/index.js';
import {
  combineLatest,
  distinctUntilChanged,
  map,
  merge,
  of,
  shareLatest,
  switchMap,
} from '../controller/select.js';
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

  // One tick per list; a list is built once per change, only when someone subscribes.
  private readonly ticks = {
    queue: new BehaviorSubject(0),
    onStage: new BehaviorSubject(0),
    participants: new BehaviorSubject(0),
    seated: new BehaviorSubject(0),
  };
  private dirty = { queue: false, onStage: false, participants: false, seated: false };
  private flushQueued = false;
  readonly requests$: Observable<readonly StageRequest[]>;
  readonly onStage$: Observable<readonly StageParticipant[]>;
  readonly participants$: Observable<readonly StageParticipant[]>;
  readonly seated$: Observable<number>;
  readonly queueTick$: Observable<number>;

  constructor(options: LocalStageOptions) {
    const { clock, ...roomOptions } = options;
    this.clock = clock ?? systemClock;
    this.engine = new StageRoom(roomOptions);
    const list = <T>(tick: Observable<number>, read: () => T) =>
      tick.pipe(map(read), distinctUntilChanged(), shareLatest());
    this.requests$ = list(this.ticks.queue, () => this.engine.requests());
    this.onStage$ = list(this.ticks.onStage, () => this.engine.onStage());
    this.participants$ = list(this.ticks.participants, () => this.engine.participants());
    this.seated$ = this.ticks.seated;
    this.queueTick$ = this.ticks.queue;
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
    this.deliver(change);
    this.schedule();
    return new StageController(link, link.self$.value);
  }

  disconnect(userId: string): void {
    const set = this.links.get(userId);
    if (set) for (const link of set) link.cut();
    this.links.delete(userId);
    this.deliver(this.engine.detach(userId, this.clock.now(), true));
    this.schedule();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const set of this.links.values()) for (const link of set) link.cut();
    this.links.clear();
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  snapshot(): RoomSnapshot {
    return this.engine.snapshot();
  }

  /** A controller closed its link (dispose). */
  release(link: LocalLink): void {
    const set = this.links.get(link.userId);
    if (!set?.delete(link)) return;
    if (set.size === 0) this.links.delete(link.userId);
    this.deliver(this.engine.detach(link.userId, this.clock.now()));
    this.schedule();
  }

  send(userId: string, command: StageCommand): Promise<StageBulkResult | undefined> {
    if (this.closed) return Promise.reject(notConnected(command.type, 'the local room was closed'));
    const now = this.clock.now();
    this.deliver(this.engine.advance(now));
    const outcome = this.engine.apply(userId, command, now);
    if (!outcome.ok) {
      this.schedule();
      return Promise.reject(toStageError(outcome.error));
    }
    this.deliver(outcome.change);
    this.schedule();
    return Promise.resolve(outcome.result);
  }

  private deliver(change: RoomChange): void {
    if (change === NO_CHANGE) return;
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
    const d = this.dirty;
    d.queue ||= change.queueChanged;
    d.onStage ||= change.onStageChanged;
    d.participants ||= change.participantsChanged;
    d.seated ||= change.seatedChanged;
    if (this.flushQueued || !(d.queue || d.onStage || d.participants || d.seated)) return;
    this.flushQueued = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushQueued = false;
    const d = this.dirty;
    this.dirty = { queue: false, onStage: false, participants: false, seated: false };
    const v = this.engine.version;
    if (d.queue) this.ticks.queue.next(v);
    if (d.onStage) this.ticks.onStage.next(v);
    if (d.participants) this.ticks.participants.next(v);
    if (d.seated) this.ticks.seated.next(v);
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
        this.deliver(this.engine.advance(this.clock.now()));
        this.schedule();
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
  private lists?: {
    position$: Observable<number | null>;
    requests$: Observable<readonly StageRequest[]>;
    participants$: Observable<readonly StageParticipant[]>;
  };

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

  get position$(): Observable<number | null> {
    return this.views().position$;
  }

  get requests$(): Observable<readonly StageRequest[]> {
    return this.views().requests$;
  }

  get participants$(): Observable<readonly StageParticipant[]> {
    return this.views().participants$;
  }

  /** Built on first use: most viewers of a big room never look at these. */
  private views(): NonNullable<LocalLink['lists']> {
    if (this.lists) return this.lists;
    const { room, userId } = this;
    const engine = room.engine;
    const privileged$ = this.self$.pipe(
      map((s) => isPrivileged(s.permissions)),
      distinctUntilChanged(),
    );
    return (this.lists = {
      position$: merge(room.queueTick$, this.self$).pipe(map(() => engine.position(userId))),
      requests$: privileged$.pipe(switchMap((p) => (p ? room.requests$ : of(EMPTY)))),
      participants$: privileged$.pipe(
        switchMap((p) =>
          p
            ? room.participants$
            : combineLatest([room.seated$, this.self$]).pipe(
                map(() => engine.participantsFor(userId)),
              ),
        ),
      ),
    });
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
