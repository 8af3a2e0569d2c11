import { show } from './canonical.js';
import { InvalidArgumentError } from 'tidemark';

/**
 * How a property helper runs: which seed, how many cases. Each option, when absent, comes from
 * the environment (`TIDEMARK_SEED`, `TIDEMARK_NUM_RUNS`), else from the default: a fixed seed
 * and 100 runs, so a test suite is reproducible and a failure replays.
 *
 * @example
 * ```ts
 * import type { PropertyOptions } from 'tidemark/testing';
 * const replay: PropertyOptions = { seed: 1_234, path: '7:0:2', numRuns: 1_000 };
 * ```
 */
export interface PropertyOptions {
  /** fast-check's seed. @defaultValue `TIDEMARK_SEED`, else 42 */
  seed?: number | undefined;
  /** How many cases to try. @defaultValue `TIDEMARK_NUM_RUNS`, else 100 */
  numRuns?: number | undefined;
  /** Replays one case: the `path` printed with a failure (use it with the same `seed`). */
  path?: string | undefined;
}

/**
 * The seed used when neither the option nor `TIDEMARK_SEED` gives one.
 *
 * @example
 * ```ts
 * import { DEFAULT_SEED } from 'tidemark/testing';
 *
 * console.log(`property runs use seed ${DEFAULT_SEED} unless TIDEMARK_SEED is set`);
 * ```
 */
export const DEFAULT_SEED = 42;
/**
 * The number of runs used when neither the option nor `TIDEMARK_NUM_RUNS` gives one.
 *
 * @example
 * ```ts
 * import { DEFAULT_NUM_RUNS } from 'tidemark/testing';
 *
 * const thorough = { numRuns: 10 * DEFAULT_NUM_RUNS };
 * ```
 */
export const DEFAULT_NUM_RUNS = 100;

/** @internal The options in force, from the arguments, the environment and the defaults. */
export function resolvePropertyOptions(api: string, options: PropertyOptions): { seed: number; numRuns: number; path: string | undefined } {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  const seed = options.seed ?? fromEnv(api, 'TIDEMARK_SEED', env.TIDEMARK_SEED) ?? DEFAULT_SEED;
  const numRuns = options.numRuns ?? fromEnv(api, 'TIDEMARK_NUM_RUNS', env.TIDEMARK_NUM_RUNS) ?? DEFAULT_NUM_RUNS;
  if (!Number.isSafeInteger(seed)) throw new InvalidArgumentError(`${api}: seed must be an integer, got ${show(seed)}`);
  if (!Number.isSafeInteger(numRuns) || numRuns < 1) throw new InvalidArgumentError(`${api}: numRuns must be a positive integer, got ${show(numRuns)}`);
  if (options.path !== undefined && !/^\d+(:\d+)*$/.test(options.path)) {
    throw new InvalidArgumentError(`${api}: path must look like "3:0:1" (as printed with a failure), got ${show(options.path)}`);
  }
  return { seed, numRuns, path: options.path };
}

function fromEnv(api: string, name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`${api}: environment variable ${name} must be an integer, got ${show(raw)}`);
  return n;
}
