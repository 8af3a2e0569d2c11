import type * as fc from 'fast-check';
import { InvalidArgumentError, type Timestamped } from 'tidemark';
import { canonical, multisetDiff, show } from './canonical.js';
import { boundedWatermarks } from './boundedWatermarks.js';
import { formatDisordered, type DisorderedEvents } from './disorderedEvents.js';
import { runPipeline, showItems } from './internal/runPipeline.js';
import { runProperty } from './internal/runProperty.js';
import type { Pipeline } from './Pipeline.js';
import type { PropertyOptions } from './PropertyOptions.js';

/**
 * Configuration of {@link assertLateDataHandled}.
 *
 * @example
 * ```ts
 * import * as fc from 'fast-check';
 * import { filterEvents } from 'tidemark';
 * import { disorderedEvents, type LateDataConfig } from 'tidemark/testing';
 *
 * const config: LateDataConfig<number, number> = {
 *   pipeline: { operator: () => filterEvents((n: number) => n >= 0) }, // stateless: nothing is ever late
 *   events: disorderedEvents(fc.nat(), { maxDisorder: 3 }),
 *   lateWhen: () => false,
 *   counted: (out) => out.map((e) => e.value),
 * };
 * ```
 */
export interface LateDataConfig<I, O> extends PropertyOptions {
  /** The pipeline under test; it must hand late events to `context.late`. */
  pipeline: Pipeline<I, O>;
  /** The inputs, with late events: e.g. `disorderedEvents(values, { maxDisorder, lateFraction: 0.3 })`. */
  events: fc.Arbitrary<DisorderedEvents<I>>;
  /**
   * The input values that the output events account for (for windows: the contents of each
   * window's last firing). Every on-time event must appear here exactly once, no late one at all.
   */
  counted: (output: readonly Timestamped<O>[]) => readonly I[];
  /** How long after the watermark events are still accepted. @defaultValue 0 */
  allowedLateness?: number | undefined;
  /**
   * Whether an event that arrives when the watermark is `watermark` is too late to be counted.
   * Window operators judge by the window's end: pass e.g. `(e, w) => windowEnd(e) - 1 + lateness <= w`.
   * @defaultValue `event.timestamp + allowedLateness <= watermark`
   */
  lateWhen?: ((event: Timestamped<I>, watermark: number) => boolean) | undefined;
}

/**
 * Property: events beyond the disorder bound plus the allowed lateness go to the late side
 * output and are never counted in a result; every other event is counted exactly once. The
 * pipeline gets the events in arrival order with `boundedOutOfOrderness(maxDisorder)` watermarks
 * and a final `+Infinity`; each event's fate is judged by `lateWhen` against the watermark at its
 * arrival. Throws a {@link PropertyFailedError} with the shrunk counterexample and the seed.
 *
 * ```
 * a@12 W(9) b@3 (late: → late output, in no result)  c@11 (on time: in exactly one result)
 * ```
 *
 * @example
 * ```ts
 * import * as fc from 'fast-check';
 * import { collect, tumbling, windowAggregateEngine, type Timestamped, type WindowResult } from 'tidemark';
 * import { assertLateDataHandled, disorderedEvents } from 'tidemark/testing';
 *
 * // Each window's last firing holds everything it counted.
 * const lastFirings = (out: readonly Timestamped<WindowResult<undefined, number[]>>[]) =>
 *   [...new Map(out.map((e) => [e.value.start, e.value.value])).values()].flat();
 *
 * assertLateDataHandled({
 *   pipeline: { engine: (ctx) => windowAggregateEngine<number>({ window: tumbling(10), aggregate: collect(), allowedLateness: 5, late: ctx.late })() },
 *   events: disorderedEvents(fc.nat(), { maxDisorder: 3, lateFraction: 0.3 }),
 *   allowedLateness: 5,
 *   lateWhen: (e, w) => e.timestamp - (e.timestamp % 10) + 9 + 5 <= w, // window end − 1 + lateness
 *   counted: lastFirings,
 * });
 * ```
 * @throws PropertyFailedError when the property fails; InvalidArgumentError for a bad option.
 */
export function assertLateDataHandled<I, O>(config: LateDataConfig<I, O>): void {
  const { pipeline, events, counted, allowedLateness = 0 } = config;
  if (typeof allowedLateness !== 'number' || !(allowedLateness >= 0) || !Number.isFinite(allowedLateness)) {
    throw new InvalidArgumentError(`assertLateDataHandled: allowedLateness must be a finite number >= 0, got ${show(allowedLateness)}`);
  }
  const lateWhen = config.lateWhen ?? ((e: Timestamped<I>, w: number) => e.timestamp + allowedLateness <= w);
  runProperty('assertLateDataHandled', config, events, formatDisordered, (input) => {
    const { maxDisorder } = input;
    const expectedLate: Timestamped<I>[] = [];
    const onTime: Timestamped<I>[] = [];
    const arrivalWatermark = new Map<Timestamped<I>, number>();
    let max = -Infinity;
    for (const e of input.events) {
      const w = max - maxDisorder - 1;
      arrivalWatermark.set(e, w);
      (lateWhen(e, w) ? expectedLate : onTime).push(e);
      if (e.timestamp > max) max = e.timestamp;
    }
    const run = runPipeline(pipeline, boundedWatermarks(input.events, maxDisorder));
    const at = (e: { value: unknown; timestamp: number }) => `${show(e.value, 80)}@${e.timestamp}`;
    const when = (e: Timestamped<I>) => {
      const w = arrivalWatermark.get(e);
      return w === undefined ? '' : ` (watermark ${w} at arrival)`;
    };
    const problems: string[] = [];

    const strip = (e: Timestamped<I>) => ({ value: e.value, timestamp: e.timestamp });
    const lateDiff = multisetDiff(expectedLate.map(strip), run.late.map(strip));
    const byKey = new Map(input.events.map((e) => [canonical(strip(e)), e]));
    const annotate = (x: { value: I; timestamp: number }) => at(x) + when(byKey.get(canonical(x))!);
    if (lateDiff.onlyLeft.length > 0) problems.push(`late but not in the late output: ${lateDiff.onlyLeft.map(annotate).join(', ')}`);
    if (lateDiff.onlyRight.length > 0) {
      problems.push(`in the late output but not late: ${lateDiff.onlyRight.map((x) => (byKey.has(canonical(x)) ? annotate(x) : at(x))).join(', ')}`);
    }

    const countedValues = counted(run.events);
    const countDiff = multisetDiff(onTime.map((e) => e.value), countedValues);
    const lateValues = new Set(expectedLate.map((e) => canonical(e.value)));
    if (countDiff.onlyLeft.length > 0) problems.push(`on time but not counted: ${showItems(countDiff.onlyLeft)}`);
    const countedLate = countDiff.onlyRight.filter((v) => lateValues.has(canonical(v)));
    const countedExtra = countDiff.onlyRight.filter((v) => !lateValues.has(canonical(v)));
    if (countedLate.length > 0) problems.push(`late but counted in a result: ${showItems(countedLate)}`);
    if (countedExtra.length > 0) problems.push(`counted more than once (or not an input): ${showItems(countedExtra)}`);
    if (problems.length > 0) {
      throw new Error(`late data mishandled (maxDisorder ${maxDisorder}, allowedLateness ${allowedLateness}):\n  ${problems.join('\n  ')}`);
    }
  });
}
