import type { ConsumerConfig, Kafka, KafkaMessage, ProducerConfig } from 'kafkajs';
import { Observable, asyncScheduler, type SchedulerLike } from 'rxjs';
import { InvalidArgumentError, monotonousTimestamps, type CheckpointStore, type DeadLetterRoute, type StreamElement, type WatermarkStrategy } from 'tidemark';
import { kafkaClient } from './internal/kafkaClient.js';
import { PartitionTasksRun } from './internal/PartitionTasksRun.js';
import { requireOption } from './internal/requireOption.js';
import { KafkaConnectorError } from './KafkaConnectorError.js';
import type { KafkaPartition, KafkaRecord } from './KafkaRecord.js';

const API = 'kafkaPartitionTasks';

/** Configuration of {@link kafkaPartitionTasks}. Give exactly one of `kafka` or `brokers`. */
export interface KafkaPartitionTasksConfig<V, T> {
  /** A kafkajs client: the group's consumer, each task's transactional producer and the admin client are made from it. */
  kafka?: Kafka | undefined;
  /** Broker addresses, `['host:port']` (needs kafkajs installed). */
  brokers?: readonly string[] | undefined;
  /** The consumer group: its members split the partitions, and each task commits its partition's offset to it. Required. */
  groupId: string;
  /** More kafkajs consumer settings (session timeout …). */
  consumerConfig?: Omit<ConsumerConfig, 'groupId'> | undefined;
  /** The topics to read. */
  topics: readonly string[];
  /** Partitions without a committed offset start at the earliest record (else at the latest). @defaultValue false */
  fromBeginning?: boolean | undefined;
  /** Turns a Kafka message into the record's value; a throw errors the stream (or goes to `deadLetter`). @defaultValue the value's bytes */
  deserialize?: ((message: KafkaMessage, topic: string, partition: number) => V) | undefined;
  /** A record's event time. @defaultValue the record's Kafka timestamp */
  timestamp?: ((record: KafkaRecord<V>) => number) | undefined;
  /** The watermark strategy of each task (one partition each). @defaultValue `monotonousTimestamps()` */
  watermark?: WatermarkStrategy<KafkaRecord<V>> | undefined;
  /** Where records that cannot be deserialized or timestamped go instead of erroring the stream. @defaultValue error */
  deadLetter?: DeadLetterRoute<KafkaMessage & { topic: string; partition: number }> | undefined;
  /**
   * The pipeline of one partition: gets the partition's event-time stream and returns the
   * results' stream (its events are written to `topic`). Called once per task, that is each time
   * the member is assigned the partition; stateful operators in it need an `id` (their state is
   * in the task's checkpoints). Keep barriers flowing: end it before `values()`.
   */
  task: (input: Observable<StreamElement<KafkaRecord<V>>>, partition: KafkaPartition) => Observable<StreamElement<T>>;
  /** The topic results go to, or a function choosing it per result. */
  topic: string | ((value: T) => string);
  /** A result's record key. @defaultValue none (`null`) */
  key?: ((value: T) => string | Buffer | null) | undefined;
  /** A result's record value. @defaultValue `JSON.stringify(value)` */
  value?: ((value: T) => string | Buffer | null) | undefined;
  /** Processing time between two checkpoints (Kafka transactions) of a task, in ms. @defaultValue 1000 */
  interval?: number | undefined;
  /** The pipeline's name and version in its checkpoints' fingerprint (as `checkpoints({ pipeline })`). @defaultValue `''` */
  pipeline?: string | undefined;
  /**
   * A task's transactional id is `<transactionalIdPrefix>-<topic>-<partition>`: the same for
   * whichever member runs the partition, so that the new owner's producer fences the old one.
   * @defaultValue `groupId`
   */
  transactionalIdPrefix?: string | undefined;
  /** The compacted topic (one partition) of the tasks' checkpoints, keyed by transactional id. @defaultValue `<groupId>-tidemark-checkpoints` */
  checkpointTopic?: string | undefined;
  /**
   * A local checkpoint store per partition (e.g. `tidemark/lmdb`'s `openLmdbStore` in a
   * directory of its own), kept as a cache of the task's committed checkpoints: a task restores
   * from it when it holds the checkpoint Kafka names, else from the checkpoint topic. Opened when
   * the task starts, closed when it stops. @defaultValue none
   */
  cache?: ((partition: KafkaPartition) => CheckpointStore | Promise<CheckpointStore>) | undefined;
  /** More kafkajs producer settings of the tasks' producers (`transactionTimeout` …). */
  producerConfig?: ProducerConfig | undefined;
  /** A task fenced while the group still gives this member its partition starts again after this much processing time, in ms. @defaultValue 1000 */
  restartDelay?: number | undefined;
  /** Processing time (checkpoint intervals, restarts). @defaultValue `asyncScheduler` */
  scheduler?: SchedulerLike | undefined;
}

/**
 * What {@link kafkaPartitionTasks} emits about its tasks: `started` (restored, reading from
 * `offset`), `committing` (a checkpoint's transaction starts to commit), `committed` (a checkpoint's transaction committed, the partition's next offset
 * `offset`), `stopped` (revoked, or the end), `fenced` (another member's task of the partition
 * took over).
 *
 * @example
 * ```ts
 * import type { KafkaTaskEvent } from 'tidemark/kafka';
 *
 * const line = (e: KafkaTaskEvent): string => `${e.kind} ${e.topic}/${e.partition} checkpoint ${e.checkpointId} @${e.offset ?? '-'}`;
 * ```
 */
export interface KafkaTaskEvent {
  /** What happened to the task. */
  readonly kind: 'started' | 'committing' | 'committed' | 'stopped' | 'fenced';
  /** The task's topic. */
  readonly topic: string;
  /** The task's partition. */
  readonly partition: number;
  /** The task's last committed checkpoint (the restored one for `started`, the one committing for `committing`; 0: none). */
  readonly checkpointId: number;
  /** The partition's offset in that checkpoint (the next record to read); `undefined` before its first record, and for `committing`. */
  readonly offset: number | undefined;
}

/**
 * One assigned partition's task, in {@link KafkaPartitionTasks.tasks}.
 *
 * @example
 * ```ts
 * import type { KafkaTaskStatus } from 'tidemark/kafka';
 *
 * // Everything the task has read is in a committed checkpoint.
 * const settled = (t: KafkaTaskStatus): boolean => t.state === 'running' && t.next === t.committed;
 * ```
 */
export interface KafkaTaskStatus {
  /** The task's topic. */
  readonly topic: string;
  /** The task's partition. */
  readonly partition: number;
  /** `'restoring'`: paused until its checkpoint is loaded (and the previous owner fenced); `'running'`: reading. */
  readonly state: 'restoring' | 'running';
  /** The next offset the task reads (while running). */
  readonly next: number | undefined;
  /** The offset in its last committed checkpoint. */
  readonly committed: number | undefined;
  /** Its last committed checkpoint's id. */
  readonly checkpointId: number;
}

/**
 * A running {@link kafkaPartitionTasks}: the stream of its task events, with what the member
 * holds now ({@link KafkaPartitionTasksControl}). Subscribe once at a time; unsubscribing stops
 * every task and leaves the group.
 *
 * @example
 * ```ts
 * import type { KafkaPartitionTasks } from 'tidemark/kafka';
 *
 * const log = (tasks: KafkaPartitionTasks) => tasks.subscribe((e) => console.log(`${e.kind} ${e.topic}/${e.partition}`));
 * ```
 */
export type KafkaPartitionTasks = Observable<KafkaTaskEvent> & KafkaPartitionTasksControl;

/**
 * What a {@link KafkaPartitionTasks} says about the member, next to its being an Observable.
 *
 * @example
 * ```ts
 * import type { KafkaPartitionTasksControl } from 'tidemark/kafka';
 *
 * const held = (tasks: KafkaPartitionTasksControl): string => tasks.assignment.map((p) => `${p.topic}/${p.partition}`).join(' ');
 * ```
 */
export interface KafkaPartitionTasksControl {
  /** The consumer group. */
  readonly groupId: string;
  /** The partitions the member holds now (empty before the first assignment and after teardown). */
  readonly assignment: readonly KafkaPartition[];
  /** Whether the group is rebalancing (from the member's view: since kafkajs saw it, until the next assignment). */
  readonly rebalancing: boolean;
  /** Each assigned partition's task. */
  tasks(): readonly KafkaTaskStatus[];
  /** Resolves once every task has stopped and the consumer has left the group (after unsubscribe or an error). */
  disconnected(): Promise<void>;
}

/**
 * Exactly-once Kafka-to-Kafka pipelines that scale out over a consumer group: one **task per
 * assigned input partition** (Kafka Streams' tasks before KIP-447), each with its own pipeline
 * (`task(input, partition)`), its own checkpoints and its own transactional producer, whose id
 * `<prefix>-<topic>-<partition>` follows the partition from member to member. A task's Kafka
 * transaction holds its results, its checkpoint (a record of the compacted checkpoint topic) and
 * its partition's offset (`sendOffsets`, naming the checkpoint): when a rebalance moves the
 * partition, the new owner's producer fences the old one, and the task restores the partition's
 * window state from the checkpoint that committed last. `fromKafka` + `kafkaTransactions` per
 * partition, driven by one consumer.
 *
 * ```
 * member A: clicks/0 ─▶ task 0 { windowAggregate } ─▶ txn(G-clicks-0): results + checkpoint + offset of clicks/0
 *           clicks/1 ─▶ task 1 { windowAggregate } ─▶ txn(G-clicks-1): …
 * member B joins, gets clicks/1: its task 1 fences A's producer G-clicks-1, restores task 1's last checkpoint, seeks
 * ```
 *
 * State is per partition, so a key's records must all be in one partition (a keyed producer puts
 * them there), and each task's watermark is its own partition's. Consumers of the output read
 * with `read_committed`.
 *
 * ## Example
 * ```ts
 * import { boundedOutOfOrderness, mapEvents, sum, tumbling, windowAggregate } from 'tidemark';
 * import { kafkaPartitionTasks } from 'tidemark/kafka';
 *
 * interface Payment { key: string; ts: number; amount: number }
 * const tasks = kafkaPartitionTasks<Payment, { key: string; start: number; sum: number }>({
 *   brokers: ['127.0.0.1:9092'],
 *   groupId: 'sums',
 *   topics: ['payments'],
 *   deserialize: (m) => JSON.parse(m.value!.toString()) as Payment,
 *   timestamp: (r) => r.value.ts,
 *   watermark: boundedOutOfOrderness(1_000),
 *   task: (input) =>
 *     input.pipe(
 *       windowAggregate({ id: 'sums', window: tumbling(10_000), key: (r) => r.value.key, aggregate: sum((r) => r.value.amount) }),
 *       mapEvents((w) => ({ key: w.key, start: w.start, sum: w.value })),
 *     ),
 *   topic: 'sums-out',
 *   key: (s) => s.key,
 * });
 * tasks.subscribe((e) => console.log(`${e.kind} ${e.topic}/${e.partition}`));
 * ```
 * @see {@link kafkaTransactions} for one pipeline over all partitions, and docs/guides/kafka.md.
 * @param config - see {@link KafkaPartitionTasksConfig}.
 * @returns the tasks' events, with the member's assignment.
 * @throws InvalidArgumentError when an option is invalid; MissingPeerDependencyError for `brokers` without kafkajs installed.
 */
export function kafkaPartitionTasks<V = Buffer | null, T = unknown>(config: KafkaPartitionTasksConfig<V, T>): KafkaPartitionTasks {
  if (config === null || typeof config !== 'object') throw new InvalidArgumentError(`${API}: expected a config object`);
  const { kafka, brokers, groupId, topics, topic, task, interval = 1_000, restartDelay = 1_000, scheduler = asyncScheduler, watermark = monotonousTimestamps() } = config;
  if ([kafka, brokers].filter((x) => x !== undefined).length !== 1) throw new InvalidArgumentError(`${API}: give exactly one of kafka or brokers (a kafkajs Kafka client, or ['host:port'])`);
  if (typeof groupId !== 'string' || groupId === '') throw new InvalidArgumentError(`${API}: groupId must be the consumer group's id, a non-empty string`);
  if (!Array.isArray(topics) || topics.length === 0 || !topics.every((t) => typeof t === 'string' && t !== '')) {
    throw new InvalidArgumentError(`${API}: topics must be a non-empty array of topic names, e.g. ['clicks']`);
  }
  if (typeof task !== 'function') throw new InvalidArgumentError(`${API}: task must be a function (input, partition) => the results' event-time stream`);
  if (!(typeof topic === 'function' || (typeof topic === 'string' && topic !== ''))) throw new InvalidArgumentError(`${API}: topic must be a topic name or a function of the result`);
  for (const [name, f] of [['key', config.key], ['value', config.value], ['deserialize', config.deserialize], ['timestamp', config.timestamp], ['cache', config.cache]] as const) {
    if (f !== undefined && typeof f !== 'function') throw new InvalidArgumentError(`${API}: ${name} must be a function, got ${typeof f}`);
  }
  if (typeof watermark?.create !== 'function') throw new InvalidArgumentError(`${API}: watermark must be a WatermarkStrategy such as boundedOutOfOrderness(ms)`);
  requireOption(API, 'interval', interval);
  requireOption(API, 'restartDelay', restartDelay);
  if (typeof scheduler?.schedule !== 'function' || typeof scheduler.now !== 'function') throw new InvalidArgumentError(`${API}: scheduler must be an RxJS SchedulerLike`);
  for (const [name, v] of [['transactionalIdPrefix', config.transactionalIdPrefix], ['checkpointTopic', config.checkpointTopic], ['pipeline', config.pipeline]] as const) {
    if (v !== undefined && typeof v !== 'string') throw new InvalidArgumentError(`${API}: ${name} must be a string, got ${typeof v}`);
  }
  const client = kafka ?? kafkaClient(API, brokers!, `tidemark-${groupId}`);
  const resolved = {
    kafka: client,
    groupId,
    topics,
    fromBeginning: config.fromBeginning ?? false,
    consumerConfig: config.consumerConfig,
    task,
    topic,
    key: config.key,
    value: config.value,
    deserialize: config.deserialize,
    timestamp: config.timestamp,
    watermark,
    deadLetter: config.deadLetter,
    interval,
    pipeline: config.pipeline,
    transactionalIdPrefix: config.transactionalIdPrefix ?? groupId,
    checkpointTopic: config.checkpointTopic ?? `${groupId}-tidemark-checkpoints`,
    cache: config.cache,
    producerConfig: config.producerConfig,
    restartDelay,
    scheduler,
  };
  let run: PartitionTasksRun<V, T> | undefined;
  let disconnected: Promise<void> = Promise.resolve();
  const tasks = new Observable<KafkaTaskEvent>((subscriber) => {
    if (run !== undefined) {
      subscriber.error(new KafkaConnectorError(API, 'usage', `${API}: the tasks of group "${groupId}" are already running; subscribe once at a time (use share() to fan out)`));
      return;
    }
    const current = (run = new PartitionTasksRun<V, T>(subscriber, resolved, client.consumer({ ...config.consumerConfig, groupId })));
    current.run();
    return () => {
      if (run === current) run = undefined;
      current.teardown();
      disconnected = current.disconnected;
    };
  }) as KafkaPartitionTasks;
  Object.defineProperty(tasks, 'assignment', { get: () => run?.assignment() ?? [], enumerable: true });
  Object.defineProperty(tasks, 'rebalancing', { get: () => run?.rebalancing ?? false, enumerable: true });
  return Object.assign(tasks, { groupId, tasks: () => run?.status() ?? [], disconnected: () => disconnected });
}
