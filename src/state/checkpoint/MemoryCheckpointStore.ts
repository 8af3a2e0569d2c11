import { InvalidArgumentError } from '../../errors/InvalidArgumentError.js';
import { StateError } from '../../errors/StateError.js';
import { show } from '../../errors/show.js';
import type { Checkpoint, CheckpointStore } from './CheckpointStore.js';

/** Configuration of {@link MemoryCheckpointStore}. */
export interface MemoryCheckpointStoreConfig {
  /** How many committed checkpoints are kept (the oldest go first). @defaultValue 3 */
  retain?: number | undefined;
}

/**
 * A {@link CheckpointStore} in memory: for tests, browsers, and pipelines whose state only
 * needs to survive a restart of the pipeline, not of the process. Checkpoints are copied in
 * and out (`structuredClone`), so neither side can change the other's.
 *
 * ## Example
 * ```ts
 * import { MemoryCheckpointStore } from 'tidemark';
 * const store = new MemoryCheckpointStore({ retain: 2 });
 * for (const id of [1, 2, 3]) await store.commit({ id, pipeline: 'p', operators: {}, sources: { in: id * 10 } });
 * console.log(await store.retained(), (await store.latest())?.sources);
 * // output:
 * // [ 2, 3 ] { in: 30 }
 * ```
 * @throws InvalidArgumentError for a `retain` that is not a positive integer.
 */
export class MemoryCheckpointStore implements CheckpointStore {
  private readonly kept: Checkpoint[] = [];
  private readonly retain: number;
  private closed = false;

  constructor(config: MemoryCheckpointStoreConfig = {}) {
    const { retain = 3 } = config;
    if (!Number.isInteger(retain) || retain < 1) throw new InvalidArgumentError(`MemoryCheckpointStore: retain must be a positive integer, got ${show(retain)}`);
    this.retain = retain;
  }

  async latest(): Promise<Checkpoint | undefined> {
    this.check('latest');
    const last = this.kept[this.kept.length - 1];
    return last === undefined ? undefined : structuredClone(last);
  }

  async load(id: number): Promise<Checkpoint | undefined> {
    this.check('load');
    const cp = this.kept.find((c) => c.id === id);
    return cp === undefined ? undefined : structuredClone(cp);
  }

  async retained(): Promise<readonly number[]> {
    this.check('retained');
    return this.kept.map((c) => c.id);
  }

  async commit(checkpoint: Checkpoint): Promise<void> {
    this.check('commit');
    const last = this.kept[this.kept.length - 1];
    if (last !== undefined && !(checkpoint.id > last.id)) {
      throw new StateError(`MemoryCheckpointStore.commit: checkpoint ids must increase, got ${show(checkpoint.id)} after ${last.id}`);
    }
    this.kept.push(structuredClone(checkpoint));
    if (this.kept.length > this.retain) this.kept.splice(0, this.kept.length - this.retain);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private check(method: string): void {
    if (this.closed) throw new StateError(`MemoryCheckpointStore.${method}: the store is closed; make a new one`);
  }
}
