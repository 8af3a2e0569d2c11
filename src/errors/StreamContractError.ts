import { show } from './show.js';
import { TidemarkError, brandOf, hasBrand } from './TidemarkError.js';

const BRAND = brandOf('StreamContractError');

/**
 * What an input broke of the event-time stream contract:
 * - `'not-an-element'`: a plain value where a `StreamElement` was expected (a forgotten `withEventTime`);
 * - `'watermark-regression'`: a watermark below one the stream already carried;
 * - `'event-after-end-of-time'`: an event after the final `+Infinity` watermark.
 */
export type StreamContractViolation = 'not-an-element' | 'watermark-regression' | 'event-after-end-of-time';

/**
 * Sent down the error channel when an operator's input is not a valid event-time stream:
 * it carries plain values instead of elements, its watermark goes backwards, or an event
 * follows the final `+Infinity` watermark. The last two are what RxJS `merge` or `concat` of
 * two event-time streams produce; {@link mergeEventTime} is the event-time merge.
 *
 * @example
 * ```ts
 * import { StreamContractError, watermark } from 'tidemark';
 * const e = new StreamContractError('windowAggregate', 'watermark-regression', watermark(14), 299);
 * console.log(e.violation, StreamContractError.isStreamContractError(e));
 * // output:
 * // watermark-regression true
 * ```
 */
export class StreamContractError extends TidemarkError {
  /** @internal */
  readonly [BRAND] = true;
  /** `'StreamContractError'`, the error's kind in messages and logs. */
  override name = 'StreamContractError';

  /**
   * @param operator - the operator whose input broke the contract.
   * @param violation - what was broken.
   * @param element - the offending input.
   * @param watermark - the input's watermark before `element` (for a regression).
   */
  constructor(
    readonly operator: string,
    readonly violation: StreamContractViolation,
    readonly element: unknown,
    readonly watermark: number = -Infinity,
  ) {
    super(message(operator, violation, element, watermark));
  }

  /** Whether `x` is a {@link StreamContractError} (works across two installed copies of tidemark). */
  static isStreamContractError(x: unknown): x is StreamContractError {
    return hasBrand(x, BRAND);
  }
}

const MERGE_HINT =
  'RxJS merge() and concat() of event-time streams do this; combine event-time streams with mergeEventTime(a, b), ' +
  "whose watermark is the minimum of its inputs' watermarks";

function message(operator: string, violation: StreamContractViolation, element: unknown, watermark: number): string {
  switch (violation) {
    case 'not-an-element':
      return (
        `${operator}: expected an event-time stream element ({ kind: 'event' | 'watermark' | 'barrier' | 'status' }), ` +
        `got ${show(element)}. Did you forget withEventTime? Enter event time first: source.pipe(withEventTime({ timestamp, watermark }), …)`
      );
    case 'watermark-regression':
      return (
        `${operator}: the watermark went backwards, from ${stamp(watermark)} to ${stamp((element as { timestamp: number }).timestamp)}; ` +
        `the watermarks of one stream never decrease. ${MERGE_HINT}`
      );
    case 'event-after-end-of-time':
      return (
        `${operator}: an event (${show(element)}) arrived after the final +Infinity watermark, which has closed every window. ` +
        MERGE_HINT
      );
  }
}

function stamp(t: number): string {
  return `W(${t === Infinity ? '+Infinity' : String(t)})`;
}
