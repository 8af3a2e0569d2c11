/**
 * `tidemark/lmdb`: durable state and checkpoints in LMDB (through the optional peer
 * dependency `lmdb` ^3). {@link openLmdbStore} opens a state directory as a `CheckpointStore`
 * whose `backend(id)` gives each operator a {@link LmdbStateBackend}: working state in memory,
 * written incrementally (what changed since the last checkpoint) in one LMDB transaction per
 * checkpoint. Node only.
 *
 * @packageDocumentation
 * @module tidemark/lmdb
 */
export { openLmdbStore } from './openLmdbStore.js';
export type { LmdbStoreOptions } from './openLmdbStore.js';
export { LmdbCheckpointStore } from './LmdbCheckpointStore.js';
export { LmdbStateBackend } from './LmdbStateBackend.js';
export { MissingPeerDependencyError } from 'tidemark';
