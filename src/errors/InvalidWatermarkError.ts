import { show } from './show.js';
import { TidemarkError, brandOf, hasBrand } from './TidemarkError.js';

const BRAND = brandOf('InvalidWatermarkError');

/**
 * Sent down the error channel when a watermark strategy returns something that is not a
 * number (or NaN), or when a stream carries a watermark whose timestamp is NaN.
 *
 * @example
 * ```ts
 * import { InvalidWatermarkError } from 'tidemark';
 * console.log(new InvalidWatermarkError('withEventTime', NaN).message);
 * ```
 */
export class InvalidWatermarkError extends TidemarkError {
  /** @internal */
  readonly [BRAND] = true;
  /** `'InvalidWatermarkError'`, the error's kind in messages and logs. */
  override name = 'InvalidWatermarkError';

  /**
   * @param operator - the operator that met the watermark, e.g. `withEventTime`.
   * @param watermark - the watermark value as returned by the strategy or received.
   */
  constructor(
    readonly operator: string,
    readonly watermark: unknown,
  ) {
    super(
      `${operator}: a watermark must be a number (finite, -Infinity or +Infinity), got ${show(watermark)}. ` +
        'Fix the watermark strategy so that it returns the largest timestamp it promises no more events at or below.',
    );
  }

  /** Whether `x` is a {@link InvalidWatermarkError} (works across two installed copies of tidemark). */
  static isInvalidWatermarkError(x: unknown): x is InvalidWatermarkError {
    return hasBrand(x, BRAND);
  }
}
