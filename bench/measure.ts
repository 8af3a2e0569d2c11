import { isDeepStrictEqual } from 'node:util';
import { Observable } from 'rxjs';
import type { QueryOptions, StreamQuery } from './query.js';

/**
 * The measuring harness: runs a query's tidemark pipeline and its reference over the same
 * pre-generated events, alternating, after a warm-up, and reports the median CPU time
 * (`process.cpuUsage()`, user + system, so GC threads count) and the peak heap. Before
 * each timed sample the heap is collected and left to settle (see `settleHeap`).
 */

/** The heap is sampled once every this many input events (both sides alike). */
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
    return {
      push: (o) => {
        n++;
        sum += digest(o);
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

/** Runs the hand-written reference once over `events`. */
export function runReference<E, O>(query: StreamQuery<E, O>, events: readonly E[], options: QueryOptions, sink: Sink<O>): RunResult {
  const sampler = new HeapSampler();
  const reference = query.reference(options, sink.push);
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

/** Throws unless both sinks hold the same outputs. */
export function verifySame<O>(query: StreamQuery<unknown, O>, tidemark: Sink<O>, reference: Sink<O>): void {
  const what = `${query.name}: tidemark and reference outputs differ`;
  if (tidemark.count() !== reference.count()) throw new Error(`${what}: ${tidemark.count()} vs ${reference.count()} outputs`);
  if (query.sink === 'digest') {
    if (tidemark.digest() !== reference.digest()) throw new Error(`${what}: digest ${tidemark.digest()} vs ${reference.digest()}`);
    return;
  }
  const a = query.canonical(tidemark.items);
  const b = query.canonical(reference.items);
  for (let i = 0; i < a.length; i++) {
    if (!isDeepStrictEqual(a[i], b[i])) throw new Error(`${what} at ${i}: ${JSON.stringify(a[i])} vs ${JSON.stringify(b[i])}`);
  }
}

export interface PairOptions {
  /** Measured samples of each side (alternating which side goes first). */
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
}

export interface PairResult {
  readonly events: number;
  readonly outputs: number;
  readonly tidemarkEventsPerSec: number;
  readonly referenceEventsPerSec: number;
  readonly ratio: number;
  /** The smallest and largest ratio of one pair of samples: the spread of `ratio`. */
  readonly ratioRange: readonly [number, number];
  /** Peak heap growth of the tidemark runs above the settled baseline (the input excluded). */
  readonly peakHeapBytes: number;
  readonly referencePeakHeapBytes: number;
  /** The settled heap before the runs: mostly the pre-generated input. */
  readonly inputHeapBytes: number;
  /** Runs per sample (tidemark, reference). */
  readonly passes: readonly [number, number];
  /** CPU seconds per run, one per sample. */
  readonly tidemarkCpuSeconds: number[];
  readonly referenceCpuSeconds: number[];
}

type Side = 'tidemark' | 'reference';

/** Events of the untimed re-warm run before each sample. */
const REWARM_EVENTS = 100_000;

/** One timed sample: `passes` runs of one side after the heap settled; CPU seconds per run. */
async function sample<E, O>(
  side: Side,
  query: StreamQuery<E, O>,
  events: readonly E[],
  options: QueryOptions,
  passes: number,
  settleMs: number | undefined,
): Promise<{ cpuSeconds: number; heapGrowth: number; sink: Sink<O> }> {
  await settleHeap(settleMs);
  const run = side === 'tidemark' ? runTidemark : runReference;
  // The forced GC of settleHeap frees the previous runs' pipelines, and V8 then drops the
  // optimized code that embedded them ("weak objects" deopts). A long-running pipeline never
  // pays that, so re-warm this side, untimed, on a prefix before the timed runs.
  run(query, events.slice(0, Math.min(events.length, REWARM_EVENTS)), options, makeSink(query));
  let cpu = 0;
  let heapGrowth = 0;
  let sink = makeSink(query);
  for (let i = 0; i < passes; i++) {
    sink = makeSink(query);
    const r = run(query, events, options, sink);
    cpu += r.cpuSeconds;
    heapGrowth = Math.max(heapGrowth, r.heapGrowth);
  }
  return { cpuSeconds: cpu / passes, heapGrowth, sink };
}

/**
 * Measures a query: warm-up; calibration of the runs per sample; then `runs` pairs of
 * samples, alternating the order within each pair. Verifies, outside the timing, that the
 * warm-up and the first measured pair produced the same outputs on both sides.
 */
export async function measurePair<E, O>(query: StreamQuery<E, O>, events: readonly E[], options: QueryOptions, pair: PairOptions): Promise<PairResult> {
  const warm = events.slice(0, Math.min(events.length, pair.warmupEvents));
  for (let i = 0; i < pair.warmupRuns; i++) {
    const t = makeSink(query);
    const r = makeSink(query);
    runTidemark(query, warm, options, t);
    runReference(query, warm, options, r);
    if (i === 0) verifySame(query, t, r);
  }
  // Calibration: the faster of two runs of each side over all events.
  const passesFor = async (side: Side): Promise<number> => {
    const a = await sample(side, query, events, options, 1, pair.settleMs);
    const b = await sample(side, query, events, options, 1, pair.settleMs);
    const cpuSeconds = Math.min(a.cpuSeconds, b.cpuSeconds);
    return Math.max(1, Math.min(20, Math.ceil(pair.minSampleSeconds / Math.max(cpuSeconds, 1e-3))));
  };
  const passes: [number, number] = [await passesFor('tidemark'), await passesFor('reference')];
  await settleHeap(pair.settleMs);
  const inputHeapBytes = process.memoryUsage().heapUsed;
  const tidemark: { cpuSeconds: number; heapGrowth: number }[] = [];
  const reference: { cpuSeconds: number; heapGrowth: number }[] = [];
  let outputs = 0;
  for (let i = 0; i < pair.runs; i++) {
    let t: Awaited<ReturnType<typeof sample<E, O>>>;
    let r: Awaited<ReturnType<typeof sample<E, O>>>;
    if (i % 2 === 0) {
      t = await sample('tidemark', query, events, options, passes[0], pair.settleMs);
      r = await sample('reference', query, events, options, passes[1], pair.settleMs);
    } else {
      r = await sample('reference', query, events, options, passes[1], pair.settleMs);
      t = await sample('tidemark', query, events, options, passes[0], pair.settleMs);
    }
    tidemark.push(t);
    reference.push(r);
    if (i === 0) {
      verifySame(query, t.sink, r.sink);
      outputs = t.sink.count();
    }
  }
  const tCpu = tidemark.map((x) => x.cpuSeconds);
  const rCpu = reference.map((x) => x.cpuSeconds);
  const pairRatios = tCpu.map((t, i) => rCpu[i]! / t);
  const tidemarkEventsPerSec = events.length / median(tCpu);
  const referenceEventsPerSec = events.length / median(rCpu);
  return {
    events: events.length,
    outputs,
    tidemarkEventsPerSec,
    referenceEventsPerSec,
    ratio: tidemarkEventsPerSec / referenceEventsPerSec,
    ratioRange: [Math.min(...pairRatios), Math.max(...pairRatios)],
    peakHeapBytes: Math.max(...tidemark.map((x) => x.heapGrowth)),
    referencePeakHeapBytes: Math.max(...reference.map((x) => x.heapGrowth)),
    inputHeapBytes,
    passes,
    tidemarkCpuSeconds: tCpu,
    referenceCpuSeconds: rCpu,
  };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
