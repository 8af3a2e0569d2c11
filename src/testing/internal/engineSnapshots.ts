import { TidemarkError, type OperatorSnapshot } from 'tidemark';

/** @internal The snapshot options of the one- and two-input harnesses. */
export interface HarnessSnapshotOptions {
  /**
   * State to restore, taken by the `snapshot()` of another harness: the new engine is opened,
   * then restored from it, before any input (engine pipelines only).
   */
  snapshot?: OperatorSnapshot | undefined;
  /**
   * Whether snapshots are deep-copied (`structuredClone`) on their way out of `snapshot()` and on
   * their way into the restored engine. The copy proves that a snapshot is plain data (a Map of
   * functions, a class instance with methods … fail), but it also hides aliasing: an engine whose
   * `snapshot()` returns its live state, or whose `restore()` keeps the object it was given,
   * passes every test. Set `false` to hand the engine's objects through as they are, and check
   * that a snapshot does not change when the run goes on. @defaultValue true
   */
  cloneSnapshots?: boolean | undefined;
}

/** @internal What a harness needs of an engine to snapshot and restore it. */
export interface SnapshotEngine {
  readonly name: string;
  snapshot?(): OperatorSnapshot;
  restore?(snapshot: OperatorSnapshot): void;
}

/** @internal Restores `options.snapshot` (if given) into a just-opened engine. */
export function restoreEngine(api: string, engine: SnapshotEngine, options: HarnessSnapshotOptions): void {
  if (options.snapshot === undefined) return;
  if (typeof engine.restore !== 'function') throw new TidemarkError(`${api}: engine ${engine.name} has no restore(); it cannot take a snapshot`);
  engine.restore(options.cloneSnapshots === false ? options.snapshot : structuredClone(options.snapshot));
}

/** @internal The engine's snapshot (deep-copied unless `cloneSnapshots` is false). */
export function snapshotEngine(api: string, engine: SnapshotEngine | undefined, options: HarnessSnapshotOptions): OperatorSnapshot {
  if (engine === undefined) throw new TidemarkError(`${api}.snapshot: only engine pipelines ({ engine }) can be snapshot; this one is an operator`);
  if (typeof engine.snapshot !== 'function') throw new TidemarkError(`${api}.snapshot: engine ${engine.name} has no snapshot()`);
  const snapshot = engine.snapshot();
  return options.cloneSnapshots === false ? snapshot : structuredClone(snapshot);
}

/** @internal Refuses snapshot options for an operator pipeline. */
export function refuseSnapshotOptions(api: string, options: HarnessSnapshotOptions): void {
  if (options.snapshot !== undefined) {
    throw new TidemarkError(`${api}: only engine pipelines ({ engine }) can be restored from a snapshot; this one is an operator`);
  }
}
