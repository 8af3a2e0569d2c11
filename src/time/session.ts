import { requireDuration } from './validate.js';

/** Per-key activity sessions that close after `gap` without events. */
export interface SessionWindows {
  /** Tells the window kinds apart. */
  readonly type: 'session';
  /** How long a key may go without events before its session closes. */
  readonly gap: number;
}

/**
 * Session windows (Flink's `EventTimeSessionWindows.withGap(gap)`): each event opens
 * `[t, t + gap)`; windows of one key that overlap or touch merge into one.
 *
 * ```
 * events:  a@1 b@3            c@20
 * windows: [1,4)+[3,6)=[1,6)  [20,23)        session(3)
 * ```
 *
 * @example
 * ```ts
 * import { session } from 'tidemark';
 * const visits = session(30 * 60_000);
 * ```
 * @throws InvalidArgumentError when `gap` is not a positive integer (time is integral,
 *   milliseconds by convention).
 */
export function session(gap: number): SessionWindows {
  return sessionWindows('session', '', gap);
}

/** @internal Validates session windows; option names in messages get `prefix`. */
export function sessionWindows(api: string, prefix: string, gap: unknown): SessionWindows {
  return { type: 'session', gap: requireDuration(api, `${prefix}gap`, gap) };
}
