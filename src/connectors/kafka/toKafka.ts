import type { Kafka, Producer, ProducerConfig } from 'kafkajs';
import { BehaviorSubject, Observable, distinctUntilChanged, type OperatorFunction } from 'rxjs';
import { InvalidArgumentError, type StreamElement } from 'tidemark';
import type { KafkaSourceControl } from './fromKafka.js';
import { KafkaSinkRun } from './internal/KafkaSinkRun.js';
import { defaultPartitioner, kafkaClient } from './internal/kafkaClient.js';
import { requireOption } from './internal/requireOption.js';
import { KafkaConnectorError } from './KafkaConnectorError.js';
import type { KafkaOffset } from './KafkaRecord.js';

const API = 'toKafka';

/** Configuration of {@link toKafka}. Give exactly one of `producer`, `kafka` or `brokers`. */
export interface ToKafkaConfig<T> {
  /**
   * A kafkajs producer, not connected: `toKafka` connects and disconnects it. For `exactlyOnce`
   * it must be transactional (`transactionalId`, `idempotent: true`, `maxInFlightRequests: 1`).
   */
  producer?: Producer | undefined;
  /** A kafkajs client: `toKafka` makes the producer (plain, idempotent or transactional). */
  kafka?: Kafka | undefined;
  /** Broker addresses, `['host:port']`: `toKafka` makes the client (needs kafkajs installed). */
  brokers?: readonly string[] | undefined;
  /** The topic to write to, or a function choosing it per result. */
  topic: string | ((value: T) => string);
  /** A result's record key (it picks the partition). @defaultValue none (`null`) */
  key?: ((value: T) => string | Buffer | null) | undefined;
  /** A result's record value. @defaultValue `JSON.stringify(value)` */
  value?: ((value: T) => string | Buffer | null) | undefined;
  /**
   * The `fromKafka` source whose checkpoints this sink completes. At each of its barriers, once
   * every result before it is acknowledged (and, with `exactlyOnce`, committed in the same
   * transaction as the source's offsets) the sink calls `source.commit(id)`: the offsets are
   * committed then, never before. Required with `exactlyOnce`. @defaultValue none
   */
  source?: KafkaSourceControl | undefined;
  /**
   * `true`: results between two barriers go in one Kafka transaction, which also carries the
   * source's offsets (`sendOffsets`) and commits at the barrier: `read_committed` consumers see
   * each result exactly once, also across crashes (an open transaction of a crashed run is
   * aborted when the next run's producer starts with the same `transactionalId`). Exact for one
   * member per group; a rebalance can repeat the results of a moved partition's records read since
   * the last barrier (docs/guides/kafka.md, "Scale-out and rebalances"; `kafkaPartitionTasks` is exact there).
   * @defaultValue false
   */
  exactlyOnce?: boolean | undefined;
  /**
   * The transactional id (with `exactlyOnce`): stable across restarts of one member, different
   * for members running at once. @defaultValue `tidemark-<source.groupId>`
   */
  transactionalId?: string | undefined;
  /** An idempotent producer (no duplicates from retries), without transactions. @defaultValue false (implied by `exactlyOnce`) */
  idempotent?: boolean | undefined;
  /** More kafkajs producer settings when `toKafka` makes the producer (`transactionTimeout` …). */
  producerConfig?: ProducerConfig | undefined;
  /**
   * Back-pressure: {@link KafkaSink.pressure} turns `true` when more than this many results are
   * waiting to be acknowledged by the broker, and `false` again at half of it. @defaultValue 10000
   */
  maxPending?: number | undefined;
}

/**
 * What {@link toKafka} emits each time the results before a checkpoint barrier are durable in
 * Kafka (committed, with `exactlyOnce`) and the checkpoint's offsets committed.
 *
 * @example
 * ```ts
 * import type { KafkaCommit } from 'tidemark/kafka';
 *
 * const log = (c: KafkaCommit): string => `checkpoint ${c.checkpointId}: ${c.records} records, ${c.offsets.length} partitions`;
 * ```
 */
export interface KafkaCommit {
  /** The checkpoint (barrier) id. */
  readonly checkpointId: number;
  /** How many results went out since the previous commit. */
  readonly records: number;
  /** The source's offsets committed with it (empty without a `source`). */
  readonly offsets: readonly KafkaOffset[];
}

/**
 * The operator {@link toKafka} returns: an `OperatorFunction` from an event-time stream to its
 * commits, with the sink's back-pressure signal.
 *
 * @example
 * ```ts
 * import type { KafkaSink } from 'tidemark/kafka';
 *
 * const watch = (sink: KafkaSink<unknown>) => sink.pressure.subscribe((busy) => console.log(busy ? 'pausing' : 'resuming'));
 * ```
 */
export interface KafkaSink<T> extends OperatorFunction<StreamElement<T>, KafkaCommit> {
  /** `true` while more than `maxPending` results wait for the broker: give it to `fromKafka`'s `pauseWhen`. */
  readonly pressure: Observable<boolean>;
}

/**
 * Writes the events of an event-time stream to Kafka (watermarks and status elements are not
 * written; each record's Kafka timestamp is the event's time) and emits a {@link KafkaCommit}
 * at every checkpoint barrier once what came before it is durable. Like RxJS `tap` with a
 * Kafka producer, but ordered, batched and tied to checkpoints.
 *
 * ```
 * input:    r1@9  r2@9  B1  r3@19  B2  |
 * Kafka:    [txn: r1 r2 + offsets of B1] commit   [txn: r3 + offsets of B2] commit
 * output:                 {checkpointId: 1, records: 2}    {checkpointId: 2, records: 1}  |
 * ```
 *
 * Three modes: plain (at-least-once with a `source`: offsets are committed once the results
 * before the barrier are acknowledged), `idempotent`, and `exactlyOnce` (Kafka transactions
 * carrying the source's offsets). With `exactlyOnce`, consumers of the output must read with
 * `isolation.level=read_committed` (kafkajs: `readUncommitted: false`, the default) and the
 * producer's `transactionTimeout` must be longer than the time between two barriers.
 * Unsubscribing aborts an open transaction and disconnects the producer.
 *
 * ## Example
 * ```ts
 * import { boundedOutOfOrderness, count, mapEvents, tumbling, windowAggregate } from 'tidemark';
 * import { fromKafka, toKafka } from 'tidemark/kafka';
 *
 * const brokers = ['127.0.0.1:9092'];
 * const clicks = fromKafka({
 *   brokers,
 *   groupId: 'clicks-per-page',
 *   topics: ['clicks'],
 *   deserialize: (m) => JSON.parse(m.value!.toString()) as { page: string; ts: number },
 *   timestamp: (r) => r.value.ts,
 *   watermark: boundedOutOfOrderness(1_000),
 *   checkpointInterval: 1_000,
 * });
 * clicks
 *   .pipe(
 *     windowAggregate({ window: tumbling(60_000), key: (r) => r.value.page, aggregate: count() }),
 *     mapEvents((w) => ({ page: w.key, start: w.start, clicks: w.value })),
 *     toKafka({ brokers, topic: 'clicks-per-minute', key: (r) => r.page, source: clicks, exactlyOnce: true }),
 *   )
 *   .subscribe((c) => console.log(`checkpoint ${c.checkpointId} committed`));
 * ```
 * @see {@link fromKafka}, and docs/guides/kafka.md.
 * @param config - see {@link ToKafkaConfig}.
 * @returns a {@link KafkaSink}.
 * @throws InvalidArgumentError when an option is invalid; MissingPeerDependencyError for
 *   `brokers` without kafkajs installed.
 */
export function toKafka<T>(config: ToKafkaConfig<T>): KafkaSink<T> {
  if (config === null || typeof config !== 'object') throw new InvalidArgumentError(`${API}: expected a config object`);
  const { producer, kafka, brokers, topic, key, value, source, exactlyOnce = false, idempotent = false, maxPending = 10_000 } = config;
  if ([producer, kafka, brokers].filter((x) => x !== undefined).length !== 1) {
    throw new InvalidArgumentError(`${API}: give exactly one of producer, kafka or brokers (a kafkajs Producer, a kafkajs Kafka client, or ['host:port'])`);
  }
  if (!(typeof topic === 'function' || (typeof topic === 'string' && topic !== ''))) throw new InvalidArgumentError(`${API}: topic must be a topic name or a function of the result`);
  for (const [name, f] of [['key', key], ['value', value]] as const) {
    if (f !== undefined && typeof f !== 'function') throw new InvalidArgumentError(`${API}: ${name} must be a function of the result`);
  }
  if (source !== undefined && (typeof source.offsets !== 'function' || typeof source.commit !== 'function')) {
    throw new InvalidArgumentError(`${API}: source must be the fromKafka source the pipeline reads (its checkpoints are completed here)`);
  }
  if (exactlyOnce && source === undefined) {
    throw new InvalidArgumentError(`${API}: exactlyOnce needs the fromKafka source (source: …), whose offsets each transaction commits`);
  }
  requireOption(API, 'maxPending', maxPending);
  const transactionalId = config.transactionalId ?? (source === undefined ? undefined : `tidemark-${source.groupId}`);
  // Made now, so that a missing kafkajs is reported when the sink is made.
  const client = producer !== undefined ? undefined : (kafka ?? kafkaClient(API, brokers!, transactionalId ?? 'tidemark-sink'));
  const makeProducer = (): Producer => {
    if (producer !== undefined) return producer;
    const partitioner = defaultPartitioner();
    const settings: ProducerConfig = { ...(partitioner === undefined ? {} : { createPartitioner: partitioner }), ...config.producerConfig };
    if (exactlyOnce) return client!.producer({ ...settings, transactionalId: transactionalId!, idempotent: true, maxInFlightRequests: 1 });
    return client!.producer(idempotent ? { ...settings, idempotent: true, maxInFlightRequests: 1 } : settings);
  };
  const pressure = new BehaviorSubject(false);
  let pending = 0;
  const inFlight = (delta: number): void => {
    pending += delta;
    if (pending > maxPending && !pressure.value) pressure.next(true);
    else if (pending <= maxPending / 2 && pressure.value) pressure.next(false);
  };
  const topicOf = typeof topic === 'string' ? () => topic : topic;
  const valueOf = value ?? ((v: T) => JSON.stringify(v));
  const operator = (input: Observable<StreamElement<T>>): Observable<KafkaCommit> =>
    new Observable<KafkaCommit>((subscriber) => {
      const run = new KafkaSinkRun<T>(subscriber, makeProducer(), { topicOf, keyOf: key, valueOf, transactional: exactlyOnce, source, inFlight });
      const upstream = input.subscribe({
        next: (e) => {
          if (e.kind === 'event') {
            try {
              run.event(e.value, e.timestamp);
            } catch (cause) {
              subscriber.error(new KafkaConnectorError(API, 'usage', `${API}: the topic, key or value option threw for a result: ${cause instanceof Error ? cause.message : String(cause)}`, { cause }));
            }
          } else if (e.kind === 'barrier') run.barrier(e.checkpointId);
        },
        error: (error: unknown) => run.error(error),
        complete: () => run.end(),
      });
      return () => {
        upstream.unsubscribe();
        run.teardown();
      };
    });
  return Object.assign(operator, { pressure: pressure.pipe(distinctUntilChanged()) });
}
