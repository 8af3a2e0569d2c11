import fc from 'fast-check';
import { Observable, from, map, range, take, tap, toArray, type OperatorFunction } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  boundedOutOfOrderness,
  collect,
  count,
  filterEvents,
  flatMapEvents,
  mapEvents,
  session,
  sliding,
  values,
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
