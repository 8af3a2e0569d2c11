import type { SessionWindows } from './session.js';
import type { SlidingWindows } from './sliding.js';
import type { TumblingWindows } from './tumbling.js';

/** How events are assigned to windows: {@link tumbling}, {@link sliding} or {@link session}. */
export type WindowAssigner = TumblingWindows | SlidingWindows | SessionWindows;

/**
 * One window's result, emitted as an event with timestamp `end − 1`.
 *
 * @example
 * ```ts
 * import type { WindowResult } from 'tidemark';
 * const r: WindowResult<string, number> = { key: 'a', start: 0, end: 10, value: 3, firing: 'on-time' };
 * ```
 */
export interface WindowResult<K, R> {
  /** The key of the window (`undefined` without a `key` function). */
  readonly key: K;
  /** Inclusive start of the window. */
  readonly start: number;
  /** Exclusive end of the window. */
  readonly end: number;
  /** The aggregator's result for the window. */
  readonly value: R;
  /**
   * `'early'` before the watermark reached `end − 1` (an early trigger), `'on-time'` when
   * it did, `'late'` for a re-firing caused by an event within the allowed lateness.
   */
  readonly firing: 'early' | 'on-time' | 'late';
}
