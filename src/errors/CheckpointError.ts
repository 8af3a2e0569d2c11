import { TidemarkError, brandOf, hasBrand } from './TidemarkError.js';

const BRAND = brandOf('CheckpointError');

/**
 * Why a checkpoint could not be restored or taken:
 * - `'missing-state'`: an operator or source `id` of the pipeline has no state in the restored checkpoint;
 * - `'unclaimed-state'`: the restored checkpoint holds state for an `id` that no operator or source of the pipeline has;
 * - `'duplicate-id'`: two operators, or two sources, of one pipeline have the same `id`;
 * - `'pipeline-mismatch'`: the checkpoint's pipeline fingerprint differs from the pipeline's;
 * - `'missing-id'`: a stateful operator without an `id` in a checkpointed pipeline (its state could not be restored);
 * - `'incomplete'`: a checkpoint barrier reached the sink without some operator's state (it is not on the sink's path,
 *   or an operator that is not a tidemark one dropped the barrier);
 * - `'sink'`: the committing sink could not restore or prepare (its output disagrees with the checkpoint).
 */
export type CheckpointProblem = 'missing-state' | 'unclaimed-state' | 'duplicate-id' | 'pipeline-mismatch' | 'missing-id' | 'incomplete' | 'sink';

/**
 * Sent down the error channel when a checkpointed pipeline cannot restore its last checkpoint
 * (a checkpoint of an incompatible pipeline) or cannot take one. The message names the
 * operator or source, the value, and the fix.
 *
 * @example
 * ```ts
 * import { CheckpointError } from 'tidemark';
 * const e = new CheckpointError('duplicate-id', 'windowAggregate "sums"', 'two operators have the id "sums"; give each its own id');
 * console.log(e.problem, CheckpointError.isCheckpointError(e));
 * // output:
 * // duplicate-id true
 * ```
 */
export class CheckpointError extends TidemarkError {
  /** @internal */
  readonly [BRAND] = true;
  /** `'CheckpointError'`, the error's kind in messages and logs. */
  override name = 'CheckpointError';

  /**
   * @param problem - what went wrong.
   * @param subject - what it concerns (`windowAggregate "sums"`, `source "in"`, `checkpoint 7`).
   * @param detail - what was found and the fix.
   */
  constructor(
    readonly problem: CheckpointProblem,
    readonly subject: string,
    detail: string,
  ) {
    super(`${subject}: ${detail}`);
  }

  /** Whether `x` is a {@link CheckpointError} (works across two installed copies of tidemark). */
  static isCheckpointError(x: unknown): x is CheckpointError {
    return hasBrand(x, BRAND);
  }
}
