const BRAND = Symbol.for('tidemark.TidemarkError');

/**
 * The base class of every error tidemark raises. Use the static guards (they work across
 * two installed copies of tidemark) rather than `instanceof`.
 *
 * @example
 * ```ts
 * import { TidemarkError } from 'tidemark';
 * try { throw new TidemarkError('windowAggregate: example'); }
 * catch (e) { if (TidemarkError.isTidemarkError(e)) console.log(e.message); }
 * ```
 */
export class TidemarkError extends Error {
  /** @internal */
  readonly [BRAND] = true;
  /** `'TidemarkError'`, the error's kind in messages and logs. */
  override name = 'TidemarkError';

  /** Whether `x` is a tidemark error of any kind (works across two installed copies of tidemark). */
  static isTidemarkError(x: unknown): x is TidemarkError {
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** @internal Makes a cross-copy brand guard for one subclass. */
export function brandOf(name: string): symbol {
  return Symbol.for(`tidemark.${name}`);
}

/** @internal */
export function hasBrand(x: unknown, brand: symbol): boolean {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[brand] === true;
}
