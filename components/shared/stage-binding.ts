import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Observable, Subscription } from 'rxjs';
import type { StageController } from '../../src/index.js';

/** A host that knows which stage it shows (its `stage` property or the provider's). */
export interface StageHost extends ReactiveControllerHost {
  readonly controller: StageController | undefined;
}

/**
 * Keeps one observable of the host's stage in `value`: subscribes while the host is
 * connected, unsubscribes when it leaves the DOM, and follows the host to another stage.
 * Each value asks the host to update; no subscription outlives its element.
 */
export class StageBinding<T> implements ReactiveController {
  value: T;
  private stage: StageController | undefined;
  private subscription: Subscription | undefined;
  private connected = false;
  private syncing = false;

  constructor(
    private readonly host: StageHost,
    private readonly select: (stage: StageController) => Observable<T>,
    private readonly initial: T,
  ) {
    this.value = initial;
    host.addController(this);
  }

  hostConnected(): void {
    this.connected = true;
    // Back in the DOM (maybe moved, maybe on another stage): values that arrive now need a
    // render of their own.
    this.sync(false);
  }

  hostDisconnected(): void {
    this.connected = false;
    this.stop();
  }

  /** Runs before each render: picks up a new stage without asking for a second update. */
  hostUpdate(): void {
    this.sync(true);
  }

  private sync(inUpdate: boolean): void {
    const stage = this.connected ? this.host.controller : undefined;
    if (stage === this.stage && (this.subscription !== undefined) === (stage !== undefined)) return;
    const before = this.value;
    this.stop();
    this.stage = stage;
    if (stage) {
      this.syncing = true;
      this.subscription = this.select(stage).subscribe((value) => {
        this.value = value;
        if (!this.syncing) this.host.requestUpdate();
      });
      this.syncing = false;
    }
    if (!inUpdate && this.value !== before) this.host.requestUpdate();
  }

  private stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.stage = undefined;
    this.value = this.initial;
  }
}
