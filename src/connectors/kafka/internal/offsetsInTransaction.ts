import type { CheckpointStore } from 'tidemark';

const MARK = Symbol.for('tidemark.kafka.offsetsInTransaction');

/** @internal Marks a store that commits the source's offsets in each checkpoint's Kafka transaction. */
export function markOffsetsInTransaction(store: CheckpointStore): void {
  Object.defineProperty(store, MARK, { value: true });
}

/** @internal Whether `store` commits the source's offsets itself (so `fromKafka` must not commit them again). */
export function offsetsInTransaction(store: CheckpointStore | undefined): boolean {
  return store !== undefined && (store as unknown as Record<symbol, unknown>)[MARK] === true;
}
