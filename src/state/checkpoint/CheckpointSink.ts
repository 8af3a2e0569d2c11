/**
 * The sink end of exactly-once output, for {@link commitCheckpoints}: what it writes between two
 * checkpoints becomes final only with the second one. A sink that can take back what it wrote
 * after the last committed checkpoint (a file truncated to a length, an array cut back) gives
 * exactly-once output over any number of crashes; a transactional one (Kafka) commits on
 * {@link CheckpointSink.committed}.
 *
 * Order of calls in one run: `restore` once (before any `write`), then `write`s and, at each
 * checkpoint barrier, `prepare`; `committed` once that checkpoint is durable; `close` at the end.
 *
 * @example
 * ```ts
 * import type { CheckpointSink } from 'tidemark';
 * // Lines in memory, cut back to the checkpointed count on restore.
 * const lines: string[] = [];
 * const sink: CheckpointSink<string> = {
 *   restore: (token) => void (lines.length = typeof token === 'number' ? token : 0),
 *   write: (line) => void lines.push(line),
 *   prepare: () => lines.length,
 * };
 * ```
 */
export interface CheckpointSink<T> {
  /**
   * Brings the output back to the restored checkpoint's token (`undefined`: a fresh start, no
   * output yet): e.g. truncates a file to the length it had at that checkpoint. Throw (a
   * `CheckpointError` with problem `'sink'`) when the output cannot be brought back.
   */
  restore(token: unknown): void;
  /** Writes one result (it becomes final with the next committed checkpoint). */
  write(value: T): void;
  /**
   * A checkpoint barrier arrived: make everything written so far durable (flush, fsync) and
   * return the token that {@link CheckpointSink.restore} will get back (a JSON value).
   */
  prepare(checkpointId: number): unknown;
  /** The checkpoint whose {@link CheckpointSink.prepare} returned `token` is committed. */
  committed?(checkpointId: number, token: unknown): void;
  /** The pipeline ended or was unsubscribed: release files. */
  close?(): void;
}
