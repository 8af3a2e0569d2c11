import { InvalidArgumentError, type StreamElement, type Timestamped } from 'tidemark';
import { show } from './canonical.js';

/**
 * Interleaves events with the watermarks `withEventTime({ watermark: boundedOutOfOrderness(maxDisorder) })`
 * would emit: after each event that advances it, `max seen − maxDisorder − 1`. (The final
 * `+Infinity` watermark is not included: a harness's `complete()` sends it.)
 *
 * ```
 * events:  a@3 b@1 c@8             maxDisorder 1
 * result:  a@3 W1 b@1 c@8 W6
 * ```
 *
 * @example
 * ```ts
 * import { event } from 'tidemark';
 * import { boundedWatermarks, formatMarbles } from 'tidemark/testing';
 *
 * console.log(formatMarbles(boundedWatermarks([event('a', 3), event('b', 1), event('c', 8)], 1)));
 * // output:
 * // a@3 W1 b@1 c@8 W6
 * ```
 * @throws InvalidArgumentError when `maxDisorder` is negative or not finite.
 */
export function boundedWatermarks<T>(events: readonly Timestamped<T>[], maxDisorder: number): StreamElement<T>[] {
  if (typeof maxDisorder !== 'number' || !(maxDisorder >= 0) || !Number.isFinite(maxDisorder)) {
    throw new InvalidArgumentError(`boundedWatermarks: maxDisorder must be a finite number >= 0, got ${show(maxDisorder)}`);
  }
  const out: StreamElement<T>[] = [];
  let max = -Infinity;
  let emitted = -Infinity;
  for (const e of events) {
    out.push(e);
    if (e.timestamp > max) max = e.timestamp;
    const w = max - maxDisorder - 1;
    if (w > emitted) {
      emitted = w;
      out.push({ kind: 'watermark', timestamp: w });
    }
  }
  return out;
}
