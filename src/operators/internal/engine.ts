import type { ControlElement, Timestamped } from '../../time/elements.js';

/**
 * @internal Where an engine sends what it emits. The RxJS adapter turns these calls into
 * `next` notifications; the test harness records them.
 */
export interface Collector<O> {
  /** An event with its timestamp. */
  event(value: O, timestamp: number): void;
  /** A watermark (engines emit one only when it advances). */
  watermark(timestamp: number): void;
  /** A barrier or status element, unchanged. */
  control(element: ControlElement): void;
}

/**
 * @internal Processing time, as an engine sees it: the current time and a request to be
 * called back (`onProcessingTime`) at or after `time`. Backed by an RxJS `SchedulerLike`
 * in the adapter and by a virtual clock in tests.
 */
export interface ProcessingTime {
  now(): number;
  wakeAt(time: number): void;
}

/** @internal An operator's snapshot: its kind and its state, plain data. */
export interface OperatorSnapshot {
  readonly operator: string;
  readonly state: unknown;
}

/**
 * The RxJS-free state machine behind a one-input operator: it receives events and
 * watermarks, fires timers, and snapshots and restores its state. The exported `pipe()`
 * operator is a thin adapter over it; `tidemark/testing` drives it directly.
 *
 * Contract: timestamps handed to `onEvent` are finite; watermarks handed to
 * `onWatermark` are numbers (not NaN) and may repeat or go back, which the engine ignores.
 */
export interface Engine<I, O> {
  readonly name: string;
  /** `element`, when given, is the input element itself (kept for late routing); chained operators omit it. */
  onEvent(value: I, timestamp: number, element?: Timestamped<I>): void;
  /** When the watermark advances: fires what it completes, then forwards it. */
  onWatermark(timestamp: number): void;
  /** Processing-time callback requested through {@link ProcessingTime.wakeAt}. */
  onProcessingTime?(now: number): void;
  snapshot?(): OperatorSnapshot;
  restore?(snapshot: OperatorSnapshot): void;
  /** Connects the engine to its output and clock; called once, before any input. */
  open(out: Collector<O>, time: ProcessingTime): void;
}
