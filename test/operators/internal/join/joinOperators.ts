/**
 * What the joins' unit tests share: inputs as Subjects stamped by `withEventTime`, a recorder of
 * the joined output, and the checks every join must pass as a pipe() operator (the stream
 * contract of a two-input operator). Each join's test file passes its own operator.
 */
import { NEVER, Subject, from, map, take, type Observable, type OperatorFunction } from 'rxjs';
import { expect, it } from 'vitest';
import {
  ACTIVE,
  IDLE,
  InvalidArgumentError,
  InvalidTimestampError,
  TidemarkError,
  barrier,
  event,
  mapEvents,
  watermark,
  withEventTime,
  type DeadLetter,
  type StreamElement,
  type Timestamped,
  type TwoInputEngine,
} from 'tidemark';
import { TwoInputHarness, VirtualClock } from 'tidemark/testing';
import { BAD_TIMESTAMPS } from '../../../support/badTimestamps.js';
import { errorOf } from '../../../support/errorOf.js';
import { record } from '../../../support/record.js';

/** A row of either input: a key and a time. */
export interface Row {
  readonly k: string;
  readonly at: number;
}

/** `a@3` → `{ k: 'a', at: 3 }`. */
export const row = (text: string): Row => {
  const [k, at] = text.split('@');
  return { k: k!, at: Number(at) };
};

/** A join under test: applied to the left input with the right one as argument. */
export type JoinUnderTest<O> = (right: Observable<StreamElement<Row>>, extra?: { deadLetter?: (d: DeadLetter<Timestamped<unknown>>) => void }) => OperatorFunction<StreamElement<Row>, StreamElement<O>>;

/** An input stamped by its rows' `at`, with `boundedOutOfOrderness(0)` watermarks (the default). */
export const stamped = (source: Observable<Row>): Observable<StreamElement<Row>> => source.pipe(withEventTime({ timestamp: (r: Row) => r.at }));

/** Subjects of raw elements for both inputs, the operator over them, and its record. */
export function joined<O>(join: JoinUnderTest<O>) {
  const left = new Subject<StreamElement<Row>>();
  const right = new Subject<StreamElement<Row>>();
  const r = record(left.pipe(join(right)));
  return { left, right, ...r };
}

export const E = event;
export const W = watermark;

/**
 * The stream-contract tests every join passes as a pipe() operator, given rows that pair
 * (`a@1` on the left with `a@1` on the right) and what that pair outputs.
 */
export function twoInputContract<O>(join: JoinUnderTest<O>, pair: Timestamped<O>): void {
  it('empty inputs: the final +Infinity watermark, then complete', () => {
    const r = record(stamped(from([])).pipe(join(stamped(from([])))));
    expect(r.get()).toEqual({ out: [W(Infinity)], completed: true, error: undefined });
  });

  it('never: nothing, no completion; unsubscribing unsubscribes both inputs and leaves no timer', () => {
    const clock = new VirtualClock();
    const idle = (s: Observable<Row>) => s.pipe(withEventTime({ timestamp: (x: Row) => x.at, idleTimeout: 100, scheduler: clock }));
    const left = new Subject<Row>();
    const right = new Subject<Row>();
    const r = record(idle(left).pipe(join(idle(right))));
    left.next(row('a@1'));
    right.next(row('b@1'));
    expect(r.get().completed).toBe(false);
    expect(clock.pending).toBeGreaterThan(0); // both idleness timers
    r.subscription.unsubscribe();
    expect([left.observed, right.observed, clock.pending]).toEqual([false, false, 0]);
    const n = record((NEVER as Observable<StreamElement<Row>>).pipe(join(NEVER)));
    expect(n.get()).toEqual({ out: [], completed: false, error: undefined });
  });

  it('one pair: emitted, then the final watermark, then complete', () => {
    const r = record(stamped(from([row('a@1')])).pipe(join(stamped(from([row('a@1')])))));
    expect(r.get().out.filter((e) => e.kind === 'event')).toEqual([pair]);
    expect(r.get().out.at(-1)).toEqual(W(Infinity));
    expect(r.get().completed).toBe(true);
  });

  it('an error on the left input errors the output and unsubscribes the right one', () => {
    const j = joined(join);
    const boom = new Error('left boom');
    j.left.error(boom);
    expect(j.get().error).toBe(boom);
    expect(j.right.observed).toBe(false);
  });

  it('an error on the right input errors the output and unsubscribes the left one', () => {
    const j = joined(join);
    const boom = new Error('right boom');
    j.right.next(W(5));
    j.right.error(boom);
    expect(j.get().error).toBe(boom);
    expect(j.left.observed).toBe(false);
    j.left.next(W(7)); // nothing after the error
    expect(j.get().out).toEqual([]);
  });

  it('completion: a completed input counts as +Infinity; the output completes when both have', () => {
    const j = joined(join);
    j.left.next(W(3));
    j.right.next(W(5));
    expect(j.get().out).toEqual([W(3)]);
    j.left.complete(); // the right input's watermark is now the join's
    expect(j.get()).toEqual({ out: [W(3), W(5)], completed: false, error: undefined });
    j.right.next(W(8));
    j.right.complete();
    expect(j.get()).toEqual({ out: [W(3), W(5), W(8), W(Infinity)], completed: true, error: undefined });
    const k = joined(join);
    k.left.next(W(3));
    k.right.complete(); // the other way round
    expect(k.get()).toEqual({ out: [W(3)], completed: false, error: undefined });
    k.left.complete();
    expect(k.get()).toEqual({ out: [W(3), W(Infinity)], completed: true, error: undefined });
  });

  it('an idle input is excluded from the output watermark until it is active again', () => {
    const j = joined(join);
    j.left.next(W(10));
    j.right.next(W(2));
    j.right.next(IDLE);
    j.left.next(W(12));
    j.right.next(ACTIVE);
    j.right.next(W(14));
    expect(j.get().out).toEqual([W(2), W(10), W(12)]); // active again at 2: held at 12, never back
    j.left.next(W(20));
    expect(j.get().out).toEqual([W(2), W(10), W(12), W(14)]);
  });

  it('both inputs idle: the output is announced idle, and active again when one is', () => {
    const j = joined(join);
    j.left.next(IDLE);
    j.right.next(IDLE);
    expect(j.get().out).toEqual([IDLE]);
    j.right.next(ACTIVE);
    expect(j.get().out).toEqual([IDLE, ACTIVE]);
  });

  it('barriers are aligned: the input that delivered one is held until the other delivers it, then one barrier goes on', () => {
    const j = joined(join);
    j.left.next(W(1));
    j.right.next(W(1));
    j.left.next(barrier(7));
    j.left.next(W(9)); // held: after the barrier
    j.right.next(W(4)); // not held
    expect(j.get().out).toEqual([W(1)]);
    j.right.next(barrier(7));
    expect(j.get().out).toEqual([W(1), barrier(7), W(4)]);
    j.right.next(W(9));
    expect(j.get().out).toEqual([W(1), barrier(7), W(4), W(9)]);
  });

  it('a barrier pending on one input is released when the other completes', () => {
    const j = joined(join);
    j.right.next(barrier(2));
    j.right.next(W(6));
    j.left.next(W(5));
    expect(j.get().out).toEqual([]);
    j.left.complete();
    expect(j.get().out).toEqual([barrier(2), W(6)]);
  });

  it('a downstream take(1) stops synchronous sources at once', () => {
    let pulled = 0;
    function* rows(): Generator<Row> {
      for (let i = 0; ; i++) {
        pulled++;
        yield { k: 'a', at: i };
      }
    }
    const out: unknown[] = [];
    stamped(from(rows()))
      .pipe(join(stamped(from([row('a@0'), row('a@1'), row('a@2')]))), take(1))
      .subscribe((e) => out.push(e));
    expect(out).toHaveLength(1);
    expect(pulled).toBeLessThan(10);
  });

  it('chaining continues through the join on the left input: the same output as with the chain broken around it', () => {
    const rows = [row('a@1'), row('a@3'), row('b@2'), row('a@2')];
    const relabel = mapEvents((r: Row) => ({ ...r }));
    const chained = record(stamped(from(rows)).pipe(relabel, join(stamped(from(rows))), mapEvents((o: O) => o)));
    const broken = record(stamped(from(rows)).pipe(relabel, map((e) => e), join(stamped(from(rows))), map((e) => e), mapEvents((o: O) => o)));
    expect(chained.get().out.length).toBeGreaterThan(1);
    expect(chained.get()).toEqual(broken.get());
  });

  it.each(['left', 'right'] as const)('a bad timestamp on the %s input errors the stream with InvalidTimestampError naming that input', (side) => {
    for (const [bad, shown] of BAD_TIMESTAMPS) {
      const j = joined(join);
      (side === 'left' ? j.left : j.right).next({ kind: 'event', value: row('a@1'), timestamp: bad as number });
      const error = j.get().error as Error;
      expect(error).toBeInstanceOf(InvalidTimestampError);
      expect(error.message).toContain(`(${side} input)`);
      expect(error.message).toContain(shown);
    }
  });

  it('with a deadLetter route, bad timestamps of either input go there and the stream goes on', () => {
    const letters: DeadLetter<Timestamped<unknown>>[] = [];
    const left = new Subject<StreamElement<Row>>();
    const right = new Subject<StreamElement<Row>>();
    const r = record(left.pipe(join(right, { deadLetter: (d) => letters.push(d) })));
    left.next({ kind: 'event', value: row('a@1'), timestamp: NaN });
    right.next({ kind: 'event', value: row('a@2'), timestamp: Infinity });
    left.next(W(3));
    right.next(W(3));
    expect(r.get()).toEqual({ out: [W(3)], completed: false, error: undefined });
    expect(letters.map((d) => [d.operator.endsWith('(left input)') ? 'left' : 'right', d.input.timestamp, d.error instanceof InvalidTimestampError])).toEqual([
      ['left', NaN, true],
      ['right', Infinity, true],
    ]);
  });
}

/**
 * Runs `feed` parts 0 and 1 uninterrupted, and again with a snapshot after part 0 restored into
 * a fresh engine for part 1; asserts both give the same output. Returns the uninterrupted run.
 */
export function expectRestoreContinues<L, R, O>(make: () => TwoInputEngine<L, R, O>, feed: (h: TwoInputHarness<L, R, O>, part: 0 | 1) => void): TwoInputHarness<L, R, O> {
  const whole = new TwoInputHarness<L, R, O>({ engine: () => make() });
  feed(whole, 0);
  feed(whole, 1);
  const first = new TwoInputHarness<L, R, O>({ engine: () => make() });
  feed(first, 0);
  const second = new TwoInputHarness<L, R, O>({ engine: () => make() }, { snapshot: first.snapshot() });
  feed(second, 1);
  expect([...first.output, ...second.output]).toEqual(whole.output);
  expect(second.completed).toBe(whole.completed);
  return whole;
}

/**
 * Asserts that a bad option fails at creation, in the operator and in its engine factory alike,
 * with an InvalidArgumentError whose message starts with `start` and contains `detail`.
 */
export function expectCreationError(operator: () => unknown, engine: () => unknown, start: string, detail: string): void {
  const error = errorOf(operator);
  expect(error).toBeInstanceOf(InvalidArgumentError);
  expect(error).toBeInstanceOf(TidemarkError);
  expect(error.message.startsWith(start)).toBe(true);
  expect(error.message).toContain(detail);
  expect(errorOf(engine).message).toBe(error.message);
}
