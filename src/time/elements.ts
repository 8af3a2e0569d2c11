/**
 * The event-time element model: an event-time stream is an ordinary
 * `Observable<StreamElement<T>>` whose elements are events, watermarks, checkpoint
 * barriers and watermark-status changes.
 *
 * @packageDocumentation
 */

import type { CheckpointHandle } from '../state/checkpoint/CheckpointHandle.js';

/**
 * An event carrying the time it happened.
 *
 * @example
 * ```ts
 * import type { Timestamped } from 'tidemark';
 * const click: Timestamped<string> = { kind: 'event', value: 'buy', timestamp: 1_700_000_000_000 };
 * ```
 */
export interface Timestamped<T> {
  /** Tells an event from the other elements. */
  readonly kind: 'event';
  /** The payload. */
  readonly value: T;
  /** Event time, a finite number (milliseconds by convention). */
  readonly timestamp: number;
}

/**
 * A promise that no more events with `timestamp <= this.timestamp` are expected.
 * Watermarks on one stream never go backwards.
 *
 * @example
 * ```ts
 * import type { Watermark } from 'tidemark';
 * const w: Watermark = { kind: 'watermark', timestamp: 10 };
 * ```
 */
export interface Watermark {
  /** Tells a watermark from the other elements. */
  readonly kind: 'watermark';
  /** The event time up to which (inclusive) the stream is complete; `+Infinity` at its end. */
  readonly timestamp: number;
}

/**
 * A checkpoint barrier (asynchronous barrier snapshotting, as in Flink): every stateful
 * operator snapshots its state when the barrier passes it, then forwards the barrier.
 *
 * @example
 * ```ts
 * import type { Barrier } from 'tidemark';
 * const b: Barrier = { kind: 'barrier', checkpointId: 7 };
 * ```
 */
export interface Barrier {
  /** Tells a barrier from the other elements. */
  readonly kind: 'barrier';
  /** The checkpoint the barrier belongs to. */
  readonly checkpointId: number;
  /**
   * The coordinator's handle, on barriers that replayable sources inject for {@link checkpoints}:
   * where operators with an `id` put their snapshot (or, on the first barrier of a run, get
   * their restored state). Barriers without it (made by {@link barrier}) are forwarded, and
   * two-input operators align them, but nothing is snapshotted into a checkpoint.
   */
  readonly checkpoint?: CheckpointHandle | undefined;
}

/**
 * Watermark status (Flink's `WatermarkStatus`): an input that has had no events for its
 * `idleTimeout` announces `idle: true` and stops holding back the combined watermark of
 * {@link mergeEventTime}; its next event is preceded by `idle: false`.
 *
 * @example
 * ```ts
 * import type { WatermarkStatus } from 'tidemark';
 * const idle: WatermarkStatus = { kind: 'status', idle: true };
 * ```
 */
export interface WatermarkStatus {
  /** Tells a status change from the other elements. */
  readonly kind: 'status';
  /** `true`: the stream went idle; `false`: it is active again. */
  readonly idle: boolean;
}

/**
 * Everything that travels on an event-time stream.
 *
 * @example
 * ```ts
 * import { of, type Observable } from 'rxjs';
 * import { event, watermark, type StreamElement } from 'tidemark';
 * const stream: Observable<StreamElement<number>> = of(event(1, 1), watermark(1));
 * ```
 */
export type StreamElement<T> = Timestamped<T> | Watermark | Barrier | WatermarkStatus;

/** Elements other than events: they pass through operators that do not act on them. */
export type ControlElement = Watermark | Barrier | WatermarkStatus;

/**
 * Makes an event element.
 *
 * @example
 * ```ts
 * import { event } from 'tidemark';
 * console.log(event('a', 3));
 * // output:
 * // { kind: 'event', value: 'a', timestamp: 3 }
 * ```
 */
export function event<T>(value: T, timestamp: number): Timestamped<T> {
  return { kind: 'event', value, timestamp };
}

/**
 * Makes a watermark element.
 *
 * @example
 * ```ts
 * import { watermark } from 'tidemark';
 * console.log(watermark(10));
 * // output:
 * // { kind: 'watermark', timestamp: 10 }
 * ```
 */
export function watermark(timestamp: number): Watermark {
  return { kind: 'watermark', timestamp };
}

/**
 * Makes a checkpoint barrier element.
 *
 * @example
 * ```ts
 * import { barrier } from 'tidemark';
 * barrier(1); // { kind: 'barrier', checkpointId: 1 }
 * ```
 */
export function barrier(checkpointId: number): Barrier {
  return { kind: 'barrier', checkpointId };
}

/** The watermark every event-time stream ends with: everything fires. */
export const END_OF_TIME: Watermark = Object.freeze({ kind: 'watermark', timestamp: Infinity });
/** The status element a stream sends when it goes idle. */
export const IDLE: WatermarkStatus = Object.freeze({ kind: 'status', idle: true });
/** The status element a stream sends when it becomes active again, before its next event. */
export const ACTIVE: WatermarkStatus = Object.freeze({ kind: 'status', idle: false });
