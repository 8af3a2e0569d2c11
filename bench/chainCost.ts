import { map, tap, type Observable } from 'rxjs';
import { boundedOutOfOrderness, mapEvents, values, withEventTime } from 'tidemark';
import { arraySource, HeapSampler, median, REWARM, settleHeap } from './measure.js';
import { DEFAULT_MICRO_CONFIG, generateMicroEvents, type MicroEvent } from './micro/tumblingCount.js';

/**
 * What an RxJS operator costs inside a chain of tidemark operators: a 5-stage tidemark chain
 * (`withEventTime`, three `mapEvents(e => e)`, `values()`), alone and with one RxJS
 * operator (`map(x => x)` or `tap(() => {})`) between the third and the fourth stage.
 * Consecutive tidemark operators run as one chain of stages passing `(value, timestamp)`
 * (decision 0006); an RxJS operator in the middle splits it in two, and the elements
 * between the halves are objects (`Timestamped`, `Watermark`). Reported in CPU ns per event.
 */

export type ChainVariant = 'tidemark only' | 'with map(x => x)' | 'with tap()';
export const CHAIN_VARIANTS: readonly ChainVariant[] = ['tidemark only', 'with map(x => x)', 'with tap()'];

export interface ChainJob {
  readonly kind: 'chain';
  readonly events: number;
  readonly runs: number;
  readonly minSampleSeconds: number;
}

export interface ChainResult {
  readonly events: number;
  /** Per variant: median CPU ns per event, and the smallest and largest sample. */
  readonly nsPerEvent: Readonly<Record<ChainVariant, { readonly median: number; readonly range: readonly [number, number] }>>;
}

function pipeline(variant: ChainVariant, source: Observable<MicroEvent>): Observable<MicroEvent> {
  const head = source.pipe(
    withEventTime({ timestamp: (e: MicroEvent) => e.at, watermark: boundedOutOfOrderness(1_000) }),
    mapEvents((e: MicroEvent) => e),
    mapEvents((e: MicroEvent) => e),
  );
  const middle = variant === 'with map(x => x)' ? head.pipe(map((x) => x)) : variant === 'with tap()' ? head.pipe(tap(() => undefined)) : head;
  return middle.pipe(
    mapEvents((e: MicroEvent) => e),
    values(),
  );
}

function runOnce(variant: ChainVariant, events: readonly MicroEvent[]): number {
  let n = 0;
  const source = arraySource(events, new HeapSampler());
  const c0 = process.cpuUsage();
  pipeline(variant, source).subscribe({ next: () => void n++ });
  const c = process.cpuUsage(c0);
  if (n !== events.length) throw new Error(`chain ${variant}: ${n} outputs for ${events.length} events`);
  return (c.user + c.system) / 1e6;
}

export async function chainCost(job: ChainJob): Promise<ChainResult> {
  const events = generateMicroEvents({ ...DEFAULT_MICRO_CONFIG, events: job.events });
  const rewarm = events.slice(0, REWARM.events);
  for (const v of CHAIN_VARIANTS) for (let i = 0; i < 2; i++) runOnce(v, events);
  const passes = Object.fromEntries(CHAIN_VARIANTS.map((v) => [v, Math.max(1, Math.ceil(job.minSampleSeconds / runOnce(v, events)))])) as Record<ChainVariant, number>;
  const ns: Record<ChainVariant, number[]> = { 'tidemark only': [], 'with map(x => x)': [], 'with tap()': [] };
  for (let r = 0; r < job.runs; r++) {
    for (let i = 0; i < CHAIN_VARIANTS.length; i++) {
      const v = CHAIN_VARIANTS[(i + r) % CHAIN_VARIANTS.length]!;
      await settleHeap(100);
      for (let w = 0; w < REWARM.runs; w++) runOnce(v, rewarm);
      let cpu = 0;
      for (let p = 0; p < passes[v]; p++) cpu += runOnce(v, events);
      ns[v].push((cpu / passes[v] / events.length) * 1e9);
    }
  }
  const stat = (v: ChainVariant) => ({ median: median(ns[v]), range: [Math.min(...ns[v]), Math.max(...ns[v])] as const });
  return { events: job.events, nsPerEvent: { 'tidemark only': stat('tidemark only'), 'with map(x => x)': stat('with map(x => x)'), 'with tap()': stat('with tap()') } };
}
