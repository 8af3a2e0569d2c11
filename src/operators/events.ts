import type { OperatorFunction } from 'rxjs';
import type { StreamElement, Timestamped } from '../time/elements.js';
import { EVENTS, chainTerminal } from './internal/chain/ChainObservable.js';

/**
 * Keeps only the events (with their timestamps), dropping watermarks, barriers and status
 * elements. Like RxJS `filter` with a type guard.
 *
 * ```
 * input:   a@1  W(1)  b@5  W(5) |
 * output:  a@1        b@5       |
 * ```
 *
 * ## Example
 * ```ts
 * import { from } from 'rxjs';
 * import { events, withEventTime } from 'tidemark';
 * from([{ at: 1 }]).pipe(withEventTime({ timestamp: (r) => r.at }), events()).subscribe((e) => console.log(e.timestamp));
 * ```
 * @see {@link values}
 */
export function events<T>(): OperatorFunction<StreamElement<T>, Timestamped<T>> {
  return chainTerminal<T, Timestamped<T>>('events', EVENTS);
}
