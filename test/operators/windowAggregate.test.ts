import { NEVER, Observable, Subject, count as rxCount, filter, from, max as rxMax, min as rxMin, range, reduce as rxReduce, take, tap, type OperatorFunction } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  END_OF_TIME,
  IDLE,
  InvalidArgumentError,
  InvalidTimestampError,
  InvalidWatermarkError,
  MemoryStateBackend,
  StreamContractError,
  avg,
  barrier,
  boundedOutOfOrderness,
  collect,
  count,
  event,
  max,
  min,
  reduce,
  session,
  sliding,
  sum,
  tumbling,
  watermark as W,
  windowAggregate,
  windowAggregateEngine,
  withEventTime,
  type Aggregator,
  type DeadLetter,
  type StreamElement,
  type Timestamped,
  type WindowAggregateConfig,
  type WindowAssigner,
  type WindowResult,
} from 'tidemark';
import { OperatorHarness, expectMarbles, fromMarbles } from 'tidemark/testing';
import { BAD_TIMESTAMPS } from '../support/badTimestamps.js';
import { errorOf } from '../support/errorOf.js';
import { record } from '../support/record.js';
import { windowAggregateHarness } from '../support/windowAggregateHarness.js';
import { R, result } from '../support/windowResult.js';

type Counts = WindowResult<undefined, number>;

/** Runs marbles (ending in `|`), elements or an element stream through the operator synchronously; asserts that it completed. */
function run<O>(input: string, op: OperatorFunction<StreamElement<string>, O>): O[];
function run<T, O>(input: StreamElement<T>[] | Observable<StreamElement<T>>, op: OperatorFunction<StreamElement<T>, O>): O[];
function run<T, O>(input: string | StreamElement<T>[] | Observable<StreamElement<T>>, op: OperatorFunction<StreamElement<T>, O>): O[] {
  const source = typeof input === 'string' ? (fromMarbles(input) as Observable<StreamElement<T>>) : from(input);
  const r = record(source.pipe(op)).get();
  if (r.error !== undefined) throw r.error;
  expect(r.completed).toBe(true);
  return r.out;
}

const counts = () => windowAggregate<string, undefined, number, number>({ window: tumbling(10), aggregate: count() });
/** A harness around {@link counts}: tumbling(10) windows counting string events. */
const countsHarness = () => new OperatorHarness<string, Counts>({ operator: counts });

/** 0, 1, 2 … from a synchronous source, with monotonous watermarks, counted in tumbling(10) windows; `produced()` says how many the source made. */
function countedRange() {
  let produced = 0;
  const stream = range(0, 1e6).pipe(
    tap(() => produced++),
    withEventTime({ timestamp: (i: number) => i }),
    windowAggregate({ window: tumbling(10), aggregate: count() }),
  );
  return { stream, produced: () => produced };
}

describe('windowAggregate: the stream contract', () => {
  it('empty: the final +Infinity watermark, then complete', () => {
    expectMarbles(countsHarness().pushMarbles('|'), 'W+inf |');
  });

  it('never: nothing, no completion', () => {
    const h = record((NEVER as Observable<StreamElement<string>>).pipe(counts()));
    expect(h.get()).toEqual({ out: [], completed: false, error: undefined });
    h.subscription.unsubscribe();
  });

  it('never after some events: nothing but what the watermarks made due', () => {
    const h = countsHarness().pushMarbles('a@1 b@15 W9');
    expectMarbles(h, 'r@9 W9', { r: result(0, 10, 1) });
    h.close();
    expect(h.clock.pending).toBe(0);
  });

  it('one event: fired by the final watermark', () => {
    expectMarbles(countsHarness().pushMarbles('a@3 |'), 'r@9 W+inf |', { r: result(0, 10, 1) });
  });

  it('many events: results are emitted before the watermark that fired them; late events are never counted', () => {
    const metrics = { lateEvents: 0 };
    const h = windowAggregateHarness((ctx) => ({ window: tumbling(10), aggregate: count(), late: ctx.late, metrics }));
    const d = event('d', 3);
    h.pushMarbles('a@1 b@4 c@12 W9').push(d).pushMarbles('W19 |');
    expectMarbles(h, 'r@9 W9 s@19 W19 W+inf |', { r: result(0, 10, 2), s: result(10, 20, 1) });
    expect(h.late).toEqual([event('d', 3)]);
    expect(h.late[0]).toEqual(d);
    expect(metrics.lateEvents).toBe(1);
  });

  it('one watermark fires every window it completes, in time order', () => {
    expectMarbles(countsHarness().pushMarbles('x@21 y@1 z@11 W25 |'), 'p@9 q@19 W25 r@29 W+inf |', {
      p: result(0, 10, 1),
      q: result(10, 20, 1),
      r: result(20, 30, 1),
    });
  });

  it('a watermark exactly at end − 1 fires the window; at end − 2 it does not', () => {
    const h = countsHarness().pushMarbles('a@5 W8');
    expectMarbles(h, 'W8');
    h.pushMarbles('W9');
    expectMarbles(h, 'W8 r@9 W9', { r: result(0, 10, 1) });
  });

  it('watermarks are forwarded only when they advance', () => {
    expectMarbles(countsHarness().pushMarbles('W-inf W5 W5 a@7 W7 |'), 'W5 W7 r@9 W+inf |', { r: result(0, 10, 1) });
  });

  it('an input watermark that goes backwards errors the stream with a StreamContractError (RxJS merge of event-time streams)', () => {
    const r = record(from([W(5), event('a', 7), W(3)]).pipe(counts()));
    expect(r.get().out).toEqual([W(5)]);
    const e = r.get().error;
    expect(StreamContractError.isStreamContractError(e)).toBe(true);
    expect((e as StreamContractError).message).toBe(
      'windowAggregate: the watermark went backwards, from W(5) to W(3); the watermarks of one stream never decrease. ' +
        'RxJS merge() and concat() of event-time streams do this; combine event-time streams with mergeEventTime(a, b), ' +
        "whose watermark is the minimum of its inputs' watermarks",
    );
  });

  it('the engine itself ignores a watermark that does not advance (its contract allows repeats and regressions)', () => {
    const engine = windowAggregateEngine<string>({ window: tumbling(10), aggregate: count() })();
    const out: unknown[] = [];
    engine.open({ event: (v, t) => out.push(event(v, t)), watermark: (t) => out.push(W(t)), control: (c) => out.push(c) }, { now: () => 0, wakeAt: () => {} });
    engine.onWatermark(5);
    engine.onWatermark(3);
    engine.onEvent('a', 7);
    engine.onWatermark(5);
    engine.onWatermark(9);
    expect(out).toEqual([W(5), event(result(0, 10, 1), 9), W(9)]);
  });

  it('passes barriers and status elements through unchanged and in order', () => {
    const b = barrier(1);
    const h = countsHarness().push(event('a', 1), b, IDLE, W(9)).complete();
    expectMarbles(h, 'B1 idle r@9 W9 W+inf |', { r: result(0, 10, 1) });
    expect(h.output[0]).toBe(b);
    expect(h.output[1]).toBe(IDLE);
  });

  it('is cold: each subscription has its own windows', () => {
    const op = counts();
    expectMarbles(new OperatorHarness<string, Counts>({ operator: () => op }).pushMarbles('a@1 b@2 |'), 'r@9 W+inf |', { r: result(0, 10, 2) });
    expectMarbles(new OperatorHarness<string, Counts>({ operator: () => op }).pushMarbles('c@3 |'), 'r@9 W+inf |', { r: result(0, 10, 1) });
  });

  it('propagates an upstream error, without firing or the final watermark', () => {
    const boom = new Error('upstream');
    const h = countsHarness().pushMarbles('a@1 W0').pushError(boom);
    expectMarbles(h, 'W0 #');
    expect(h.failure).toBe(boom);
    expect(h.completed).toBe(false);
  });

  it('early unsubscribe unsubscribes the source', () => {
    const source = new Subject<StreamElement<string>>();
    const h = record(source.pipe(counts()));
    source.next(event('a', 1));
    h.subscription.unsubscribe();
    expect(source.observed).toBe(false);
  });

  it('a downstream take(1) stops a synchronous source at once', () => {
    const counted = countedRange();
    expect(record(counted.stream.pipe(take(1))).get().out).toEqual([W(-1)]);
    expect(counted.produced()).toBe(1);
  });

  it('a downstream take(1) of a result stops a synchronous source right after the watermark that fired it', () => {
    const counted = countedRange();
    expect(record(counted.stream.pipe(take(2))).get().out).toEqual([W(-1), W(0)]);
    expect(counted.produced()).toBe(2);
    const results = countedRange();
    const r = record(results.stream.pipe(filter((el): el is Timestamped<Counts> => el.kind === 'event'), take(1))).get();
    expect(r.out).toEqual([R(0, 10, 10)]);
    expect(results.produced()).toBe(11); // event 10 advances the watermark to 9, which fires [0, 10)
  });
});

describe('windowAggregate: tumbling windows', () => {
  it('puts negative timestamps in the window below them (floor modulo)', () => {
    expectMarbles(countsHarness().pushMarbles('a@-1 b@-10 c@-11 d@0 |'), 'p@-11 q@-1 r@9 W+inf |', {
      p: result(-20, -10, 1),
      q: result(-10, 0, 2),
      r: result(0, 10, 1),
    });
  });

  it('aligns windows to the offset', () => {
    const expected = { p: result(-7, 3, 1), q: result(3, 13, 2), r: result(13, 23, 1) };
    for (const offset of [3, -7]) {
      const h = windowAggregateHarness(() => ({ window: tumbling(10, offset), aggregate: count() })).pushMarbles('a@2 b@3 c@12 d@13 |');
      expectMarbles(h, 'p@2 q@12 r@22 W+inf |', expected);
    }
  });

  it('gives the same result for events out of order within the watermark bound', () => {
    const r = record(
      from([7, 3, 12, 9, 16]).pipe(
        withEventTime({ timestamp: (v: number) => v, watermark: boundedOutOfOrderness(5) }),
        windowAggregate({ window: tumbling(10), aggregate: collect<number>() }),
      ),
    ).get();
    expect(r.completed).toBe(true);
    expect(r.out).toEqual([W(1), W(6), R(0, 10, [3, 7, 9]), W(10), R(10, 20, [12, 16]), END_OF_TIME]);
  });
});

describe('windowAggregate: lateness', () => {
  it('routes events late beyond allowedLateness to the late observer (PartialObserver form) and counts them', () => {
    const metrics = { lateEvents: 0 };
    const h = windowAggregateHarness((ctx) => ({ window: tumbling(10), aggregate: count(), late: { next: ctx.late }, metrics }));
    h.pushMarbles('a@1 W10 b@9 c@10 |');
    expect(h.output).toEqual([R(0, 10, 1), W(10), R(10, 20, 1), END_OF_TIME]);
    expect(h.late).toEqual([event('b', 9)]);
    expect(metrics.lateEvents).toBe(1);
  });

  it('drops and counts late events without a late route', () => {
    const metrics = { lateEvents: 0 };
    expect(run('a@1 W9 b@2 c@3 |', windowAggregate({ window: tumbling(10), aggregate: count(), metrics }))).toEqual([R(0, 10, 1), W(9), END_OF_TIME]);
    expect(metrics.lateEvents).toBe(2);
  });

  it('the operator always counts late events in its own metrics: dropped ones apart, over all subscriptions', () => {
    // The default case that used to lose events silently: monotonous watermarks, no late route, no metrics option.
    const perWindow = windowAggregate({ window: tumbling(10), aggregate: count<number>() });
    expect(perWindow.metrics).toEqual({ lateEvents: 0, droppedLateEvents: 0 });
    const out = run(from([12, 3, 14, 5]).pipe(withEventTime({ timestamp: (t: number) => t })), perWindow);
    expect(out.filter((e) => e.kind === 'event')).toEqual([R(10, 20, 2)]);
    expect(perWindow.metrics).toEqual({ lateEvents: 2, droppedLateEvents: 2 });
    run(from([12, 3]).pipe(withEventTime({ timestamp: (t: number) => t })), perWindow);
    expect(perWindow.metrics).toEqual({ lateEvents: 3, droppedLateEvents: 3 });
    // Routed late events are counted, not as dropped.
    const routed: unknown[] = [];
    const withRoute = windowAggregate({ window: tumbling(10), aggregate: count<number>(), late: (e) => routed.push(e) });
    run(from([12, 3]).pipe(withEventTime({ timestamp: (t: number) => t })), withRoute);
    expect(routed).toEqual([event(3, 3)]);
    expect(withRoute.metrics).toEqual({ lateEvents: 1, droppedLateEvents: 0 });
  });

  it('re-fires a window for each event within allowedLateness, with the accumulated value, then cleans up', () => {
    const backend = new MemoryStateBackend();
    const metrics = { lateEvents: 0 };
    const h = windowAggregateHarness((ctx) => ({ window: tumbling(10), aggregate: collect<string>(), allowedLateness: 5, late: ctx.late, metrics, state: () => backend }));
    const contents = backend.table('contents');
    const timers = backend.timers('timers');
    h.pushMarbles('a@1');
    expect([contents.size, timers.size]).toEqual([1, 2]); // fire at 9, purge at 14
    h.pushMarbles('W9 b@2 W13 c@0');
    expect([contents.size, timers.size]).toEqual([1, 1]);
    h.pushMarbles('W14'); // end − 1 + allowedLateness: cleaned up
    expect([contents.size, timers.size]).toEqual([0, 0]);
    h.pushMarbles('d@4 |');
    expect(h.output).toEqual([
      R(0, 10, ['a']),
      W(9),
      R(0, 10, ['a', 'b'], 'late'),
      W(13),
      R(0, 10, ['c', 'a', 'b'], 'late'),
      W(14),
      END_OF_TIME,
    ]);
    expect(h.late).toEqual([event('d', 4)]);
    expect(metrics.lateEvents).toBe(1);
  });

  it('a late event within allowedLateness for a window that had no state fires it at once, as late', () => {
    const backend = new MemoryStateBackend();
    const out = run('W9 a@3 W14 |', windowAggregate({ window: tumbling(10), aggregate: count(), allowedLateness: 5, state: () => backend }));
    expect(out).toEqual([W(9), R(0, 10, 1, 'late'), W(14), END_OF_TIME]);
    expect(backend.table('contents').size).toBe(0);
    expect(backend.timers('timers').size).toBe(0);
  });

  it('cleans up each window when the watermark reaches end − 1 (no lateness)', () => {
    const backend = new MemoryStateBackend();
    const h = new OperatorHarness<{ k: string }, unknown>({
      operator: () => windowAggregate({ window: tumbling(10), key: (v: { k: string }) => v.k, aggregate: count(), state: () => backend }),
    });
    const sizes = () => [backend.table('contents').size, backend.timers('timers').size];
    h.push(event({ k: 'a' }, 1), event({ k: 'b' }, 2), event({ k: 'a' }, 15));
    expect(sizes()).toEqual([3, 2]); // one timer per window fires all of its keys
    h.pushWatermark(9);
    expect(sizes()).toEqual([1, 1]);
    h.pushWatermark(19);
    expect(sizes()).toEqual([0, 0]);
  });
});

describe('windowAggregate: sliding windows', () => {
  it('assigns an event to every window containing it; fires in time order', () => {
    const backend = new MemoryStateBackend();
    const out = run('a@7 b@1 c@12 |', windowAggregate({ window: sliding(10, 5), aggregate: collect<string>(), state: () => backend }));
    expect(out).toEqual([R(-5, 5, ['b']), R(0, 10, ['b', 'a']), R(5, 15, ['a', 'c']), R(10, 20, ['c']), END_OF_TIME]);
    expect([backend.table('contents').size, backend.timers('timers').size]).toEqual([0, 0]);
  });

  it('aligns windows to the offset', () => {
    const out = run('a@7 b@1 |', windowAggregate({ window: sliding(10, 5, 2), aggregate: collect<string>() }));
    expect(out).toEqual([R(-8, 2, ['b']), R(-3, 7, ['b']), R(2, 12, ['a']), R(7, 17, ['a']), END_OF_TIME]);
  });

  it('with slide > size, events in the gaps belong to no window: neither results nor late', () => {
    const metrics = { lateEvents: 0 };
    const h = windowAggregateHarness((ctx) => ({ window: sliding(5, 10), aggregate: collect<string>(), late: ctx.late, metrics }));
    h.pushMarbles('a@3 gap@7 b@12 gap@-4 c@-7 |');
    expect(h.output).toEqual([R(-10, -5, ['c']), R(0, 5, ['a']), R(10, 15, ['b']), END_OF_TIME]);
    expect(h.late).toEqual([]);
    expect(metrics.lateEvents).toBe(0);
  });

  it('an event late for some of its windows goes to the others, and is not late', () => {
    const metrics = { lateEvents: 0 };
    const h = windowAggregateHarness((ctx) => ({ window: sliding(10, 5), aggregate: collect<string>(), late: ctx.late, metrics }));
    h.pushMarbles('a@7 W9 b@8 c@3 |');
    // b@8 is late for [0,10) but not for [5,15); c@3 is late for both [-5,5) and [0,10).
    expect(h.output).toEqual([R(0, 10, ['a']), W(9), R(5, 15, ['a', 'b']), END_OF_TIME]);
    expect(h.late).toEqual([event('c', 3)]);
    expect(metrics.lateEvents).toBe(1);
  });

  it('with allowedLateness, an event late for one window re-fires it and is added on time to the next', () => {
    const out = run('a@7 W9 b@8 |', windowAggregate({ window: sliding(10, 5), aggregate: collect<string>(), allowedLateness: 2 }));
    expect(out).toEqual([R(0, 10, ['a']), W(9), R(0, 10, ['a', 'b'], 'late'), R(5, 15, ['a', 'b']), END_OF_TIME]);
  });
});

describe('windowAggregate: keys', () => {
  it('keeps separate windows per key; ties fire in the order the windows opened', () => {
    interface Sale {
      k: string;
      n: number;
    }
    const input = [event({ k: 'a', n: 1 }, 1), event({ k: 'b', n: 2 }, 2), event({ k: 'a', n: 3 }, 5), event({ k: 'b', n: 4 }, 12), W(9)];
    const out = run(input, windowAggregate({ window: tumbling(10), key: (s: Sale) => s.k, aggregate: sum((s: Sale) => s.n) }));
    expect(out).toEqual([R(0, 10, 4, 'on-time', 'a'), R(0, 10, 2, 'on-time', 'b'), W(9), R(10, 20, 4, 'on-time', 'b'), END_OF_TIME]);
  });

  it('a -0 key is the key 0 on every path (on time, late and early alike)', () => {
    const h = windowAggregateHarness(() => ({ window: tumbling(10), key: (v: string) => (v === 'neg' ? -0 : 0), aggregate: count(), allowedLateness: 5 }));
    h.pushMarbles('neg@1 pos@2 W9 neg@3 |');
    const keys = h.output.filter((e) => e.kind === 'event').map((e) => (e as Timestamped<WindowResult<number, number>>).value.key);
    expect(keys).toHaveLength(2); // on time (2 events), then late (3)
    for (const k of keys) expect(Object.is(k, 0)).toBe(true);
  });

  it('sessions ending together fire in the order they were opened (ties: creation order, as for every window)', () => {
    // a@0 opens a's session first; a@4 extends it to [0,8); b@4 opens [4,8) later: a fires first.
    const h = windowAggregateHarness(() => ({ window: session(4), key: (v: string) => v, aggregate: count() })).pushMarbles('a@0 a@4 b@4 |');
    expect(h.output).toEqual([R(0, 8, 2, 'on-time', 'a'), R(4, 8, 1, 'on-time', 'b'), END_OF_TIME]);
    // A merged session counts from its oldest part: x's [10,13) was opened before y's [10,13); x's later [5,8)
    // absorbs it when x3@8 bridges them, and the merged [5,13) still fires before y's.
    const merged = windowAggregateHarness(() => ({ window: session(3), key: (v: string) => v[0], aggregate: count() }));
    merged.pushMarbles('x1@10 y1@10 x2@5 x3@8 |');
    expect(merged.output).toEqual([R(5, 13, 3, 'on-time', 'x'), R(10, 13, 1, 'on-time', 'y'), END_OF_TIME]);
  });

  it('accepts any key value, objects by identity', () => {
    const k1 = { id: 1 };
    const k2 = { id: 1 };
    const input = [event(k1, 1), event(k2, 2), event(k1, 3)];
    const out = run(input, windowAggregate({ window: tumbling(10), key: (v: { id: number }) => v, aggregate: count() }));
    expect(out).toEqual([R(0, 10, 2, 'on-time', k1), R(0, 10, 1, 'on-time', k2), END_OF_TIME]);
    expect((out[0] as Timestamped<WindowResult<object, number>>).value.key).toBe(k1);
  });
});

describe('windowAggregate: aggregators', () => {
  const numbers = [event(5, 5), event(2, 2), event(8, 8), event(2, 3), event(100, 10)];
  const cases: [string, Aggregator<number, never, unknown>, unknown][] = [
    ['count', count() as Aggregator<number, never, unknown>, 4],
    ['sum', sum() as Aggregator<number, never, unknown>, 17],
    ['min', min() as Aggregator<number, never, unknown>, 2],
    ['max', max() as Aggregator<number, never, unknown>, 8],
    ['avg', avg() as Aggregator<number, never, unknown>, 4.25],
    ['reduce', reduce((a: number, b: number) => a * 10 + b) as Aggregator<number, never, unknown>, 5282],
  ];
  for (const [name, aggregate, expected] of cases) {
    it(`${name}`, () => {
      expect(run(numbers, windowAggregate({ window: tumbling(10), aggregate }))).toEqual([R(0, 10, expected), R(10, 20, aggregate.result(aggregate.add(aggregate.create(), 100, 10))), END_OF_TIME]);
    });
  }

  it('collect, in timestamp order (ties in arrival order)', () => {
    const out = run('c@5 a@2 d@8 b@2 |', windowAggregate({ window: tumbling(10), aggregate: collect<string>() }));
    expect(out).toEqual([R(0, 10, ['a', 'b', 'c', 'd']), END_OF_TIME]);
  });

  it('sum, min, max and avg of a selector', () => {
    const rows = [event({ v: 3 }, 1), event({ v: -1 }, 2), event({ v: 4 }, 3)];
    const of = (r: { v: number }) => r.v;
    expect(run(rows, windowAggregate({ window: tumbling(10), aggregate: sum(of) }))).toEqual([R(0, 10, 6), END_OF_TIME]);
    expect(run(rows, windowAggregate({ window: tumbling(10), aggregate: min(of) }))).toEqual([R(0, 10, -1), END_OF_TIME]);
    expect(run(rows, windowAggregate({ window: tumbling(10), aggregate: max(of) }))).toEqual([R(0, 10, 4), END_OF_TIME]);
    expect(run(rows, windowAggregate({ window: tumbling(10), aggregate: avg(of) }))).toEqual([R(0, 10, 2), END_OF_TIME]);
  });

  it('a user-defined aggregator, which sees each timestamp', () => {
    const distinctWithLatest: Aggregator<string, { seen: string[]; latest: number }, string> = {
      create: () => ({ seen: [], latest: -Infinity }),
      add: (acc, v, t) => ({ seen: acc.seen.includes(v) ? acc.seen : [...acc.seen, v], latest: Math.max(acc.latest, t) }),
      result: (acc) => `${acc.seen.length}@${acc.latest}`,
    };
    const out = run('x@4 y@1 x@7 z@15 |', windowAggregate({ window: tumbling(10), aggregate: distinctWithLatest }));
    expect(out).toEqual([R(0, 10, '2@7'), R(10, 20, '1@15'), END_OF_TIME]);
  });
});

describe('windowAggregate: failures', () => {
  it('a throwing key function errors the stream with that error', () => {
    const boom = new Error('key');
    const source = new Subject<StreamElement<number>>();
    const r = record(source.pipe(windowAggregate({ window: tumbling(10), key: (v: number) => {
      if (v === 2) throw boom;
      return v;
    }, aggregate: count() }))).get();
    source.next(event(1, 1));
    source.next(event(2, 2));
    expect(r.error).toBe(boom);
    expect(r.out).toEqual([]);
    expect(source.observed).toBe(false);
  });

  it('a throwing aggregate.add, create or result errors the stream with that error', () => {
    const boom = new Error('aggregate');
    const base = count<number>();
    const failing: [string, Aggregator<number, number, number>][] = [
      ['add', { ...base, add: () => { throw boom; } }],
      ['create', { ...base, create: () => { throw boom; } }],
      ['result', { ...base, result: () => { throw boom; } }],
    ];
    for (const [, aggregate] of failing) {
      const r = record(from([event(1, 1), W(9), event(20, 20)]).pipe(windowAggregate({ window: tumbling(10), aggregate }))).get();
      expect(r.error).toBe(boom);
      expect(r.out).toEqual([]);
      expect(r.completed).toBe(false);
    }
  });

  it('a throwing late observer errors the stream with that error', () => {
    const boom = new Error('late');
    const r = record(from([event(1, 1), W(9), event(2, 2)]).pipe(windowAggregate({ window: tumbling(10), aggregate: count(), late: () => { throw boom; } }))).get();
    expect(r.out).toEqual([R(0, 10, 1), W(9)]);
    expect(r.error).toBe(boom);
  });

  it('bad timestamps (NaN, ±Infinity, a string) error the stream with InvalidTimestampError', () => {
    for (const [bad, shown] of BAD_TIMESTAMPS) {
      const input = [event('a', 1), { kind: 'event', value: 'bad', timestamp: bad } as Timestamped<string>, event('c', 2)];
      const r = record(from(input).pipe(counts())).get();
      expect(InvalidTimestampError.isInvalidTimestampError(r.error)).toBe(true);
      const e = r.error as InvalidTimestampError;
      expect(e.operator).toBe('windowAggregate');
      expect(e.message).toContain(`windowAggregate: timestamp must be a finite number, ${shown} for value "bad"`);
      expect(e.message).toContain('deadLetter');
      expect(r.out).toEqual([]);
    }
  });

  it('bad timestamps go to deadLetter when given (function or observer); the stream goes on without them', () => {
    const bad = { kind: 'event', value: 'bad', timestamp: NaN } as Timestamped<string>;
    const input = [event('a', 1), bad, event('c', 2)];
    const letters: DeadLetter<Timestamped<string>>[] = [];
    const out = run(input, windowAggregate({ window: tumbling(10), aggregate: count(), deadLetter: (d) => letters.push(d) }));
    expect(out).toEqual([R(0, 10, 2), END_OF_TIME]);
    expect(letters).toHaveLength(1);
    expect(letters[0]!.operator).toBe('windowAggregate');
    expect(letters[0]!.input).toEqual(bad);
    expect(InvalidTimestampError.isInvalidTimestampError(letters[0]!.error)).toBe(true);
    const observed: unknown[] = [];
    const out2 = run(input, windowAggregate({ window: tumbling(10), aggregate: count(), deadLetter: { next: (d) => observed.push(d.input) } }));
    expect(out2).toEqual([R(0, 10, 2), END_OF_TIME]);
    expect(observed).toEqual([bad]);
  });

  it('a watermark that is not a number errors the stream with InvalidWatermarkError', () => {
    for (const bad of [NaN, '5', undefined]) {
      const r = record(from([event('a', 1), { kind: 'watermark', timestamp: bad } as StreamElement<string>]).pipe(counts())).get();
      expect(InvalidWatermarkError.isInvalidWatermarkError(r.error)).toBe(true);
      expect((r.error as Error).message).toContain('windowAggregate: a watermark must be a number');
    }
  });
});

describe('windowAggregate: options', () => {
  const ok: WindowAggregateConfig<number, undefined, number, number> = { window: tumbling(10), aggregate: count() };
  const cases: [string, unknown, string][] = [
    ['config', null, 'windowAggregate: expected a config object, got null'],
    ['window', { ...ok, window: { type: 'hopping' } }, 'windowAggregate: window must be tumbling(size), sliding(size, slide) or session(gap), got { type: "hopping" }'],
    ['window', { ...ok, window: undefined }, 'windowAggregate: window must be tumbling(size), sliding(size, slide) or session(gap), got undefined'],
    [
      'window',
      { ...ok, window: tumbling },
      'windowAggregate: window must be tumbling(size), sliding(size, slide) or session(gap), got function tumbling (call the factory: tumbling(size), not tumbling)',
    ],
    ['aggregate', { ...ok, aggregate: count }, 'windowAggregate: aggregate must be an Aggregator such as count() or sum(f), got function count (call the factory: count(), not count)'],
    ['config', 'tumbling', 'windowAggregate: expected a config object, got "tumbling"'],
    ['key', { ...ok, key: 5 }, 'windowAggregate: key must be a function, got 5'],
    ['aggregate', { ...ok, aggregate: null }, 'windowAggregate: aggregate must be an Aggregator such as count() or sum(f), got null'],
    ['aggregate.result', { ...ok, aggregate: { create: () => 0, add: () => 0 } }, 'windowAggregate: aggregate.result must be a function, got undefined'],
    ['aggregate.add', { ...ok, aggregate: { create: () => 0, add: 1, result: () => 0 } }, 'windowAggregate: aggregate.add must be a function, got 1'],
    ['allowedLateness', { ...ok, allowedLateness: -1 }, 'windowAggregate: allowedLateness must be a finite number >= 0, got -1'],
    ['allowedLateness', { ...ok, allowedLateness: NaN }, 'windowAggregate: allowedLateness must be a finite number >= 0, got NaN'],
    ['trigger', { ...ok, trigger: { type: 'count' } }, 'windowAggregate: trigger must be made by afterWatermark(...), got { type: "count" }'],
    ['state', { ...ok, state: { backend: 1 } }, 'windowAggregate: state must be a function, got { backend: 1 }'],
    // Hand-made windows get the factories' checks (a negative slide looped until out of memory; size 0 dropped everything).
    ...(
      [
        [{ type: 'sliding', size: 10, slide: -1 }, 'window.slide must be a positive integer', '-1'],
        [{ type: 'sliding', size: 10, slide: 0.5 }, 'window.slide must be a positive integer', '0.5; use a smaller time unit, e.g. milliseconds instead of seconds'],
        [{ type: 'tumbling', size: 0, offset: 0 }, 'window.size must be a positive integer', '0'],
        [{ type: 'tumbling', size: NaN }, 'window.size must be a positive integer', 'NaN'],
        [{ type: 'tumbling', size: 10, offset: NaN }, 'window.offset must be an integer', 'NaN'],
        [{ type: 'session', gap: 0 }, 'window.gap must be a positive integer', '0'],
        [{ type: 'session', gap: -5 }, 'window.gap must be a positive integer', '-5'],
      ] as const
    ).map(([window, what, shown]): [string, unknown, string] => [
      `hand-made window (${what.split(' ')[0]})`,
      { ...ok, window },
      `windowAggregate: ${what} (event time is integral: milliseconds by convention), got ${shown}`,
    ]),
    [
      'scheduler',
      { ...ok, scheduler: {} },
      "windowAggregate: scheduler must be an RxJS SchedulerLike with now() and schedule(), got {}; pass e.g. asyncScheduler from 'rxjs', or a VirtualClock from 'tidemark/testing'",
    ],
    [
      'metrics',
      { ...ok, metrics: null },
      "windowAggregate: metrics must be an object with a numeric lateEvents, e.g. { lateEvents: 0 }, got null; or leave it out and read the operator's own metrics",
    ],
    [
      'metrics',
      { ...ok, metrics: {} },
      "windowAggregate: metrics must be an object with a numeric lateEvents, e.g. { lateEvents: 0 }, got {}; or leave it out and read the operator's own metrics",
    ],
    // RxJS exports count, min, max and reduce too: an editor's auto-import gives RxJS's operator.
    ...[rxCount(), rxMin(), rxMax(), rxReduce((a: number, b: number) => a + b), rxCount].map((rx): [string, unknown, string] => [
      'aggregate (an RxJS operator)',
      { ...ok, aggregate: rx },
      `windowAggregate: aggregate must be an Aggregator such as count() or sum(f), got ${rx.name === '' ? 'a function' : `function ${rx.name}`}. ` +
        "A function here is most likely an RxJS operator: RxJS also exports count, min, max and reduce. Import the aggregator from 'tidemark' instead (import { count } from 'tidemark')",
    ]),
  ];
  for (const [what, config, message] of cases) {
    it(`rejects a bad ${what} at creation, naming the operator, the value and what is needed`, () => {
      for (const make of what === 'scheduler' ? [windowAggregate] : [windowAggregate, windowAggregateEngine]) {
        const e = errorOf(() => make(config as WindowAggregateConfig<number, undefined, number, number>));
        expect(InvalidArgumentError.isInvalidArgumentError(e)).toBe(true);
        expect(e.message).toBe(message);
      }
    });
  }

  it('rejects session windows with an aggregator that cannot merge, saying what to add', () => {
    const noMerge: Aggregator<number, number, number> = { create: () => 0, add: (a) => a + 1, result: (a) => a };
    const e = errorOf(() => windowAggregate({ window: session(5), aggregate: noMerge }));
    expect(InvalidArgumentError.isInvalidArgumentError(e)).toBe(true);
    expect(e.message).toBe('windowAggregate: session windows merge, so the aggregator needs a merge(a, b) function; add one');
    // tumbling and sliding windows do not need merge
    expect(run([event(1, 1)], windowAggregate({ window: sliding(10, 5), aggregate: noMerge }))).toEqual([R(-5, 5, 1), R(0, 10, 1), END_OF_TIME]);
  });
});

describe('windowAggregate side-output routes', () => {
  it('refuses a late or deadLetter route that cannot receive, at creation', () => {
    expect(() => windowAggregate({ window: tumbling(10), aggregate: count(), late: 5 as never })).toThrow(
      /^windowAggregate: late must be a function or an observer with a next method, got 5/,
    );
    expect(() => windowAggregate({ window: tumbling(10), aggregate: count(), deadLetter: { complete() {} } as never })).toThrow(
      /^windowAggregate: deadLetter must be a function or an observer with a next method/,
    );
    expect(() => withEventTime({ timestamp: (x: number) => x, deadLetter: 'log' as never })).toThrow(
      /^withEventTime: deadLetter must be a function or an observer with a next method, got "log"/,
    );
  });
});

describe('windowAggregate: accumulators that are undefined', () => {
  it.each<[string, string, WindowAssigner, object]>([
    ['create()', 'return the initial accumulator from create()', tumbling(10), { create: () => undefined, add: (a: unknown) => a, result: (a: unknown) => a }],
    ['add(acc, value)', 'return the updated accumulator from add()', tumbling(10), { create: () => 0, add: () => undefined, result: (a: unknown) => a }],
    // a@1 and b@5 are two sessions; c@3 bridges them: merge() combines their accumulators.
    ['merge(a, b)', 'return the combined accumulator from merge()', session(3), { create: () => 0, add: (n: number) => n + 1, merge: () => undefined, result: (a: unknown) => a }],
  ])('errors the stream when aggregate.%s returns undefined, instead of restarting the window (or dropping the session)', (call, fix, window, aggregate) => {
    const r = record((fromMarbles('a@1 b@5 c@3 |') as Observable<StreamElement<string>>).pipe(windowAggregate({ window, aggregate: aggregate as never }))).get();
    expect(r.out).toEqual([]);
    expect(InvalidArgumentError.isInvalidArgumentError(r.error)).toBe(true);
    expect((r.error as Error).message).toBe(`windowAggregate: aggregate.${call} returned undefined; an accumulator must be a value (${fix})`);
  });
});
