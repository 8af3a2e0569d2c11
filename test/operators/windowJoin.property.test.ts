/**
 * Property tests of windowJoin against joins computed by brute force over the same rows: the
 * windows of a row found by trying every window start (`offset + k·slide`) that could contain
 * it, every (left, right) pair of a key in a window emitted at `end − 1` — nothing from src/.
 * The window (tumbling or sliding, slide below or above the size) and the allowed lateness are
 * part of each generated case, and half the timestamps fall on window edges.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sliding, tumbling, windowJoin, windowJoinEngine, type JoinWindow, type Timestamped, type TwoInputEngine } from 'tidemark';
import { disorderedEvents, type Keyed, type TwoInputPipeline } from 'tidemark/testing';
import { BACKENDS, currentBackend, runOn } from '../support/backends.js';
import { combinedWatermarks, continuesAfterRestore, holds, matchesBatch, matchesSimulation, propertyParameters, twoInputs, withCut, wrapEngine, type Arrival, type TwoInputCase } from './internal/join/twoInputs.js';

type V = Keyed<string, number>;
interface Out {
  readonly l: V;
  readonly r: V;
  readonly start: number;
}
interface Win {
  readonly size: number;
  readonly slide: number;
  readonly offset: number;
  /** The join's allowedLateness. */
  readonly lateness: number;
}
type Case = [Win, TwoInputCase<V, V>];

const KEYS = ['a', 'b'];
const lateness = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4 }));
const windows: fc.Arbitrary<Win> = fc.oneof(
  fc.record({ size: fc.integer({ min: 1, max: 8 }), offset: fc.integer({ min: 0, max: 3 }), lateness }).map(({ size, ...rest }) => ({ size, slide: size, ...rest })),
  fc.record({ size: fc.integer({ min: 1, max: 9 }), slide: fc.integer({ min: 1, max: 6 }), offset: fc.integer({ min: 0, max: 3 }), lateness }),
);
const side = (w: Win, lateFraction: number) =>
  fc.integer({ min: 0, max: 4 }).chain((maxDisorder) =>
    disorderedEvents(fc.nat(99), { maxDisorder, keys: KEYS, lateFraction, timeRange: { min: -10, max: 30 }, boundaries: { size: w.size, slide: w.slide, allowedLateness: w.lateness } }),
  );
const cases = (lateFraction: number): fc.Arbitrary<Case> => windows.chain((w) => twoInputs(side(w, lateFraction), side(w, lateFraction)).map((c): Case => [w, c]));

function config(w: Win, late?: { left: (e: Timestamped<V>) => void; right: (e: Timestamped<V>) => void }) {
  return {
    window: w.slide === w.size ? tumbling(w.size, w.offset) : sliding(w.size, w.slide, w.offset),
    allowedLateness: w.lateness,
    leftKey: (l: V) => l.key,
    rightKey: (r: V) => r.key,
    select: (l: V, r: V, win: JoinWindow): Out => ({ l, r, start: win.start }),
    lateLeft: late?.left,
    lateRight: late?.right,
    state: currentBackend(),
  };
}

const engine = (w: Win): TwoInputPipeline<V, V, Out> => ({ engine: (ctx) => windowJoinEngine(config(w, { left: ctx.lateLeft, right: ctx.lateRight }))() });
const operator = (w: Win): TwoInputPipeline<V, V, Out> => ({ operator: (left, right, ctx) => left.pipe(windowJoin(right, config(w, { left: ctx.lateLeft, right: ctx.lateRight }))) });

// --- the oracles ------------------------------------------------------------------------

/** The starts of the windows holding `t`, by trying every start near it. */
function windowsOf(w: Win, t: number): number[] {
  const starts: number[] = [];
  for (let k = Math.floor((t - w.size - w.offset) / w.slide) - 1; k * w.slide + w.offset <= t; k++) {
    const start = k * w.slide + w.offset;
    if (start <= t && t < start + w.size) starts.push(start);
  }
  return starts;
}

/** The batch join: every pair of a key's rows that share a window, at that window's end − 1. */
function batchJoin(w: Win, left: readonly Timestamped<V>[], right: readonly Timestamped<V>[]): Timestamped<Out>[] {
  const out: Timestamped<Out>[] = [];
  for (const l of left)
    for (const r of right) {
      if (l.value.key !== r.value.key) continue;
      for (const start of windowsOf(w, l.timestamp)) if (windowsOf(w, r.timestamp).includes(start)) out.push({ kind: 'event', value: { l: l.value, r: r.value, start }, timestamp: start + w.size - 1 });
    }
  return out;
}

/**
 * With late rows, by simulation of the watermark only: a row goes into each of its windows still
 * open (`end − 1 + allowedLateness` above the combined watermark at its arrival, fired or not);
 * one with windows, none of them open, is late. Pairs: the rows that went into the same window,
 * each pair once.
 */
function joinWithLateness(w: Win, arrivals: readonly Arrival<V, V>[]) {
  const wms = combinedWatermarks(arrivals);
  const inWindow = new Map<string, { left: V[]; right: V[] }>();
  const late = { left: [] as Timestamped<V>[], right: [] as Timestamped<V>[] };
  arrivals.forEach((a, i) => {
    if (a.element.kind !== 'event') return;
    const e = a.element;
    const all = windowsOf(w, e.timestamp);
    const open = all.filter((start) => start + w.size - 1 + w.lateness > wms[i]!);
    if (all.length > 0 && open.length === 0) return void late[a.side].push(e);
    for (const start of open) {
      const id = `${e.value.key} ${start}`;
      const rows = inWindow.get(id) ?? { left: [], right: [] };
      rows[a.side].push(e.value);
      inWindow.set(id, rows);
    }
  });
  const out: Timestamped<Out>[] = [];
  for (const [id, { left, right }] of inWindow) {
    const start = Number(id.split(' ')[1]);
    for (const l of left) for (const r of right) out.push({ kind: 'event', value: { l, r, start }, timestamp: start + w.size - 1 });
  }
  return { out, late };
}

const eventsOf = (arrivals: readonly Arrival<V, V>[], s: 'left' | 'right') => arrivals.filter((a) => a.side === s && a.element.kind === 'event').map((a) => a.element as Timestamped<V>);

// --- the properties, as functions (so that the broken engines below can be run through them) ---

const matchesBatchJoin = (pipeline: (w: Win) => TwoInputPipeline<V, V, Out>) =>
  matchesBatch(pipeline, (w, c: TwoInputCase<V, V>) => batchJoin(w, eventsOf(c.arrivals, 'left'), eventsOf(c.arrivals, 'right')));
const matchesWithLateness = (pipeline: (w: Win) => TwoInputPipeline<V, V, Out>) => matchesSimulation(pipeline, joinWithLateness);

describe.each(BACKENDS)('windowJoin on the %s', (_backend, backend) => {
  runOn(backend);

  it('equals the batch join (tumbling and sliding windows, with offsets) for every arrival order within the bounds', () => {
    fc.assert(fc.property(cases(0), matchesBatchJoin(engine)), propertyParameters());
  });

  it('as a pipe() operator too', () => {
    fc.assert(fc.property(cases(0), matchesBatchJoin(operator)), propertyParameters(50));
  });

  it('with late rows: exactly the rows too late for every window go to the late outputs; the rest join in their open windows', () => {
    fc.assert(fc.property(cases(0.25), matchesWithLateness(engine)), propertyParameters());
  });

  it('a snapshot taken anywhere and restored into a fresh engine continues exactly as the uninterrupted run', () => {
    fc.assert(fc.property(withCut(cases(0.25)), continuesAfterRestore(engine)), propertyParameters());
  });
});

// --- the properties catch broken engines ----------------------------------------------------

const real = (w: Win) => windowJoinEngine(config(w))();
const broken = (make: (w: Win) => TwoInputEngine<V, V, Out>) => (w: Win): TwoInputPipeline<V, V, Out> => ({ engine: () => make(w) });

/** The real engine with its inputs or outputs rewritten. */
const wrapped = (w: Win, change: Parameters<typeof wrapEngine<V, V, Out>>[1]) => wrapEngine(real(w), change);

describe('the windowJoin properties catch broken engines', () => {
  it('the real engine passes', () => {
    expect(holds(cases(0), matchesBatchJoin(broken(real)))).toBe(true);
  });

  it('windows that fire one tick early (at W(end − 2))', () => {
    const early = (w: Win) =>
      wrapped(w, {
        in: (inner) => ({ onWatermark1: (t) => inner.onWatermark1(t + 1), onWatermark2: (t) => inner.onWatermark2(t + 1) }),
        out: (out) => ({ ...out, watermark: (t) => out.watermark(t - 1), event: (v, t) => out.event(v, t), control: (e) => out.control(e) }),
      });
    expect(holds(cases(0), matchesBatchJoin(broken(early)))).toBe(false);
  });

  it('pairs stamped with the window end instead of end − 1', () => {
    const atEnd = (w: Win) => wrapped(w, { out: (out) => ({ event: (v, t) => out.event(v, t + 1), watermark: (t) => out.watermark(t), control: (e) => out.control(e) }) });
    expect(holds(cases(0), matchesBatchJoin(broken(atEnd)))).toBe(false);
  });

  it("one input's watermark taken for the join's (not the minimum of both)", () => {
    const leftOnly = (w: Win) =>
      wrapped(w, {
        in: (inner) => ({ onWatermark1: (t) => (inner.onWatermark1(t), inner.onWatermark2(t)), onWatermark2: () => undefined }),
      });
    expect(holds(cases(0), matchesBatchJoin(broken(leftOnly)))).toBe(false);
  });

  it('allowed lateness ignored (a fired window drops its rows, rows within the lateness are late)', () => {
    const noLateness = (w: Win) => windowJoinEngine({ ...config(w), allowedLateness: 0 })();
    const withLateRows = cases(0.25).filter(([w]) => w.lateness > 0);
    expect(holds(withLateRows, matchesWithLateness(broken(noLateness)))).toBe(false);
  });

  it("a late firing's pairs emitted twice (each pair must come once)", () => {
    const twice = (w: Win) =>
      wrapped(w, {
        out: (out) => {
          let wm = -Infinity;
          return { event: (v, t) => (out.event(v, t), t <= wm && out.event(v, t)), watermark: (t) => out.watermark((wm = t)), control: (e) => out.control(e) };
        },
      });
    expect(holds(cases(0.25).filter(([w]) => w.lateness > 0), matchesWithLateness(broken(twice)))).toBe(false);
  });

  it('sliding windows treated as tumbling windows of the slide', () => {
    const tumblingOnly = (w: Win) => windowJoinEngine({ ...config(w), window: tumbling(w.slide, w.offset) })();
    expect(holds(cases(0).filter(([w]) => w.slide !== w.size), matchesBatchJoin(broken(tumblingOnly)))).toBe(false);
  });
});
