import {
  distinctUntilChanged,
  map,
  shareReplay,
  takeUntil,
  type Observable,
  type OperatorFunction,
} from 'rxjs';

/**
 * A public observable of the store: picks a value, emits only on change, shares one
 * subscription to the source among all subscribers and replays the current value.
 */
export function select<T, R>(
  project: (value: T) => R,
  compare?: (a: R, b: R) => boolean,
): OperatorFunction<T, R> {
  return (source) =>
    source.pipe(
      map(project),
      distinctUntilChanged(compare),
      shareReplay({ bufferSize: 1, refCount: true }),
    );
}

/** Shares a value from the authority, de-duplicated by identity, ending with the store. */
export function shareList<T>(source: Observable<T>, end: Observable<unknown>): Observable<T> {
  return source.pipe(
    takeUntil(end),
    distinctUntilChanged(),
    shareReplay({ bufferSize: 1, refCount: true }),
  );
}
