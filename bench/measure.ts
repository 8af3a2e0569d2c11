import { isDeepStrictEqual } from 'node:util';
import { Observable } from 'rxjs';
import type { QueryOptions, Reference, StreamQuery } from './query.js';

/**
 * The measuring harness: runs a query's tidemark pipeline and its two references (the best
 * loop and the straightforward one) over the same pre-generated events, in rotating order,
 * after a warm-up, and reports the median CPU time (`process.cpuUsage()`, user + system, so
 * GC threads count) and the peak heap. Before each timed sample the heap is collected and
 * left to settle (see `settleHeap`), and the side re-warmed (see `REWARM`).
 */

/** The heap is sampled once every this many input events (all sides alike). */
const SAMPLE_MASK = 0xffff;

type GlobalWithGc = typeof globalThis & { gc?: () => void };

/** A full GC when the process runs with `--expose-gc` (the bench workers do). */
export function collectGarbage(): void {
  const gc = (globalThis as GlobalWithGc).gc;
  if (gc !== undefined) {
    gc();
    gc();
  }
}

export function gcAvailable(): boolean {
  return typeof (globalThis as GlobalWithGc).gc === 'function';
}

/**
 * Waits after a full GC for V8's concurrent sweeper to finish, so that the cost of the GC
 * (and the sweeping of the big pre-generated input) is not charged to the next timed run.
 */
export async function settleHeap(ms = SETTLE_MS): Promise<void> {
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, ms));
}

const SETTLE_MS = 250;

/** Tracks the peak of `process.memoryUsage().heapUsed` above a baseline taken at `start()`. */
export class HeapSampler {
  baseline = 0;
  peak = 0;

  start(): void {
    this.baseline = this.peak = process.memoryUsage().heapUsed;
  }

  sample(): void {
    const used = process.memoryUsage().heapUsed;
    if (used > this.peak) this.peak = used;
  }

  /** Peak heap above the baseline (which holds the pre-generated input). */
  get growth(): number {
    return Math.max(0, this.peak - this.baseline);
  }
}

/** A synchronous source over a pre-generated array (like `from(array)`), sampling the heap. */
export function arraySource<E>(events: readonly E[], sampler: HeapSampler): Observable<E> {
  return new Observable<E>((subscriber) => {
    for (let i = 0; i < events.length; i++) {
      if (subscriber.closed) return;
      subscriber.next(events[i]!);
      if ((i & SAMPLE_MASK) === 0) sampler.sample();
    }
    subscriber.complete();
  });
}

/** Where outputs go during a timed run: folded into a digest, or all kept. */
export interface Sink<O> {
  readonly push: (output: O) => void;
  readonly count: () => number;
  readonly digest: () => number;
  readonly items: O[];
}

export function makeSink<O>(query: StreamQuery<unknown, O>): Sink<O> {
  let n = 0;
  let sum = 0;
  const items: O[] = [];
  if (query.sink === 'digest') {
    const digest = query.digest;
    if (digest === undefined) throw new Error(`${query.name}: a digest sink needs digest()`);
    // The last output is kept, so that every output really exists: were only its digest used,
    // V8 could inline a hand-written loop down to the digest and never allocate the output
    // (escape analysis) — which it did in some runs and not in others (q1's loops read 46 M or
    // 83 M events/CPU-s), while tidemark's outputs always cross a subscriber and exist.
    let last: O | undefined;
    return {
      push: (o) => {
        n++;
        sum += digest(o);
        last = o;
      },
      count: () => n,
      digest: () => sum,
      items,
    };
  }
  return { push: (o) => void items.push(o), count: () => items.length, digest: () => 0, items };
}

export interface RunResult {
  readonly cpuSeconds: number;
  readonly wallSeconds: number;
  readonly heapGrowth: number;
}

/** What a benchmark run measures: the library, or one of the two hand-written references. */
export type Side = 'tidemark' | 'best' | 'straightforward';
export const SIDES: readonly Side[] = ['tidemark', 'best', 'straightforward'];

/** Runs the tidemark pipeline once over `events`. */
export function runTidemark<E, O>(query: StreamQuery<E, O>, events: readonly E[], options: QueryOptions, sink: Sink<O>): RunResult {
  const sampler = new HeapSampler();
  const output = query.tidemark(arraySource(events, sampler), options);
  let failure: unknown = undefined;
  sampler.start();
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  output.subscribe({ next: sink.push, error: (err: unknown) => void (failure = err) });
  const wall = performance.now() - wall0;
  const cpu = process.cpuUsage(cpu0);
  sampler.sample();
  if (failure !== undefined) throw failure;
  return { cpuSeconds: (cpu.user + cpu.system) / 1e6, wallSeconds: wall / 1000, heapGrowth: sampler.growth };
}

/** Runs a hand-written reference once over `events`. */
export function runReference<E, O>(reference: Reference<E>, events: readonly E[]): RunResult {
  const sampler = new HeapSampler();
  sampler.start();
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (let i = 0; i < events.length; i++) {
    reference.push(events[i]!);
    if ((i & SAMPLE_MASK) === 0) sampler.sample();
  }
  reference.end();
  const wall = performance.now() - wall0;
  const cpu = process.cpuUsage(cpu0);
  sampler.sample();
  return { cpuSeconds: (cpu.user + cpu.system) / 1e6, wallSeconds: wall / 1000, heapGrowth: sampler.growth };
}

/** Runs one side once over `events`, its outputs into `sink`. */
export function runSide<E, O>(side: Side, query: StreamQuery<E, O>, events: readonly E[], options: QueryOptions, sink: Sink<O>): RunResult {
  if (side === 'tidemark') return runTidemark(query, events, options, sink);
  const reference = side === 'best' ? query.best(options, sink.push) : query.straightforward(options, sink.push);
  return runReference(reference, events);
}

/** Throws unless both sinks hold the same outputs. */
export function verifySame<O>(query: StreamQuery<unknown, O>, tidemark: Sink<O>, reference: Sink<O>, what = 'reference'): void {
  const differ = `${query.name}: tidemark and ${what} outputs differ`;
  if (tidemark.count() !== reference.count()) throw new Error(`${differ}: ${tidemark.count()} vs ${reference.count()} outputs`);
  if (query.sink === 'digest') {
    if (tidemark.digest() !== reference.digest()) throw new Error(`${differ}: digest ${tidemark.digest()} vs ${reference.digest()}`);
    return;
  }
  const a = query.canonical(tidemark.items);
  const b = query.canonical(reference.items);
  for (let i = 0; i < a.length; i++) {
    if (!isDeepStrictEqual(a[i], b[i])) throw new Error(`${differ} at ${i}: ${JSON.stringify(a[i])} vs ${JSON.stringify(b[i])}`);
  }
}

export interface MeasureOptions {
  /** Measured samples of each side (rotating which side goes first). */
  readonly runs: number;
  /** Untimed warm-up runs of each side, over the first `warmupEvents` events. */
  readonly warmupRuns: number;
  readonly warmupEvents: number;
  /**
   * A sample repeats the run (a fresh pipeline or reference each time) until it has taken
   * about this much CPU time, so that fast queries are not timed over a few milliseconds.
   */
  readonly minSampleSeconds: number;
  /** Pause after the GC before each sample, ms. @defaultValue 250 */
  readonly settleMs?: number;
  /** Untimed runs of a side after the GC before each of its samples (see REWARM). @defaultValue REWARM.runs */
  readonly rewarmRuns?: number;
  /** Events of each re-warm run. @defaultValue REWARM.events */
  readonly rewarmEvents?: number;
  /** Which side goes first in the first round (the order rotates from there): one process of several starts where the last left off. @defaultValue 0 */
  readonly rotation?: number;
}

/**
 * The re-warm before each sample. The forced GC of `settleHeap` frees the previous runs'
 * pipelines, and V8 then drops optimized code that embedded them ("weak objects" and
 * "code dependencies" deopts): the first timed run after a GC ran partly unoptimized. A
 * long-running pipeline never pays this, so each side is re-warmed, untimed, on a prefix:
 * one run of 100,000 events left tidemark's first timed pass deoptimized (+21–44 ms per
 * sample against +5–11 ms for a reference), which under-read fast queries; see
 * docs/performance.md for how these values were chosen.
 */
export const REWARM = { runs: 3, events: 200_000 };

/** One side's measurement. */
export interface SideResult {
  readonly eventsPerSec: number;
  /** CPU seconds per run, one per sample. */
  readonly cpuSeconds: number[];
  /** Runs per sample. */
  readonly passes: number;
  /** Peak heap growth above the settled baseline (the input excluded). */
  readonly peakHeapBytes: number;
}

/** A ratio (of medians) and the spread of the per-round ratios. */
export interface Ratio {
  readonly value: number;
  /** Smallest and largest ratio of one round of samples. */
  readonly range: readonly [number, number];
}

export interface MeasureResult {
  readonly events: number;
  readonly outputs: number;
  readonly sides: Readonly<Record<Side, SideResult>>;
  /** tidemark / best: the target ratio. */
  readonly ratio: Ratio;
  /** tidemark / straightforward. */
  readonly ratioStraightforward: Ratio;
  /** best / straightforward: how much faster the best loop is. */
  readonly bestSpeedup: Ratio;
  /** The settled heap before the runs: mostly the pre-generated input. */
  readonly inputHeapBytes: number;
}

/** One timed sample: `passes` runs of one side after the heap settled; CPU seconds per run. */
async function sample<E, O>(
  side: Side,
  query: StreamQuery<E, O>,
  events: readonly E[],
  options: QueryOptions,
  passes: number,
  m: MeasureOptions,
): Promise<{ cpuSeconds: number; heapGrowth: number; sink: Sink<O> }> {
  await settleHeap(m.settleMs);
  const rewarm = events.slice(0, Math.min(events.length, m.rewarmEvents ?? REWARM.events));
  for (let i = 0; i < (m.rewarmRuns ?? REWARM.runs); i++) runSide(side, query, rewarm, options, makeSink(query));
  let cpu = 0;
  let heapGrowth = 0;
  let sink = makeSink(query);
  for (let i = 0; i < passes; i++) {
    sink = makeSink(query);
    const r = runSide(side, query, events, options, sink);
    cpu += r.cpuSeconds;
    heapGrowth = Math.max(heapGrowth, r.heapGrowth);
  }
  return { cpuSeconds: cpu / passes, heapGrowth, sink };
}

/** The sides' measurements; `cpu` holds each side's CPU seconds per round. */
export interface SidesResult {
  readonly events: number;
  readonly outputs: number;
  readonly sides: Partial<Record<Side, SideResult>>;
  readonly inputHeapBytes: number;
}

/** x ÷ y in events per second (a ratio of medians), with the range of the per-round ratios. */
export function ratioOf(x: SideResult, y: SideResult): Ratio {
  // x / y in events per second = y / x in CPU seconds, round by round.
  const perRound = x.cpuSeconds.map((c, i) => y.cpuSeconds[i]! / c);
  return { value: x.eventsPerSec / y.eventsPerSec, range: [Math.min(...perRound), Math.max(...perRound)] };
}

/**
 * Measures some sides of a query: warm-up (verifying that each reference's outputs equal
 * tidemark's); calibration of the runs per sample; then `runs` rounds of one sample per
 * side, the order rotating from round to round. Verifies again the outputs of the first round.
 */
export async function measureSides<E, O>(query: StreamQuery<E, O>, events: readonly E[], options: QueryOptions, m: MeasureOptions, sides: readonly Side[]): Promise<SidesResult> {
  if (sides[0] !== 'tidemark') throw new Error('measureSides: tidemark comes first (the others are checked against it)');
  const check = (sinks: Partial<Record<Side, Sink<O>>>): void => {
    for (const side of sides.slice(1)) verifySame(query, sinks.tidemark!, sinks[side]!, `${side} reference`);
  };
  const warm = events.slice(0, Math.min(events.length, m.warmupEvents));
  for (let i = 0; i < m.warmupRuns; i++) {
    const sinks: Partial<Record<Side, Sink<O>>> = {};
    for (const side of sides) runSide(side, query, warm, options, (sinks[side] = makeSink(query)));
    if (i === 0) check(sinks);
  }
  // Calibration: the faster of two runs of each side over all events.
  const passes: Partial<Record<Side, number>> = {};
  for (const side of sides) {
    const a = await sample(side, query, events, options, 1, m);
    const b = await sample(side, query, events, options, 1, m);
    const cpuSeconds = Math.min(a.cpuSeconds, b.cpuSeconds);
    passes[side] = Math.max(1, Math.min(20, Math.ceil(m.minSampleSeconds / Math.max(cpuSeconds, 1e-3))));
  }
  await settleHeap(m.settleMs);
  const inputHeapBytes = process.memoryUsage().heapUsed;
  const cpu: Partial<Record<Side, number[]>> = {};
  const heap: Partial<Record<Side, number>> = {};
  for (const side of sides) {
    cpu[side] = [];
    heap[side] = 0;
  }
  let outputs = 0;
  for (let round = 0; round < m.runs; round++) {
    const order = sides.map((_, i) => sides[(i + round + (m.rotation ?? 0)) % sides.length]!);
    const sinks: Partial<Record<Side, Sink<O>>> = {};
    for (const side of order) {
      const s = await sample(side, query, events, options, passes[side]!, m);
      cpu[side]!.push(s.cpuSeconds);
      heap[side] = Math.max(heap[side]!, s.heapGrowth);
      sinks[side] = s.sink;
    }
    if (round === 0) {
      check(sinks);
      outputs = sinks.tidemark!.count();
    }
  }
  const results: Partial<Record<Side, SideResult>> = {};
  for (const side of sides) {
    results[side] = { eventsPerSec: events.length / median(cpu[side]!), cpuSeconds: cpu[side]!, passes: passes[side]!, peakHeapBytes: heap[side]! };
  }
  return { events: events.length, outputs, sides: results, inputHeapBytes };
}

/** Measures a query's three sides: tidemark, the best loop, the straightforward loop. */
export async function measureQuery<E, O>(query: StreamQuery<E, O>, events: readonly E[], options: QueryOptions, m: MeasureOptions): Promise<MeasureResult> {
  const r = await measureSides(query, events, options, m, SIDES);
  const sides = r.sides as Record<Side, SideResult>;
  return {
    events: r.events,
    outputs: r.outputs,
    sides,
    ratio: ratioOf(sides.tidemark, sides.best),
    ratioStraightforward: ratioOf(sides.tidemark, sides.straightforward),
    bestSpeedup: ratioOf(sides.best, sides.straightforward),
    inputHeapBytes: r.inputHeapBytes,
  };
}

/**
 * Several processes' measurements of one query as one: every sample of every process, each
 * side's rate the median over all of them, the ratios of those medians with the range of the
 * per-round ratios. A loop runs at one of two speeds per process, which no warm-up chooses (see
 * docs/performance.md, "One process, two speeds"): over several processes the median is the
 * speed most processes get, where one process gives whichever it drew.
 */
export function combineMeasures(results: readonly MeasureResult[]): MeasureResult {
  const first = results[0]!;
  if (results.length === 1) return first;
  const sides = {} as Record<Side, SideResult>;
  for (const side of SIDES) {
    const cpuSeconds = results.flatMap((r) => r.sides[side].cpuSeconds);
    sides[side] = {
      eventsPerSec: first.events / median(cpuSeconds),
      cpuSeconds,
      passes: Math.max(...results.map((r) => r.sides[side].passes)),
      peakHeapBytes: Math.max(...results.map((r) => r.sides[side].peakHeapBytes)),
    };
  }
  return {
    events: first.events,
    outputs: first.outputs,
    sides,
    ratio: ratioOf(sides.tidemark, sides.best),
    ratioStraightforward: ratioOf(sides.tidemark, sides.straightforward),
    bestSpeedup: ratioOf(sides.best, sides.straightforward),
    inputHeapBytes: Math.max(...results.map((r) => r.inputHeapBytes)),
  };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
