import { CheckpointError } from '../../../errors/CheckpointError.js';
import type { CheckpointHandle } from '../../../state/checkpoint/CheckpointHandle.js';
import type { StateBackend } from '../../../state/StateBackend.js';
import type { OperatorSnapshot } from './engine.js';

/** @internal A stage whose engine takes part in checkpoints. */
export interface CheckpointedStage {
  /** The operator's `id` option. */
  readonly checkpointId: string | undefined;
  /** Its engine, whatever its input count. */
  readonly checkpointEngine: { readonly name: string; snapshot?(): OperatorSnapshot; restore?(snapshot: OperatorSnapshot): void };
  /** The restore handle it restored from. */
  restoredBy: unknown;
  /** Replaces the engine by one whose state lives in `backend` (before any element). */
  useBackend(backend: StateBackend): void;
}

/**
 * @internal What an operator does with a barrier of {@link checkpoints}: at the restore barrier,
 * claims its state by id (and the store's backend), restores it; at a checkpoint barrier, hands
 * its engine's snapshot to the pending checkpoint. Returns whether to forward the barrier (a
 * restore barrier seen before, from another input, is not forwarded again).
 */
export function checkpointBarrier(stage: CheckpointedStage, handle: CheckpointHandle): boolean {
  const id = stage.checkpointId;
  const engine = stage.checkpointEngine;
  if (handle.phase === 'restore') {
    if (stage.restoredBy === handle) return false;
    stage.restoredBy = handle;
    if (engine.snapshot === undefined) return true;
    if (id === undefined) {
      throw new CheckpointError(
        'missing-id',
        engine.name,
        'a stateful operator in a checkpointed pipeline needs an id, or its state could not be restored: pass { id: "…" } (unique in the pipeline, stable across versions)',
      );
    }
    const claim = handle.claim(id, engine.name, stage);
    if (claim.backend !== undefined) stage.useBackend(claim.backend);
    if (claim.state !== undefined) stage.checkpointEngine.restore!(claim.state);
    return true;
  }
  if (id !== undefined && engine.snapshot !== undefined) handle.snapshot(id, engine.snapshot(), stage);
  return true;
}
