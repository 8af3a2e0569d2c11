import { requireFinite, requirePositive } from './validate.js';

/** Fixed-size, non-overlapping windows `[start, start + size)`. */
export interface TumblingWindows {
  /** Tells the window kinds apart. */
  readonly type: 'tumbling';
  /** The length of every window. */
  readonly size: number;
  /** The alignment: window starts are `offset` modulo `size`. */
  readonly offset: number;
}

/**
 * Tumbling (fixed) windows of `size`, aligned so that window starts are `offset` modulo
 * `size` (Flink's `TumblingEventTimeWindows.of(size, offset)`).
 *
 * ```
 * events:   a@1  b@4      c@6      d@12
 * windows:  [0,5)         [5,10)   [10,15)      tumbling(5)
 * ```
 *
 * @example
 * ```ts
 * import { tumbling } from 'tidemark';
 * const hourly = tumbling(3_600_000);
 * const hourlyAtQuarterPast = tumbling(3_600_000, 900_000);
 * ```
 * @param size - window length, a positive finite number.
 * @param offset - alignment, any finite number; default 0.
 * @throws InvalidArgumentError when `size` is not positive or `offset` not finite.
 */
export function tumbling(size: number, offset = 0): TumblingWindows {
  requirePositive('tumbling', 'size', size);
  requireFinite('tumbling', 'offset', offset);
  return { type: 'tumbling', size, offset: ((offset % size) + size) % size };
}
