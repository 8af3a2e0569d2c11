import type { IHeaders } from 'kafkajs';

/**
 * A record read by {@link fromKafka}: the Kafka message with where it came from, and its value
 * as the `deserialize` option made it (the raw bytes by default).
 *
 * @example
 * ```ts
 * import type { KafkaRecord } from 'tidemark/kafka';
 *
 * const where = (r: KafkaRecord<unknown>): string => `${r.topic}/${r.partition}@${r.offset}`;
 * ```
 */
export interface KafkaRecord<V = Buffer | null> {
  /** The topic. */
  readonly topic: string;
  /** The partition. */
  readonly partition: number;
  /** The record's offset in its partition (a JavaScript number: exact up to 2^53). */
  readonly offset: number;
  /** The record key's bytes, or `null`. */
  readonly key: Buffer | null;
  /** The value, as `deserialize` made it. */
  readonly value: V;
  /** The record's headers, as kafkajs gives them. */
  readonly headers: IHeaders;
  /** The record's Kafka timestamp (create or log-append time, milliseconds). */
  readonly timestamp: number;
}

/**
 * A position in one partition: the offset of the next record to read, as recorded in a
 * checkpoint and committed to the consumer group.
 *
 * @example
 * ```ts
 * import type { KafkaOffset } from 'tidemark/kafka';
 *
 * const next: KafkaOffset = { topic: 'clicks', partition: 0, offset: 42 };
 * ```
 */
export interface KafkaOffset {
  /** The topic. */
  readonly topic: string;
  /** The partition. */
  readonly partition: number;
  /** The offset of the next record to read. */
  readonly offset: number;
}

/**
 * A partition of a topic, as a consumer holds it.
 *
 * @example
 * ```ts
 * import type { KafkaPartition } from 'tidemark/kafka';
 *
 * const first: KafkaPartition = { topic: 'clicks', partition: 0 };
 * ```
 */
export interface KafkaPartition {
  /** The topic. */
  readonly topic: string;
  /** The partition. */
  readonly partition: number;
}
