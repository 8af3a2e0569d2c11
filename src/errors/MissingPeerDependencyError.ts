import { TidemarkError } from './TidemarkError.js';

const BRAND = Symbol.for('tidemark.MissingPeerDependencyError');

/**
 * Thrown when an API needs an optional peer dependency that is not installed: the fast-check
 * arbitraries and property helpers of `tidemark/testing` need `fast-check` ^4, `tidemark/lmdb`
 * needs `lmdb` ^3, `tidemark/kafka` needs `kafkajs` ^2.2. Each entry loads without its peer
 * (the rest of `tidemark/testing` — the virtual clock, the harnesses, marbles — runs without
 * fast-check), so the error comes when such an API is called, not when the entry is imported.
 * One class for all entries: exported from `tidemark` and re-exported by the entries that
 * throw it. The message names the API and the fix; the error met while loading the
 * dependency is `cause`.
 *
 * @example
 * ```ts
 * import { MissingPeerDependencyError, boundaryTimestamps } from 'tidemark/testing';
 *
 * try {
 *   boundaryTimestamps(10);
 * } catch (e) {
 *   // Where fast-check is not installed:
 *   // "boundaryTimestamps needs the peer dependency fast-check ^4: npm install --save-dev fast-check"
 *   if (MissingPeerDependencyError.isMissingPeerDependencyError(e)) console.log(e.api, e.dependency, e.message);
 * }
 * ```
 */
export class MissingPeerDependencyError extends TidemarkError {
  /** @internal */
  readonly [BRAND] = true;
  /** `'MissingPeerDependencyError'`, the error's kind in messages and logs. */
  override name = 'MissingPeerDependencyError';

  /**
   * @param api - the API that was called, e.g. `disorderedEvents`.
   * @param dependency - the package it needs, e.g. `fast-check`.
   * @param range - the versions it needs, e.g. `^4`.
   * @param cause - why loading the package failed (usually Node's module-not-found error).
   * @param install - the command that installs it. @defaultValue `npm install --save-dev <dependency>`
   */
  constructor(
    readonly api: string,
    readonly dependency: string,
    readonly range: string,
    cause?: unknown,
    install = `npm install --save-dev ${dependency}`,
  ) {
    super(`${api} needs the peer dependency ${dependency} ${range}: ${install}`, { cause });
  }

  /** Whether `x` is a {@link MissingPeerDependencyError} (works across two installed copies of tidemark). */
  static isMissingPeerDependencyError(x: unknown): x is MissingPeerDependencyError {
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;
  }
}
