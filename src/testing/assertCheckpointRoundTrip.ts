import type * as fc from 'fast-check';
import { InvalidArgumentError, type StreamElement } from 'tidemark';
import { canonical, show } from './canonical.js';
import { boundedWatermarks } from './boundedWatermarks.js';
import { formatDisordered, type DisorderedEvents } from './disorderedEvents.js';
import { formatMarble, namer } from './formatMarbles.js';
import { fastCheck } from './internal/fastCheck.js';
import { runProperty } from './internal/runProperty.js';
import { OperatorHarness } from './OperatorHarness.js';
import type { EnginePipeline } from './Pipeline.js';
import type { PropertyOptions } from './PropertyOptions.js';

/**
 * Configuration of {@link assertCheckpointRoundTrip}.
 *
 * @example
 * ```ts
 * import * as fc from 'fast-check';
 * import { count, tumbling, windowAggregateEngine } from 'tidemark';
 * import { disorderedEvents, type CheckpointRoundTripConfig } from 'tidemark/testing';
 *
 * const config: CheckpointRoundTripConfig<number, unknown> = {
 *   pipeline: { engine: windowAggregateEngine<number>({ window: tumbling(10), aggregate: count() }) },
 *   events: disorderedEvents(fc.nat(), { maxDisorder: 3, lateFraction: 0.1 }),
 *   maxProcessingTimeStep: 0,
 * };
 * ```
 */
export interface CheckpointRoundTripConfig<I, O> extends PropertyOptions {
  /** The engine under test (only engines snapshot); a fresh one per run and per restore. */
  pipeline: EnginePipeline<I, O>;
  /** The inputs, e.g. {@link disorderedEvents} (late events included, if you like). */
  events: fc.Arbitrary<DisorderedEvents<I>>;
  /**
   * After each input element, processing time advances by a generated amount from 0 to this,
   * so that processing-time timers run (and must survive the restore). @defaultValue 0
   */
  maxProcessingTimeStep?: number | undefined;
}

/**
 * Property (the checkpoint law): snapshot at any point, restore into a fresh engine, feed it
 * the rest of the input, and the output (before the snapshot, then after the restore) and the
 * late side output are exactly those of an uninterrupted run — same elements, same order.
 * Also, taking a snapshot must not change the run it is taken from; the snapshot must be plain
 * data (it is deep-copied with `structuredClone`); and it must not alias the engine's state
 * either way: the snapshot taken must not change as the run goes on (`snapshot()` returns a
 * copy, not live objects), nor the snapshot restored as the restored engine runs (`restore()`
 * copies what it keeps: a checkpoint can be restored more than once). Input: the events in arrival order
 * with `boundedOutOfOrderness(maxDisorder)` watermarks and a final `+Infinity`. Throws a
 * {@link PropertyFailedError} with the shrunk counterexample (input and cut) and the seed.
 *
 * ```
 * uninterrupted:  a@1 b@12 W(9) c@15 W(+∞)          → out
 * interrupted:    a@1 b@12 | snapshot ⟶ restore | W(9) c@15 W(+∞)   → same out
 * ```
 *
 * @example
 * ```ts
 * import * as fc from 'fast-check';
 * import { count, session, windowAggregateEngine } from 'tidemark';
 * import { assertCheckpointRoundTrip, disorderedEvents } from 'tidemark/testing';
 *
 * assertCheckpointRoundTrip({
 *   pipeline: { engine: (ctx) => windowAggregateEngine<string>({ window: session(5), aggregate: count(), allowedLateness: 3, late: ctx.late })() },
 *   events: disorderedEvents(fc.constantFrom<string>('x', 'y'), { maxDisorder: 4, lateFraction: 0.2 }),
 * });
 * ```
 * @throws PropertyFailedError when the property fails; InvalidArgumentError for a bad option.
 */
export function assertCheckpointRoundTrip<I, O>(config: CheckpointRoundTripConfig<I, O>): void {
  const fc = fastCheck('assertCheckpointRoundTrip');
  const { pipeline, events, maxProcessingTimeStep = 0 } = config;
  if (!Number.isSafeInteger(maxProcessingTimeStep) || maxProcessingTimeStep < 0) {
    throw new InvalidArgumentError(`assertCheckpointRoundTrip: maxProcessingTimeStep must be an integer >= 0, got ${show(maxProcessingTimeStep)}`);
  }
  // The cut as a fraction of the input and the steps cycled: independent of the input, so all shrink well.
  const stepArb = fc.array(fc.integer({ min: 0, max: maxProcessingTimeStep }), { maxLength: maxProcessingTimeStep === 0 ? 0 : 64 });
  const cases = fc.tuple(events, fc.integer({ min: 0, max: 1000 }), stepArb).map(([input, fraction, cycle]) => {
    const elements = boundedWatermarks(input.events, input.maxDisorder);
    const cut = Math.round((fraction / 1000) * elements.length);
    const steps = elements.map((_, i) => (cycle.length === 0 ? 0 : cycle[i % cycle.length]!));
    return { input, elements, cut, steps };
  });
  const name = namer<unknown>(undefined);
  const marbles = (es: readonly StreamElement<unknown>[]) => (es.length === 0 ? '(nothing)' : es.map((e) => formatMarble(e, name)).join(' '));

  runProperty(
    'assertCheckpointRoundTrip',
    config,
    cases,
    ({ input, elements, cut, steps }) =>
      `${formatDisordered(input)}; snapshot after ${cut} element(s): ${marbles(elements.slice(0, cut))} | ${marbles(elements.slice(cut))}` +
      (maxProcessingTimeStep > 0 ? `; processing-time steps ${steps.join(',')}` : ''),
    ({ elements, cut, steps }) => {
      const feed = (h: OperatorHarness<I, O>, from: number, to: number) => {
        for (let i = from; i < to; i++) {
          h.push(elements[i]!);
          if (steps[i]! > 0) h.advanceBy(steps[i]!);
        }
      };
      const whole = new OperatorHarness(pipeline);
      feed(whole, 0, elements.length);
      whole.complete();

      // Without the harness's copies, so that aliasing shows; the explicit copy checks plain data.
      const first = new OperatorHarness(pipeline, { cloneSnapshots: false });
      feed(first, 0, cut);
      const taken = first.snapshot();
      const takenText = canonical(taken);
      const snapshot = structuredClone(taken);
      const snapshotText = canonical(snapshot);
      const at = first.clock.now();
      const outBefore = [...first.output];
      const lateBefore = [...first.late];
      feed(first, cut, elements.length);
      first.complete();

      const restored = new OperatorHarness(pipeline, { snapshot, startTime: at, cloneSnapshots: false });
      feed(restored, cut, elements.length);
      restored.complete();
      for (const h of [whole, first, restored]) h.close();

      const compare = (what: string, expected: readonly StreamElement<unknown>[], got: readonly StreamElement<unknown>[]) => {
        const n = Math.max(expected.length, got.length);
        for (let i = 0; i < n; i++) {
          const e = expected[i];
          const g = got[i];
          if (e !== undefined && g !== undefined && canonical(e) === canonical(g)) continue;
          throw new Error(
            `${what} differs from the uninterrupted run's at element ${i}: expected ${e === undefined ? 'the end' : marbles([e])}, got ${g === undefined ? 'the end' : marbles([g])}\n` +
              `  uninterrupted: ${marbles(expected)}\n` +
              `  ${what}: ${marbles(got)}`,
          );
        }
      };
      compare('the output with a snapshot taken', whole.output, first.output);
      compare('the late output with a snapshot taken', whole.late, first.late);
      compare('the output before the snapshot + after the restore', whole.output, [...outBefore, ...restored.output]);
      compare('the late output before the snapshot + after the restore', whole.late, [...lateBefore, ...restored.late]);
      if (canonical(taken) !== takenText) {
        throw new Error(
          `the snapshot changed after it was taken, as the run went on: snapshot() must return a copy of the state, not the engine's live objects\n` +
            `  when taken: ${clip(takenText)}\n  at the end: ${clip(canonical(taken))}`,
        );
      }
      if (canonical(snapshot) !== snapshotText) {
        throw new Error(
          `the snapshot changed after it was restored, as the restored engine ran: restore() must copy what it keeps (a checkpoint can be restored more than once)\n` +
            `  when restored: ${clip(snapshotText)}\n  at the end:    ${clip(canonical(snapshot))}`,
        );
      }
    },
  );
}

function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
