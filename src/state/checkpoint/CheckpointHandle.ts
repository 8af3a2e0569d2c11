import type { OperatorSnapshot } from '../../operators/internal/chain/engine.js';
import type { StateBackend } from '../StateBackend.js';

/**
 * What a checkpoint barrier carries from the coordinator ({@link checkpoints}) to the
 * operators it passes (the `checkpoint` field of a {@link Barrier}). There are two phases:
 *
 * - `'restore'`: the barrier every replayable source sends first, before any element. Each
 *   operator with an `id` claims its state with {@link CheckpointHandle.claim} (the state in the
 *   restored checkpoint, or `undefined` on a fresh start) and restores its engine from it before
 *   its first element. Operators that see it again (from another input) ignore it.
 * - `'snapshot'`: a checkpoint in progress. Each operator with an `id` hands its engine's
 *   snapshot to {@link CheckpointHandle.snapshot} when the barrier passes it, then forwards it.
 *
 * Operators use it; applications do not need to.
 *
 * @example
 * ```ts
 * import type { Barrier, CheckpointHandle } from 'tidemark';
 * function phaseOf(b: Barrier): CheckpointHandle['phase'] | 'plain' {
 *   return b.checkpoint === undefined ? 'plain' : b.checkpoint.phase;
 * }
 * console.log(phaseOf({ kind: 'barrier', checkpointId: 1 }));
 * // output:
 * // plain
 * ```
 */
export interface CheckpointHandle {
  /** `'restore'`: hand operators their state; `'snapshot'`: collect their snapshots. */
  readonly phase: 'restore' | 'snapshot';
  /** The checkpoint's id (for `'restore'`: the restored checkpoint's, 0 on a fresh start). */
  readonly checkpointId: number;
  /**
   * (`'restore'` only) Claims `operatorId` for the operator `claimant` of kind `kind`
   * (`'windowAggregate'` …) and returns its state in the restored checkpoint and the backend
   * its state should live in. Throws a `CheckpointError` for an id another operator claimed
   * (`'duplicate-id'`) or that the restored checkpoint has no state for (`'missing-state'`).
   */
  claim(operatorId: string, kind: string, claimant: object): OperatorClaim;
  /** (`'snapshot'` only) Records the snapshot `operatorId`'s engine took as the barrier passed. */
  snapshot(operatorId: string, snapshot: OperatorSnapshot, claimant: object): void;
}

/**
 * An operator's share of a restored checkpoint ({@link CheckpointHandle.claim}).
 *
 * @example
 * ```ts
 * import type { OperatorClaim } from 'tidemark';
 * const fresh: OperatorClaim = { state: undefined, backend: undefined };
 * ```
 */
export interface OperatorClaim {
  /** The operator's snapshot in the restored checkpoint; `undefined` on a fresh start. */
  readonly state: OperatorSnapshot | undefined;
  /**
   * The backend the operator's state should live in: the checkpoint store's
   * ({@link CheckpointStore.backend}) when it has one, so that it can checkpoint incrementally;
   * `undefined`: the operator's own.
   */
  readonly backend: StateBackend | undefined;
}
