import { InvalidArgumentError } from '../../errors/InvalidArgumentError.js';
import { show } from '../../errors/show.js';
import type { Checkpoint, CheckpointStore } from './CheckpointStore.js';

/**
 * Event sourcing: finds the retained checkpoint to rebuild state as of event time `t` from —
 * the latest one that has seen no event after `t`. With sources of {@link fromReplayable} and a
 * watermark strategy of bounded out-of-orderness `bound` (`boundedOutOfOrderness(bound)`), a
 * source whose checkpointed watermark is `w` has seen events up to `w + bound + 1`, so the
 * checkpoint qualifies when that is `<= t` for every source. Restore it (e.g. into a
 * {@link MemoryCheckpointStore}) and replay the log from its positions, keeping the events at or
 * before `t`: the state is then the state as of `t`. `undefined`: no retained checkpoint is that
 * old — replay from the beginning.
 *
 * ## Example
 * ```ts
 * import { MemoryCheckpointStore, checkpointBefore } from 'tidemark';
 * const store = new MemoryCheckpointStore({ retain: 10 });
 * for (const [id, w] of [[1, 99], [2, 199], [3, 299]] as const) {
 *   await store.commit({ id, pipeline: 'p', operators: {}, sources: { log: { at: id * 100, watermark: w } } });
 * }
 * console.log((await checkpointBefore(store, 250, { bound: 0 }))?.id, await checkpointBefore(store, 50, { bound: 0 }));
 * // output:
 * // 2 undefined
 * ```
 * @param store - where the checkpoints are retained.
 * @param t - the event time to rebuild the state as of.
 * @param options - `bound`: the sources' out-of-orderness bound (0 for `monotonousTimestamps()`).
 * @returns the checkpoint, or `undefined`.
 * @throws InvalidArgumentError for a `t` or `bound` that is not a number.
 */
export async function checkpointBefore(store: CheckpointStore, t: number, options: { readonly bound: number }): Promise<Checkpoint | undefined> {
  if (typeof t !== 'number' || t !== t) throw new InvalidArgumentError(`checkpointBefore: t must be a number, got ${show(t)}`);
  const bound = options?.bound;
  if (typeof bound !== 'number' || !(bound >= 0)) throw new InvalidArgumentError(`checkpointBefore: bound must be a non-negative number, got ${show(bound)}`);
  const ids = await store.retained();
  for (let i = ids.length - 1; i >= 0; i--) {
    const cp = await store.load(ids[i]!);
    if (cp === undefined) continue;
    const seen = Object.values(cp.sources).map((p) => {
      const w = (p as { watermark?: unknown } | null)?.watermark;
      return typeof w === 'number' ? w + bound + 1 : w === null ? -Infinity : Infinity; // null: nothing seen yet; 'end': everything
    });
    if (seen.every((s) => s <= t)) return cp;
  }
  return undefined;
}
