import type { OperatorFunction } from 'rxjs';
import type { StreamElement } from '../time/elements.js';
import { requireFunction } from '../time/validate.js';
import { elementLift } from './internal/elementLift.js';

/**
 * Maps each event's value, keeping its timestamp; other elements pass unchanged.
 * RxJS `map`, lifted into event time.
 *
 * ```
 * input:   1@1  W(1)  2@5 |
 * output:  10@1 W(1) 20@5 |        mapEvents(v => v * 10)
 * ```
 *
 * ## Example
 * ```ts
 * import { mapEvents } from 'tidemark';
 * const celsius = mapEvents((f: number) => ((f - 32) * 5) / 9);
 * ```
 * @throws InvalidArgumentError when `project` is not a function.
 */
export function mapEvents<T, U>(project: (value: T, timestamp: number) => U): OperatorFunction<StreamElement<T>, StreamElement<U>> {
  requireFunction('mapEvents', 'project', project);
  return elementLift<StreamElement<T>, StreamElement<U>>((el, out) => {
    if (el.kind === 'event') out.next({ kind: 'event', value: project(el.value, el.timestamp), timestamp: el.timestamp });
    else out.next(el);
  });
}
