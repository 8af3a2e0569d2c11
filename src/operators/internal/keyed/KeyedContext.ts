import type { KeyedStates, StateDescriptors } from '../../../state/keyedState.js';

/**
 * `ctx.timers` of `keyedProcess`: timers of the current key, in event time or processing time
 * (Flink's `TimerService`). A key has at most one timer per time and domain: registering it
 * again keeps the one there (and its place among timers of the same time); deleting a timer
 * that is not there does nothing. When a timer fires, `onTimer(time, ctx)` runs for its key.
 *
 * - An event-time timer at `t` fires when the watermark reaches `t` (`W >= t`), before that
 *   watermark is forwarded. Timers fire in time order; timers of the same time in the order
 *   they were registered. One registered at or below the current watermark from `onEvent`
 *   fires with the next watermark; one registered from `onTimer` while a watermark `W` is being
 *   processed, at or below `W`, fires during that same watermark (after the timer that
 *   registered it), so the final `+Infinity` watermark runs every timer.
 * - A processing-time timer at `p` fires on the first wake-up of the scheduler at or after `p`
 *   (at once, for `p` in the past); timers due at one wake-up fire in time order, ties in
 *   registration order. Pending processing-time timers do not fire when the input completes
 *   (as in Flink); unsubscribing cancels the scheduled wake-up.
 *
 * ```
 * onEvent(a@3): registerEventTime(10)      W(9): nothing      W(10): onTimer(10) → then W(10) forwarded
 * ```
 *
 * @example
 * ```ts
 * import type { KeyedTimers } from 'tidemark';
 * function remindInAMinute(timers: KeyedTimers, now: number): void {
 *   timers.registerProcessingTime(now + 60_000);
 * }
 * ```
 */
export interface KeyedTimers {
  /** Registers an event-time timer at `time` (a finite number) for the current key. */
  registerEventTime(time: number): void;
  /** Deletes the current key's event-time timer at `time`, if there is one. */
  deleteEventTime(time: number): void;
  /** Registers a processing-time timer at `time` (scheduler time, a finite number) for the current key. */
  registerProcessingTime(time: number): void;
  /** Deletes the current key's processing-time timer at `time`, if there is one. */
  deleteProcessingTime(time: number): void;
}

/**
 * The `ctx` of `keyedProcess`'s `onEvent(value, ctx)`: the key and time of the event being
 * processed, the current key's declared state, its timers, and `emit`. It is valid only while
 * the callback runs: state, timers and `emit` throw if used later (in a promise, a timeout).
 *
 * @example
 * ```ts
 * import { valueState, type KeyedProcessContext } from 'tidemark';
 * const state = { count: valueState<number>() };
 * function onEvent(word: string, ctx: KeyedProcessContext<string, typeof state, string>): void {
 *   const n = (ctx.state.count.get() ?? 0) + 1;
 *   ctx.state.count.set(n);
 *   if (n === 3) ctx.emit(`${ctx.key} seen 3 times, last at ${ctx.timestamp}`);
 * }
 * ```
 */
export interface KeyedProcessContext<K, S extends StateDescriptors, O> {
  /** The key of the event (or timer) being processed: what `key` returned. */
  readonly key: K;
  /** The event's timestamp; in `onTimer`, the timer's time (a processing time for processing-time timers). */
  readonly timestamp: number;
  /** The operator's current watermark (`-Infinity` before the first); in `onTimer` of an event-time timer, the watermark that fired it. */
  readonly watermark: number;
  /** The current processing time, from the operator's scheduler. */
  readonly processingTime: number;
  /** The declared state, for the current key: `ctx.state.<name>`. */
  readonly state: KeyedStates<S>;
  /** The current key's timers. */
  readonly timers: KeyedTimers;
  /**
   * Emits an event with `value`, at `timestamp` (a finite number): by default the event's
   * timestamp, or the timer's time in `onTimer` — for a processing-time timer a processing time,
   * so give an event time explicitly if the output goes on to event-time operators.
   */
  emit(value: O, timestamp?: number): void;
}

/**
 * The `ctx` of `keyedProcess`'s `onTimer(timestamp, ctx)`: as in `onEvent`, for the timer's
 * key, plus the timer's time domain.
 *
 * @example
 * ```ts
 * import { valueState, type KeyedTimerContext } from 'tidemark';
 * const state = { count: valueState<number>() };
 * function onTimer(t: number, ctx: KeyedTimerContext<string, typeof state, string>): void {
 *   if (ctx.timeDomain === 'event-time') ctx.emit(`${ctx.key}: ${ctx.state.count.get() ?? 0} by ${t}`);
 *   ctx.state.count.clear();
 * }
 * ```
 */
export interface KeyedTimerContext<K, S extends StateDescriptors, O> extends KeyedProcessContext<K, S, O> {
  /** Whether the timer that fired is an event-time or a processing-time timer. */
  readonly timeDomain: 'event-time' | 'processing-time';
}

/** @internal What the context reads from and calls on its engine. */
export interface ContextHost<O> {
  readonly watermark: number;
  readonly processingTime: number;
  emit(value: O, timestamp: number | undefined): void;
}

/**
 * @internal The one context object of an engine: the engine sets `key`, `timestamp` and
 * `timeDomain` before each callback (no object per event).
 */
export class Context<K, O> implements KeyedTimerContext<K, StateDescriptors, O> {
  key!: K;
  timestamp = 0;
  timeDomain: 'event-time' | 'processing-time' = 'event-time';

  constructor(
    private readonly host: ContextHost<O>,
    readonly state: KeyedStates<StateDescriptors>,
    readonly timers: KeyedTimers,
  ) {}

  get watermark(): number {
    return this.host.watermark;
  }

  get processingTime(): number {
    return this.host.processingTime;
  }

  emit(value: O, timestamp?: number): void {
    this.host.emit(value, timestamp);
  }
}
