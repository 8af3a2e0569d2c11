import type { StateBackend } from '../StateBackend.js';

/**
 * One committed checkpoint: every stateful operator's state, every source's position and the
 * sink's commit token, taken at the same barrier (asynchronous barrier snapshotting, as Flink).
 * Everything in it is structured-cloneable; `sources` and `sink` are JSON values.
 *
 * @example
 * ```ts
 * import type { Checkpoint } from 'tidemark';
 * const cp: Checkpoint = { id: 3, pipeline: 'in|windows', operators: { windows: { format: 'x' } }, sources: { in: 1200 }, sink: 17 };
 * console.log(cp.sources['in']);
 * // output:
 * // 1200
 * ```
 */
export interface Checkpoint {
  /** The checkpoint's id: ids grow by at least one from checkpoint to checkpoint. */
  readonly id: number;
  /**
   * The pipeline the checkpoint belongs to (its operators' and sources' ids with their configuration
   * fingerprints): restoring it into a different pipeline is refused with a typed error.
   */
  readonly pipeline: string;
  /** Each stateful operator's snapshot, by the operator's `id` option. */
  readonly operators: Readonly<Record<string, unknown>>;
  /** Each replayable source's position, by the source's `id`. */
  readonly sources: Readonly<Record<string, unknown>>;
  /** The sink's commit token (e.g. the length of an output file), if the pipeline has a committing sink. */
  readonly sink?: unknown;
}

/**
 * Where checkpoints are kept. `MemoryCheckpointStore` (core) keeps them in memory for
 * tests and browsers; `tidemark/lmdb`'s store keeps them durably in one LMDB write transaction
 * each, incrementally when the operators' state lives in backends it handed out.
 *
 * @example
 * ```ts
 * import type { CheckpointStore } from 'tidemark';
 * async function resume(store: CheckpointStore): Promise<number> {
 *   const last = await store.latest();
 *   return last === undefined ? 0 : last.id;
 * }
 * ```
 */
export interface CheckpointStore {
  /** The latest committed checkpoint, or `undefined` when none was ever committed. */
  latest(): Promise<Checkpoint | undefined>;
  /** A retained checkpoint by id, or `undefined` when it is not (or no longer) retained. */
  load(id: number): Promise<Checkpoint | undefined>;
  /** The ids of the retained checkpoints, oldest first. */
  retained(): Promise<readonly number[]>;
  /**
   * Commits a checkpoint atomically: afterwards {@link latest} returns it, and nothing of it is
   * visible before. The promise resolves once the checkpoint is durable (for a durable store);
   * ids must increase. The store keeps no reference to `checkpoint` (it may be reused).
   */
  commit(checkpoint: Checkpoint): Promise<void>;
  /**
   * A state backend for the operator `operatorId` whose snapshots this store can commit
   * incrementally (only what changed since the previous checkpoint). Absent: operators use their
   * own backends and the store receives full snapshots.
   */
  backend?(operatorId: string): StateBackend;
  /** Releases the store (files, locks). Further calls reject. */
  close(): Promise<void>;
}
