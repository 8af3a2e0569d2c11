import type { ControlElement, Timestamped } from '../../../time/elements.js';

/**
 * Where an engine sends what it emits. The RxJS adapter turns these calls into
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
 * Processing time, as an engine sees it: the current time and a request to be
 * called back (`onProcessingTime`) at or after `time`. Backed by an RxJS `SchedulerLike`
 * in the adapter and by a virtual clock in tests.
 */
export interface ProcessingTime {
  /** The current processing time, in ms. */
  now(): number;
  /**
   * Asks for one `onProcessingTime` call at or after `time`. Only the earliest pending request
   * counts: a later one is ignored until it has fired (the engine asks again from the callback).
   */
  wakeAt(time: number): void;
}

/** An operator's snapshot: its kind and its state, plain data. */
export interface OperatorSnapshot {
  /** The kind of operator that took it (`'windowAggregate'` …); `restore` refuses another kind. */
  readonly operator: string;
  /** The operator's state: plain data (structured-cloneable), its shape private to the operator. */
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
  /** The operator's name, used in error messages and snapshots. */
  readonly name: string;
  /** `element`, when given, is the input element itself (kept for late routing); chained operators omit it. */
  onEvent(value: I, timestamp: number, element?: Timestamped<I>): void;
  /** When the watermark advances: fires what it completes, then forwards it. */
  onWatermark(timestamp: number): void;
  /** Processing-time callback requested through {@link ProcessingTime.wakeAt}. */
  onProcessingTime?(now: number): void;
  /** The engine's state as plain data, to store anywhere and hand to `restore` later. */
  snapshot?(): OperatorSnapshot;
  /** Replaces the engine's state with a snapshot; `StateError` for one of another kind or configuration. */
  restore?(snapshot: OperatorSnapshot): void;
  /** Connects the engine to its output and clock; called once, before any input. */
  open(out: Collector<O>, time: ProcessingTime): void;
}
