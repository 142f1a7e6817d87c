import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Observable, Subscription } from 'rxjs';
import type { StageController } from '../../src/index.js';

/** A host that knows which stage it shows (its `stage` property or the provider's). */
export interface StageHost extends ReactiveControllerHost {
  readonly controller: StageController | undefined;
  readonly isConnected: boolean;
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

  constructor(
    private readonly host: StageHost,
    private readonly select: (stage: StageController) => Observable<T>,
    private readonly initial: T,
  ) {
    this.value = initial;
    host.addController(this);
  }

  hostConnected(): void {
    this.sync();
    // Back in the DOM (maybe moved, maybe on another stage): what the host shows was rendered
    // before it left, with values it no longer follows. Render again.
    this.host.requestUpdate();
  }

  hostDisconnected(): void {
    this.stop();
  }

  /** Runs before each render: picks up a new stage without asking for a second update. */
  hostUpdate(): void {
    this.sync();
  }

  /** Follows the host's current stage (none while disconnected). */
  private sync(): void {
    const stage = this.host.isConnected ? this.host.controller : undefined;
    if (stage === this.stage) return;
    this.stop();
    if (!stage) return;
    // Values given at once, during the host's update, land in it: Lit ignores a request for
    // another update while one is under way.
    this.subscription = this.select(stage).subscribe((value) => {
      this.value = value;
      this.host.requestUpdate();
    });
    // Set last: a stage whose subscription failed is tried again at the next update.
    this.stage = stage;
  }

  private stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.stage = undefined;
    this.value = this.initial;
  }
}
