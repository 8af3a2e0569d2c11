import type { Kafka, Producer, ProducerConfig } from 'kafkajs';
import { InvalidArgumentError, type Checkpoint, type CheckpointSink, type CheckpointStore } from 'tidemark';
import { TransactionLog } from './internal/TransactionLog.js';
import { kafkaClient } from './internal/kafkaClient.js';
import { markOffsetsInTransaction } from './internal/offsetsInTransaction.js';

const API = 'kafkaTransactions';

/** Configuration of {@link kafkaTransactions}. Give exactly one of `producer`, `kafka` or `brokers`. */
export interface KafkaTransactionsConfig<T> {
  /** A transactional kafkajs producer (its `transactionalId` must equal `transactionalId`), not connected. */
  producer?: Producer | undefined;
  /** A kafkajs client: the transactional producer and the admin client are made from it. */
  kafka?: Kafka | undefined;
  /** Broker addresses, `['host:port']` (needs kafkajs installed). */
  brokers?: readonly string[] | undefined;
  /**
   * The transactional id: the same across restarts of one member of the group (so that a
   * restart fences the crashed run's producer and aborts its open transaction), different for
   * members that run at once.
   */
  transactionalId: string;
  /** The consumer group of the `fromKafka` source: each transaction commits its offsets to it. */
  groupId: string;
  /** The topic results go to, or a function choosing it per result. */
  topic: string | ((value: T) => string);
  /** A result's record key. @defaultValue none (`null`) */
  key?: ((value: T) => string | Buffer | null) | undefined;
  /** A result's record value. @defaultValue `JSON.stringify(value)` */
  value?: ((value: T) => string | Buffer | null) | undefined;
  /** The id of the `fromKafka` source in the checkpoints (its `id` option). @defaultValue `'kafka'` */
  sourceId?: string | undefined;
  /** The topic (one partition) checkpoints are written to, in the same transactions. @defaultValue `<transactionalId>-checkpoints` */
  checkpointTopic?: string | undefined;
  /**
   * A local checkpoint store (e.g. `tidemark/lmdb`'s `openLmdbStore`) kept as a cache: each
   * checkpoint is committed to it after its transaction, and a restart loads from it when it
   * holds the checkpoint Kafka committed last (else from the checkpoint topic). @defaultValue none
   */
  cache?: CheckpointStore | undefined;
  /** More kafkajs producer settings (`transactionTimeout` …). */
  producerConfig?: ProducerConfig | undefined;
}

/**
 * The two ends of {@link kafkaTransactions}: give `store` to `checkpoints({ store })` and `sink`
 * to `commitCheckpoints(cp, { sink })`.
 *
 * @example
 * ```ts
 * import { checkpoints } from 'tidemark';
 * import type { KafkaTransactions } from 'tidemark/kafka';
 *
 * const coordinatorOf = (eo: KafkaTransactions<unknown>) => checkpoints({ store: eo.store, interval: 1_000 });
 * ```
 */
export interface KafkaTransactions<T> {
  /** The checkpoint store: a checkpoint is committed when its Kafka transaction commits. */
  readonly store: CheckpointStore;
  /** The exactly-once sink: results go into the open Kafka transaction. */
  readonly sink: CheckpointSink<T>;
}

/**
 * Exactly-once output to Kafka for a pipeline checkpointed by `tidemark`'s coordinator: one
 * Kafka transaction per checkpoint holds the results written since the previous one, the
 * checkpoint itself (every operator's state and the source's position, as a record of the
 * checkpoint topic) and the source's offsets (`sendOffsets`, with the checkpoint's id as
 * metadata). The transaction's commit is the checkpoint's commit: results, state and input
 * position become durable together, or not at all. After a crash, the restarted run's producer
 * aborts the open transaction, and the store restores the checkpoint whose transaction committed
 * last, so `read_committed` consumers see every result exactly once. Flink's two-phase commit
 * sink, without the pre-commit (kafkajs cannot resume another producer's transaction). Exact for
 * one member per group: operator state is not split by input partition, so a partition that moves
 * to another member does not take its open windows along; {@link kafkaPartitionTasks} runs one
 * pipeline with its own `kafkaTransactions` per partition for that (docs/guides/kafka.md).
 *
 * ```
 * source ─r1─r2─|B1|─r3─▶ windowAggregate{id} ─▶ commitCheckpoints(cp, { sink }) ─▶
 * Kafka txn 1:  results before B1 + checkpoint 1 record + offsets of B1   commit = checkpoint 1 committed
 * ```
 *
 * ## Example
 * ```ts
 * import { boundedOutOfOrderness, checkpoints, commitCheckpoints, count, mapEvents, tumbling, values, windowAggregate } from 'tidemark';
 * import { fromKafka, kafkaTransactions } from 'tidemark/kafka';
 *
 * const brokers = ['127.0.0.1:9092'];
 * const eo = kafkaTransactions<{ page: string; clicks: number }>({ brokers, transactionalId: 'pages-1', groupId: 'pages', topic: 'page-counts', key: (r) => r.page });
 * const cp = checkpoints({ store: eo.store, interval: 1_000 });
 * fromKafka({ brokers, groupId: 'pages', topics: ['clicks'], checkpoints: cp, timestamp: (r) => r.timestamp, watermark: boundedOutOfOrderness(1_000) })
 *   .pipe(
 *     windowAggregate({ id: 'counts', window: tumbling(60_000), key: (r) => r.key?.toString() ?? '', aggregate: count() }),
 *     mapEvents((w) => ({ page: w.key, clicks: w.value })),
 *     commitCheckpoints(cp, { sink: eo.sink }),
 *     values(),
 *   )
 *   .subscribe();
 * ```
 * @see {@link toKafka} for output without the coordinator, {@link kafkaPartitionTasks} for state per partition, and docs/guides/kafka.md.
 * @param config - see {@link KafkaTransactionsConfig}.
 * @returns the store and the sink.
 * @throws InvalidArgumentError when an option is invalid.
 */
export function kafkaTransactions<T>(config: KafkaTransactionsConfig<T>): KafkaTransactions<T> {
  if (config === null || typeof config !== 'object') throw new InvalidArgumentError(`${API}: expected a config object`);
  const { producer, kafka, brokers, transactionalId, groupId, topic } = config;
  if ([producer, kafka, brokers].filter((x) => x !== undefined).length !== 1) {
    throw new InvalidArgumentError(`${API}: give exactly one of producer, kafka or brokers (a transactional kafkajs Producer, a kafkajs Kafka client, or ['host:port'])`);
  }
  if (producer !== undefined && kafka === undefined) throw new InvalidArgumentError(`${API}: with producer, give kafka too (the admin client reads the committed offsets)`);
  for (const [name, v] of [['transactionalId', transactionalId], ['groupId', groupId]] as const) {
    if (typeof v !== 'string' || v === '') throw new InvalidArgumentError(`${API}: ${name} must be a non-empty string`);
  }
  if (!(typeof topic === 'function' || (typeof topic === 'string' && topic !== ''))) throw new InvalidArgumentError(`${API}: topic must be a topic name or a function of the result`);
  const client = kafka ?? kafkaClient(API, brokers!, transactionalId);
  const log = new TransactionLog<T>({
    client,
    makeProducer: () => producer ?? client.producer({ ...config.producerConfig, transactionalId, idempotent: true, maxInFlightRequests: 1 }),
    transactionalId,
    groupId,
    topicOf: typeof topic === 'string' ? () => topic : topic,
    keyOf: config.key,
    valueOf: config.value ?? ((v: T) => JSON.stringify(v)),
    sourceId: config.sourceId ?? 'kafka',
    checkpointTopic: config.checkpointTopic ?? `${transactionalId}-checkpoints`,
    cache: config.cache,
  });
  const store: CheckpointStore = {
    latest: () => log.latest(),
    load: (id: number) => log.load(id),
    retained: () => log.retained(),
    commit: (checkpoint: Checkpoint) => log.commit(checkpoint),
    close: () => log.close(),
  };
  markOffsetsInTransaction(store);
  const sink: CheckpointSink<T> = {
    restore: () => log.restore(),
    write: (value: T) => log.write(value),
    prepare: (checkpointId: number) => log.prepare(checkpointId),
    committed: () => undefined,
    close: () => log.closeSink(),
  };
  return { store, sink };
}
