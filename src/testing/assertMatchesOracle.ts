import type * as fc from 'fast-check';
import type { Timestamped } from 'tidemark';
import { multisetDiff } from './canonical.js';
import { boundedWatermarks } from './boundedWatermarks.js';
import { formatDisordered, type DisorderedEvents } from './disorderedEvents.js';
import { runPipeline, showItems, valuesAndTimestamps } from './internal/runPipeline.js';
import { runProperty } from './internal/runProperty.js';
import type { Pipeline } from './Pipeline.js';
import type { PropertyOptions } from './PropertyOptions.js';

/**
 * Configuration of {@link assertMatchesOracle}.
 *
 * @example
 * ```ts
 * import * as fc from 'fast-check';
 * import { count, tumbling, windowAggregateEngine } from 'tidemark';
 * import { disorderedEvents, type MatchesOracleConfig } from 'tidemark/testing';
 *
 * const config: MatchesOracleConfig<number, unknown> = {
 *   pipeline: { engine: windowAggregateEngine<number>({ window: tumbling(10), aggregate: count() }) },
 *   events: disorderedEvents(fc.nat(), { maxDisorder: 3, count: 0 }),
 *   oracle: () => [], // no events, no windows
 * };
 * ```
 */
export interface MatchesOracleConfig<I, O> extends PropertyOptions {
  /** The pipeline under test; a fresh one per run. */
  pipeline: Pipeline<I, O>;
  /** The inputs, e.g. {@link disorderedEvents}. */
  events: fc.Arbitrary<DisorderedEvents<I>>;
  /**
   * The expected output events, computed in one batch from all the events (in arrival order;
   * `input` tells which arrive beyond the bound). Keep it independent of the code under test.
   */
  oracle: (events: readonly Timestamped<I>[], input: DisorderedEvents<I>) => readonly Timestamped<O>[];
  /**
   * Maps output events (the pipeline's and the oracle's alike) to what is compared, as a
   * multiset; e.g. keep only each window's last firing. @defaultValue each event's `{ value, timestamp }`
   */
  normalize?: ((output: readonly Timestamped<O>[]) => readonly unknown[]) | undefined;
}

/**
 * Property: the pipeline's output events equal, as a multiset, what a batch oracle computes
 * from the same events. The pipeline gets the events in their generated arrival order with
 * `boundedOutOfOrderness(maxDisorder)` watermarks and a final `+Infinity`; output watermarks
 * must also never go back. Throws a {@link PropertyFailedError} with the shrunk counterexample,
 * what is missing and what is extra, and the seed. For window operators, give the arbitrary the
 * windows (`disorderedEvents(values, { maxDisorder, boundaries: { size } })`, or `timestamps:
 * boundaryTimestamps(size)`): off-by-one bugs only show at their edges.
 *
 * ```
 * pipeline(a@3 b@1 c@12 …)  ≡  oracle([a@3, b@1, c@12, …])       as multisets of value@timestamp
 * ```
 *
 * @example
 * ```ts
 * import * as fc from 'fast-check';
 * import { count, event, tumbling, windowAggregateEngine, type Timestamped, type WindowResult } from 'tidemark';
 * import { assertMatchesOracle, disorderedEvents } from 'tidemark/testing';
 *
 * // Counts per window [10k, 10k + 10), computed in one pass.
 * function countsPerWindow(events: readonly Timestamped<number>[]): Timestamped<WindowResult<undefined, number>>[] {
 *   const counts = new Map<number, number>();
 *   for (const e of events) {
 *     const start = e.timestamp - (((e.timestamp % 10) + 10) % 10);
 *     counts.set(start, (counts.get(start) ?? 0) + 1);
 *   }
 *   return [...counts].map(([start, n]) => event({ key: undefined, start, end: start + 10, value: n, firing: 'on-time' as const }, start + 9));
 * }
 *
 * assertMatchesOracle({
 *   pipeline: { engine: windowAggregateEngine<number>({ window: tumbling(10), aggregate: count() }) },
 *   events: disorderedEvents(fc.nat(), { maxDisorder: 5, boundaries: { size: 10 } }),
 *   oracle: countsPerWindow,
 * });
 * ```
 * @throws PropertyFailedError when the property fails.
 */
export function assertMatchesOracle<I, O>(config: MatchesOracleConfig<I, O>): void {
  const { pipeline, events, oracle, normalize = valuesAndTimestamps } = config;
  runProperty('assertMatchesOracle', config, events, formatDisordered, (input) => {
    const expected = normalize(oracle(input.events, input));
    const got = normalize(runPipeline(pipeline, boundedWatermarks(input.events, input.maxDisorder)).events);
    const diff = multisetDiff(got, expected);
    if (diff.onlyLeft.length === 0 && diff.onlyRight.length === 0) return;
    throw new Error(
      `the output differs from the oracle's:\n` +
        `  missing (the oracle has them, the output does not): ${showItems(diff.onlyRight)}\n` +
        `  extra (the output has them, the oracle does not):   ${showItems(diff.onlyLeft)}\n` +
        `  output: ${showItems(got)}\n` +
        `  oracle: ${showItems(expected)}`,
    );
  });
}
