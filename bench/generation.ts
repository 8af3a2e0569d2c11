import { Observable } from 'rxjs';
import { collectGarbage, median, makeSink, type Sink } from './measure.js';
import { NexmarkGenerator, type NexmarkConfig } from './nexmark/generator.js';
import type { NexmarkEvent } from './nexmark/model.js';
import { nexmarkQuery } from './nexmark/queries.js';
import type { QueryOptions, StreamQuery } from './query.js';

/**
 * A Nexmark query on one core *including* generating its events, as Flink's Nexmark jobs
 * do (their source generates in the job): the events are generated in batches of 1,024 as
 * the pipeline pulls them, never held in an array. Measured in CPU time (one thread), so
 * the rates are per core, next to the published per-core figures of Flink.
 */

/**
 * Published Nexmark figures for Flink 2.x, per core (events per second), from the Nexmark
 * benchmark suite for Flink (https://github.com/nexmark/nexmark): q0–q2 ≈ 0.38–0.41 M/s,
 * q5 ≈ 75 K/s, q7 ≈ 23 K/s, q11 ≈ 46 K/s.
 */
export const FLINK_PER_CORE: Readonly<Record<string, readonly [low: number, high: number]>> = {
  q0: [380_000, 410_000],
  q1: [380_000, 410_000],
  q2: [380_000, 410_000],
  q5: [75_000, 75_000],
  q7: [23_000, 23_000],
  q11: [46_000, 46_000],
};

export interface GenerationJob {
  readonly kind: 'generation';
  readonly query: string;
  readonly events: number;
  readonly generator: Partial<NexmarkConfig>;
  readonly bound: number;
  readonly runs: number;
}

export interface GenerationResult {
  readonly query: string;
  readonly events: number;
  /** The generator alone (events made and dropped), events per CPU-second. */
  readonly generatorEventsPerSec: number;
  /** Generation and the tidemark pipeline, events per CPU-second. */
  readonly tidemarkEventsPerSec: number;
  /** Generation and the best hand-written loop, events per CPU-second. */
  readonly bestEventsPerSec: number;
  readonly flinkPerCore: readonly [number, number] | undefined;
}

const BATCH = 1_024;

/** Events `[0, total)` of `generator`, generated a batch at a time as they are pulled. */
export function generatedSource(generator: NexmarkGenerator, total: number): Observable<NexmarkEvent> {
  return new Observable<NexmarkEvent>((subscriber) => {
    const batch = new Array<NexmarkEvent>(BATCH);
    for (let p = 0; p < total; p += BATCH) {
      const n = Math.min(BATCH, total - p);
      generator.fill(batch, 0, p, n);
      for (let i = 0; i < n; i++) {
        if (subscriber.closed) return;
        subscriber.next(batch[i]!);
      }
    }
    subscriber.complete();
  });
}

type Run = 'generator' | 'tidemark' | 'best';

function cpuSeconds(f: () => void): number {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

function runOnce(which: Run, query: StreamQuery<NexmarkEvent, unknown>, generator: NexmarkGenerator, total: number, options: QueryOptions): number {
  const sink: Sink<unknown> = makeSink(query);
  if (which === 'tidemark') {
    return cpuSeconds(() => query.tidemark(generatedSource(generator, total), options).subscribe({ next: sink.push }));
  }
  if (which === 'best') {
    const reference = query.best(options, sink.push);
    return cpuSeconds(() => {
      const batch = new Array<NexmarkEvent>(BATCH);
      for (let p = 0; p < total; p += BATCH) {
        const n = Math.min(BATCH, total - p);
        generator.fill(batch, 0, p, n);
        for (let i = 0; i < n; i++) reference.push(batch[i]!);
      }
      reference.end();
    });
  }
  let n = 0;
  return cpuSeconds(() => generatedSource(generator, total).subscribe({ next: () => void n++ }));
}

export async function withGeneration(job: GenerationJob): Promise<GenerationResult> {
  const { query } = nexmarkQuery(job.query);
  const options = { bound: job.bound };
  const runs: Run[] = ['generator', 'tidemark', 'best'];
  // One generator for the job, as a source keeps its generator: events are a pure function
  // of their position, so every run regenerates the same events (a generator made per run
  // read up to 30% slower, its first batches made while V8 re-learned it).
  const generator = new NexmarkGenerator(job.generator);
  for (const which of runs) runOnce(which, query, generator, Math.min(job.events, 300_000), options); // warm-up
  const cpu: Record<Run, number[]> = { generator: [], tidemark: [], best: [] };
  for (let r = 0; r < job.runs; r++) {
    for (let i = 0; i < runs.length; i++) {
      const which = runs[(i + r) % runs.length]!;
      collectGarbage();
      await new Promise((resolve) => setTimeout(resolve, 100));
      cpu[which].push(runOnce(which, query, generator, job.events, options));
    }
  }
  const rate = (which: Run): number => job.events / median(cpu[which]);
  return {
    query: job.query,
    events: job.events,
    generatorEventsPerSec: rate('generator'),
    tidemarkEventsPerSec: rate('tidemark'),
    bestEventsPerSec: rate('best'),
    flinkPerCore: FLINK_PER_CORE[job.query],
  };
}
