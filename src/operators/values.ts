import type { OperatorFunction } from 'rxjs';
import type { StreamElement } from '../time/elements.js';
import { VALUES, chainTerminal } from './internal/chain/ChainObservable.js';

/**
 * Leaves event time: emits the values of events and drops watermarks, barriers and
 * status elements. Like RxJS `map(e => e.value)` over the events only.
 *
 * ```
 * input:   a@1  W(1)  b@5  W(5) |
 * output:  a          b         |
 * ```
 *
 * ## Example
 * ```ts
 * import { from } from 'rxjs';
 * import { values, withEventTime } from 'tidemark';
 * from([{ at: 1 }, { at: 2 }]).pipe(withEventTime({ timestamp: (r) => r.at }), values()).subscribe(console.log);
 * ```
 * @see {@link events}
 */
export function values<T>(): OperatorFunction<StreamElement<T>, T> {
  return chainTerminal<T, T>('values', VALUES);
}
