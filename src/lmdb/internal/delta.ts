import type { StateOrder } from './rebuildState.js';

/**
 * @internal What passes between {@link LmdbStateBackend} and the store that made it.
 *
 * A backend's `snapshot()` is a StateSnapshot with empty fields and, under {@link DELTA}, the
 * change since the last checkpoint the store committed for it — each changed entry's identity
 * and payload (`null`: removed), serialized at the barrier, and the entries its refresh cycle
 * writes again (see `complete`). Snapshots the store rebuilds carry,
 * under {@link RESTORED}, which checkpoint they are, so that a backend restored from the
 * store's latest goes on with deltas from it. Both are string keys: snapshots are cloned, and
 * `structuredClone` drops symbol keys.
 */
export const DELTA = 'tidemark-lmdb-delta';
/** @internal See {@link DELTA}. */
export const RESTORED = 'tidemark-lmdb-checkpoint';

/** @internal A backend's change since the last committed checkpoint. */
export interface Delta {
  /** The store that made the backend. */
  readonly store: string;
  readonly operator: string;
  /** The backend's lineage: deltas apply on the state its previous commits (or its restore) left. */
  readonly lineage: string;
  /** The backend's snapshot counter. */
  readonly snapshot: number;
  /** The change is the whole state (after a restore the store's latest does not hold, or the first ever). */
  readonly full: boolean;
  /** Live entries in the backend (timers aside) when it was taken. */
  readonly entries: number;
  readonly keys: readonly Uint8Array[];
  readonly values: readonly (Uint8Array | null)[];
  /**
   * If the store commits this delta: every live entry then has a version on disk written by
   * checkpoint `complete` or a later one (the backend's refresh cycle rewrote those older), so
   * the state can be read from `complete` on and what is older dropped. Undefined: no such claim.
   */
  readonly complete: number | undefined;
}

/** @internal No version of the entry on disk (in this lineage). */
export const NONE = -1;

/** @internal Which checkpoint a rebuilt snapshot is, and its entries' insertion orders as on disk. */
export interface RestoredFrom {
  readonly store: string;
  readonly operator: string;
  readonly checkpoint: number;
  readonly order: StateOrder;
}

/** @internal What a backend needs of its store. */
export interface StoreLink {
  readonly uid: string;
  /** A fresh lineage id for `operator`'s backend. */
  newLineage(operator: string): string;
  /** Whether `from` is the store's latest state of `operator`; if so, deltas of `lineage` apply to it from now on. */
  adopt(operator: string, from: RestoredFrom, lineage: string): boolean;
}
