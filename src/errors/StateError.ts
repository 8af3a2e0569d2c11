import { TidemarkError, brandOf, hasBrand } from './TidemarkError.js';

const BRAND = brandOf('StateError');

/**
 * Raised when operator state cannot be restored: a snapshot of another operator kind or
 * format version, or a malformed snapshot.
 *
 * @example
 * ```ts
 * import { StateError } from 'tidemark';
 * console.log(new StateError('windowAggregate: snapshot is of kind "intervalJoin"').name);
 * ```
 */
export class StateError extends TidemarkError {
  /** @internal */
  readonly [BRAND] = true;
  /** `'StateError'`, the error's kind in messages and logs. */
  override name = 'StateError';

  /** Whether `x` is a {@link StateError} (works across two installed copies of tidemark). */
  static isStateError(x: unknown): x is StateError {
    return hasBrand(x, BRAND);
  }
}
