import { Observable } from 'rxjs';
import { collectGarbage } from './measure.js';
import { NexmarkGenerator, type NexmarkConfig } from './nexmark/generator.js';
import type { NexmarkEvent } from './nexmark/model.js';
import type { QueryOptions, StreamQuery } from './query.js';

/**
 * The memory-boundedness check: a query's tidemark pipeline over events generated lazily
 * (never held in an array), with the heap measured after a full GC at checkpoints.
 * Outputs are counted, not kept, so what remains is the operators' state.
 */

export interface HeapPoint {
  readonly events: number;
  readonly heapUsedBytes: number;
}

export interface MemoryResult {
  readonly query: string;
  readonly points: HeapPoint[];
  readonly outputs: number;
  /** Heap at the last checkpoint over heap at the first. */
  readonly growth: number;
  readonly cpuSeconds: number;
}

export function memoryCheck(
  query: StreamQuery<NexmarkEvent, unknown>,
  generator: Partial<NexmarkConfig>,
  options: QueryOptions,
  checkpoints: readonly number[],
): MemoryResult {
  const gen = new NexmarkGenerator(generator);
  const total = Math.max(...checkpoints);
  const points: HeapPoint[] = [];
  const source = new Observable<NexmarkEvent>((subscriber) => {
    for (let i = 0; i < total; i++) {
      if (subscriber.closed) return;
      subscriber.next(gen.eventAt(i));
      if (checkpoints.includes(i + 1)) {
        collectGarbage();
        points.push({ events: i + 1, heapUsedBytes: process.memoryUsage().heapUsed });
      }
    }
    subscriber.complete();
  });
  let outputs = 0;
  let failure: unknown = undefined;
  const cpu0 = process.cpuUsage();
  query.tidemark(source, options).subscribe({ next: () => void outputs++, error: (err: unknown) => void (failure = err) });
  const cpu = process.cpuUsage(cpu0);
  if (failure !== undefined) throw failure;
  const first = points[0]!.heapUsedBytes;
  const last = points[points.length - 1]!.heapUsedBytes;
  return { query: query.name, points, outputs, growth: last / first, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}
