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

/**
 * The RxJS-free state machine of a two-input operator (a join), as Flink's
 * `TwoInputStreamOperator`: input 1 is the left stream, input 2 the right. The engine keeps
 * each input's watermark and emits the combined one (normally the minimum); a `+Infinity`
 * watermark on an input means that input has completed. Optional `onControl1`/`onControl2`
 * receive barriers and status changes; without them they pass through. The joins' `pipe()`
 * operators are thin adapters over such engines (they check the stream contract, align
 * barriers and run one step at a time); `tidemark/testing`'s `TwoInputHarness` drives them
 * directly.
 *
 * Contract: timestamps handed to `onEvent1`/`onEvent2` are finite; watermarks are numbers
 * (not NaN) and may repeat or go back, which the engine ignores.
 *
 * @example
 * ```ts
 * import type { Collector, TwoInputEngine } from 'tidemark';
 *
 * // A union of two streams with the minimum of their watermarks.
 * function union<T>(): TwoInputEngine<T, T, T> {
 *   let out!: Collector<T>;
 *   const wm = [-Infinity, -Infinity];
 *   let emitted = -Infinity;
 *   const onWatermark = (i: 0 | 1, t: number) => {
 *     wm[i] = Math.max(wm[i]!, t);
 *     const w = Math.min(wm[0]!, wm[1]!);
 *     if (w > emitted) out.watermark((emitted = w));
 *   };
 *   return {
 *     name: 'union',
 *     open: (o) => void (out = o),
 *     onEvent1: (v, t) => out.event(v, t),
 *     onEvent2: (v, t) => out.event(v, t),
 *     onWatermark1: (t) => onWatermark(0, t),
 *     onWatermark2: (t) => onWatermark(1, t),
 *   };
 * }
 * ```
 */
export interface TwoInputEngine<L, R, O> {
  /** The operator's name, used in error messages and snapshots. */
  readonly name: string;
  /** An event on the left input; `element`, when given, is the input element itself (kept for late routing). */
  onEvent1(value: L, timestamp: number, element?: Timestamped<L>): void;
  /** An event on the right input; `element`, when given, is the input element itself (kept for late routing). */
  onEvent2(value: R, timestamp: number, element?: Timestamped<R>): void;
  /** A watermark on the left input (`+Infinity`: the left input completed). */
  onWatermark1(timestamp: number): void;
  /** A watermark on the right input (`+Infinity`: the right input completed). */
  onWatermark2(timestamp: number): void;
  /** A barrier or status change on the left input; without it, it passes through. */
  onControl1?(element: ControlElement): void;
  /** A barrier or status change on the right input; without it, it passes through. */
  onControl2?(element: ControlElement): void;
  /** Processing-time callback requested through {@link ProcessingTime.wakeAt}. */
  onProcessingTime?(now: number): void;
  /** The engine's state as plain data, to store anywhere and hand to `restore` later. */
  snapshot?(): OperatorSnapshot;
  /** Replaces the engine's state with a snapshot; `StateError` for one of another kind or configuration. */
  restore?(snapshot: OperatorSnapshot): void;
  /** Connects the engine to its output and clock; called once, before any input. */
  open(out: Collector<O>, time: ProcessingTime): void;
}
