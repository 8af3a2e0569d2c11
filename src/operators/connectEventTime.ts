import { from, Observable, Subscriber, type ObservableInput, type ObservedValueOf, type OperatorFunction } from 'rxjs';
import type { StreamElement } from '../time/elements.js';
import { requireFunction } from '../time/validate.js';
import { ChainHub } from './internal/chain/ChainHub.js';
import { chainTerminal } from './internal/chain/ChainObservable.js';

const NAME = 'connectEventTime';

/**
 * Shares one event-time stream between several branches — typically the two inputs of a join
 * of two views of one stream — and subscribes the source **once**, after the branches.
 * RxJS `connect(selector)` for event-time streams: `selector` gets the shared stream and
 * returns the output; every element reaches the branches in the order they subscribed, each
 * before the next element, so a join of two branches sees the stream's own watermark.
 *
 * Why not `share()`: a join subscribes its right input first, and a shared *synchronous*
 * source would run to its end into the right input before the left one subscribes. RxJS
 * `connect` is correct but makes every element an object through a `Subject`; here a branch
 * built from tidemark operators continues the upstream chain (decision 0006): its operators
 * receive the events and watermarks as calls. Branches built with other operators (`map`,
 * `tap`, …) get element objects, as anywhere else.
 *
 * ```
 * input:   p1@1  a1@2  W(2)  |
 * persons: p1@1        W(2)  |                 shared.pipe(filterEvents(isPerson))
 * auctions:      a1@2  W(2)  |                 shared.pipe(filterEvents(isAuction))
 * ```
 *
 * The source is subscribed when the output is, and unsubscribed with it (a downstream
 * `take(1)` stops a synchronous source). An error of the source errors every branch, and the
 * output. A branch subscribed after the source ended completes at once (errors, if the source
 * failed: as a `Subject` replays its end).
 *
 * ## Example
 * ```ts
 * import { from } from 'rxjs';
 * import { connectEventTime, filterEvents, tumbling, values, windowJoin, withEventTime } from 'tidemark';
 *
 * type Action = { kind: 'search' | 'buy'; user: string; what: string; at: number };
 * const actions = from<Action[]>([
 *   { kind: 'search', user: 'ann', what: 'boots', at: 1_000 },
 *   { kind: 'buy', user: 'ann', what: 'boots', at: 50_000 },
 *   { kind: 'search', user: 'bob', what: 'hats', at: 61_000 },
 * ]);
 * actions
 *   .pipe(
 *     withEventTime({ timestamp: (a) => a.at }),
 *     connectEventTime((shared) =>
 *       shared.pipe(
 *         filterEvents((a) => a.kind === 'search'),
 *         windowJoin(shared.pipe(filterEvents((a) => a.kind === 'buy')), {
 *           window: tumbling(60_000),
 *           leftKey: (s) => s.user,
 *           rightKey: (b) => b.user,
 *           select: (s, b) => `${s.user} searched ${s.what}, bought ${b.what}`,
 *         }),
 *         values(),
 *       ),
 *     ),
 *   )
 *   .subscribe((line) => console.log(line));
 * // output:
 * // ann searched boots, bought boots
 * ```
 * @param selector - builds the output from the shared stream (called once per subscription).
 * @throws InvalidArgumentError when `selector` is not a function.
 * @returns an operator from `StreamElement<T>` to what `selector`'s Observable emits.
 */
export function connectEventTime<T, O extends ObservableInput<unknown>>(
  selector: (shared: Observable<StreamElement<T>>) => O,
): OperatorFunction<StreamElement<T>, ObservedValueOf<O>> {
  requireFunction(NAME, 'selector', selector);
  return (source) =>
    new Observable<ObservedValueOf<O>>((subscriber) => {
      const hub = new ChainHub<T>();
      from(selector(hub.shared as Observable<StreamElement<T>>)).subscribe(subscriber as Subscriber<unknown>);
      if (subscriber.closed) return;
      chainTerminal<T, never>(NAME, () => hub as never)(source).subscribe(new Upstream(subscriber, hub));
    });
}

/**
 * The upstream chain's subscriber: chained to the output's subscriber (so unsubscribing it, or
 * a `take`, stops the source), its errors handed to the branches and the output. The upstream
 * ends in the hub, which ends the branches; its own completion carries nothing more.
 */
class Upstream<T> extends Subscriber<never> {
  constructor(
    destination: Subscriber<unknown>,
    private readonly hub: ChainHub<T>,
  ) {
    super(destination);
  }

  protected override _error(err: unknown): void {
    this.hub.fail(err);
    // Also when no branch listens: an error is never lost.
    try {
      this.destination.error(err);
    } finally {
      this.unsubscribe();
    }
  }

  protected override _complete(): void {
    this.unsubscribe();
  }
}
