import type { TimerQueue } from '../../../state/StateBackend.js';
import type { Timestamped } from '../../../time/elements.js';
import type { WindowResult } from '../../../time/windows.js';
import type { EarlyFirings } from './EarlyFirings.js';
import type { ProcessingTime } from '../chain/engine.js';

/** @internal How a window fired. */
export type Firing = WindowResult<unknown, unknown>['firing'];

/**
 * @internal What a window layout (how windows keep their state) gets from the window engine:
 * the watermark and timers, the aggregator's calls with their checks, and the output.
 */
export interface WindowCore<T, K, A> {
  /** The current watermark. */
  readonly wm: number;
  readonly lateness: number;
  /** Discarding panes: every firing starts the window's accumulator afresh. */
  readonly discarding: boolean;
  /** The backend hands out stored values themselves: an accumulator changed in place needs no `set`. */
  readonly sharesValues: boolean;
  readonly early: EarlyFirings<K> | undefined;
  readonly time: ProcessingTime;
  /** Event-time timers: fixed windows use one per window (key `null`), sessions one per session. */
  readonly timers: TimerQueue<K | null, number>;
  create(): A;
  add(acc: A, value: T, timestamp: number): A;
  merge(a: A, b: A): A;
  /** An event too late for every window it belongs to: to `late`, or dropped and counted. */
  late(value: T, timestamp: number, element: Timestamped<T> | undefined): void;
  /** Emits a window's result (timestamp `end − 1`) and starts the window's early pane afresh. */
  emit(key: K, ns: number, start: number, end: number, acc: A, firing: Firing): void;
  /** A timer was registered at `time`: watermarks below it need not look at the timers. */
  timerAt(time: number): void;
}

/**
 * @internal How the windows of one assigner keep their state and fire: panes
 * ({@link PaneWindows}: tumbling, and sliding windows assembled from slices), one accumulator
 * per sliding window ({@link SlidingWindows}), or merging sessions ({@link SessionWindows}).
 */
export interface WindowLayout<T, K> {
  /** The layout's name in snapshots: a restore into another layout is refused. */
  readonly name: string;
  onEvent(key: K, value: T, timestamp: number, element: Timestamped<T> | undefined): void;
  /** Fires the event-time timers up to `watermark` (the core has already moved its watermark). */
  advance(watermark: number): void;
  /** A processing-time early timer of `(key, window namespace)` is due. */
  onEarlyTimer(key: K, ns: number): void;
  /** State was restored: forget caches of it. */
  reset(): void;
}
