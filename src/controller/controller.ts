import { BehaviorSubject, Subject, type Observable, type Subscription } from 'rxjs';
import {
  notConnected,
  samePermissions,
  type SelfView,
  type StageBulkResult,
  type StageCommand,
  type StageEvent,
  type StageParticipant,
  type StagePermissions,
  type StageRequest,
  type StageStatus,
} from '../model/index.js';
import { HandlerRegistry, type StageEventMap } from './events.js';
import type { ConnectionState, StageLink } from './link.js';
import { select, shareList } from './select.js';

/**
 * One participant's view of a stage and the commands it may send, RealtimeKit-compatible
 * (`meeting.stage`) plus observables. State changes only when the authority answers.
 */
export class StageController {
  readonly userId: string;

  private readonly link: StageLink;
  private readonly self: BehaviorSubject<SelfView>;
  private readonly connection: BehaviorSubject<ConnectionState>;
  private readonly events = new Subject<StageEvent>();
  /**
   * Completes on dispose; the lists end with it. A subject completes a later subscriber at
   * once, so lists first asked for after dispose are complete too.
   */
  private readonly disposed = new Subject<never>();
  private readonly handlers = new HandlerRegistry();
  private readonly subscriptions: Subscription[] = [];
  private readonly cache = new Map<string, Observable<unknown>>();
  private isDisposed = false;

  constructor(link: StageLink, initial: SelfView, connection: ConnectionState = 'connected') {
    this.link = link;
    this.userId = link.userId;
    this.self = new BehaviorSubject(initial);
    this.connection = new BehaviorSubject(connection);
    this.subscriptions.push(
      link.events$.subscribe((event) => this.emit(event)),
      link.self$.subscribe((view) => this.receiveSelf(view)),
      link.connection$.subscribe((state) => this.connection.next(state)),
    );
  }

  // Observables are made on first use: a room of 10,000 controllers pays only for those watched.

  get status$(): Observable<StageStatus> {
    return this.lazy('status', () => this.self.pipe(select((s) => s.status)));
  }

  get permissions$(): Observable<StagePermissions> {
    return this.lazy('permissions', () =>
      this.self.pipe(select((s) => s.permissions, samePermissions)),
    );
  }

  get connection$(): Observable<ConnectionState> {
    return this.lazy('connection', () => this.connection.pipe(select((c) => c)));
  }

  get position$(): Observable<number | null> {
    return this.lazy('position', () => shareList(this.link.position$, this.disposed));
  }

  get requests$(): Observable<readonly StageRequest[]> {
    return this.lazy('requests', () => shareList(this.link.requests$, this.disposed));
  }

  get onStage$(): Observable<readonly StageParticipant[]> {
    return this.lazy('onStage', () => shareList(this.link.onStage$, this.disposed));
  }

  get participants$(): Observable<readonly StageParticipant[]> {
    return this.lazy('participants', () => shareList(this.link.participants$, this.disposed));
  }

  get events$(): Observable<StageEvent> {
    return this.lazy('events', () => this.events.asObservable());
  }

  /** The local user's status right now (`meeting.stage.status`); OFF_STAGE before any answer. */
  get status(): StageStatus {
    return this.self.value.status;
  }

  get displayName(): string {
    return this.self.value.displayName;
  }

  get permissions(): StagePermissions {
    return this.self.value.permissions;
  }

  on<E extends keyof StageEventMap>(event: E, handler: StageEventMap[E]): () => void {
    this.handlers.add(event, handler as (...args: unknown[]) => void);
    return () => this.off(event, handler);
  }

  off<E extends keyof StageEventMap>(event: E, handler: StageEventMap[E]): void {
    this.handlers.remove(event, handler as (...args: unknown[]) => void);
  }

  /** RealtimeKit-compatible: the pending requests (privileged users), else an empty list. */
  getAccessRequests(): { stageRequests: StageRequest[] } {
    return { stageRequests: this.isDisposed ? [] : [...this.link.currentRequests()] };
  }

  requestAccess(): Promise<void> {
    return this.send({ type: 'requestAccess' }).then(nothing);
  }

  cancelRequestAccess(): Promise<void> {
    return this.send({ type: 'cancelRequestAccess' }).then(nothing);
  }

  join(): Promise<void> {
    return this.send({ type: 'join' }).then(nothing);
  }

  leave(): Promise<void> {
    return this.send({ type: 'leave' }).then(nothing);
  }

  grantAccess(userIds: string[]): Promise<StageBulkResult> {
    return this.send({ type: 'grantAccess', userIds }) as Promise<StageBulkResult>;
  }

  denyAccess(userIds: string[]): Promise<StageBulkResult> {
    return this.send({ type: 'denyAccess', userIds }) as Promise<StageBulkResult>;
  }

  kick(userIds: string[]): Promise<StageBulkResult> {
    return this.send({ type: 'kick', userIds }) as Promise<StageBulkResult>;
  }

  /** Ends this controller: completes every observable and drops its connection (grace applies). */
  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    for (const s of this.subscriptions) s.unsubscribe();
    this.link.close();
    this.connection.next('disconnected');
    this.disposed.complete();
    this.self.complete();
    this.connection.complete();
    this.events.complete();
    this.handlers.clear();
  }

  private lazy<T>(key: string, make: () => Observable<T>): Observable<T> {
    let o = this.cache.get(key) as Observable<T> | undefined;
    if (!o) this.cache.set(key, (o = make()));
    return o;
  }

  private send(command: StageCommand): Promise<StageBulkResult | undefined> {
    if (this.isDisposed) {
      return Promise.reject(notConnected(command.type, 'this controller was disposed'));
    }
    if (this.connection.value === 'disconnected') {
      return Promise.reject(notConnected(command.type, 'the connection to the stage is closed'));
    }
    try {
      return this.link.send(command);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private receiveSelf(view: SelfView): void {
    const before = this.self.value.status;
    this.self.next(view);
    if (view.status !== before) this.emit({ type: 'stageStatusUpdate', status: view.status });
  }

  private emit(event: StageEvent): void {
    const observed = this.events.observed;
    if (!observed && !this.handlers.listens(event.type)) return;
    // Lists arrive as getters: reading one now pins the list this event is about.
    const settled: StageEvent =
      event.type === 'stageAccessRequestUpdate'
        ? { type: event.type, requests: event.requests }
        : event;
    if (observed) this.events.next(settled);
    this.handlers.call(settled);
  }
}

function nothing(): void {}
