import type { OperatorFunction } from 'rxjs';
import type { StreamElement } from '../time/elements.js';
import { requireFunction } from '../time/validate.js';
import { elementLift } from './internal/elementLift.js';

/**
 * Maps each event to zero or more values (any iterable, synchronously), all with the
 * event's timestamp; other elements pass unchanged. Like Flink's `flatMap`; unlike RxJS
 * `mergeMap` it never reorders around watermarks.
 *
 * ```
 * input:   "a b"@1  W(1)  ""@5 |
 * output:  a@1 b@1  W(1)       |       flatMapEvents(s => s.split(' ').filter(Boolean))
 * ```
 *
 * ## Example
 * ```ts
 * import { flatMapEvents } from 'tidemark';
 * const words = flatMapEvents((line: string) => line.split(/\s+/).filter(Boolean));
 * ```
 * @throws InvalidArgumentError when `project` is not a function.
 */
export function flatMapEvents<T, U>(project: (value: T, timestamp: number) => Iterable<U>): OperatorFunction<StreamElement<T>, StreamElement<U>> {
  requireFunction('flatMapEvents', 'project', project);
  return elementLift<StreamElement<T>, StreamElement<U>>((el, out) => {
    if (el.kind !== 'event') return out.next(el);
    const t = el.timestamp;
    for (const value of project(el.value, t)) {
      out.next({ kind: 'event', value, timestamp: t });
      if (out.closed) return; // a downstream take(n) is done: pull no more values
    }
  });
}
