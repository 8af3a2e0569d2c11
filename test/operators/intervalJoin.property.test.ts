/**
 * Property tests of intervalJoin against joins computed by brute force over the same rows:
 * every (left, right) pair compared with the bounds written as `lower <= r.ts − l.ts <= upper`,
 * unmatched rows stamped with the cleanup time the design gives — nothing from src/. Bounds,
 * exclusivity and the outer kind are part of each generated case.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { intervalJoin, intervalJoinEngine, type Collector, type OuterJoin, type Timestamped, type TwoInputEngine } from 'tidemark';
import { disorderedEvents, type Keyed, type TwoInputPipeline } from 'tidemark/testing';
import { BACKENDS, currentBackend, runOn } from '../support/backends.js';
import {
  combinedWatermarks,
  continuesAfterRestore,
  holds,
  matchesBatch,
  matchesSimulation,
  propertyParameters,
  twoInputs,
  withCut,
  wrapEngine,
  type Arrival,
  type TwoInputCase,
} from './internal/join/twoInputs.js';

type V = Keyed<string, number>;
interface Out {
  readonly l: V | undefined;
  readonly r: V | undefined;
}
interface Bounds {
  readonly lower: number;
  readonly upper: number;
  readonly lowerExclusive: boolean;
  readonly upperExclusive: boolean;
  readonly outer: OuterJoin | undefined;
}

const KEYS = ['a', 'b'];
const side = (lateFraction: number) =>
  fc.integer({ min: 0, max: 4 }).chain((maxDisorder) => disorderedEvents(fc.nat(99), { maxDisorder, keys: KEYS, lateFraction, timeRange: { min: 0, max: 30 } }));
const bounds: fc.Arbitrary<Bounds> = fc
  .record({
    lower: fc.integer({ min: -6, max: 4 }),
    width: fc.integer({ min: 0, max: 8 }),
    lowerExclusive: fc.boolean(),
    upperExclusive: fc.boolean(),
    outer: fc.constantFrom<OuterJoin | undefined>(undefined, 'left', 'right', 'full'),
  })
  .filter((b) => b.width > 0 || (!b.lowerExclusive && !b.upperExclusive))
  .map(({ lower, width, ...rest }) => ({ lower, upper: lower + width, ...rest }));
const onTime = twoInputs(side(0), side(0));
const withLate = twoInputs(side(0.25), side(0.25));

function config(b: Bounds, late?: { left: (e: Timestamped<V>) => void; right: (e: Timestamped<V>) => void }) {
  return {
    leftKey: (l: V) => l.key,
    rightKey: (r: V) => r.key,
    lowerBound: b.lower,
    upperBound: b.upper,
    lowerBoundExclusive: b.lowerExclusive,
    upperBoundExclusive: b.upperExclusive,
    outer: b.outer,
    select: (l: V | undefined, r: V | undefined): Out => ({ l, r }),
    lateLeft: late?.left,
    lateRight: late?.right,
    state: currentBackend(),
  };
}

const engine = (b: Bounds): TwoInputPipeline<V, V, Out> => ({ engine: (ctx) => intervalJoinEngine(config(b, { left: ctx.lateLeft, right: ctx.lateRight }))() });
const operator = (b: Bounds): TwoInputPipeline<V, V, Out> => ({ operator: (left, right, ctx) => left.pipe(intervalJoin(right, config(b, { left: ctx.lateLeft, right: ctx.lateRight }))) });

// --- the oracles ------------------------------------------------------------------------

/** Whether `l` and `r` pair: the bounds on the difference of their times. */
function inInterval(b: Bounds, l: number, r: number): boolean {
  const d = r - l;
  return (b.lowerExclusive ? d > b.lower : d >= b.lower) && (b.upperExclusive ? d < b.upper : d <= b.upper);
}

const leftCleanup = (b: Bounds, t: number) => t + Math.max(b.upper, 0);
const rightCleanup = (b: Bounds, t: number) => t + Math.max(-b.lower, 0);
const keepsLeft = (b: Bounds) => b.outer === 'left' || b.outer === 'full';
const keepsRight = (b: Bounds) => b.outer === 'right' || b.outer === 'full';

/** The batch join: every pair with equal keys in the interval, then (outer) every row without one, at its cleanup time. */
function batchJoin(b: Bounds, left: readonly Timestamped<V>[], right: readonly Timestamped<V>[]): Timestamped<Out>[] {
  const out: Timestamped<Out>[] = [];
  const matchedL = new Set<number>();
  const matchedR = new Set<number>();
  left.forEach((l, i) =>
    right.forEach((r, j) => {
      if (l.value.key !== r.value.key || !inInterval(b, l.timestamp, r.timestamp)) return;
      out.push({ kind: 'event', value: { l: l.value, r: r.value }, timestamp: Math.max(l.timestamp, r.timestamp) });
      matchedL.add(i);
      matchedR.add(j);
    }),
  );
  if (keepsLeft(b)) left.forEach((l, i) => matchedL.has(i) || out.push({ kind: 'event', value: { l: l.value, r: undefined }, timestamp: leftCleanup(b, l.timestamp) }));
  if (keepsRight(b)) right.forEach((r, j) => matchedR.has(j) || out.push({ kind: 'event', value: { l: undefined, r: r.value }, timestamp: rightCleanup(b, r.timestamp) }));
  return out;
}

const eventsOf = <T>(arrivals: readonly Arrival<V, V>[], s: 'left' | 'right') =>
  arrivals.filter((a) => a.side === s && a.element.kind === 'event').map((a) => a.element as Timestamped<T>);

/**
 * With late rows, by simulation of the watermark only: a row is late when its time is below the
 * combined watermark at its arrival; a row that is not late pairs with each earlier row of the
 * other input that was not late and not yet cleaned up (its cleanup time above that watermark);
 * outer rows as in the batch join.
 */
function joinWithLateness(b: Bounds, arrivals: readonly Arrival<V, V>[]) {
  const wms = combinedWatermarks(arrivals);
  const rows: { side: 'left' | 'right'; e: Timestamped<V>; matched: boolean }[] = [];
  const out: Timestamped<Out>[] = [];
  const late = { left: [] as Timestamped<V>[], right: [] as Timestamped<V>[] };
  arrivals.forEach((a, i) => {
    if (a.element.kind !== 'event') return;
    const e = a.element;
    const wm = wms[i]!;
    if (e.timestamp < wm) return void late[a.side].push(e);
    const row = { side: a.side, e, matched: false };
    for (const o of rows) {
      if (o.side === a.side || o.e.value.key !== e.value.key) continue;
      const [l, r] = a.side === 'left' ? [e, o.e] : [o.e, e];
      const cleanup = o.side === 'left' ? leftCleanup(b, o.e.timestamp) : rightCleanup(b, o.e.timestamp);
      if (cleanup <= wm || !inInterval(b, l.timestamp, r.timestamp)) continue;
      out.push({ kind: 'event', value: { l: l.value, r: r.value }, timestamp: Math.max(l.timestamp, r.timestamp) });
      row.matched = o.matched = true;
    }
    rows.push(row);
  });
  for (const { side: s, e, matched } of rows) {
    if (matched) continue;
    if (s === 'left' && keepsLeft(b)) out.push({ kind: 'event', value: { l: e.value, r: undefined }, timestamp: leftCleanup(b, e.timestamp) });
    if (s === 'right' && keepsRight(b)) out.push({ kind: 'event', value: { l: undefined, r: e.value }, timestamp: rightCleanup(b, e.timestamp) });
  }
  return { out, late };
}

// --- the properties, as functions (so that the broken engines below can be run through them) ---

/** On inputs within their bounds: the output is the batch join, whatever the arrival order; progress is sane. */
const matchesBatchJoin = (pipeline: (b: Bounds) => TwoInputPipeline<V, V, Out>) => matchesBatch(pipeline, (b, c: TwoInputCase<V, V>) => batchJoin(b, c.left.events, c.right.events));
const matchesWithLateness = (pipeline: (b: Bounds) => TwoInputPipeline<V, V, Out>) => matchesSimulation(pipeline, joinWithLateness);

describe.each(BACKENDS)('intervalJoin on the %s', (_backend, backend) => {
  runOn(backend);

  it('equals the batch join (inner, left, right, full; inclusive and exclusive bounds) for every arrival order within the bounds', () => {
    fc.assert(fc.property(fc.tuple(bounds, onTime), matchesBatchJoin(engine)), propertyParameters());
  });

  it('as a pipe() operator too', () => {
    fc.assert(fc.property(fc.tuple(bounds, onTime), matchesBatchJoin(operator)), propertyParameters(50));
  });

  it('with late rows: exactly the rows behind the combined watermark go to the late outputs; the rest join', () => {
    fc.assert(fc.property(fc.tuple(bounds, withLate), matchesWithLateness(engine)), propertyParameters());
  });

  it('a snapshot taken anywhere and restored into a fresh engine continues exactly as the uninterrupted run', () => {
    fc.assert(fc.property(withCut(fc.tuple(bounds, withLate)), continuesAfterRestore(engine)), propertyParameters());
  });
});

// --- the properties catch broken engines ----------------------------------------------------

/** Wraps an engine, rewriting what it emits. */
const rewriting = (inner: TwoInputEngine<V, V, Out>, rewrite: (out: Collector<Out>) => Collector<Out>) => wrapEngine(inner, { out: rewrite });

const broken = (make: (b: Bounds) => TwoInputEngine<V, V, Out>) => (b: Bounds): TwoInputPipeline<V, V, Out> => ({ engine: () => make(b) });
const real = (b: Bounds) => intervalJoinEngine(config(b))();

describe('the intervalJoin properties catch broken engines', () => {
  const cases = fc.tuple(bounds, onTime);
  const outerCases = fc.tuple(
    bounds.filter((b) => b.outer !== undefined),
    onTime,
  );

  it('the real engine passes', () => {
    expect(holds(cases, matchesBatchJoin(broken(real)))).toBe(true);
  });

  it('an upper bound one tick too wide (off by one)', () => {
    expect(holds(cases, matchesBatchJoin(broken((b) => real({ ...b, upper: b.upper + 1 }))))).toBe(false);
  });

  it('exclusive bounds treated as inclusive', () => {
    expect(holds(cases, matchesBatchJoin(broken((b) => real({ ...b, lowerExclusive: false, upperExclusive: false }))))).toBe(false);
  });

  it('outer rows stamped with their own time instead of their cleanup time', () => {
    const ownTime = (b: Bounds) =>
      rewriting(real(b), (out) => ({
        ...out,
        // An unmatched row's own time: its cleanup time minus the design's offset.
        event: (v, t) => out.event(v, v.r === undefined ? t - Math.max(b.upper, 0) : v.l === undefined ? t - Math.max(-b.lower, 0) : t),
        watermark: (t) => out.watermark(t),
        control: (e) => out.control(e),
      }));
    expect(holds(outerCases, matchesBatchJoin(broken(ownTime)))).toBe(false);
  });

  it('outer rows emitted after the watermark that cleaned them up', () => {
    const afterWatermark = (b: Bounds) =>
      rewriting(real(b), (out) => {
        const held: [Out, number][] = [];
        return {
          event: (v, t) => (v.l === undefined || v.r === undefined ? void held.push([v, t]) : out.event(v, t)),
          watermark: (t) => {
            out.watermark(t);
            for (const [v, at] of held.splice(0)) out.event(v, at);
          },
          control: (e) => out.control(e),
        };
      });
    expect(holds(outerCases, matchesBatchJoin(broken(afterWatermark)))).toBe(false);
  });

  it('eager outer rows: a null row as soon as a left row finds no partner yet (the Kafka Streams pitfall)', () => {
    const eager = (b: Bounds): TwoInputEngine<V, V, Out> => {
      const inner = real({ ...b, outer: undefined });
      let out!: Collector<Out>;
      let emitted = 0;
      return {
        ...rewriting(inner, (o) => {
          out = o;
          return { event: (v, t) => (emitted++, o.event(v, t)), watermark: (t) => o.watermark(t), control: (e) => o.control(e) };
        }),
        onEvent1: (v, t, e) => {
          const before = emitted;
          inner.onEvent1(v, t, e);
          if (emitted === before) out.event({ l: v, r: undefined }, Math.max(t, leftCleanup(b, t)));
        },
      };
    };
    const leftOuter = fc.tuple(
      bounds.map((b) => ({ ...b, outer: 'left' as const })),
      onTime,
    );
    expect(holds(leftOuter, matchesBatchJoin(broken(eager)))).toBe(false);
  });
});
