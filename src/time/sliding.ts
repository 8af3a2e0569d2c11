import { requireDuration, requireIntegerTime } from './validate.js';

/** Windows of `size` starting every `slide`; an event belongs to every window containing it. */
export interface SlidingWindows {
  /** Tells the window kinds apart. */
  readonly type: 'sliding';
  /** The length of every window. */
  readonly size: number;
  /** The distance between the starts of consecutive windows. */
  readonly slide: number;
  /** The alignment: window starts are `offset` modulo `slide`. */
  readonly offset: number;
}

/**
 * Sliding (hopping) windows of `size`, one starting every `slide` (Flink's
 * `SlidingEventTimeWindows.of(size, slide, offset)`). An event is assigned to every window
 * `[start, start + size)` that contains it; with `slide > size` some events fall in none.
 *
 * ```
 * events:  a@1         b@6
 * windows: [-5,5) ∋ a  [0,10) ∋ a,b   [5,15) ∋ b       sliding(10, 5)
 * ```
 *
 * @example
 * ```ts
 * import { sliding } from 'tidemark';
 * const lastMinuteEvery10s = sliding(60_000, 10_000);
 * ```
 * @throws InvalidArgumentError when `size` or `slide` is not a positive integer, or `offset`
 *   not an integer (time is integral, milliseconds by convention).
 */
export function sliding(size: number, slide: number, offset = 0): SlidingWindows {
  return slidingWindows('sliding', '', size, slide, offset);
}

/** @internal Validates and normalizes sliding windows; option names in messages get `prefix`. */
export function slidingWindows(api: string, prefix: string, size: unknown, slide: unknown, offset: unknown): SlidingWindows {
  const s = requireDuration(api, `${prefix}size`, size);
  const d = requireDuration(api, `${prefix}slide`, slide);
  const o = requireIntegerTime(api, `${prefix}offset`, offset);
  return { type: 'sliding', size: s, slide: d, offset: ((o % d) + d) % d };
}
