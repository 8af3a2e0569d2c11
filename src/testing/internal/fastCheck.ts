import type * as FastCheck from 'fast-check';
import { MissingPeerDependencyError } from 'tidemark';
import { fastCheckModule } from './fastCheckModule.js';

/**
 * @internal fast-check, for `api` (an arbitrary or a property helper) to build with, or a
 * {@link MissingPeerDependencyError} naming `api` when fast-check is not installed. Call it
 * first thing in the API, so a missing fast-check is reported before any argument check.
 * Everything else in `tidemark/testing` never calls it, and loads without fast-check.
 */
export function fastCheck(api: string): typeof FastCheck {
  const { module, error } = fastCheckModule;
  if (module === undefined) throw new MissingPeerDependencyError(api, 'fast-check', '^4', error);
  return module;
}

/**
 * @internal fast-check's `toStringMethod` (how a value prints in a counterexample). It is a
 * registered symbol, so it is known without loading fast-check, and any copy of fast-check reads it.
 */
export const toStringMethod: symbol = Symbol.for('fast-check/toStringMethod');
