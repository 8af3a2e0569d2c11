import type { KafkaMessage } from 'kafkajs';
import type { WatermarkGenerator, WatermarkStrategy } from 'tidemark';
import type { KafkaRecord } from '../KafkaRecord.js';

/** @internal The map key of a topic-partition. */
export function partitionKey(topic: string, partition: number): string {
  return `${partition}:${topic}`;
}

/**
 * @internal What `fromKafka` keeps per assigned partition: its own watermark generator (a
 * fresh one from the strategy when the partition is assigned), its watermark and idleness, and
 * the next offset to read. It leaves with the partition when a rebalance revokes it.
 */
export class PartitionState<V> {
  readonly generator: WatermarkGenerator<KafkaRecord<V>>;
  /** The partition's input index in the current valve. */
  index = 0;
  watermark = -Infinity;
  idle = false;
  /** The offset after the last record read since the assignment; `undefined` before the first. */
  next: number | undefined = undefined;

  constructor(
    readonly topic: string,
    readonly partition: number,
    strategy: WatermarkStrategy<KafkaRecord<V>>,
    /** Processing time of the last record (or of the assignment). */
    public lastAt: number,
  ) {
    this.generator = strategy.create();
  }

  /** `topic/partition@offset` of a message, for error messages. */
  where(m: KafkaMessage): string {
    return `${this.topic}/${this.partition}@${m.offset}`;
  }

  /** The message's place, for a {@link KafkaConnectorError}. */
  at(m: KafkaMessage): { topic: string; partition: number; offset: number } {
    return { topic: this.topic, partition: this.partition, offset: Number(m.offset) };
  }
}
