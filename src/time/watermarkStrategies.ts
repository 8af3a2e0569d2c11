import { requireNonNegative } from './validate.js';

/**
 * Produces watermarks from the events of one stream. Implement it for a custom strategy;
 * {@link boundedOutOfOrderness} and {@link monotonousTimestamps} are the usual ones.
 *
 * @example
 * ```ts
 * import type { WatermarkStrategy } from 'tidemark';
 * // Watermarks that trail the largest timestamp seen by a whole minute, in minute steps.
 * const perMinute: WatermarkStrategy = {
 *   create() {
 *     let max = -Infinity;
 *     return { onEvent: (t) => Math.floor((max = Math.max(max, t)) / 60_000) * 60_000 - 60_001 };
 *   },
 * };
 * ```
 */
export interface WatermarkStrategy<T = unknown> {
  /** A fresh generator for each subscription. */
  create(): WatermarkGenerator<T>;
}

/** The per-subscription state of a {@link WatermarkStrategy}. */
export interface WatermarkGenerator<T = unknown> {
  /**
   * Called for every event, in arrival order; returns the current watermark: the largest
   * timestamp `W` such that no event with `timestamp <= W` is expected any more
   * (`-Infinity` for none yet). A smaller value than before is ignored; a non-number is an error.
   */
  onEvent(timestamp: number, value: T): number;
}

/**
 * Watermarks that trail the largest timestamp seen so far by `bound`: events may arrive
 * up to `bound` out of order and still be on time. The watermark is `max − bound − 1`
 * (Flink's `BoundedOutOfOrdernessWatermarks`).
 *
 * ```
 * events:     a@10        b@7       c@14
 * watermark:  W(6)        W(6)      W(10)         boundedOutOfOrderness(3)
 * ```
 *
 * @example
 * ```ts
 * import { from } from 'rxjs';
 * import { boundedOutOfOrderness, withEventTime } from 'tidemark';
 *
 * from([{ id: 'a', at: 10 }, { id: 'b', at: 7 }, { id: 'c', at: 14 }])
 *   .pipe(withEventTime({ timestamp: (r) => r.at, watermark: boundedOutOfOrderness(3) }))
 *   .subscribe((e) => console.log(e.kind === 'event' ? `${e.value.id}@${e.timestamp}` : e.kind === 'watermark' ? `W(${e.timestamp})` : e.kind));
 * // output:
 * // a@10
 * // W(6)
 * // b@7
 * // c@14
 * // W(10)
 * // W(Infinity)
 * ```
 * @throws InvalidArgumentError when `bound` is negative or not finite.
 */
export function boundedOutOfOrderness(bound: number): WatermarkStrategy {
  requireNonNegative('boundedOutOfOrderness', 'bound', bound);
  return new BoundedOutOfOrderness(bound);
}

/**
 * @internal The strategy behind {@link boundedOutOfOrderness}. `withEventTime` recognizes it
 * and tracks the largest timestamp inline instead of calling `onEvent` per event.
 */
export class BoundedOutOfOrderness implements WatermarkStrategy {
  constructor(readonly bound: number) {}

  create(): WatermarkGenerator {
    const lag = this.bound + 1;
    let max = -Infinity;
    return {
      onEvent(timestamp: number): number {
        if (timestamp > max) max = timestamp;
        return max - lag;
      },
    };
  }
}

/**
 * Watermarks for streams whose timestamps never decrease: `boundedOutOfOrderness(0)`,
 * so the watermark is the largest timestamp seen minus one.
 *
 * @example
 * ```ts
 * import { monotonousTimestamps, withEventTime } from 'tidemark';
 * const stamp = withEventTime<{ at: number }>({ timestamp: (r) => r.at, watermark: monotonousTimestamps() });
 * ```
 */
export function monotonousTimestamps(): WatermarkStrategy {
  return boundedOutOfOrderness(0);
}
