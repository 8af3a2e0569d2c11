import { TidemarkError } from 'tidemark';

const BRAND = Symbol.for('tidemark.KafkaConnectorError');

/** What went wrong in a Kafka connector, in {@link KafkaConnectorError.reason}. */
export type KafkaConnectorFailure =
  /** A record's value (or key) could not be deserialized; `topic`, `partition` and `offset` name it. */
  | 'deserialization'
  /** A record's event time (the `timestamp` option's result) is not a finite number. */
  | 'timestamp'
  /** The watermark strategy returned something that is not a number. */
  | 'watermark'
  /** kafkajs failed: connecting, subscribing, the consumer crashed, a send or a commit failed. */
  | 'client'
  /** A Kafka transaction could not be committed (and was aborted): the outputs since the last checkpoint are not visible. */
  | 'transaction'
  /** The connector was used the wrong way, e.g. a second subscription to one `fromKafka` source. */
  | 'usage';

/**
 * The error of `fromKafka` and `toKafka`: a record that cannot be read (naming its topic,
 * partition and offset), a failing client, an aborted transaction. The message starts with the
 * connector's name and says what to do; the underlying error (from kafkajs or a user callback)
 * is `cause`.
 *
 * @example
 * ```ts
 * import { KafkaConnectorError } from 'tidemark/kafka';
 *
 * const e = new KafkaConnectorError('fromKafka', 'deserialization', 'fromKafka: cannot deserialize clicks/2@17', { topic: 'clicks', partition: 2, offset: 17 });
 * if (KafkaConnectorError.isKafkaConnectorError(e)) console.log(e.reason, e.topic, e.partition, e.offset);
 * // output:
 * // deserialization clicks 2 17
 * ```
 */
export class KafkaConnectorError extends TidemarkError {
  /** @internal */
  readonly [BRAND] = true;
  /** `'KafkaConnectorError'`, the error's kind in messages and logs. */
  override name = 'KafkaConnectorError';
  /** The topic of the record concerned, if one is. */
  readonly topic: string | undefined;
  /** The partition of the record concerned, if one is. */
  readonly partition: number | undefined;
  /** The offset of the record concerned, if one is. */
  readonly offset: number | undefined;

  /**
   * @param api - `'fromKafka'`, `'toKafka'` or `'kafkaPartitionTasks'`.
   * @param reason - what failed.
   * @param message - the whole message (starting with `api`).
   * @param where - the record concerned, and the underlying error as `cause`.
   */
  constructor(
    readonly api: 'fromKafka' | 'toKafka' | 'kafkaPartitionTasks',
    readonly reason: KafkaConnectorFailure,
    message: string,
    where: { topic?: string; partition?: number; offset?: number; cause?: unknown } = {},
  ) {
    super(message, where.cause === undefined ? undefined : { cause: where.cause });
    this.topic = where.topic;
    this.partition = where.partition;
    this.offset = where.offset;
  }

  /** Whether `x` is a {@link KafkaConnectorError} (works across two installed copies of tidemark). */
  static isKafkaConnectorError(x: unknown): x is KafkaConnectorError {
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;
  }
}
