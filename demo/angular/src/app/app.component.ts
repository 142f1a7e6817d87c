import { AsyncPipe } from '@angular/common';
import {
  CUSTOM_ELEMENTS_SCHEMA,
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  inject,
  signal,
} from '@angular/core';
import { catchError, defer, map, of, startWith, type Observable } from 'rxjs';
import type { StageController, StageError, StageStatus } from 'rtk-stage';
import { connect, whoFrom } from './connect';

/** Connecting (neither field), connected to a stage, or failed to connect. */
interface Connection {
  readonly stage?: StageController;
  readonly error?: string;
}

const STATUS_TEXT: Readonly<Record<StageStatus, string>> = {
  OFF_STAGE: 'off stage',
  REQUESTED_TO_JOIN_STAGE: 'requested to join',
  ACCEPTED_TO_JOIN_STAGE: 'accepted, not joined yet',
  ON_STAGE: 'on stage',
};

/**
 * One participant of a stage room. Angular renders its own view of the observables (status$,
 * position$, requests$, onStage$, through the async pipe); the rtk-stage elements get the same
 * StageController through the `[stage]` property binding, and Angular listens to their
 * `rtk-stage-error` events.
 */
@Component({
  selector: 'app-root',
  imports: [AsyncPipe],
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './app.component.html',
})
export class AppComponent {
  private readonly params = new URLSearchParams(location.search);
  private stage: StageController | undefined;
  private destroyed = false;

  readonly who = whoFrom(this.params);
  readonly statusText = STATUS_TEXT;

  /** The message of the last `rtk-stage-error` an element fired. */
  readonly lastError = signal('');

  /** Subscribed once, by the template's async pipe. */
  readonly connection$: Observable<Connection> = defer(() => connect(this.params, this.who)).pipe(
    map((stage): Connection => {
      if (this.destroyed) stage.dispose();
      this.stage = stage;
      return { stage };
    }),
    catchError((error: unknown) => of<Connection>({ error: (error as Error).message })),
    startWith<Connection>({}),
  );

  constructor() {
    document.title = `${this.who.name} · rtk-stage · Angular`;
    inject(DestroyRef).onDestroy(() => {
      this.destroyed = true;
      this.stage?.dispose();
    });
  }

  onStageError(event: Event): void {
    this.lastError.set((event as CustomEvent<StageError>).detail.message);
  }
}
