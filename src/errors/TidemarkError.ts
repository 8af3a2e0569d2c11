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
  override name = 'TidemarkError';

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

/** @internal Renders a user value for an error message, short and unambiguous. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value === undefined || value === null) return String(value);
  if (typeof value === 'function') return 'a function';
  try {
    const json = JSON.stringify(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
