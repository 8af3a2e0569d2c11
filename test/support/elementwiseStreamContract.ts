import { NEVER, Subject, concat, from, map, of, range, take, tap, throwError, type OperatorFunction } from 'rxjs';
import { expect, it } from 'vitest';
import type { StreamElement, Timestamped } from 'tidemark';
import { record } from './record.js';

/** How {@link elementwiseStreamContract} drives an operator that handles each element on its own. */
export interface ElementwiseContract<T, O> {
  /** The operator under test. */
  readonly operator: OperatorFunction<StreamElement<T>, O>;
  /** The i-th input event (i = 0, 1, 2 …): one the operator emits exactly one output for. */
  readonly input: (i: number) => Timestamped<T>;
  /** The output the operator emits for `input(i)`. */
  readonly output: (i: number) => O;
  /**
   * The same operator, with its user callback calling `check(value)` first (which throws in
   * the test), for operators that take a callback.
   */
  readonly withCallback?: (check: (value: T) => void) => OperatorFunction<StreamElement<T>, O>;
}

/**
 * The stream contract of an element-wise operator, as test cases in the current `describe`:
 * empty completes with nothing; never emits nothing and stays open; an upstream error passes
 * through after what came before it; early unsubscribe and a downstream `take(1)` stop the
 * source; a throwing user callback errors the stream with its error and unsubscribes the source.
 */
export function elementwiseStreamContract<T, O>(c: ElementwiseContract<T, O>): void {
  it('empty: completes with nothing', () => {
    expect(record(from<StreamElement<T>[]>([]).pipe(c.operator)).get()).toEqual({ out: [], completed: true, error: undefined });
  });

  it('never: emits nothing and does not complete', () => {
    const h = record(NEVER.pipe(c.operator));
    expect(h.get()).toEqual({ out: [], completed: false, error: undefined });
    h.subscription.unsubscribe();
  });

  it('propagates an upstream error', () => {
    const boom = new Error('upstream');
    const r = record(concat(of(c.input(1)), throwError(() => boom)).pipe(c.operator)).get();
    expect(r.out).toEqual([c.output(1)]);
    expect(r.error).toBe(boom);
    expect(r.completed).toBe(false);
  });

  if (c.withCallback !== undefined) {
    const withCallback = c.withCallback;
    it('a throwing user callback errors the stream with that error and unsubscribes the source', () => {
      const boom = new Error('callback');
      const source = new Subject<StreamElement<T>>();
      const failing = c.input(2).value;
      const r = record(source.pipe(withCallback((v) => {
        if (Object.is(v, failing)) throw boom;
      }))).get();
      for (const i of [1, 2, 3]) source.next(c.input(i));
      expect(r.out).toEqual([c.output(1)]);
      expect(r.error).toBe(boom);
      expect(source.observed).toBe(false);
    });
  }

  it('early unsubscribe unsubscribes the source', () => {
    const source = new Subject<StreamElement<T>>();
    const h = record(source.pipe(c.operator));
    source.next(c.input(1));
    h.subscription.unsubscribe();
    expect(source.observed).toBe(false);
    expect(h.get().out).toEqual([c.output(1)]);
  });

  it('a downstream take(1) stops a synchronous source at once', () => {
    let produced = 0;
    const r = record(range(0, 1e6).pipe(tap(() => produced++), map(c.input), c.operator, take(1))).get();
    expect(r.out).toEqual([c.output(0)]);
    expect(produced).toBe(1);
  });
}
