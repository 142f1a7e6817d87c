import {
  Observable,
  Subject,
  Subscription,
  type MonoTypeOperatorFunction,
  type OperatorFunction,
} from 'rxjs';

// RxJS's switchMap, combineLatest, takeUntil and share(Replay) accept any ObservableInput
// (promises, iterables, async iterables, streams), which puts RxJS's whole conversion
// machinery into every browser bundle, and its map and distinctUntilChanged bring the operator
// plumbing (lift, OperatorSubscriber). The store only ever combines observables: these small
// operators do what those do for observables (takeUntil also ends when its notifier
// completes), without that machinery.

/**
 * A public observable of the store: picks a value, emits only on change, shares one
 * subscription to the source among all subscribers and replays the current value.
 */
export function select<T, R>(
  project: (value: T) => R,
  compare?: (a: R, b: R) => boolean,
): OperatorFunction<T, R> {
  return (source) => source.pipe(map(project), distinctUntilChanged(compare), shareLatest());
}

/**
 * Shares a value from the authority, de-duplicated by identity, ending when `end` emits or
 * completes (the store's dispose).
 */
export function shareList<T>(source: Observable<T>, end: Observable<unknown>): Observable<T> {
  return source.pipe(takeUntil(end), distinctUntilChanged(), shareLatest());
}

/**
 * `shareReplay({ bufferSize: 1, refCount: true })`: one subscription to the source while
 * anyone listens, the latest value replayed to each new subscriber. When the last subscriber
 * leaves, or the source fails, the next subscriber starts afresh; once the source completed,
 * new subscribers get the last value and the completion.
 */
export function shareLatest<T>(): MonoTypeOperatorFunction<T> {
  return (source) => {
    let subject: Subject<T> | undefined;
    let latest: [T] | undefined;
    let connection: Subscription | undefined;
    let refCount = 0;
    let completed = false;
    const reset = () => {
      subject = latest = connection = undefined;
      completed = false;
    };
    return new Observable<T>((subscriber) => {
      refCount++;
      const dest = (subject ??= new Subject<T>());
      subscriber.add(() => {
        if (--refCount > 0 || completed) return;
        const old = connection;
        reset();
        old?.unsubscribe();
      });
      if (completed) {
        if (latest) subscriber.next(latest[0]);
        subscriber.complete();
      } else {
        dest.subscribe(subscriber);
        if (latest && !subscriber.closed) subscriber.next(latest[0]);
      }
      if (connection || refCount === 0) return;
      const own = (connection = new Subscription());
      own.add(
        source.subscribe({
          next: (value) => {
            if (own.closed) return;
            latest = [value];
            dest.next(value);
          },
          error: (error: unknown) => {
            if (own.closed) return;
            reset();
            dest.error(error);
          },
          complete: () => {
            if (own.closed) return;
            completed = true;
            dest.complete();
          },
        }),
      );
    });
  };
}

/** Each value of the source, passed through `project` (RxJS's map). */
export function map<T, R>(project: (value: T) => R): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) =>
      source.subscribe({
        next: (value) => subscriber.next(project(value)),
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
}

/** Drops a value equal (`===`, or `compare`) to the one before it (RxJS's distinctUntilChanged). */
export function distinctUntilChanged<T>(
  compare: (previous: T, current: T) => boolean = (a, b) => a === b,
): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      let last: [T] | undefined;
      return source.subscribe({
        next: (value) => {
          if (last && compare(last[0], value)) return;
          last = [value];
          subscriber.next(value);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}

/**
 * Mirrors the source until `notifier` emits a value or completes, then completes (RxJS's
 * takeUntil, which ignores the notifier's completion).
 */
export function takeUntil<T>(notifier: Observable<unknown>): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      subscriber.add(
        notifier.subscribe({
          next: () => subscriber.complete(),
          error: (error: unknown) => subscriber.error(error),
          complete: () => subscriber.complete(),
        }),
      );
      if (!subscriber.closed) subscriber.add(source.subscribe(subscriber));
    });
}

/** Each value of the source picks an observable to mirror, dropping the previous one. */
export function switchMap<T, R>(project: (value: T) => Observable<R>): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      let inner: Subscription | undefined;
      let outerDone = false;
      subscriber.add(() => inner?.unsubscribe());
      subscriber.add(
        source.subscribe({
          next: (value) => {
            inner?.unsubscribe();
            let done = false;
            const next = project(value).subscribe({
              next: (v) => subscriber.next(v),
              error: (error: unknown) => subscriber.error(error),
              complete: () => {
                done = true;
                inner = undefined;
                if (outerDone) subscriber.complete();
              },
            });
            inner = done ? undefined : next;
            if (subscriber.closed) next.unsubscribe();
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            outerDone = true;
            if (!inner) subscriber.complete();
          },
        }),
      );
    });
}

/** The latest value of every source, once each has emitted, on every emission of any. */
export function combineLatest<T extends unknown[]>(sources: {
  [K in keyof T]: Observable<T[K]>;
}): Observable<T> {
  return new Observable<T>((subscriber) => {
    const values = new Array(sources.length) as T;
    const seen = new Set<number>();
    let active = sources.length;
    sources.forEach((source: Observable<unknown>, i) => {
      subscriber.add(
        source.subscribe({
          next: (value) => {
            values[i] = value;
            seen.add(i);
            if (seen.size === sources.length) subscriber.next(values.slice() as T);
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            if (--active === 0) subscriber.complete();
          },
        }),
      );
    });
  });
}
