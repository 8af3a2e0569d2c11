import type { OperatorFunction } from 'rxjs';
import type { StreamElement } from '../time/elements.js';
import { requireFunction } from '../time/validate.js';
import { chainStage } from './internal/chain/ChainObservable.js';
import { ForwardingStage, type Stage } from './internal/chain/Stage.js';

/**
 * Keeps the events that satisfy `predicate`; other elements pass unchanged.
 * RxJS `filter`, lifted into event time.
 *
 * ```
 * input:   1@1  W(1)  2@5 |
 * output:       W(1)  2@5 |        filterEvents(v => v % 2 === 0)
 * ```
 *
 * ## Example
 * ```ts
 * import { filterEvents } from 'tidemark';
 * const errorsOnly = filterEvents((log: { level: string }) => log.level === 'error');
 * ```
 * @throws InvalidArgumentError when `predicate` is not a function.
 */
export function filterEvents<T, S extends T>(predicate: (value: T, timestamp: number) => value is S): OperatorFunction<StreamElement<T>, StreamElement<S>>;
export function filterEvents<T>(predicate: (value: T, timestamp: number) => boolean): OperatorFunction<StreamElement<T>, StreamElement<T>>;
export function filterEvents<T>(predicate: (value: T, timestamp: number) => boolean): OperatorFunction<StreamElement<T>, StreamElement<T>> {
  requireFunction('filterEvents', 'predicate', predicate);
  return chainStage<T, T>('filterEvents', (down) => new FilterStage(predicate, down));
}

class FilterStage<T> extends ForwardingStage<T, T> {
  constructor(
    private readonly predicate: (value: T, timestamp: number) => boolean,
    down: Stage<T>,
  ) {
    super(down);
  }

  event(value: T, timestamp: number): void {
    if (this.predicate(value, timestamp)) this.down.event(value, timestamp);
  }
}
