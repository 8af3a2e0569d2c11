import { TidemarkError, brandOf, hasBrand } from './TidemarkError.js';

const BRAND = brandOf('InvalidArgumentError');

/**
 * Thrown when an operator or factory is created with a bad option (a non-positive window
 * size, a negative bound …). Raised eagerly, at creation, never at subscribe.
 *
 * @example
 * ```ts
 * import { InvalidArgumentError, tumbling } from 'tidemark';
 * try { tumbling(-5); } catch (e) { console.log(InvalidArgumentError.isInvalidArgumentError(e)); } // true
 * ```
 */
export class InvalidArgumentError extends TidemarkError {
  /** @internal */
  readonly [BRAND] = true;
  /** `'InvalidArgumentError'`, the error's kind in messages and logs. */
  override name = 'InvalidArgumentError';

  /** Whether `x` is a {@link InvalidArgumentError} (works across two installed copies of tidemark). */
  static isInvalidArgumentError(x: unknown): x is InvalidArgumentError {
    return hasBrand(x, BRAND);
  }
}
