/**
 * One benchmark in its own process (forked by run.ts and scale.ts with `--expose-gc`), so
 * that JIT feedback and heap state of one query do not leak into the next. Reads a job
 * (JSON) from argv[2], sends the result to the parent and exits.
 */
import { chainCost, type ChainJob, type ChainResult } from './chainCost.js';
import { gcAvailable, measureQuery, type MeasureOptions, type MeasureResult } from './measure.js';
import { memoryCheck, type MemoryResult } from './memoryCheck.js';
import { DEFAULT_MICRO_CONFIG, describeMicro, generateMicroEvents, tumblingCount, type MicroConfig } from './micro/tumblingCount.js';
import { withGeneration, type GenerationResult } from './generation.js';
import { NexmarkGenerator, type NexmarkConfig } from './nexmark/generator.js';
import { nexmarkQuery } from './nexmark/queries.js';
import { runScaleJob, type ScaleJob, type ScaleResult } from './scaleJobs.js';

export type Job =
  | { readonly kind: 'micro'; readonly config: Partial<MicroConfig>; readonly measure: MeasureOptions }
  | {
      readonly kind: 'nexmark';
      readonly query: string;
      readonly events: number;
      readonly generator: Partial<NexmarkConfig>;
      readonly bound: number;
      readonly measure: MeasureOptions;
    }
  | { readonly kind: 'memory'; readonly query: string; readonly generator: Partial<NexmarkConfig>; readonly bound: number; readonly checkpoints: number[] }
  | { readonly kind: 'generation'; readonly query: string; readonly events: number; readonly generator: Partial<NexmarkConfig>; readonly bound: number; readonly runs: number }
  | ChainJob
  | ScaleJob;

export interface BenchRow extends MeasureResult {
  readonly query: string;
  readonly title: string;
  readonly params: string;
  readonly target: number;
  readonly generationSeconds: number;
}

export type JobResult =
  | { readonly kind: 'row'; readonly row: BenchRow }
  | { readonly kind: 'memory'; readonly memory: MemoryResult }
  | { readonly kind: 'generation'; readonly generation: GenerationResult }
  | { readonly kind: 'chain'; readonly chain: ChainResult }
  | { readonly kind: 'scale'; readonly scale: ScaleResult };

export function describeNexmark(events: number, generator: NexmarkGenerator, bound: number): string {
  const c = generator.config;
  const ooo =
    c.outOfOrderGroupSize === 1
      ? 'in order'
      : `out of order: permuted in groups of ${c.outOfOrderGroupSize} events (times go back ≤ ${generator.maxDisorderMs} ms)`;
  return `${events.toLocaleString('en-US')} events, ${c.eventsPerSecond.toLocaleString('en-US')} events per event-time second, ${ooo}, boundedOutOfOrderness(${bound})`;
}

export async function runJob(job: Job): Promise<JobResult> {
  switch (job.kind) {
    case 'micro': {
      const config = { ...DEFAULT_MICRO_CONFIG, ...job.config };
      const t0 = performance.now();
      const events = generateMicroEvents(config);
      const generationSeconds = (performance.now() - t0) / 1000;
      const query = tumblingCount(config.windowMs);
      const result = await measureQuery(query, events, { bound: config.boundMs }, job.measure);
      return { kind: 'row', row: { query: 'micro', title: query.title, params: describeMicro(config), target: 0.5, generationSeconds, ...result } };
    }
    case 'nexmark': {
      const { query, target } = nexmarkQuery(job.query);
      const generator = new NexmarkGenerator(job.generator);
      const t0 = performance.now();
      const events = generator.slice(0, job.events);
      const generationSeconds = (performance.now() - t0) / 1000;
      const result = await measureQuery(query, events, { bound: job.bound }, job.measure);
      const params = describeNexmark(job.events, generator, job.bound);
      return { kind: 'row', row: { query: query.name, title: query.title, params, target, generationSeconds, ...result } };
    }
    case 'memory': {
      const { query } = nexmarkQuery(job.query);
      return { kind: 'memory', memory: memoryCheck(query, job.generator, { bound: job.bound }, job.checkpoints) };
    }
    case 'generation':
      return { kind: 'generation', generation: await withGeneration(job) };
    case 'chain':
      return { kind: 'chain', chain: await chainCost(job) };
    default:
      return { kind: 'scale', scale: await runScaleJob(job) };
  }
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
