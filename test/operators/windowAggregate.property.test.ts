/**
 * Property tests of the real windowAggregate with tidemark/testing's helpers, against a batch
 * oracle written here from scratch: window membership by brute force (enumerate candidate
 * starts), sessions by sort and sweep, aggregates by folding — nothing from src/ window math.
 */
import * as fc from 'fast-check';
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  afterWatermark,
  collect,
  count,
  session,
  sliding,
  sum,
  tumbling,
  windowAggregate,
  windowAggregateEngine,
  type Aggregator,
  type StreamElement,
  type Timestamped,
  type WindowAssigner,
  type WindowResult,
} from 'tidemark';
import {
  assertCheckpointRoundTrip,
  assertLateDataHandled,
  assertMatchesOracle,
  assertOrderInsensitive,
  DEFAULT_NUM_RUNS,
  DEFAULT_SEED,
  boundaryTimestamps,
  boundedWatermarks,
  disorderedEvents,
  type DisorderedEvents,
  type EnginePipeline,
  type Keyed,
  type Pipeline,
} from 'tidemark/testing';
import { BACKENDS, currentBackend, runOn } from '../support/backends.js';
import { STACKED_PANES } from '../../src/operators/internal/windows/PaneWindows.js';

type V = Keyed<string, number>;
type AggName = 'count' | 'sum' | 'collect';
type Out = WindowResult<string, unknown>;

const KEYS = ['a', 'b'];
const aggregators: Record<AggName, () => Aggregator<V, unknown, unknown>> = {
  count: () => count() as Aggregator<V, unknown, unknown>,
  sum: () => sum((v: V) => v.value) as Aggregator<V, unknown, unknown>,
  collect: () => collect<V>() as Aggregator<V, unknown, unknown>,
};

/** The pipeline under test, as an engine or as the pipe() operator (both are the real thing). */
function pipeline(window: WindowAssigner, agg: AggName, allowedLateness = 0, as: 'engine' | 'operator' = 'engine'): Pipeline<V, Out> {
  return as === 'engine' ? engine(window, agg, allowedLateness) : { operator: (ctx) => windowAggregate(config(window, agg, allowedLateness, ctx.late)) };
}

function engine(window: WindowAssigner, agg: AggName, allowedLateness = 0): EnginePipeline<V, Out> {
  return { engine: (ctx) => windowAggregateEngine(config(window, agg, allowedLateness, ctx.late))() };
}

function config(window: WindowAssigner, agg: AggName, allowedLateness: number, late: (e: Timestamped<V>) => void) {
  return { window, key: (v: V) => v.key, aggregate: aggregators[agg](), allowedLateness, late, state: currentBackend() };
}

// --- the oracle -------------------------------------------------------------------------

interface Member {
  readonly e: Timestamped<V>;
  /** Arrival index. */
  readonly at: number;
  /** The watermark when it arrived (boundedOutOfOrderness(maxDisorder)). */
  readonly wm: number;
}

/** Folds members (in arrival order) the way each aggregate is specified. */
function fold(agg: AggName, members: readonly Member[]): unknown {
  if (agg === 'count') return members.length;
  if (agg === 'sum') return members.reduce((s, m) => s + m.e.value.value, 0);
  // collect: timestamp order, ties in arrival order.
  return [...members].sort((x, y) => x.e.timestamp - y.e.timestamp || x.at - y.at).map((m) => m.e.value);
}

/** Brute force: every [start, start + size) containing t whose start is offset modulo step. */
function windowsContaining(t: number, size: number, step: number, offset: number): [number, number][] {
  const found: [number, number][] = [];
  for (let start = t - size + 1; start <= t; start++) {
    if (Number.isInteger((start - offset) / step)) found.push([start, start + size]);
  }
  return found;
}

function withArrival(events: readonly Timestamped<V>[], maxDisorder: number): Member[] {
  let max = -Infinity;
  return events.map((e, at) => {
    const m = { e, at, wm: max - maxDisorder - 1 };
    max = Math.max(max, e.timestamp);
    return m;
  });
}

/**
 * Tumbling and sliding windows, with lateness: a (event, window) pair is dropped when the
 * window's end − 1 + allowedLateness is at or below the watermark at the event's arrival. A
 * window fires on time with the pairs that came before the watermark reached end − 1 (if any),
 * then once more ('late') for each later pair, with everything so far.
 */
function fixedWindowsOracle(size: number, step: number, offset: number, agg: AggName, allowedLateness: number) {
  return (events: readonly Timestamped<V>[], input: DisorderedEvents<V>): Timestamped<Out>[] => {
    const windows = new Map<string, { key: string; start: number; end: number; members: Member[] }>();
    for (const m of withArrival(events, input.maxDisorder)) {
      for (const [start, end] of windowsContaining(m.e.timestamp, size, step, offset)) {
        if (end - 1 + allowedLateness <= m.wm) continue;
        const id = `${m.e.value.key}/${start}`;
        const w = windows.get(id) ?? { key: m.e.value.key, start, end, members: [] };
        w.members.push(m);
        windows.set(id, w);
      }
    }
    const out: Timestamped<Out>[] = [];
    for (const { key, start, end, members } of windows.values()) {
      const result = (ms: readonly Member[], firing: Out['firing']) => ({
        kind: 'event' as const,
        value: { key, start, end, value: fold(agg, ms), firing },
        timestamp: end - 1,
      });
      const onTime = members.filter((m) => m.wm < end - 1);
      const late = members.filter((m) => m.wm >= end - 1);
      if (onTime.length > 0) out.push(result(onTime, 'on-time'));
      late.forEach((_, i) => out.push(result([...onTime, ...late.slice(0, i + 1)], 'late')));
    }
    return out;
  };
}

/** Session windows (no late events): per key, sort by time and sweep; [t, t + gap) that touch merge. */
function sessionOracle(gap: number, agg: AggName) {
  return (events: readonly Timestamped<V>[], input: DisorderedEvents<V>): Timestamped<Out>[] => {
    const out: Timestamped<Out>[] = [];
    for (const key of KEYS) {
      const sorted = withArrival(events, input.maxDisorder)
        .filter((m) => m.e.value.key === key)
        .sort((x, y) => x.e.timestamp - y.e.timestamp || x.at - y.at);
      let current: Member[] = [];
      let start = 0;
      let end = -Infinity;
      const close = () => {
        if (current.length > 0) out.push({ kind: 'event', value: { key, start, end, value: fold(agg, current), firing: 'on-time' }, timestamp: end - 1 });
      };
      for (const m of sorted) {
        if (m.e.timestamp <= end) {
          end = Math.max(end, m.e.timestamp + gap);
        } else {
          close();
          current = [];
          start = m.e.timestamp;
          end = m.e.timestamp + gap;
        }
        current.push(m);
      }
      close();
    }
    return out;
  };
}

// --- inputs ---------------------------------------------------------------------------

const values = fc.integer({ min: -5, max: 9 });
const onTime = (maxDisorder: number, timestamps?: fc.Arbitrary<number>) =>
  disorderedEvents(values, { maxDisorder, keys: KEYS, timeRange: { min: -30, max: 60 }, ...(timestamps === undefined ? {} : { timestamps }) });
const withLate = (maxDisorder: number) => disorderedEvents(values, { maxDisorder, keys: KEYS, lateFraction: 0.3, timeRange: { min: -30, max: 60 } });
/**
 * Session inputs: even timestamps, even gap, odd maxDisorder. Touching sessions still occur,
 * but an on-time event can never arrive exactly at the end of a session that already fired
 * (that needs an earlier event at exactly its timestamp + maxDisorder). In that corner the
 * operator, like Flink, emits two touching sessions where the batch answer has one.
 */
const sessionEvents = (maxDisorder: number) =>
  disorderedEvents(values, { maxDisorder, keys: KEYS, timestamps: fc.integer({ min: -15, max: 30 }).map((x) => 2 * x) });

/** Sorts what collect() gathered, so that equal timestamps compare regardless of arrival. */
const sortCollected = (out: readonly Timestamped<Out>[]) =>
  out.map((e) => ({ ...e.value, t: e.timestamp, value: Array.isArray(e.value.value) ? [...(e.value.value as V[])].sort((a, b) => a.value - b.value || a.key.localeCompare(b.key)) : e.value.value }));

// --- the properties ---------------------------------------------------------------------

describe.each(BACKENDS)('on the %s', (_backend, backend) => {
  runOn(backend);

  describe('windowAggregate matches a batch oracle', () => {
    describe.each(['count', 'sum', 'collect'] as const)('%s', (agg) => {
      it('tumbling (offset 3), in order within the bound', () => {
        assertMatchesOracle({ pipeline: pipeline(tumbling(10, 3), agg), events: onTime(4), oracle: fixedWindowsOracle(10, 10, 3, agg, 0) });
      });

      it('tumbling, at the off-by-one window boundaries, as a pipe() operator', () => {
        assertMatchesOracle({
          pipeline: pipeline(tumbling(5), agg, 0, 'operator'),
          events: onTime(2, boundaryTimestamps(5, { windows: { min: -3, max: 8 } })),
          oracle: fixedWindowsOracle(5, 5, 0, agg, 0),
        });
      });

      it('sliding (size 12, slide 4, offset 1)', () => {
        assertMatchesOracle({ pipeline: pipeline(sliding(12, 4, 1), agg), events: onTime(6), oracle: fixedWindowsOracle(12, 4, 1, agg, 0) });
      });

      it('sliding with gaps between windows (size 3, slide 5)', () => {
        assertMatchesOracle({ pipeline: pipeline(sliding(3, 5), agg), events: onTime(3), oracle: fixedWindowsOracle(3, 5, 0, agg, 0) });
      });

      it('session (gap 6)', () => {
        assertMatchesOracle({ pipeline: pipeline(session(6), agg), events: sessionEvents(3), oracle: sessionOracle(6, agg) });
      });

      it('session (gap 2), as a pipe() operator', () => {
        assertMatchesOracle({ pipeline: pipeline(session(2), agg, 0, 'operator'), events: sessionEvents(5), oracle: sessionOracle(2, agg) });
      });
    });

    describe.each(['count', 'collect'] as const)('%s with late events and allowedLateness', (agg) => {
      it.each([0, 5])('tumbling, allowedLateness %i: on-time firing, then one late firing per accepted late event', (lateness) => {
        assertMatchesOracle({ pipeline: pipeline(tumbling(10), agg, lateness), events: withLate(3), oracle: fixedWindowsOracle(10, 10, 0, agg, lateness) });
      });

      it.each([0, 4])('sliding (size 10, slide 5), allowedLateness %i', (lateness) => {
        assertMatchesOracle({ pipeline: pipeline(sliding(10, 5), agg, lateness), events: withLate(2), oracle: fixedWindowsOracle(10, 5, 0, agg, lateness) });
      });
    });
  });

  describe('windowAggregate output does not depend on arrival order within the bound', () => {
    it.each([
      ['tumbling', tumbling(10), withLate(5)],
      ['sliding', sliding(10, 5), withLate(5)],
      // Sessions only on inputs that avoid the touching-after-firing corner (see sessionEvents).
      ['session', session(4), sessionEvents(5)],
    ] as const)('%s, count and collect', (_, window, events) => {
      assertOrderInsensitive({ pipeline: pipeline(window, 'count'), events });
      assertOrderInsensitive({ pipeline: pipeline(window, 'collect', 3), events, normalize: sortCollected });
    });
  });

  describe('windowAggregate routes late data and never counts it', () => {
    /** The contents of each (key, window)'s last firing. */
    const counted = (out: readonly Timestamped<Out>[]) => [...new Map(out.map((e) => [`${e.value.key}/${e.value.start}`, e.value.value as V[]])).values()].flat();
    /** Brute force: the one tumbling window of t is the candidate [start, start + size) that aligns. */
    const endOf = (t: number, size: number, offset: number) => windowsContaining(t, size, size, offset)[0]![1];

    it.each([0, 3])('tumbling, allowedLateness %i', (lateness) => {
      assertLateDataHandled({
        pipeline: pipeline(tumbling(10, 7), 'collect', lateness),
        events: withLate(4),
        allowedLateness: lateness,
        lateWhen: (e, w) => endOf(e.timestamp, 10, 7) - 1 + lateness <= w,
        counted,
      });
    });

    it('tumbling at window boundaries, as a pipe() operator', () => {
      assertLateDataHandled({
        pipeline: pipeline(tumbling(5), 'collect', 1, 'operator'),
        events: disorderedEvents(values, { maxDisorder: 1, keys: KEYS, lateFraction: 0.4, timestamps: boundaryTimestamps(5) }),
        allowedLateness: 1,
        lateWhen: (e, w) => endOf(e.timestamp, 5, 0) - 1 + 1 <= w,
        counted,
      });
    });
  });

  describe('windowAggregate survives a checkpoint anywhere', () => {
    it.each([
      ['tumbling', tumbling(10)],
      ['sliding', sliding(9, 3)],
      ['session', session(5)],
    ] as const)('%s with allowed lateness and late events', (_, window) => {
      assertCheckpointRoundTrip({ pipeline: engine(window, 'collect', 4), events: withLate(3) });
    });

    it('with early firings on processing time', () => {
      assertCheckpointRoundTrip({
        pipeline: {
          engine: (ctx) =>
            windowAggregateEngine({
              window: session(5),
              key: (v: V) => v.key,
              aggregate: sum((v: V) => v.value),
              trigger: afterWatermark({ early: { every: 7, everyEvents: 3 } }),
              late: ctx.late,
            })(),
        },
        events: withLate(4),
        maxProcessingTimeStep: 4,
      });
    });
  });
});

describe('pane-sliced sliding windows equal the per-window path on random input', () => {
  /** The same aggregator without merge: windowAggregate then keeps an accumulator per window instead of panes. */
  const unsliced = <A, R>(agg: Aggregator<V, A, R>): Aggregator<V, A, R> => ({ create: agg.create, add: agg.add, result: agg.result });

  /** Output cut at each watermark, each segment sorted: within one watermark's firings the key order may differ (pane by pane vs arrival). */
  function segments(out: readonly StreamElement<Out>[]): string[] {
    const segs: string[] = [];
    let cur: string[] = [];
    for (const e of out) {
      if (e.kind === 'event') cur.push(JSON.stringify([e.timestamp, e.value.key, e.value.start, e.value.firing, e.value.value]));
      else if (e.kind === 'watermark') {
        segs.push([...cur.sort(), `W${e.timestamp}`].join(' '));
        cur = [];
      }
    }
    segs.push(cur.sort().join(' '));
    return segs;
  }

  const geometry = fc
    .record({ slide: fc.integer({ min: 1, max: 6 }), factor: fc.integer({ min: 1, max: 6 }), extra: fc.integer({ min: 0, max: 5 }), offset: fc.integer({ min: -7, max: 7 }) })
    .map(({ slide, factor, extra, offset }) => ({ size: slide * factor + (extra % slide === 0 ? 0 : extra), slide, offset }));

  /** Windows of more than STACKED_PANES panes: on-time firings then go through merged runs of panes (PaneStacks). */
  const manyPanes = fc
    .record({ slide: fc.integer({ min: 1, max: 3 }), factor: fc.integer({ min: STACKED_PANES + 1, max: 24 }), offset: fc.integer({ min: -7, max: 7 }) })
    .map(({ slide, factor, offset }) => ({ size: slide * factor, slide, offset }));

  it.each([
    ['count', 'any geometry'],
    ['sum', 'any geometry'],
    ['collect', 'any geometry'],
    ['count', 'many panes per window'],
    ['collect', 'many panes per window'],
  ] as const)('%s, %s, with lateness, late events and early firings', (agg, shape) => {
    fc.assert(
      fc.property(
        shape === 'any geometry' ? geometry : manyPanes,
        fc.integer({ min: 0, max: 6 }),
        fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
        disorderedEvents(values, { maxDisorder: 3, keys: KEYS, lateFraction: 0.3, timeRange: { min: -20, max: 60 } }),
        ({ size, slide, offset }, allowedLateness, everyEvents, input) => {
          const elements = boundedWatermarks(input.events, input.maxDisorder);
          const run = (aggregate: Aggregator<V, unknown, unknown>) => {
            const late: Timestamped<V>[] = [];
            const out: StreamElement<Out>[] = [];
            from(elements)
              .pipe(
                windowAggregate({
                  window: sliding(size, slide, offset),
                  key: (v: V) => v.key,
                  aggregate,
                  allowedLateness,
                  late: (e) => late.push(e),
                  trigger: afterWatermark(everyEvents === undefined ? {} : { early: { everyEvents } }),
                  state: currentBackend(),
                }),
              )
              .subscribe((e) => out.push(e));
            return { out: segments(out), late };
          };
          const sliced = run(aggregators[agg]());
          const perWindow = run(unsliced(aggregators[agg]()));
          expect(sliced).toEqual(perWindow);
        },
      ),
      { seed: DEFAULT_SEED, numRuns: DEFAULT_NUM_RUNS },
    );
  });
});
