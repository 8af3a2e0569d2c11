import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { show } from '../errors/show.js';
import { requirePositive, requirePositiveInteger } from './validate.js';

/** When a window emits results. Build one with {@link afterWatermark}. */
export interface Trigger {
  /** The kind of trigger (only `afterWatermark` for now). */
  readonly type: 'after-watermark';
  /** Early firing after this many events in a window since its last firing. */
  readonly everyEvents?: number | undefined;
  /** Early firing this much processing time after the first event of a pane. */
  readonly every?: number | undefined;
  /** What each firing carries: everything so far (`'accumulating'`) or only what is new (`'discarding'`). */
  readonly panes: 'accumulating' | 'discarding';
}

/** Options of {@link afterWatermark}. */
export interface AfterWatermarkOptions {
  /** Early firings before the watermark reaches the window end. @defaultValue none */
  early?: {
    /** Fire after every this many events added to the window since its last firing. */
    everyEvents?: number;
    /** Fire this much processing time (scheduler time) after the first event of a pane. */
    every?: number;
  };
  /**
   * `'accumulating'`: every firing carries everything the window holds so far;
   * `'discarding'`: every firing carries only what arrived since the previous firing.
   * @defaultValue 'accumulating'
   */
  panes?: 'accumulating' | 'discarding';
}

/**
 * The window trigger (Beam's `AfterWatermark.pastEndOfWindow()`): fire once on time when
 * the watermark reaches `end − 1`, again for each late event within the allowed lateness,
 * and optionally early, every N events and/or every T of processing time.
 *
 * ```
 * events:   a@1 b@2 c@3        W(9)         d@4 (late, within lateness)
 * fires:        early(2)      on-time(3)    late(4)       everyEvents: 2, window [0,10)
 * ```
 *
 * @example
 * ```ts
 * import { afterWatermark } from 'tidemark';
 * const trigger = afterWatermark({ early: { everyEvents: 100, every: 1_000 }, panes: 'accumulating' });
 * ```
 * @throws InvalidArgumentError for a non-positive-integer `everyEvents`, a non-positive `every`,
 *   or an unknown `panes` mode.
 */
export function afterWatermark(options: AfterWatermarkOptions = {}): Trigger {
  const { early = {}, panes = 'accumulating' } = options;
  if (early.everyEvents !== undefined) requirePositiveInteger('afterWatermark', 'early.everyEvents', early.everyEvents);
  if (early.every !== undefined) requirePositive('afterWatermark', 'early.every', early.every);
  if (panes !== 'accumulating' && panes !== 'discarding') {
    throw new InvalidArgumentError(
      `afterWatermark: panes must be 'accumulating' or 'discarding', got ${show(panes)}`,
    );
  }
  return { type: 'after-watermark', everyEvents: early.everyEvents, every: early.every, panes };
}
