import type { OperatorFunction } from 'rxjs';
import type { StreamElement } from '../time/elements.js';
import { requireFunction } from '../time/validate.js';
import { chainStage } from './internal/chain/ChainObservable.js';
import { ForwardingStage, type Stage } from './internal/chain/Stage.js';

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
  return chainStage<T, U>('mapEvents', (down) => new MapStage(project, down));
}

class MapStage<T, U> extends ForwardingStage<T, U> {
  constructor(
    private readonly project: (value: T, timestamp: number) => U,
    down: Stage<U>,
  ) {
    super(down);
  }

  event(value: T, timestamp: number): void {
    this.down.event(this.project(value, timestamp), timestamp);
  }
}
