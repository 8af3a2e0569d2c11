import type { Observable, Subscription } from 'rxjs';

/** What {@link record} has seen of a stream so far. */
export interface Recorded<T> {
  out: T[];
  completed: boolean;
  error: unknown;
}

/**
 * Subscribes to `source` and records everything it emits, whether it completed and the error
 * it failed with (synchronous sources are fully recorded on return).
 * @returns `get()`, the record so far, and the `subscription`, to unsubscribe early.
 */
export function record<T>(source: Observable<T>): { get: () => Recorded<T>; subscription: Subscription } {
  const r: Recorded<T> = { out: [], completed: false, error: undefined };
  const subscription = source.subscribe({ next: (x) => r.out.push(x), error: (e: unknown) => (r.error = e), complete: () => (r.completed = true) });
  return { get: () => r, subscription };
}
