import { show } from './show.js';
import { TidemarkError, brandOf, hasBrand } from './TidemarkError.js';

const BRAND = brandOf('InvalidTimestampError');

/**
 * Sent down the error channel when an event's timestamp is not a finite number (unless
 * the operator was given a dead-letter route for bad events).
 *
 * @example
 * ```ts
 * import { InvalidTimestampError } from 'tidemark';
 * const e = new InvalidTimestampError('withEventTime', NaN, { id: 1 });
 * console.log(e.message);
 * ```
 */
export class InvalidTimestampError extends TidemarkError {
  /** @internal */
  readonly [BRAND] = true;
  /** `'InvalidTimestampError'`, the error's kind in messages and logs. */
  override name = 'InvalidTimestampError';

  /**
   * @param operator - the operator that met the timestamp, e.g. `withEventTime`.
   * @param timestamp - the timestamp as extracted or received.
   * @param value - the event's value, when known.
   */
  constructor(
    readonly operator: string,
    readonly timestamp: unknown,
    readonly value?: unknown,
  ) {
    super(
      `${operator}: timestamp must be a finite number, got ${describe(timestamp)}` +
        (value === undefined ? '' : ` for value ${show(value)}`) +
        '. Fix the timestamp extractor, or pass `deadLetter` to route such events aside.',
    );
  }

  /** Whether `x` is a {@link InvalidTimestampError} (works across two installed copies of tidemark). */
  static isInvalidTimestampError(x: unknown): x is InvalidTimestampError {
    return hasBrand(x, BRAND);
  }
}

function describe(t: unknown): string {
  return typeof t === 'number' || t === undefined || t === null ? String(t) : `${typeof t} ${show(t)}`;
}
