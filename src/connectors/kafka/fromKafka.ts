import type { Consumer, ConsumerConfig, Kafka, KafkaMessage } from 'kafkajs';
import { Observable, asyncScheduler, type SchedulerLike } from 'rxjs';
import { InvalidArgumentError, monotonousTimestamps, type Checkpoints, type DeadLetterRoute, type StreamElement, type WatermarkStrategy } from 'tidemark';
import { KafkaSourceRun } from './internal/KafkaSourceRun.js';
import { kafkaClient } from './internal/kafkaClient.js';
import { requireOption } from './internal/requireOption.js';
import { KafkaConnectorError } from './KafkaConnectorError.js';
import type { KafkaOffset, KafkaPartition, KafkaRecord } from './KafkaRecord.js';

const API = 'fromKafka';

/** Configuration of {@link fromKafka}. Give exactly one of `consumer`, `kafka` or `brokers`. */
export interface FromKafkaConfig<V = Buffer | null> {
  /**
   * A kafkajs consumer that is not running yet. `fromKafka` connects it, subscribes it to
   * `topics`, runs it (with `autoCommit: false`: offsets are committed on checkpoints) and
   * disconnects it on teardown. Its group id must then be given as `groupId` too.
   */
  consumer?: Consumer | undefined;
  /** A kafkajs client: `fromKafka` makes the consumer (`groupId` and `consumerConfig`). */
  kafka?: Kafka | undefined;
  /** Broker addresses, `['host:port']`: `fromKafka` makes the client (needs kafkajs installed). */
  brokers?: readonly string[] | undefined;
  /** The consumer group: offsets are committed to it. Required. */
  groupId: string;
  /** More kafkajs consumer settings when `fromKafka` makes the consumer (session timeout …). */
  consumerConfig?: Omit<ConsumerConfig, 'groupId'> | undefined;
  /** The topics to read. */
  topics: readonly string[];
  /** Partitions without a committed offset start at the earliest record (else at the latest). @defaultValue false */
  fromBeginning?: boolean | undefined;
  /**
   * Turns a Kafka message into the record's value. A throw is a deserialization error: the
   * stream errors with a {@link KafkaConnectorError} naming topic, partition and offset, or the
   * record goes to `deadLetter`. @defaultValue the value's bytes (`Buffer | null`)
   */
  deserialize?: ((message: KafkaMessage, topic: string, partition: number) => V) | undefined;
  /** A record's event time. @defaultValue the record's Kafka timestamp */
  timestamp?: ((record: KafkaRecord<V>) => number) | undefined;
  /**
   * The watermark strategy, applied to each partition on its own (one generator per assigned
   * partition); the stream's watermark is the minimum over the partitions that are not idle.
   * @defaultValue `monotonousTimestamps()`
   */
  watermark?: WatermarkStrategy<KafkaRecord<V>> | undefined;
  /**
   * A partition with no record for this much processing time is idle: it stops holding back
   * the watermark until its next record. When every partition is idle the stream says so with
   * a `{ kind: 'status', idle: true }` element. @defaultValue never idle
   */
  idleTimeout?: number | undefined;
  /**
   * Takes a checkpoint (a barrier in the stream, and the offsets reached) every this much
   * processing time. @defaultValue none: only {@link KafkaSource.checkpoint} takes them
   */
  checkpointInterval?: number | undefined;
  /**
   * Back-pressure: while the last value it emitted is `true`, every assigned partition is
   * paused (kafkajs `pause`, so the consumer keeps its group membership and heartbeats) and no
   * record is fetched; `false` resumes them. `toKafka(…).pressure` is such a signal.
   * @defaultValue never paused
   */
  pauseWhen?: Observable<boolean> | undefined;
  /**
   * Offsets to start from (a restored checkpoint's): a partition found here is sought to its
   * offset when it is assigned, instead of the group's committed offset. @defaultValue none
   */
  startAt?: readonly KafkaOffset[] | undefined;
  /** Where records that cannot be deserialized or timestamped go instead of erroring the stream. @defaultValue error */
  deadLetter?: DeadLetterRoute<KafkaMessage & { topic: string; partition: number }> | undefined;
  /**
   * The pipeline's checkpoint coordinator (`checkpoints({ store, interval })` from `tidemark`):
   * the source then waits for it to restore, starts with its restore barrier and the restored
   * watermark, seeks every partition it is assigned to the restored offsets, injects barriers
   * when the coordinator triggers them (not `checkpointInterval`) and commits the offsets to the
   * group once the checkpoint is committed. @defaultValue none: checkpoints by
   * {@link KafkaSource.checkpoint} / `checkpointInterval`, completed by `commit()`
   */
  checkpoints?: Checkpoints | undefined;
  /** The source's id in checkpoints. @defaultValue `'kafka'` */
  id?: string | undefined;
  /** Processing time (idleness, checkpoint intervals). @defaultValue `asyncScheduler` */
  scheduler?: SchedulerLike | undefined;
}

/**
 * A Kafka source from {@link fromKafka}: an event-time stream, with the checkpoint verbs a
 * committing sink or a checkpoint coordinator drives. It can be subscribed to once at a time
 * (a consumer runs once).
 *
 * @example
 * ```ts
 * import type { KafkaSource } from 'tidemark/kafka';
 *
 * // A checkpoint that completes at once: the offsets reached are committed to the group.
 * async function checkpointNow(source: KafkaSource<unknown>): Promise<void> {
 *   const id = source.checkpoint();
 *   await source.commit(id);
 * }
 * ```
 */
export type KafkaSource<V> = Observable<StreamElement<KafkaRecord<V>>> & KafkaSourceControl;

/**
 * The checkpoint verbs of a {@link KafkaSource}, next to its being an Observable.
 *
 * @example
 * ```ts
 * import type { KafkaSourceControl } from 'tidemark/kafka';
 *
 * const held = (source: KafkaSourceControl): string => source.assignment.map((p) => `${p.topic}/${p.partition}`).join(' ');
 * ```
 */
export interface KafkaSourceControl {
  /** The source's id in checkpoints. */
  readonly id: string;
  /** The consumer group. */
  readonly groupId: string;
  /** The partitions the consumer holds now (empty before the first assignment and after teardown). */
  readonly assignment: readonly KafkaPartition[];
  /**
   * Takes a checkpoint now: records the offsets reached in every partition read so far and
   * emits a barrier with the new checkpoint id, which it returns. Call it while subscribed.
   * @throws KafkaConnectorError when not subscribed.
   */
  checkpoint(): number;
  /** The offsets a checkpoint recorded (the next record to read, per partition), or `undefined` for an unknown or forgotten one. */
  offsets(checkpointId: number): readonly KafkaOffset[] | undefined;
  /**
   * The checkpoint completed (its barrier passed the sink, its state is stored): commits its
   * offsets to the group, for the partitions still assigned, and forgets it and every older
   * checkpoint. With `byTransaction` the sink has committed them in its Kafka transaction
   * (`sendOffsets`) and they are only forgotten. Offsets are never committed before this.
   */
  commit(checkpointId: number, options?: { readonly byTransaction?: boolean }): Promise<void>;
  /**
   * Ends the stream: emits the final `+Infinity` watermark (every window fires), then a last
   * checkpoint barrier, completes, and disconnects the consumer. An `exactlyOnce` sink commits
   * that last checkpoint's offsets in its transaction; a plain sink cannot commit them to a
   * consumer that has left, so the next run reads that tail again (at-least-once). For a bounded
   * read; an exactly-once pipeline that is to resume later unsubscribes instead, leaving its
   * open windows to the next run.
   */
  stop(): void;
  /** Resolves once the consumer of the last subscription has disconnected (after unsubscribe, error or `stop()`). */
  disconnected(): Promise<void>;
}

/**
 * Reads Kafka topics as an event-time stream: every record is an event (a {@link KafkaRecord},
 * stamped by `timestamp`), each partition has its own watermark from the `watermark` strategy,
 * and the stream's watermark is their minimum, idle partitions excluded (as Flink's Kafka
 * source). Like {@link https://rxjs.dev/api/index/function/fromEvent | fromEvent} over a
 * consumer, with event time and checkpoints.
 *
 * ```
 * partition 0:  a@10       b@14               boundedOutOfOrderness(2)
 * partition 1:        c@5           d@20
 * output:       a@10 c@5 W(2) b@14 d@20 W(11)   (W = min(max0 − 3, max1 − 3))
 * ```
 *
 * Partitions join the watermark when the group assigns them and leave it when a rebalance
 * revokes them; a newly assigned partition starts with no watermark, and the stream's
 * watermark never goes back. Offsets go into checkpoints ({@link KafkaSource.checkpoint}, or
 * every `checkpointInterval`) and are committed to the group only when the checkpoint
 * completes ({@link KafkaSource.commit}); the consumer never auto-commits. Unsubscribing
 * stops and disconnects the consumer.
 *
 * ## Example
 * ```ts
 * import { boundedOutOfOrderness, count, tumbling, values, windowAggregate } from 'tidemark';
 * import { fromKafka } from 'tidemark/kafka';
 *
 * const clicks = fromKafka({
 *   brokers: ['127.0.0.1:9092'],
 *   groupId: 'clicks-per-page',
 *   topics: ['clicks'],
 *   deserialize: (m) => JSON.parse(m.value!.toString()) as { page: string; ts: number },
 *   timestamp: (r) => r.value.ts,
 *   watermark: boundedOutOfOrderness(1_000),
 *   idleTimeout: 5_000,
 * });
 * const perPage = clicks.pipe(windowAggregate({ window: tumbling(60_000), key: (r) => r.value.page, aggregate: count() }), values());
 * ```
 * @see {@link toKafka} for the sink, and docs/guides/kafka.md.
 * @param config - see {@link FromKafkaConfig}.
 * @returns a {@link KafkaSource}.
 * @throws InvalidArgumentError when an option is invalid; MissingPeerDependencyError for
 *   `brokers` without kafkajs installed.
 */
export function fromKafka<V = Buffer | null>(config: FromKafkaConfig<V>): KafkaSource<V> {
  if (config === null || typeof config !== 'object') throw new InvalidArgumentError(`${API}: expected a config object`);
  const { consumer, kafka, brokers, groupId, topics, idleTimeout, checkpointInterval, scheduler = asyncScheduler, watermark = monotonousTimestamps() } = config;
  if ([consumer, kafka, brokers].filter((x) => x !== undefined).length !== 1) {
    throw new InvalidArgumentError(`${API}: give exactly one of consumer, kafka or brokers (a kafkajs Consumer, a kafkajs Kafka client, or ['host:port'])`);
  }
  if (typeof groupId !== 'string' || groupId === '') throw new InvalidArgumentError(`${API}: groupId must be the consumer group's id, a non-empty string`);
  if (!Array.isArray(topics) || topics.length === 0 || !topics.every((t) => typeof t === 'string' && t !== '')) {
    throw new InvalidArgumentError(`${API}: topics must be a non-empty array of topic names, e.g. ['clicks']`);
  }
  if (typeof watermark?.create !== 'function') throw new InvalidArgumentError(`${API}: watermark must be a WatermarkStrategy such as boundedOutOfOrderness(ms)`);
  requireOption(API, 'idleTimeout', idleTimeout);
  requireOption(API, 'checkpointInterval', checkpointInterval);
  if (config.checkpoints !== undefined && typeof (config.checkpoints as { register?: unknown }).register !== 'function') {
    throw new InvalidArgumentError(`${API}: checkpoints must be the coordinator made by checkpoints({ store }) from tidemark`);
  }
  if (config.checkpoints !== undefined && checkpointInterval !== undefined) {
    throw new InvalidArgumentError(`${API}: give checkpointInterval or checkpoints, not both (with a coordinator, its interval applies)`);
  }
  if (typeof scheduler?.schedule !== 'function' || typeof scheduler.now !== 'function') throw new InvalidArgumentError(`${API}: scheduler must be an RxJS SchedulerLike`);
  const id = config.id ?? 'kafka';
  // Made now, so that a missing kafkajs is reported when the source is made.
  const client = consumer !== undefined ? undefined : (kafka ?? kafkaClient(API, brokers!, `tidemark-${groupId}`));
  const makeConsumer = (): Consumer => consumer ?? client!.consumer({ ...config.consumerConfig, groupId });
  let disconnected: Promise<void> = Promise.resolve();
  let run: KafkaSourceRun<V> | undefined;
  /** The latest run, also after its teardown: a sink may complete its last checkpoints after the end. */
  let last: KafkaSourceRun<V> | undefined;
  const running = (what: string): KafkaSourceRun<V> => {
    if (run === undefined) throw new KafkaConnectorError(API, 'usage', `${API}: ${what} needs a subscribed source; subscribe to it first`);
    return run;
  };
  const source = new Observable<StreamElement<KafkaRecord<V>>>((subscriber) => {
    if (run !== undefined) {
      subscriber.error(new KafkaConnectorError(API, 'usage', `${API}: the source "${id}" is already subscribed; a Kafka consumer runs once at a time (use share() to fan out)`));
      return;
    }
    const current = new KafkaSourceRun<V>(subscriber, { ...config, watermark, scheduler }, makeConsumer());
    run = last = current;
    current.start();
    return () => {
      if (run === current) run = undefined;
      current.teardown();
      disconnected = current.disconnected;
    };
  }) as KafkaSource<V>;
  const verbs = {
    id,
    groupId,
    checkpoint: () => running('checkpoint()').checkpoint(),
    offsets: (checkpointId: number) => last?.offsets(checkpointId),
    commit: async (checkpointId: number, options?: { readonly byTransaction?: boolean }) => {
      if (last === undefined) throw new KafkaConnectorError(API, 'usage', `${API}: commit() of checkpoint ${checkpointId} before the source "${id}" was ever subscribed`);
      return last.commit(checkpointId, options?.byTransaction === true);
    },
    stop: () => running('stop()').stop(),
    disconnected: () => disconnected,
  };
  Object.defineProperty(source, 'assignment', { get: () => run?.assignment() ?? [], enumerable: true });
  return Object.assign(source, verbs);
}
