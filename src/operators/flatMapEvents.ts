import type { OperatorFunction } from 'rxjs';
import type { StreamElement } from '../time/elements.js';
import { requireFunction } from '../time/validate.js';
import type { Subscriber } from 'rxjs';
import { chainStage } from './internal/chain/ChainObservable.js';
import { ForwardingStage, type Stage } from './internal/chain/Stage.js';

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
  return chainStage<T, U>('flatMapEvents', (down, ctx) => new FlatMapStage(project, down, ctx.subscriber));
}

class FlatMapStage<T, U> extends ForwardingStage<T, U> {
  constructor(
    private readonly project: (value: T, timestamp: number) => Iterable<U>,
    down: Stage<U>,
    private readonly subscriber: Subscriber<unknown>,
  ) {
    super(down);
  }

  event(value: T, timestamp: number): void {
    for (const v of this.project(value, timestamp)) {
      this.down.event(v, timestamp);
      if (this.subscriber.closed) return; // a downstream take(n) is done: pull no more values
    }
  }
}
