import type { StreamElement, Timestamped } from 'tidemark';
import { show } from '../canonical.js';
import { OperatorHarness } from '../OperatorHarness.js';
import type { Pipeline } from '../Pipeline.js';

/** @internal What one run of a pipeline over a bounded input gave. */
export interface PipelineRun<I, O> {
  readonly output: readonly StreamElement<O>[];
  readonly events: readonly Timestamped<O>[];
  readonly late: readonly Timestamped<I>[];
}

/**
 * @internal Runs a pipeline over `elements` and completes it; checks on the way that output
 * watermarks never go back (an event-time law every operator keeps).
 */
export function runPipeline<I, O>(pipeline: Pipeline<I, O>, elements: readonly StreamElement<I>[]): PipelineRun<I, O> {
  const h = new OperatorHarness(pipeline);
  try {
    h.push(...elements);
    h.complete();
    checkWatermarks(h.output);
    return { output: h.output, events: h.events(), late: h.late };
  } finally {
    h.close();
  }
}

/** @internal Throws when a watermark in `output` is below an earlier one. */
export function checkWatermarks<O>(output: readonly StreamElement<O>[]): void {
  let last = -Infinity;
  output.forEach((e, i) => {
    if (e.kind !== 'watermark') return;
    if (e.timestamp < last) throw new Error(`the output watermark went back from ${last} to ${e.timestamp} (element ${i}); watermarks must never decrease`);
    last = e.timestamp;
  });
}

/** @internal `a@1 b@2` for messages. */
export function showEvents<T>(events: readonly Timestamped<T>[] | readonly { value: unknown; timestamp: number }[], max = 40): string {
  if (events.length === 0) return '(none)';
  const items = events.slice(0, max).map((e) => `${show(e.value, 80)}@${e.timestamp}`);
  return items.join(' ') + (events.length > max ? ` … (${events.length - max} more)` : '');
}

/** @internal Normalized output items for messages: `value@timestamp` where they have that shape. */
export function showItems(items: readonly unknown[], max = 20): string {
  if (items.length === 0) return '(none)';
  const one = (x: unknown) => {
    if (typeof x === 'object' && x !== null && 'timestamp' in x && 'value' in x && typeof x.timestamp === 'number') {
      return `${show(x.value, 100)}@${x.timestamp}`;
    }
    return show(x, 100);
  };
  return items.slice(0, max).map(one).join(', ') + (items.length > max ? ` … (${items.length - max} more)` : '');
}

/** @internal The default output normalization: each event's value and timestamp. */
export function valuesAndTimestamps<O>(output: readonly Timestamped<O>[]): readonly unknown[] {
  return output.map((e) => ({ value: e.value, timestamp: e.timestamp }));
}
