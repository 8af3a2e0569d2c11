import type { PartialObserver } from 'rxjs';

/** An input element an operator could not process, with the reason. */
export interface DeadLetter<T = unknown> {
  /** The operator that refused the element. */
  readonly operator: string;
  /** The input as received (an event element, or the raw value for `withEventTime`). */
  readonly input: T;
  readonly error: Error;
}

/**
 * Where bad input goes instead of erroring the stream: an observer or a function.
 *
 * @example
 * ```ts
 * import type { DeadLetterRoute } from 'tidemark';
 * const bad: unknown[] = [];
 * const route: DeadLetterRoute = (d) => bad.push(d.input);
 * ```
 */
export type DeadLetterRoute<T = unknown> = PartialObserver<DeadLetter<T>> | ((letter: DeadLetter<T>) => void);

/** @internal Normalizes a route (observer or function) into a function. */
export function toHandler<T>(route: PartialObserver<T> | ((x: T) => void) | undefined): ((x: T) => void) | undefined {
  if (route === undefined) return undefined;
  if (typeof route === 'function') return route;
  if (typeof route.next === 'function') return (x) => route.next!(x);
  return () => {};
}
