import type { PartialObserver } from 'rxjs';
import { InvalidArgumentError } from '../../../errors/InvalidArgumentError.js';
import { show } from '../../../errors/show.js';

/** An input element an operator could not process, with the reason. */
export interface DeadLetter<T = unknown> {
  /** The operator that refused the element. */
  readonly operator: string;
  /** The input as received (an event element, or the raw value for `withEventTime`). */
  readonly input: T;
  /** Why it was refused, e.g. an `InvalidTimestampError`. */
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

/**
 * @internal Normalizes a side-output route (a function, or an observer with `next`) into a
 * function. Anything else is refused at creation: a route that could not receive would
 * drop elements silently.
 */
export function toHandler<T>(api: string, option: string, route: PartialObserver<T> | ((x: T) => void) | undefined): ((x: T) => void) | undefined {
  if (route === undefined) return undefined;
  if (typeof route === 'function') return route;
  if (route !== null && typeof route === 'object' && typeof route.next === 'function') return (x) => route.next!(x);
  throw new InvalidArgumentError(
    `${api}: ${option} must be a function or an observer with a next method, got ${show(route)}; ` +
      'pass e.g. (e) => list.push(e), or a Subject',
  );
}
