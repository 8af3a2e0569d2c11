import { Observable, type SchedulerLike } from 'rxjs';
import type { StreamElement } from 'tidemark';
import { MarbleSyntaxError } from './MarbleSyntaxError.js';
import { parseMarbleTokens, type MarbleOptions } from './parseMarbles.js';

/**
 * Options of {@link fromMarbles}.
 *
 * @example
 * ```ts
 * import { VirtualClock, fromMarbles, type FromMarblesOptions } from 'tidemark/testing';
 *
 * const options: FromMarblesOptions = { scheduler: new VirtualClock() };
 * const stream = fromMarbles('a@1 ~100 b@2 |', { a: 'a', b: 'b' }, options);
 * ```
 */
export interface FromMarblesOptions extends MarbleOptions {
  /** Processing time for `~<ms>` waits, e.g. a {@link VirtualClock}. Required when the marbles have waits. */
  scheduler?: SchedulerLike;
}

/**
 * An event-time `Observable` from marbles (the grammar of {@link parseMarbles}): each
 * subscription emits the elements in order, synchronously up to the first `~<ms>` wait, which
 * it sits out on `options.scheduler`; then completes at `|`, errors at `#`, or stays open
 * when the marbles have neither. The cold-observable cousin of RxJS's `cold('a-b|')`.
 *
 * @example
 * ```ts
 * import { count, tumbling, windowAggregate } from 'tidemark';
 * import { fromMarbles } from 'tidemark/testing';
 *
 * fromMarbles('a@1 b@4 c@12 W9 |')
 *   .pipe(windowAggregate({ window: tumbling(10), aggregate: count() }))
 *   .subscribe(console.log);
 * ```
 * @throws MarbleSyntaxError at once for invalid marbles, or for waits without a scheduler.
 */
export function fromMarbles(text: string): Observable<StreamElement<string>>;
export function fromMarbles<T>(text: string, values: Readonly<Record<string, T>>, options?: FromMarblesOptions): Observable<StreamElement<T>>;
export function fromMarbles<T>(text: string, values?: Readonly<Record<string, T>>, options: FromMarblesOptions = {}): Observable<StreamElement<T>> {
  const tokens = parseMarbleTokens(text, values, options);
  const scheduler = options.scheduler;
  const wait = tokens.find((t) => t.marble.kind === 'wait');
  if (wait !== undefined && scheduler === undefined) {
    throw new MarbleSyntaxError(text, wait.offset, 'a wait needs a scheduler: pass fromMarbles(text, values, { scheduler })');
  }
  const marbles = tokens.map((t) => t.marble);
  return new Observable<StreamElement<T>>((subscriber) => {
    const run = (from: number): void => {
      for (let i = from; i < marbles.length && !subscriber.closed; i++) {
        const m = marbles[i]!;
        if (m.kind === 'wait') {
          subscriber.add(scheduler!.schedule(() => run(i + 1), m.duration));
          return;
        }
        if (m.kind === 'complete') return subscriber.complete();
        if (m.kind === 'error') return subscriber.error(m.error);
        subscriber.next(m);
      }
    };
    run(0);
  });
}
