import { requireDuration, requireIntegerTime } from './validate.js';

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
 * @param size - window length, a positive integer (time is integral, milliseconds by convention).
 * @param offset - alignment, any integer; default 0.
 * @throws InvalidArgumentError when `size` is not a positive integer or `offset` not an integer.
 */
export function tumbling(size: number, offset = 0): TumblingWindows {
  return tumblingWindows('tumbling', '', size, offset);
}

/** @internal Validates and normalizes tumbling windows; option names in messages get `prefix`. */
export function tumblingWindows(api: string, prefix: string, size: unknown, offset: unknown): TumblingWindows {
  const s = requireDuration(api, `${prefix}size`, size);
  const o = requireIntegerTime(api, `${prefix}offset`, offset);
  return { type: 'tumbling', size: s, offset: ((o % s) + s) % s };
}
