import type * as fc from 'fast-check';
import { InvalidArgumentError } from 'tidemark';
import { show } from './canonical.js';
import { fastCheck } from './internal/fastCheck.js';

/**
 * Options of {@link boundaryTimestamps}.
 *
 * @example
 * ```ts
 * import { boundaryTimestamps, type BoundaryTimestampsOptions } from 'tidemark/testing';
 *
 * const options: BoundaryTimestampsOptions = { offset: 15, windows: { min: -2, max: 2 } };
 * const edges = boundaryTimestamps(60, options); // 14, 15, 16, 74, 75, 76, …
 * ```
 */
export interface BoundaryTimestampsOptions {
  /** Window alignment, as in `tumbling(size, offset)`. @defaultValue 0 */
  offset?: number | undefined;
  /** Which boundaries `k` (from `min` to `max`, inclusive). @defaultValue `{ min: 0, max: 10 }` */
  windows?: { min: number; max: number } | undefined;
}

/**
 * A fast-check arbitrary of timestamps in the off-by-one zone of window boundaries:
 * `k·size + offset − 1`, `k·size + offset` and `k·size + offset + 1`, where windows end, start
 * and have just started. For sliding windows pass the slide (boundaries come every slide).
 * Feed it to {@link disorderedEvents} as `timestamps`.
 *
 * ```
 * size 10:   9 10 11   19 20 21   29 30 31 …
 * ```
 *
 * @example
 * ```ts
 * import * as fc from 'fast-check';
 * import { boundaryTimestamps, disorderedEvents } from 'tidemark/testing';
 *
 * const edgy = disorderedEvents(fc.nat(), { maxDisorder: 2, timestamps: boundaryTimestamps(10) });
 * ```
 * @throws InvalidArgumentError when `size` is not positive or the options are malformed.
 */
export function boundaryTimestamps(size: number, options: BoundaryTimestampsOptions = {}): fc.Arbitrary<number> {
  const fc = fastCheck('boundaryTimestamps');
  const { offset = 0, windows = { min: 0, max: 10 } } = options;
  if (typeof size !== 'number' || !(size > 0) || !Number.isFinite(size)) {
    throw new InvalidArgumentError(`boundaryTimestamps: size must be a positive finite number, got ${show(size)}`);
  }
  if (typeof offset !== 'number' || !Number.isFinite(offset)) throw new InvalidArgumentError(`boundaryTimestamps: offset must be a finite number, got ${show(offset)}`);
  if (!Number.isSafeInteger(windows.min) || !Number.isSafeInteger(windows.max) || windows.max < windows.min) {
    throw new InvalidArgumentError(`boundaryTimestamps: windows must be { min, max } with integers min <= max, got ${show(windows)}`);
  }
  return fc
    .tuple(fc.integer({ min: windows.min, max: windows.max }), fc.constantFrom(0, -1, 1))
    .map(([k, d]) => k * size + offset + d);
}
