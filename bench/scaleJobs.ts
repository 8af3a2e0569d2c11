import { Observable } from 'rxjs';
import { boundedOutOfOrderness, count, session, sliding, tumbling, values, windowAggregate, withEventTime, type WindowAssigner, type WindowResult } from 'tidemark';
import { SessionCounts } from './best/sessionCounts.js';
import { SlidingCounts } from './best/slidingCounts.js';
import { TumblingCounts } from './best/tumblingCounts.js';
import { collectGarbage, measureSides, ratioOf, type MeasureOptions } from './measure.js';
import { byWindow, type Reference, type StreamQuery } from './query.js';

/**
 * The scale measurements (bench/scale.ts runs one configuration per worker): throughput
 * (events per CPU-second, tidemark against the best loop, over a pre-generated array) and
 * retained heap (after a full GC, with the state at its size: tidemark's pipeline and the
 * best loop over events generated as they are pulled), as one dimension grows:
 *
 * - `keys`: tumbling 60 s count per key, 1e2 … 1e6 keys; a window holds max(60,000, 2 × keys)
 *   events, so that with many keys each key is counted about twice per window; heap per key
 *   with every key in one open window;
 * - `sliding`: count per key of 100 keys in sliding windows of size/slide = 2 … 100
 *   (slide 1 s, 10,000 events per second); heap per (key, window) at steady state;
 * - `sessions`: count per key in sessions (1 s between a key's events, gap 2 s), 1e3 … 5e5
 *   live sessions, keys replaced every 5 s (so sessions close all the time); heap per live session.
 *
 * All with `boundedOutOfOrderness(1000)` and in-order events (the disorder is the main
 * bench's subject; here it is the state's size).
 */

export type ScaleDimension = 'keys' | 'sliding' | 'sessions';

export interface ScaleJob {
  readonly kind: 'scale';
  readonly dimension: ScaleDimension;
  readonly value: number;
  readonly measure: MeasureOptions;
  /** Overrides the workload's number of events (for tests). */
  readonly events?: number;
}

export interface ScaleResult {
  readonly dimension: ScaleDimension;
  readonly value: number;
  readonly events: number;
  readonly outputs: number;
  readonly tidemarkEventsPerSec: number;
  readonly bestEventsPerSec: number;
  readonly ratio: { readonly value: number; readonly range: readonly [number, number] };
  /** Retained heap after a full GC with the state at its size (baseline subtracted), bytes. */
  readonly tidemarkHeapBytes: number;
  readonly bestHeapBytes: number;
  /** What the heap is divided by: keys, (key, window) pairs, or live sessions. */
  readonly units: number;
  readonly unit: 'key' | '(key, window)' | 'live session';
}

interface ScaleEvent {
  readonly key: string | number;
  readonly at: number;
}

/** Event time 0 of the workloads: a multiple of every window size and slide. */
const BASE = 1_700_000_040_000;
const BOUND = 1_000;

interface Workload {
  readonly window: WindowAssigner;
  readonly events: number;
  /** Event `i` (a pure function of i). */
  readonly at: (i: number) => ScaleEvent;
  /** The events after which the state is at its size (for the heap). */
  readonly stateAfter: number;
  readonly unit: ScaleResult['unit'];
  /** How many units the state holds after `stateAfter` events (given the best loop that ran them). */
  readonly units: (loop: BestLoop) => number;
  readonly best: (emit: (r: WindowResult<string | number, number>) => void) => BestLoop;
}

interface BestLoop {
  add(key: string | number, t: number): void;
  advance(t: number): void;
  end(): void;
  readonly lateEvents: number;
  readonly liveSessions?: number;
}

function workload(dimension: ScaleDimension, value: number): Workload {
  if (dimension === 'keys') {
    const keys = Array.from({ length: value }, (_, i) => `key-${i}`);
    const perWindow = Math.max(60_000, 2 * value);
    const msPerEvent = 60_000 / perWindow;
    // Keys in a scrambled order (i × step mod keys, step coprime to keys), each about twice per window.
    let step = 2_654_435_761 % value || 1;
    while (gcd(step, value) !== 1) step++;
    return {
      window: tumbling(60_000),
      events: Math.max(2_000_000, 2 * perWindow),
      at: (i) => ({ key: keys[(i * step) % value]!, at: BASE + Math.floor(i * msPerEvent) }),
      stateAfter: Math.min(value, perWindow) + 1,
      unit: 'key',
      units: () => Math.min(value, perWindow),
      best: (emit) => new TumblingCounts<string | number>(60_000, BOUND, emit),
    };
  }
  if (dimension === 'sliding') {
    const keys = Array.from({ length: 100 }, (_, i) => `key-${i}`);
    const slide = 1_000;
    return {
      window: sliding(value * slide, slide),
      events: 2_000_000,
      at: (i) => ({ key: keys[i % 100]!, at: BASE + Math.floor(i / 10) }),
      stateAfter: (value + 3) * 10_000,
      unit: '(key, window)',
      units: () => 100 * value,
      best: (emit) =>
        new SlidingCounts<string | number>(value * slide, slide, BOUND, (start, end, counts) => {
          for (const [key, n] of counts) emit({ key, start, end, value: n, firing: 'on-time' });
        }),
    };
  }
  // sessions: `value` slots, one event per slot per second (rounds of `value` events); a slot
  // changes its key every 5 rounds, the slots staggered, so keys keep closing and opening.
  const live = value;
  const msPerEvent = 1_000 / live;
  const rounds = 5;
  return {
    window: session(2_000),
    events: Math.max(2_000_000, 10 * live),
    at: (i) => {
      const slot = i % live;
      const round = Math.floor(i / live);
      const generation = Math.floor((round + Math.floor((slot * rounds) / live)) / rounds);
      return { key: slot + live * generation, at: BASE + Math.floor(i * msPerEvent) };
    },
    stateAfter: 3 * live,
    unit: 'live session',
    units: (loop) => loop.liveSessions!,
    best: (emit) => new SessionCounts<string | number>(2_000, BOUND, emit),
  };
}

function query(w: Workload): StreamQuery<ScaleEvent, WindowResult<string | number, number>> {
  return {
    name: 'scale',
    title: 'scale',
    sink: 'collect',
    tidemark: (source) =>
      source.pipe(
        withEventTime({ timestamp: (e: ScaleEvent) => e.at, watermark: boundedOutOfOrderness(BOUND) }),
        windowAggregate({ window: w.window, key: (e: ScaleEvent) => e.key, aggregate: count() }),
        values(),
      ),
    best: (_options, emit) => {
      const loop = w.best(emit);
      const reference: Reference<ScaleEvent> = {
        push(e) {
          loop.add(e.key, e.at);
          loop.advance(e.at);
        },
        end: () => loop.end(),
      };
      return reference;
    },
    straightforward: () => {
      throw new Error('scale: measured against the best loop only');
    },
    canonical: (outputs) => [...outputs].sort(byWindow),
  };
}

/** Heap after a full GC. */
function heapNow(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** Retained heap of tidemark's pipeline and of the best loop after `w.stateAfter` events, generated as pulled. */
function retained(w: Workload): { tidemark: number; best: number; units: number } {
  const n = w.stateAfter;
  let tidemark = 0;
  const source = new Observable<ScaleEvent>((subscriber) => {
    const before = heapNow();
    for (let i = 0; i < n; i++) subscriber.next(w.at(i));
    tidemark = heapNow() - before;
    // Not completed: completing would fire and free the windows.
  });
  const outputs: unknown[] = [];
  const subscription = query(w).tidemark(source, { bound: BOUND }).subscribe({ next: (r) => void outputs.push(r) });
  subscription.unsubscribe();
  outputs.length = 0;
  const before = heapNow();
  const loop = w.best(() => undefined);
  for (let i = 0; i < n; i++) {
    const e = w.at(i);
    loop.add(e.key, e.at);
    loop.advance(e.at);
  }
  const best = heapNow() - before;
  const units = w.units(loop);
  loop.end(); // keeps the loop alive until after the measurement
  return { tidemark, best, units };
}

export async function runScaleJob(job: ScaleJob): Promise<ScaleResult> {
  const w = workload(job.dimension, job.value);
  const memory = retained(w);
  let events: ScaleEvent[] | undefined = Array.from({ length: job.events ?? w.events }, (_, i) => w.at(i));
  const r = await measureSides(query(w), events, { bound: BOUND }, job.measure, ['tidemark', 'best']);
  events = undefined;
  const tidemark = r.sides.tidemark!;
  const best = r.sides.best!;
  return {
    dimension: job.dimension,
    value: job.value,
    events: r.events,
    outputs: r.outputs,
    tidemarkEventsPerSec: tidemark.eventsPerSec,
    bestEventsPerSec: best.eventsPerSec,
    ratio: ratioOf(tidemark, best),
    tidemarkHeapBytes: memory.tidemark,
    bestHeapBytes: memory.best,
    units: memory.units,
    unit: w.unit,
  };
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
