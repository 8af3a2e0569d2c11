import type * as fc from 'fast-check';
import { InvalidArgumentError } from 'tidemark';
import { show } from './canonical.js';
import { fastCheck } from './internal/fastCheck.js';
import { boundaryAnchors, edgeOffsets, withGeometry } from './internal/windowEdges.js';

/**
 * Options of {@link boundaryTimestamps}.
 *
 * @example
 * ```ts
 * import { boundaryTimestamps, type BoundaryTimestampsOptions } from 'tidemark/testing';
 *
 * const options: BoundaryTimestampsOptions = { offset: 15, windows: { min: -2, max: 2 } };
 * const edges = boundaryTimestamps(60, options); // 14, 15, 16, 74, 75, 76, …
 * const sliding = boundaryTimestamps(10, { slide: 5, maxDisorder: 3, allowedLateness: 2 }); // windows [5k, 5k + 10)
 * ```
 */
export interface BoundaryTimestampsOptions {
  /** Window alignment, as in `tumbling(size, offset)`. @defaultValue 0 */
  offset?: number | undefined;
  /** Which boundaries `k` (from `min` to `max`, inclusive). @defaultValue `{ min: 0, max: 10 }` */
  windows?: { min: number; max: number } | undefined;
  /**
   * How often windows start, as in `sliding(size, slide)`: boundaries are the starts
   * `k·slide + offset` and, when `size` is not a multiple of `slide`, the ends
   * `k·slide + offset + size` too. @defaultValue `size` (tumbling windows)
   */
  slide?: number | undefined;
  /**
   * The disorder bound of the input: adds, at every boundary `b`, the timestamps `b − 1 + maxDisorder`,
   * `b + maxDisorder` and `b + 1 + maxDisorder`, whose arrival moves a `boundedOutOfOrderness(maxDisorder)`
   * watermark to one tick before the window end − 1, to it, and one tick after. When this
   * arbitrary is the `timestamps` of {@link disorderedEvents}, it is filled in from there.
   * @defaultValue none: only `b − 1`, `b`, `b + 1` (or `disorderedEvents`' `maxDisorder`)
   */
  maxDisorder?: number | undefined;
  /**
   * The window operator's allowed lateness: adds the lateness edge `b − 1 + allowedLateness` ± 1
   * and the timestamps whose arrival moves the watermark one tick before, onto and one tick past
   * it (`b − 1 + allowedLateness + maxDisorder + 1` ± 1), where windows are purged. @defaultValue 0
   */
  allowedLateness?: number | undefined;
}

/**
 * A fast-check arbitrary of timestamps in the off-by-one zone of window boundaries: at every
 * boundary `b = k·slide + offset`, the timestamps `b − 1`, `b` and `b + 1`, where windows end,
 * start and have just started; with `maxDisorder` and `allowedLateness`, also the timestamps
 * that put the watermark one tick before, at and one tick after a window's end − 1 (and its
 * lateness limit). Feed it to {@link disorderedEvents} as `timestamps`: there, `maxDisorder`
 * comes from the input, so `boundaryTimestamps(10)` with `maxDisorder: 3` also gives `b + 2`
 * (`end − 1 + maxDisorder`), and the arrival order puts such events right before those exactly
 * `maxDisorder` older.
 *
 * ```
 * size 10:                   9 10 11   19 20 21   29 30 31 …
 * size 10, maxDisorder 3:    9 10 11 12 13 14   19 20 21 22 23 24 …
 * ```
 *
 * @example
 * ```ts
 * import * as fc from 'fast-check';
 * import { boundaryTimestamps, disorderedEvents } from 'tidemark/testing';
 *
 * const edgy = disorderedEvents(fc.nat(), { maxDisorder: 2, timestamps: boundaryTimestamps(10) });
 * const late = disorderedEvents(fc.nat(), { maxDisorder: 2, lateFraction: 0.3, timestamps: boundaryTimestamps(10, { allowedLateness: 5 }) });
 * fc.sample(boundaryTimestamps(10, { maxDisorder: 2, windows: { min: 1, max: 1 } })); // among 9 10 11 12 13
 * ```
 * @throws InvalidArgumentError when `size` is not positive or the options are malformed.
 */
export function boundaryTimestamps(size: number, options: BoundaryTimestampsOptions = {}): fc.Arbitrary<number> {
  const fc = fastCheck('boundaryTimestamps');
  const { offset = 0, windows = { min: 0, max: 10 }, slide = size, maxDisorder, allowedLateness } = options;
  if (typeof size !== 'number' || !(size > 0) || !Number.isFinite(size)) {
    throw new InvalidArgumentError(`boundaryTimestamps: size must be a positive finite number, got ${show(size)}`);
  }
  if (typeof offset !== 'number' || !Number.isFinite(offset)) throw new InvalidArgumentError(`boundaryTimestamps: offset must be a finite number, got ${show(offset)}`);
  if (windows === null || typeof windows !== 'object' || !Number.isSafeInteger(windows.min) || !Number.isSafeInteger(windows.max) || windows.max < windows.min) {
    throw new InvalidArgumentError(`boundaryTimestamps: windows must be { min, max } with integers min <= max, got ${show(windows)}`);
  }
  if (typeof slide !== 'number' || !(slide > 0) || !Number.isFinite(slide)) {
    throw new InvalidArgumentError(`boundaryTimestamps: slide must be a positive finite number, got ${show(slide)}`);
  }
  for (const [name, value] of [['maxDisorder', maxDisorder], ['allowedLateness', allowedLateness]] as const) {
    if (value !== undefined && (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value))) {
      throw new InvalidArgumentError(`boundaryTimestamps: ${name} must be a finite number >= 0, got ${show(value)}`);
    }
  }
  const edges = [...new Set(boundaryAnchors(size, slide).flatMap((a) => edgeOffsets(maxDisorder ?? 0, allowedLateness ?? 0).map((d) => a + d)))];
  const arbitrary = fc
    .tuple(fc.integer({ min: windows.min, max: windows.max }), fc.constantFrom(...edges))
    .map(([k, d]) => k * slide + offset + d);
  return withGeometry(arbitrary, { size, slide, offset, windows: { min: windows.min, max: windows.max }, maxDisorder, allowedLateness });
}
