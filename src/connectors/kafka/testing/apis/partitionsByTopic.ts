import type { Writer } from '../protocol/Writer.js';

/** A per-partition error code, as many responses carry them. @internal */
export interface PartitionError {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
}

/**
 * Groups per-partition items by topic, topics in the order they first appear: requests list
 * partitions under their topic, and responses answer in the same nesting.
 * @internal
 */
export function byTopic<T extends { topic: string }>(items: readonly T[]): { topic: string; partitions: T[] }[] {
  const topics = new Map<string, T[]>();
  for (const item of items) {
    let list = topics.get(item.topic);
    if (list === undefined) topics.set(item.topic, (list = []));
    list.push(item);
  }
  return [...topics].map(([topic, partitions]) => ({ topic, partitions }));
}

/** Writes `[topic, [partition, error_code]]`, the body of several commit responses. @internal */
export function writePartitionErrors(w: Writer, results: readonly PartitionError[]): void {
  w.array(byTopic(results), (w, t) => w.string(t.topic).array(t.partitions, (w, p) => w.int32(p.partition).int16(p.errorCode)));
}
