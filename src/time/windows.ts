import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { show } from '../errors/show.js';
import { sessionWindows, type SessionWindows } from './session.js';
import { slidingWindows, type SlidingWindows } from './sliding.js';
import { tumblingWindows, type TumblingWindows } from './tumbling.js';

/** How events are assigned to windows: {@link tumbling}, {@link sliding} or {@link session}. */
export type WindowAssigner = TumblingWindows | SlidingWindows | SessionWindows;

const CALLS: Record<string, string> = { tumbling: 'tumbling(size)', sliding: 'sliding(size, slide)', session: 'session(gap)' };

/**
 * @internal Validates a window assigner given to an operator (it may be hand-made rather than
 * built by {@link tumbling}, {@link sliding} or {@link session}) with the factories' own
 * checks, and returns a normalized copy; messages name `api` and the `window.` field.
 */
export function checkWindow(api: string, window: unknown): WindowAssigner {
  const w = window as Partial<Record<'type' | 'size' | 'slide' | 'offset' | 'gap', unknown>> | null;
  switch (w !== null && typeof w === 'object' ? w.type : undefined) {
    case 'tumbling':
      return tumblingWindows(api, 'window.', w!.size, w!.offset ?? 0);
    case 'sliding':
      return slidingWindows(api, 'window.', w!.size, w!.slide, w!.offset ?? 0);
    case 'session':
      return sessionWindows(api, 'window.', w!.gap);
    default:
      throw new InvalidArgumentError(
        `${api}: window must be tumbling(size), sliding(size, slide) or session(gap), got ${show(window)}` +
          (typeof window === 'function' ? ` (call the factory: ${CALLS[window.name] ?? 'tumbling(size)'}, not ${window.name || 'a function'})` : ''),
      );
  }
}

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
