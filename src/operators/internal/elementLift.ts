import { Observable, Subscriber, type OperatorFunction } from 'rxjs';

/**
 * @internal A `pipe()` operator from a per-value handler that writes to the downstream
 * subscriber. Errors thrown by the handler go down the error channel; the inner
 * subscriber is chained to the downstream one, so `take(1)` stops a synchronous source.
 */
export function elementLift<I, O>(onNext: (value: I, out: Subscriber<O>) => void): OperatorFunction<I, O> {
  return (source) =>
    new Observable<O>((subscriber) => {
      source.subscribe(new LiftSubscriber(subscriber, onNext));
    });
}

class LiftSubscriber<I, O> extends Subscriber<I> {
  constructor(
    private readonly out: Subscriber<O>,
    private readonly onNext: (value: I, out: Subscriber<O>) => void,
  ) {
    super(out);
  }

  protected override _next(value: I): void {
    try {
      this.onNext(value, this.out);
    } catch (err) {
      this.out.error(err);
    }
  }
}
