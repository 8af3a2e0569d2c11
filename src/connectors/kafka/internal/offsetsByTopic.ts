import type { KafkaOffset } from '../KafkaRecord.js';

/** @internal Offsets in the shape of kafkajs's `sendOffsets`, each with `metadata` when given. */
export function offsetsByTopic(offsets: readonly KafkaOffset[], metadata?: string): { topic: string; partitions: { partition: number; offset: string; metadata?: string }[] }[] {
  const topics = new Map<string, { partition: number; offset: string; metadata?: string }[]>();
  for (const o of offsets) {
    const entry = metadata === undefined ? { partition: o.partition, offset: String(o.offset) } : { partition: o.partition, offset: String(o.offset), metadata };
    const list = topics.get(o.topic);
    if (list === undefined) topics.set(o.topic, [entry]);
    else list.push(entry);
  }
  return [...topics].map(([topic, partitions]) => ({ topic, partitions }));
}
