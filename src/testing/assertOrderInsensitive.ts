import type * as fc from 'fast-check';
import type { Timestamped } from 'tidemark';
import { canonical, multisetDiff } from './canonical.js';
import { boundedWatermarks } from './boundedWatermarks.js';
import { formatDisordered, markLate, type DisorderedEvents } from './disorderedEvents.js';
import { fastCheck } from './internal/fastCheck.js';
import { runPipeline, showEvents, showItems, valuesAndTimestamps } from './internal/runPipeline.js';
import { runProperty } from './internal/runProperty.js';
import type { Pipeline } from './Pipeline.js';
import type { PropertyOptions } from './PropertyOptions.js';

/**
 * Configuration of {@link assertOrderInsensitive}.
 *
 * @example
 * ```ts
 * import * as fc from 'fast-check';
 * import { count, tumbling, windowAggregateEngine } from 'tidemark';
 * import { disorderedEvents, type OrderInsensitiveConfig } from 'tidemark/testing';
 *
 * const config: OrderInsensitiveConfig<number, unknown> = {
 *   pipeline: { engine: windowAggregateEngine<number>({ window: tumbling(10), aggregate: count() }) },
 *   events: disorderedEvents(fc.nat(), { maxDisorder: 3 }),
 *   numRuns: 50,
 * };
 * ```
 */
export interface OrderInsensitiveConfig<I, O> extends PropertyOptions {
  /** The pipeline under test; a fresh one per run. */
  pipeline: Pipeline<I, O>;
  /** The inputs, e.g. {@link disorderedEvents}; their `late` events are left out. */
  events: fc.Arbitrary<DisorderedEvents<I>>;
  /**
   * Maps the output events to what must not depend on arrival order; compared as a multiset.
   * E.g. sort what `collect()` gathered, since it keeps equal timestamps in arrival order.
   * @defaultValue each event's `{ value, timestamp }`
   */
  normalize?: ((output: readonly Timestamped<O>[]) => readonly unknown[]) | undefined;
}

/**
 * Property: the pipeline's output events (as a multiset) are the same for every arrival order
 * within the disorder bound. For each generated input it runs the pipeline three times, with
 * `boundedOutOfOrderness(maxDisorder)` watermarks and a final `+Infinity`: in the generated
 * arrival order, in timestamp order, and in another order within the bound, and compares.
 * Output watermarks must also never go back. Throws a {@link PropertyFailedError} with the
 * shrunk counterexample and its seed if not.
 *
 * ```
 * arrival a@3 b@1 c@2  ≡  b@1 c@2 a@3  ≡  c@2 a@3 b@1      (maxDisorder 2)   → same results
 * ```
 *
 * @example
 * ```ts
 * import * as fc from 'fast-check';
 * import { sum, tumbling, windowAggregateEngine } from 'tidemark';
 * import { assertOrderInsensitive, disorderedEvents } from 'tidemark/testing';
 *
 * assertOrderInsensitive({
 *   pipeline: { engine: windowAggregateEngine<number>({ window: tumbling(10), aggregate: sum() }) },
 *   events: disorderedEvents(fc.integer({ min: -5, max: 5 }), { maxDisorder: 4 }),
 * });
 * ```
 * @throws PropertyFailedError when the property fails.
 */
export function assertOrderInsensitive<I, O>(config: OrderInsensitiveConfig<I, O>): void {
  const fc = fastCheck('assertOrderInsensitive');
  const { pipeline, events, normalize = valuesAndTimestamps } = config;
  // Each event's delay is a hash of a salt and the event itself, so removing other events while
  // shrinking does not change it; salt 0 means no delays (timestamp order).
  const cases = fc.tuple(events, fc.nat()).map(([input, salt]) => {
    const onTime = withoutLate(input);
    const seen = new Map<string, number>();
    const delays = onTime.map((e) => {
      const id = canonical([e.timestamp, e.value]);
      const nth = (seen.get(id) ?? 0) + 1;
      seen.set(id, nth);
      return salt === 0 ? 0 : mix(salt, `${id}#${nth}`) % (input.maxDisorder + 1);
    });
    return { input, onTime, delays };
  });
  runProperty(
    'assertOrderInsensitive',
    config,
    cases,
    ({ input, delays, onTime }) => `${formatDisordered(input)}; reordered: ${showEvents(reorder(onTime, delays))}`,
    ({ input, onTime, delays }) => {
      const d = input.maxDisorder;
      const sorted = onTime.map((e, i) => [e, i] as const).sort((a, b) => a[0].timestamp - b[0].timestamp || a[1] - b[1]).map(([e]) => e);
      const reference = normalize(runPipeline(pipeline, boundedWatermarks(sorted, d)).events);
      for (const [label, order] of [
        ['the generated arrival order', onTime],
        ['another order within the bound', reorder(onTime, delays)],
      ] as const) {
        const got = normalize(runPipeline(pipeline, boundedWatermarks(order, d)).events);
        const diff = multisetDiff(got, reference);
        if (diff.onlyLeft.length > 0 || diff.onlyRight.length > 0) {
          throw new Error(
            `the output depends on the arrival order (maxDisorder ${d}):\n` +
              `  arriving in timestamp order: ${showEvents(sorted)}\n` +
              `  arriving in ${label}: ${showEvents(order)}\n` +
              `  output only in timestamp order: ${showItems(diff.onlyRight)}\n` +
              `  output only in ${label}: ${showItems(diff.onlyLeft)}`,
          );
        }
      }
    },
  );
}

function withoutLate<I>(input: DisorderedEvents<I>): Timestamped<I>[] {
  const late = new Set(input.late);
  const kept = input.events.filter((_, i) => !late.has(i));
  // Dropping late events keeps the rest within the bound; check it rather than trust it.
  if (markLate(kept, input.maxDisorder).late.length > 0) throw new Error('assertOrderInsensitive: the input violates its own disorder bound');
  return kept;
}

function reorder<I>(events: readonly Timestamped<I>[], delays: readonly number[]): Timestamped<I>[] {
  return events
    .map((e, i) => [e, e.timestamp + (delays[i] ?? 0), i] as const)
    .sort((a, b) => a[1] - b[1] || a[2] - b[2])
    .map(([e]) => e);
}

/** A 32-bit FNV-1a style hash of a salt and a text. */
function mix(salt: number, text: string): number {
  let h = (2166136261 ^ salt) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}
