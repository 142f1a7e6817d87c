import { ContextEvent, createContext } from '@lit/context';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { StageController } from '../../src/index.js';

/** The stage a `<rtk-stage-provider>` gives to the elements inside it. */
export const stageContext = createContext<StageController | undefined>(Symbol('rtk-stage'));

type Stage = StageController | undefined;
type Callback = (value: Stage, unsubscribe?: () => void) => void;
type Host = ReactiveControllerHost & HTMLElement;

// The context protocol as @lit/context speaks it: an element asks with a bubbling
// `context-request` event; the nearest provider stops it and answers through its callback,
// again on every change while subscribed. A provider that connects above elements another
// provider already serves announces itself with `context-provider`, and the provider above
// hands them over by having them ask again. The two controllers below do exactly that for the
// one stage context: @lit/context's generic ones would take ~1 KB gzipped of the drop-in's
// 25 KB. Both interoperate with @lit/context's own controllers (test/components/stage-provider.test.ts).

/** Announces a provider that just connected, so that elements it now covers ask it. */
class ContextProviderEvent extends Event {
  constructor(
    readonly context: typeof stageContext,
    readonly contextTarget: Element,
  ) {
    super('context-provider', { bubbles: true, composed: true });
  }
}

/** The providing side of the stage context, for `<rtk-stage-provider>`. */
export class StageContextProvider implements ReactiveController {
  private value: Stage;
  /** Subscribed elements: their callback, the element, and what unsubscribes it. */
  private readonly subscribers = new Map<Callback, { element: Element; unsubscribe: () => void }>();

  constructor(private readonly host: Host) {
    host.addEventListener('context-request', (event) => {
      const element = event.contextTarget ?? event.composedPath()[0];
      if (event.context !== stageContext || element === host) return;
      event.stopPropagation();
      const callback = event.callback as Callback;
      if (!event.subscribe) return callback(this.value);
      let subscriber = this.subscribers.get(callback);
      if (!subscriber) {
        const unsubscribe = () => this.subscribers.delete(callback);
        this.subscribers.set(callback, (subscriber = { element: element as Element, unsubscribe }));
      }
      callback(this.value, subscriber.unsubscribe);
    });
    host.addEventListener('context-provider', (event) => {
      const provider = event.contextTarget ?? event.composedPath()[0];
      if (event.context !== stageContext || provider === host) return;
      event.stopPropagation();
      // Each asks again: those inside the new provider get their stage from it.
      for (const [callback, { element }] of this.subscribers) {
        element.dispatchEvent(new ContextEvent(stageContext, element, callback, true));
      }
    });
    host.addController(this);
  }

  hostConnected(): void {
    this.host.dispatchEvent(new ContextProviderEvent(stageContext, this.host));
  }

  setValue(value: Stage): void {
    if (value === this.value) return;
    this.value = value;
    for (const [callback, { unsubscribe }] of this.subscribers) callback(value, unsubscribe);
  }
}

/** The consuming side: asks for the stage while connected and hands each one to `receive`. */
export class StageContextConsumer implements ReactiveController {
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly host: Host,
    private readonly receive: (stage: Stage) => void,
  ) {
    host.addController(this);
  }

  // One identity for the element's whole life: a provider knows a subscriber by its callback.
  private readonly callback: Callback = (stage, unsubscribe) => {
    // Answered by another provider (a nearer one appeared): leave the old one.
    if (this.unsubscribe !== unsubscribe) this.unsubscribe?.();
    this.unsubscribe = unsubscribe;
    this.receive(stage);
  };

  hostConnected(): void {
    this.host.dispatchEvent(new ContextEvent(stageContext, this.host, this.callback, true));
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }
}
