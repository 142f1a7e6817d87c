import type {
  StageEvent,
  StageEventName,
  StageEventPayloads,
  StageRequest,
  StageStatus,
} from '../model/index.js';

type Bare = 'stageStatusUpdate' | 'stageAccessRequestUpdate';

/** Handlers by event name, as RealtimeKit's `meeting.stage.on()` calls them (contract 9.1). */
export type StageEventMap = {
  stageStatusUpdate: (status: StageStatus) => void;
  stageAccessRequestUpdate: (requests: readonly StageRequest[]) => void;
} & {
  [K in Exclude<StageEventName, Bare>]: (payload: StageEventPayloads[K]) => void;
} & {
  '*': (name: StageEventName, payload: unknown) => void;
};

type AnyHandler = (...args: unknown[]) => void;

/** The handler argument for an event: bare status and list, the payload object otherwise. */
export function handlerPayload(event: StageEvent): unknown {
  switch (event.type) {
    case 'stageStatusUpdate':
      return event.status;
    case 'stageAccessRequestUpdate':
      return event.requests;
    default: {
      const { type: _type, ...payload } = event;
      return payload;
    }
  }
}

/** The RealtimeKit-style listener registry behind `on`, `off` and `'*'`. */
export class HandlerRegistry {
  private readonly handlers = new Map<string, Set<AnyHandler>>();

  add(name: string, handler: AnyHandler): void {
    let set = this.handlers.get(name);
    if (!set) this.handlers.set(name, (set = new Set()));
    set.add(handler);
  }

  remove(name: string, handler: AnyHandler): void {
    const set = this.handlers.get(name);
    if (set?.delete(handler) && set.size === 0) this.handlers.delete(name);
  }

  listens(name: string): boolean {
    return this.handlers.has(name) || this.handlers.has('*');
  }

  /** Calls every handler; one that throws is reported and does not stop the others. */
  call(event: StageEvent): void {
    const named = this.handlers.get(event.type);
    const any = this.handlers.get('*');
    if (!named && !any) return;
    const payload = handlerPayload(event);
    if (named) for (const h of [...named]) guard(() => h(payload));
    if (any) for (const h of [...any]) guard(() => h(event.type, payload));
  }

  clear(): void {
    this.handlers.clear();
  }
}

function guard(run: () => void): void {
  try {
    run();
  } catch (error) {
    // Report like an uncaught exception (as RxJS does) without breaking the store's state.
    queueMicrotask(() => {
      throw error;
    });
  }
}
