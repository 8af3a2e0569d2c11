import type * as fc from 'fast-check';
import { PropertyFailedError } from '../PropertyFailedError.js';
import { DEFAULT_NUM_RUNS, resolvePropertyOptions, type PropertyOptions } from '../PropertyOptions.js';
import { fastCheck } from './fastCheck.js';

/**
 * @internal Runs `check` on `numRuns` values of `arbitrary` with fast-check, and throws a
 * {@link PropertyFailedError} (shrunk counterexample, failure, replay instructions) if it fails.
 */
export function runProperty<T>(
  api: string,
  options: PropertyOptions,
  arbitrary: fc.Arbitrary<T>,
  describe: (value: T) => string,
  check: (value: T) => void,
): void {
  const fc = fastCheck(api);
  const { seed, numRuns, path } = resolvePropertyOptions(api, options);
  const params: fc.Parameters<[T]> = path === undefined ? { seed, numRuns } : { seed, numRuns, path, endOnFailure: true };
  const details = fc.check(fc.property(arbitrary, check), params);
  if (!details.failed) return;
  if (details.counterexample === null || details.counterexamplePath === null) {
    throw new PropertyFailedError(`${api}: the property could not run (${details.interrupted ? 'interrupted' : 'too many skipped cases'}); seed ${seed}`, seed, '', null, details.errorInstance);
  }
  const value = details.counterexample[0];
  const err = details.errorInstance;
  const failure = err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err);
  const message =
    `${api}: property failed after ${details.numRuns} case(s), shrunk ${details.numShrinks} time(s) (seed ${seed}, path "${details.counterexamplePath}")\n` +
    `Counterexample: ${describe(value)}\n` +
    `${failure}\n` +
    `Replay: run this test with TIDEMARK_SEED=${seed}${numRuns === DEFAULT_NUM_RUNS ? '' : ` TIDEMARK_NUM_RUNS=${numRuns}`}, ` +
    `or pass { seed: ${seed}, path: "${details.counterexamplePath}" } to ${api} to run only this case.`;
  throw new PropertyFailedError(message, seed, details.counterexamplePath, value, err);
}
