/**
 * What the join property tests share: two disordered inputs interleaved in a random arrival
 * order, a runner that drives a two-input pipeline with them, checks every join's output must
 * pass, and a multiset comparison. Nothing here knows a join's semantics: the oracles live
 * in each join's property test, written from scratch.
 */
import * as fc from 'fast-check';
import { expect } from 'vitest';
import { type Collector, type StreamElement, type Timestamped, type TwoInputEngine } from 'tidemark';
import { DEFAULT_NUM_RUNS, DEFAULT_SEED, TwoInputHarness, boundedWatermarks, type DisorderedEvents, type TwoInputPipeline } from 'tidemark/testing';

/** One element arriving on one input. */
export type Arrival<L, R> = { readonly side: 'left'; readonly element: StreamElement<L> } | { readonly side: 'right'; readonly element: StreamElement<R> };

/** Two inputs (each within its own disorder bound, except its `late` events) and the order their elements arrive in. */
export interface TwoInputCase<L, R> {
  readonly left: DisorderedEvents<L>;
  readonly right: DisorderedEvents<R>;
  /** Both inputs' elements (each with `boundedOutOfOrderness(maxDisorder)` watermarks), interleaved, each input's in its own order. */
  readonly arrivals: readonly Arrival<L, R>[];
}

/**
 * Two inputs and a random interleaving of them. Each input's watermarks are what
 * `withEventTime({ watermark: boundedOutOfOrderness(maxDisorder) })` would emit.
 */
export function twoInputs<L, R>(left: fc.Arbitrary<DisorderedEvents<L>>, right: fc.Arbitrary<DisorderedEvents<R>>): fc.Arbitrary<TwoInputCase<L, R>> {
  return fc.tuple(left, right, fc.array(fc.boolean(), { maxLength: 120 })).map(([l, r, picks]) => {
    const ls = boundedWatermarks(l.events, l.maxDisorder);
    const rs = boundedWatermarks(r.events, r.maxDisorder);
    const arrivals: Arrival<L, R>[] = [];
    let i = 0;
    let j = 0;
    for (const leftFirst of picks) {
      if (leftFirst && i < ls.length) arrivals.push({ side: 'left', element: ls[i++]! });
      else if (!leftFirst && j < rs.length) arrivals.push({ side: 'right', element: rs[j++]! });
    }
    while (i < ls.length) arrivals.push({ side: 'left', element: ls[i++]! });
    while (j < rs.length) arrivals.push({ side: 'right', element: rs[j++]! });
    const c: TwoInputCase<L, R> = { left: l, right: r, arrivals };
    Object.defineProperty(c, fc.toStringMethod, { value: () => describeCase(c), enumerable: false });
    return c;
  });
}

/** `L:{"k":"a","id":1}@3 R:W2 …`: the arrival order, compactly (late events marked). */
export function describeCase<L, R>(c: TwoInputCase<L, R>): string {
  const late = { left: new Set(c.left.late.map((i) => c.left.events[i])), right: new Set(c.right.late.map((i) => c.right.events[i])) };
  return (
    `left maxDisorder ${c.left.maxDisorder}, right maxDisorder ${c.right.maxDisorder}: ` +
    c.arrivals
      .map(({ side, element: e }) => {
        const s = side === 'left' ? 'L' : 'R';
        if (e.kind !== 'event') return `${s}:${e.kind === 'watermark' ? `W${e.timestamp}` : e.kind}`;
        const text = `${s}:${JSON.stringify(e.value)}@${e.timestamp}`;
        return (late[side] as Set<unknown>).has(e) ? `late(${text})` : text;
      })
      .join(' ')
  );
}

/** The case without the inputs' late events (the rest stay within each input's bound). */
export function onTimeOnly<L, R>(c: TwoInputCase<L, R>): TwoInputCase<L, R> {
  const late = new Set<unknown>([...c.left.late.map((i) => c.left.events[i]), ...c.right.late.map((i) => c.right.events[i])]);
  const arrivals = c.arrivals.filter((a) => !late.has(a.element));
  const strip = <T>(d: DisorderedEvents<T>): DisorderedEvents<T> => ({ events: d.events.filter((e) => !late.has(e)), late: [], maxDisorder: d.maxDisorder });
  const result: TwoInputCase<L, R> = { left: strip(c.left), right: strip(c.right), arrivals };
  Object.defineProperty(result, fc.toStringMethod, { value: () => describeCase(result), enumerable: false });
  return result;
}

/** What a run of a two-input pipeline produced. */
export interface TwoInputRun<L, R, O> {
  readonly output: StreamElement<O>[];
  readonly events: Timestamped<O>[];
  readonly lateLeft: Timestamped<L>[];
  readonly lateRight: Timestamped<R>[];
}

/** Pushes the arrivals into a fresh harness of `pipeline`, then completes left and right; asserts that the output completed. */
export function runTwoInput<L, R, O>(pipeline: TwoInputPipeline<L, R, O>, arrivals: readonly Arrival<L, R>[]): TwoInputRun<L, R, O> {
  const h = new TwoInputHarness<L, R, O>(pipeline);
  pushArrivals(h, arrivals);
  h.left.complete();
  h.right.complete();
  if (h.failed) throw h.failure;
  if (!h.completed) throw new Error('the output did not complete after both inputs did');
  return { output: [...h.output], events: h.events(), lateLeft: [...h.lateLeft], lateRight: [...h.lateRight] };
}

/**
 * What every join's output must satisfy on inputs without late events: watermarks that never
 * go back and end at `+Infinity`, and no event at or behind a watermark emitted before it (a join
 * emits what a watermark completes before forwarding it).
 */
export function checkProgress<O>(output: readonly StreamElement<O>[]): void {
  let wm = -Infinity;
  for (const e of output) {
    if (e.kind === 'watermark') {
      if (e.timestamp < wm) throw new Error(`the output watermark went back from ${wm} to ${e.timestamp}`);
      wm = e.timestamp;
    } else if (e.kind === 'event' && !(e.timestamp > wm)) {
      throw new Error(`the output event ${JSON.stringify(e.value)}@${e.timestamp} came after W${wm}: it is late downstream`);
    }
  }
  if (wm !== Infinity) throw new Error(`the output ended at W${wm}, not at W+Infinity`);
}

/** A canonical text of a value, `undefined` included (JSON would drop it). */
export function canon(x: unknown): string {
  return JSON.stringify(x, (_, v: unknown) => (v === undefined ? '(undefined)' : v));
}

/** Asserts that two lists are equal as multisets. */
export function expectSameMultiset(got: readonly unknown[], expected: readonly unknown[]): void {
  expect(got.map(canon).sort()).toEqual(expected.map(canon).sort());
}

/** fast-check's parameters for the join properties: the shared seed (`TIDEMARK_SEED` overrides it) and number of runs. */
export function propertyParameters(numRuns = DEFAULT_NUM_RUNS): fc.Parameters<unknown> {
  const env = process.env.TIDEMARK_SEED;
  return { seed: env === undefined || env === '' ? DEFAULT_SEED : Number(env), numRuns };
}

/** Whether a property holds (for the tests that show a property catches a broken engine). */
export function holds<T>(arbitrary: fc.Arbitrary<T>, check: (value: T) => void, numRuns = DEFAULT_NUM_RUNS): boolean {
  return !fc.check(fc.property(arbitrary, check), { ...propertyParameters(numRuns), endOnFailure: true }).failed;
}

/**
 * The watermark a join sees at each arrival, as `mergeEventTime` would combine them (the minimum
 * of the inputs' last watermarks; no idleness in these tests): `wm[i]` is the one in force when
 * `arrivals[i]` arrives.
 */
export function combinedWatermarks<L, R>(arrivals: readonly Arrival<L, R>[]): number[] {
  let left = -Infinity;
  let right = -Infinity;
  let combined = -Infinity;
  return arrivals.map((a) => {
    const before = combined;
    if (a.element.kind === 'watermark') {
      if (a.side === 'left') left = Math.max(left, a.element.timestamp);
      else right = Math.max(right, a.element.timestamp);
      combined = Math.max(combined, Math.min(left, right));
    }
    return before;
  });
}

/** Each input's own watermark at each arrival (before it): `[left, right]`. */
export function inputWatermarks<L, R>(arrivals: readonly Arrival<L, R>[]): [number, number][] {
  let left = -Infinity;
  let right = -Infinity;
  return arrivals.map((a) => {
    const before: [number, number] = [left, right];
    if (a.element.kind === 'watermark') {
      if (a.side === 'left') left = Math.max(left, a.element.timestamp);
      else right = Math.max(right, a.element.timestamp);
    }
    return before;
  });
}

/** Pushes arrivals into a harness, each on its input. */
export function pushArrivals<L, R, O>(h: TwoInputHarness<L, R, O>, arrivals: readonly Arrival<L, R>[]): void {
  for (const a of arrivals) {
    if (a.side === 'left') h.left.push(a.element);
    else h.right.push(a.element);
  }
}

/** A join property over `[parameters, case]`: the run's events equal `oracle`'s as multisets, progress is sane, nothing is late. */
export function matchesBatch<P, L, R, O>(pipeline: (p: P) => TwoInputPipeline<L, R, O>, oracle: (p: P, c: TwoInputCase<L, R>) => Timestamped<O>[]) {
  return ([p, c]: readonly [P, TwoInputCase<L, R>]): void => {
    const run = runTwoInput(pipeline(p), c.arrivals);
    checkProgress(run.output);
    expectSameMultiset(run.events, oracle(p, c));
    expect(run.lateLeft.length + run.lateRight.length).toBe(0);
  };
}

/** A join property over `[parameters, case]` with late rows: the events and both late outputs equal a simulation's. */
export function matchesSimulation<P, L, R, O>(
  pipeline: (p: P) => TwoInputPipeline<L, R, O>,
  simulate: (p: P, arrivals: readonly Arrival<L, R>[]) => { out: Timestamped<O>[]; late: { left: Timestamped<L>[]; right: Timestamped<R>[] } },
) {
  return ([p, c]: readonly [P, TwoInputCase<L, R>]): void => {
    const run = runTwoInput(pipeline(p), c.arrivals);
    const expected = simulate(p, c.arrivals);
    expectSameMultiset(run.events, expected.out);
    expect(run.lateLeft).toEqual(expected.late.left);
    expect(run.lateRight).toEqual(expected.late.right);
  };
}

/** `[parameters, case, k]`: a cut point `k` in `0..arrivals.length` for the snapshot property. */
export function withCut<P, L, R>(cases: fc.Arbitrary<readonly [P, TwoInputCase<L, R>]>): fc.Arbitrary<readonly [P, TwoInputCase<L, R>, number]> {
  return fc.tuple(cases, fc.nat()).map(([[p, c], k]) => [p, c, k % (c.arrivals.length + 1)] as const);
}

/**
 * The snapshot property: a snapshot taken after the first `k` arrivals and restored into a fresh
 * engine continues exactly as the uninterrupted run (output and both late outputs).
 */
export function continuesAfterRestore<P, L, R, O>(pipeline: (p: P) => TwoInputPipeline<L, R, O>) {
  return ([p, c, k]: readonly [P, TwoInputCase<L, R>, number]): void => {
    const whole = runTwoInput(pipeline(p), c.arrivals);
    const first = new TwoInputHarness<L, R, O>(pipeline(p));
    pushArrivals(first, c.arrivals.slice(0, k));
    const second = new TwoInputHarness<L, R, O>(pipeline(p), { snapshot: first.snapshot() });
    pushArrivals(second, c.arrivals.slice(k));
    second.left.complete();
    second.right.complete();
    expect([...first.output, ...second.output]).toEqual(whole.output);
    expect([...first.lateLeft, ...second.lateLeft]).toEqual(whole.lateLeft);
    expect([...first.lateRight, ...second.lateRight]).toEqual(whole.lateRight);
  };
}

/** A real engine with some of its inputs (`in`) or its output (`out`) rewritten: the broken engines the properties must catch. */
export function wrapEngine<L, R, O>(
  inner: TwoInputEngine<L, R, O>,
  change: { in?: (inner: TwoInputEngine<L, R, O>) => Partial<TwoInputEngine<L, R, O>>; out?: (out: Collector<O>) => Collector<O> },
): TwoInputEngine<L, R, O> {
  return {
    name: inner.name,
    open: (out, time) => inner.open(change.out === undefined ? out : change.out(out), time),
    onEvent1: (v, t, e) => inner.onEvent1(v, t, e),
    onEvent2: (v, t, e) => inner.onEvent2(v, t, e),
    onWatermark1: (t) => inner.onWatermark1(t),
    onWatermark2: (t) => inner.onWatermark2(t),
    ...change.in?.(inner),
  };
}
