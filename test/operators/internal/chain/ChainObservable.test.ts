import fc from 'fast-check';
import { Observable, Subject, from, map, merge, range, take, tap, toArray, type OperatorFunction } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  InvalidWatermarkError,
  StreamContractError,
  boundedOutOfOrderness,
  collect,
  event,
  count,
  filterEvents,
  flatMapEvents,
  mapEvents,
  session,
  sliding,
  tumbling,
  values,
  watermark,
  windowAggregate,
  withEventTime,
  type StreamElement,
  type WindowResult,
} from 'tidemark';
import { DEFAULT_NUM_RUNS, DEFAULT_SEED } from 'tidemark/testing';

interface Row {
  k: string;
  v: number;
  at: number;
}

/** An RxJS operator between two tidemark operators: it ends one chain and starts the next. */
const unchain = <T>(): OperatorFunction<T, T> => map((x: T) => x);

function run<T>(source: Observable<T>): { out: T[]; error: unknown } {
  const out: T[] = [];
  let error: unknown;
  source.subscribe({ next: (x) => out.push(x), error: (e: unknown) => (error = e) });
  return { out, error };
}

const rows = fc.array(
  fc.record({ k: fc.constantFrom('a', 'b', 'c'), v: fc.integer({ min: -50, max: 50 }), at: fc.integer({ min: -40, max: 120 }) }),
  { maxLength: 60 },
);

describe('operator chaining', () => {
  it('a chained pipeline emits exactly what the same operators emit through RxJS subscribers', () => {
    const seed = Number(process.env.TIDEMARK_SEED ?? DEFAULT_SEED);
    const numRuns = Number(process.env.TIDEMARK_NUM_RUNS ?? DEFAULT_NUM_RUNS);
    fc.assert(
      fc.property(rows, fc.integer({ min: 0, max: 15 }), (input, bound) => {
        const ops = [
          withEventTime<Row>({ timestamp: (r) => r.at, watermark: boundedOutOfOrderness(bound) }),
          filterEvents((r: Row) => r.v % 3 !== 0),
          flatMapEvents((r: Row) => (r.v > 40 ? [] : r.v < -40 ? [r, r] : [r])),
          mapEvents((r: Row, t) => ({ ...r, v: r.v + t })),
          windowAggregate({ window: sliding(20, 10), key: (r: Row) => r.k, aggregate: collect<Row>(), allowedLateness: 5 }),
          mapEvents((w: WindowResult<string, Row[]>) => ({ key: w.key, start: w.start, n: w.value.length, firing: w.firing })),
          windowAggregate({ window: session(15), key: (w: { key: string }) => w.key, aggregate: count() }),
        ] as const;
        const fused = run(from(input).pipe(ops[0], ops[1], ops[2], ops[3], ops[4], ops[5], ops[6]));
        const u = unchain<StreamElement<never>>() as never;
        const split = run(from(input).pipe(ops[0], u, ops[1], u, ops[2], u, ops[3], u, ops[4], u, ops[5], u, ops[6]));
        expect(fused.error).toBeUndefined();
        expect(fused.out).toEqual(split.out);
        expect(fused.out.at(-1)).toEqual({ kind: 'watermark', timestamp: Infinity });
      }),
      { seed, numRuns },
    );
  });

  it('extending a chain leaves the shorter chain intact: each subscribes on its own', () => {
    const stamped = from([{ at: 1 }, { at: 2 }, { at: 3 }]).pipe(withEventTime({ timestamp: (r) => r.at }));
    const odd = stamped.pipe(filterEvents((r) => r.at % 2 === 1), values());
    const all = stamped.pipe(values());
    expect(run(odd).out).toEqual([{ at: 1 }, { at: 3 }]);
    expect(run(all).out).toEqual([{ at: 1 }, { at: 2 }, { at: 3 }]);
    expect(run(stamped).out).toHaveLength(3 + 3 + 1); // events, watermarks, the final +Infinity
  });

  it('a downstream take(1) stops a synchronous source at once through a whole chain', () => {
    let pulled = 0;
    const out: number[] = [];
    range(0, 1_000_000)
      .pipe(
        tap(() => pulled++),
        withEventTime({ timestamp: (i) => i }),
        mapEvents((i) => i * 2),
        filterEvents((i) => i >= 0),
        values(),
        take(1),
      )
      .subscribe((x) => out.push(x));
    expect(out).toEqual([0]);
    expect(pulled).toBe(1);
  });

  it('an error thrown by any stage goes down the error channel and stops the source', () => {
    const boom = new Error('boom');
    let pulled = 0;
    const r = run(
      range(0, 100).pipe(
        tap(() => pulled++),
        withEventTime({ timestamp: (i) => i }),
        mapEvents((i) => i),
        filterEvents((i) => {
          if (i === 3) throw boom;
          return true;
        }),
        values(),
        toArray(),
      ),
    );
    expect(r.error).toBe(boom);
    expect(pulled).toBe(4);
  });
});

describe('a chain checks its element input (the entry from a non-chain source)', () => {
  const counts = () => windowAggregate({ window: tumbling(10), aggregate: count<string>() });

  it.each([
    ['a plain number', 42, '42'],
    ['a plain object', { at: 1 }, '{ at: 1 }'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['an object with an unknown kind', { kind: 'evnt', value: 1 }, '{ kind: "evnt", value: 1 }'],
  ])('%s (a forgotten withEventTime) errors with a StreamContractError that names the fix', (_what, plain, shown) => {
    for (const [name, op] of [
      ['windowAggregate', counts()],
      ['mapEvents', mapEvents((x: unknown) => x)],
      ['values', values()],
    ] as const) {
      const r = run(from([plain as unknown as StreamElement<string>]).pipe(op as OperatorFunction<StreamElement<string>, unknown>));
      expect(r.out).toEqual([]);
      expect(StreamContractError.isStreamContractError(r.error)).toBe(true);
      const e = r.error as StreamContractError;
      expect(e.violation).toBe('not-an-element');
      expect(e.operator).toBe(name);
      expect(e.message).toBe(
        `${name}: expected an event-time stream element ({ kind: 'event' | 'watermark' | 'barrier' | 'status' }), got ${shown}. ` +
          'Did you forget withEventTime? Enter event time first: source.pipe(withEventTime({ timestamp, watermark }), …)',
      );
    }
  });

  it('an event after the final +Infinity watermark errors with a StreamContractError that says to use mergeEventTime', () => {
    // RxJS merge of two synchronous event-time streams: the first ends with W(+Infinity) before the second starts.
    const a = from([{ at: 1 }]).pipe(withEventTime({ timestamp: (r: { at: number }) => r.at }));
    const b = from([{ at: 2 }]).pipe(withEventTime({ timestamp: (r: { at: number }) => r.at }));
    const r = run(merge(a, b).pipe(windowAggregate({ window: tumbling(10), aggregate: count() }), values()));
    expect(r.out).toEqual([{ key: undefined, start: 0, end: 10, value: 1, firing: 'on-time' }]);
    expect(StreamContractError.isStreamContractError(r.error)).toBe(true);
    const e = r.error as StreamContractError;
    expect(e.violation).toBe('event-after-end-of-time');
    expect(e.message).toBe(
      'windowAggregate: an event ({ kind: "event", value: { at: 2 }, timestamp: 2 }) arrived after the final +Infinity watermark, ' +
        'which has closed every window. RxJS merge() and concat() of event-time streams do this; combine event-time streams ' +
        "with mergeEventTime(a, b), whose watermark is the minimum of its inputs' watermarks",
    );
  });

  it('a watermark that goes backwards errors; equal watermarks are allowed', () => {
    const ok = run(from([watermark(3), watermark(3), event('a', 5), watermark(Infinity), watermark(Infinity)]).pipe(mapEvents((x: string) => x)));
    expect(ok.error).toBeUndefined();
    const bad = run(from([watermark(3), watermark(2)]).pipe(mapEvents((x: string) => x)));
    expect(bad.out).toEqual([watermark(3)]);
    expect((bad.error as StreamContractError).violation).toBe('watermark-regression');
    expect((bad.error as StreamContractError).watermark).toBe(3);
  });

  it('a watermark whose timestamp is not a number errors with InvalidWatermarkError, also before a stateless stage', () => {
    const r = run(from([{ kind: 'watermark', timestamp: NaN } as StreamElement<string>]).pipe(mapEvents((x: string) => x)));
    expect(InvalidWatermarkError.isInvalidWatermarkError(r.error)).toBe(true);
  });
});

describe('re-entrancy: a step that makes the source emit again runs to the end first', () => {
  /** Pushes `more` into the source, synchronously, when the first window result arrives. */
  function reentrant(more: number[]) {
    const source = new Subject<number>();
    const out: StreamElement<WindowResult<undefined, number>>[] = [];
    let pushed = false;
    source
      .pipe(
        withEventTime({ timestamp: (t: number) => t }),
        windowAggregate({ window: tumbling(10), aggregate: count<number>() }),
      )
      .subscribe((e) => {
        out.push(e);
        if (e.kind === 'event' && !pushed) {
          pushed = true;
          for (const t of more) source.next(t);
        }
      });
    return { source, out };
  }

  it('output watermarks stay monotone and every result precedes the watermark that fired it', () => {
    const { source, out } = reentrant([310, 14]);
    for (const t of [1, 2, 25, 299]) source.next(t);
    source.complete();
    const marks = out.filter((e) => e.kind === 'watermark').map((e) => e.timestamp);
    expect(marks).toEqual([...marks].sort((a, b) => a - b));
    expect(new Set(marks).size).toBe(marks.length);
    // The same as if the pushes came right after the step that delivered the first result (25's).
    const calm = run(
      from([1, 2, 25, 310, 14, 299]).pipe(withEventTime({ timestamp: (t: number) => t }), windowAggregate({ window: tumbling(10), aggregate: count<number>() })),
    );
    expect(out).toEqual(calm.out);
  });

  it('a completion that arrives re-entrantly waits for the running step', () => {
    const source = new Subject<number>();
    const out: unknown[] = [];
    source
      .pipe(withEventTime({ timestamp: (t: number) => t }), windowAggregate({ window: tumbling(10), aggregate: count<number>() }), values())
      .subscribe({ next: (r) => {
        out.push(r);
        source.complete();
      }, complete: () => out.push('complete') });
    source.next(1);
    source.next(11); // fires [0, 10), whose subscriber completes the source mid-step
    expect(out).toEqual([
      { key: undefined, start: 0, end: 10, value: 1, firing: 'on-time' },
      { key: undefined, start: 10, end: 20, value: 1, firing: 'on-time' },
      'complete',
    ]);
  });
});
