import { TidemarkError } from 'tidemark';

const BRAND = Symbol.for('tidemark.PropertyFailedError');

/**
 * Thrown by the property helpers ({@link assertOrderInsensitive}, {@link assertMatchesOracle},
 * {@link assertLateDataHandled}, {@link assertCheckpointRoundTrip}) when a property fails: a
 * plain `Error` (any test runner reports it) whose message has the shrunk counterexample,
 * what went wrong, and how to replay it. The failure thrown inside the property is `cause`.
 *
 * @example
 * ```ts
 * import { PropertyFailedError } from 'tidemark/testing';
 * try {
 *   // assertMatchesOracle({ ... });
 * } catch (e) {
 *   if (PropertyFailedError.isPropertyFailedError(e)) console.log(e.seed, e.path, e.counterexample);
 * }
 * ```
 */
export class PropertyFailedError extends TidemarkError {
  /** @internal */
  readonly [BRAND] = true;
  /** `'PropertyFailedError'`, the error's kind in messages and logs. */
  override name = 'PropertyFailedError';

  constructor(
    message: string,
    /** The seed of the run: set `TIDEMARK_SEED` (or the `seed` option) to it to replay. */
    readonly seed: number,
    /** fast-check's path to the shrunk counterexample: pass it as the `path` option (with the seed) to run only that case. */
    readonly path: string,
    /** The shrunk counterexample, as the helper generated it. */
    readonly counterexample: unknown,
    cause: unknown,
  ) {
    super(message, { cause });
  }

  /** Whether `x` is a {@link PropertyFailedError} (works across two installed copies of tidemark). */
  static isPropertyFailedError(x: unknown): x is PropertyFailedError {
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;
  }
}
