/**
 * One benchmark in its own process (forked by run.ts with `--expose-gc`), so that JIT
 * feedback and heap state of one query do not leak into the next. Reads a job (JSON) from
 * argv[2], sends the result to the parent and exits.
 */
import { gcAvailable, measurePair, type PairOptions, type PairResult } from './measure.js';
import { memoryCheck, type MemoryResult } from './memoryCheck.js';
import { DEFAULT_MICRO_CONFIG, describeMicro, generateMicroEvents, tumblingCount, type MicroConfig } from './micro/tumblingCount.js';
import { NexmarkGenerator, type NexmarkConfig } from './nexmark/generator.js';
import { nexmarkQuery } from './nexmark/queries.js';

export type Job =
  | { readonly kind: 'micro'; readonly config: Partial<MicroConfig>; readonly pair: PairOptions }
  | {
      readonly kind: 'nexmark';
      readonly query: string;
      readonly events: number;
      readonly generator: Partial<NexmarkConfig>;
      readonly bound: number;
      readonly pair: PairOptions;
    }
  | { readonly kind: 'memory'; readonly query: string; readonly generator: Partial<NexmarkConfig>; readonly bound: number; readonly checkpoints: number[] };

export interface BenchRow extends PairResult {
  readonly query: string;
  readonly title: string;
  readonly params: string;
  readonly target: number;
  readonly generationSeconds: number;
}

export type JobResult = { readonly kind: 'row'; readonly row: BenchRow } | { readonly kind: 'memory'; readonly memory: MemoryResult };

export function describeNexmark(events: number, generator: NexmarkGenerator, bound: number): string {
  const c = generator.config;
  const ooo =
    c.outOfOrderGroupSize === 1
      ? 'in order'
      : `out of order: permuted in groups of ${c.outOfOrderGroupSize} events (times go back ≤ ${generator.maxDisorderMs} ms)`;
  return `${events.toLocaleString('en-US')} events, ${c.eventsPerSecond.toLocaleString('en-US')} events per event-time second, ${ooo}, boundedOutOfOrderness(${bound})`;
}

export async function runJob(job: Job): Promise<JobResult> {
  if (job.kind === 'micro') {
    const config = { ...DEFAULT_MICRO_CONFIG, ...job.config };
    const t0 = performance.now();
    const events = generateMicroEvents(config);
    const generationSeconds = (performance.now() - t0) / 1000;
    const query = tumblingCount(config.windowMs);
    const result = await measurePair(query, events, { bound: config.boundMs }, job.pair);
    return { kind: 'row', row: { query: 'micro', title: query.title, params: describeMicro(config), target: 0.5, generationSeconds, ...result } };
  }
  if (job.kind === 'nexmark') {
    const { query, target } = nexmarkQuery(job.query);
    const generator = new NexmarkGenerator(job.generator);
    const t0 = performance.now();
    const events = generator.slice(0, job.events);
    const generationSeconds = (performance.now() - t0) / 1000;
    const result = await measurePair(query, events, { bound: job.bound }, job.pair);
    const params = describeNexmark(job.events, generator, job.bound);
    return { kind: 'row', row: { query: query.name, title: query.title, params, target, generationSeconds, ...result } };
  }
  const { query } = nexmarkQuery(job.query);
  return { kind: 'memory', memory: memoryCheck(query, job.generator, { bound: job.bound }, job.checkpoints) };
}

// Run as a forked worker.
if (process.send !== undefined && process.argv[2] !== undefined) {
  if (!gcAvailable()) console.warn('worker: gc() unavailable; heap figures include garbage (run with --expose-gc)');
  const send = process.send.bind(process);
  runJob(JSON.parse(process.argv[2]) as Job).then(
    (result) => send({ ok: true, result }, () => process.exit(0)),
    (err: unknown) => send({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }, () => process.exit(1)),
  );
}
