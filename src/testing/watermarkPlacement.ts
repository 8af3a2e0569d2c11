import type * as fc from 'fast-check';
import { InvalidArgumentError, type StreamElement } from 'tidemark';
import { show } from './canonical.js';
import type { DisorderedEvents } from './disorderedEvents.js';
import { fastCheck } from './internal/fastCheck.js';

/**
 * Options of {@link watermarkPlacement}.
 *
 * @example
 * ```ts
 * import * as fc from 'fast-check';
 * import { disorderedEvents, watermarkPlacement, type WatermarkPlacementOptions } from 'tidemark/testing';
 *
 * const options: WatermarkPlacementOptions = { maxLag: 20 };
 * const streams = disorderedEvents(fc.nat(), { maxDisorder: 3 }).chain((input) => watermarkPlacement(input, options));
 * ```
 */
export interface WatermarkPlacementOptions {
  /** How far below the bounded watermark a placed watermark may lag. @defaultValue 5 */
  maxLag?: number | undefined;
}

/**
 * A fast-check arbitrary of where watermarks go in a stream of disordered events: after any
 * event, maybe a watermark, strictly increasing and never above the
 * `boundedOutOfOrderness(maxDisorder)` watermark at that point (and at most `maxLag` below
 * it). So no event that the input counts as on time is ever behind a watermark, while
 * watermarks come sparse, early or late. Shrinks towards no watermarks.
 *
 * ```
 * events:   a@3 b@1 c@8 d@9          maxDisorder 1 (bounded: W1 after a, W6 after c, W7 after d)
 * placed:   a@3 b@1 c@8 W4 d@9 W7    (one possibility)
 * ```
 *
 * @example
 * ```ts
 * import * as fc from 'fast-check';
 * import { disorderedEvents, watermarkPlacement } from 'tidemark/testing';
 *
 * const streams = disorderedEvents(fc.nat(), { maxDisorder: 3 }).chain((input) => watermarkPlacement(input));
 * ```
 * @throws InvalidArgumentError when `maxLag` is not an integer >= 0.
 */
export function watermarkPlacement<T>(input: DisorderedEvents<T>, options: WatermarkPlacementOptions = {}): fc.Arbitrary<StreamElement<T>[]> {
  const fc = fastCheck('watermarkPlacement');
  const { maxLag = 5 } = options;
  if (!Number.isSafeInteger(maxLag) || maxLag < 0) throw new InvalidArgumentError(`watermarkPlacement: maxLag must be an integer >= 0, got ${show(maxLag)}`);
  const { events, maxDisorder } = input;
  return fc.array(fc.option(fc.integer({ min: 0, max: maxLag })), { minLength: events.length, maxLength: events.length }).map((lags) => {
    const out: StreamElement<T>[] = [];
    let max = -Infinity;
    let last = -Infinity;
    events.forEach((e, i) => {
      out.push(e);
      if (e.timestamp > max) max = e.timestamp;
      const lag = lags[i];
      if (lag === null || lag === undefined) return;
      const w = max - maxDisorder - 1 - lag;
      if (w > last) {
        last = w;
        out.push({ kind: 'watermark', timestamp: w });
      }
    });
    return out;
  });
}
