import type { Message, Producer, TopicMessages, Transaction } from 'kafkajs';
import type { Subscriber } from 'rxjs';
import type { KafkaSourceControl } from '../fromKafka.js';
import { KafkaConnectorError } from '../KafkaConnectorError.js';
import type { KafkaCommit } from '../toKafka.js';
import { messageOf } from './messageOf.js';
import { offsetsByTopic } from './offsetsByTopic.js';
import { RecordBatches } from './RecordBatches.js';

const API = 'toKafka';

/** @internal What a sink run needs, the config resolved. */
export interface SinkRunConfig<T> {
  readonly topicOf: (value: T) => string;
  readonly keyOf: ((value: T) => string | Buffer | null) | undefined;
  readonly valueOf: (value: T) => string | Buffer | null;
  readonly transactional: boolean;
  readonly source: KafkaSourceControl | undefined;
  /** Counts records in and out of flight (the pressure signal). */
  readonly inFlight: (delta: number) => void;
}

/**
 * @internal One subscription of `toKafka`: every Kafka call runs on one serial promise chain, in
 * input order. Records are cut into batches synchronously — at a barrier, and in a microtask
 * after a run of events — so a batch never mixes records from both sides of a barrier. A
 * transactional run opens a transaction with its first batch after a commit; at barrier `n` it
 * adds the source's offsets of checkpoint `n` (`sendOffsets`), commits, then tells the source
 * (`commit(n, { byTransaction })`) and emits a {@link KafkaCommit}. Any failure aborts the open
 * transaction and errors the stream.
 */
export class KafkaSinkRun<T> {
  private chain: Promise<void>;
  private readonly batches = new RecordBatches((topicMessages, records) => this.then(() => this.send(topicMessages, records)));
  private txn: Transaction | undefined = undefined;
  private records = 0;
  private closed = false;
  private failed = false;

  constructor(
    private readonly subscriber: Subscriber<KafkaCommit>,
    private readonly producer: Producer,
    private readonly config: SinkRunConfig<T>,
  ) {
    // A transactional producer fences its predecessors at once (kafkajs's connect() does not send
    // the transactional id; an empty transaction's abort stays in the client).
    const connect = async (): Promise<void> => {
      await producer.connect();
      if (config.transactional) await (await producer.transaction()).abort();
    };
    this.chain = connect().catch((cause: unknown) => this.fail(`${API}: cannot connect the producer: ${messageOf(cause)}`, cause));
  }

  event(value: T, timestamp: number): void {
    const { topicOf, keyOf, valueOf } = this.config;
    const message: Message = { key: keyOf === undefined ? null : keyOf(value), value: valueOf(value), timestamp: String(Math.trunc(timestamp)) };
    if (!Number.isFinite(timestamp)) delete message.timestamp;
    this.batches.add(topicOf(value), message);
    this.config.inFlight(1);
  }

  /** A checkpoint barrier: everything before it goes out (and, transactional, commits) with checkpoint `id`. */
  barrier(id: number): void {
    this.batches.cut();
    this.then(() => this.commit(id));
  }

  /** The input completed: the rest goes out (a transactional run commits it), then the producer disconnects. */
  end(): void {
    this.batches.cut();
    this.then(async () => {
      if (this.txn !== undefined) await this.commit(undefined);
      await this.producer.disconnect();
      this.subscriber.complete();
    });
  }

  /** The input errored: aborts the open transaction, disconnects, forwards the error. */
  error(error: unknown): void {
    this.config.inFlight(-this.batches.discard());
    this.chain = this.chain.then(() => this.abandon()).then(() => this.subscriber.error(error));
  }

  /** Unsubscribed: an open transaction is aborted (its records never become visible), the producer disconnects. */
  teardown(): void {
    if (this.closed) return;
    this.closed = true;
    this.config.inFlight(-this.batches.discard());
    this.chain = this.chain.then(() => this.abandon());
  }

  /** Resolves when every Kafka call of the run has settled. */
  settled(): Promise<void> {
    return this.chain;
  }

  private then(step: () => Promise<void>): void {
    this.chain = this.chain.then(() => (this.closed || this.failed ? undefined : step().catch((cause: unknown) => this.failAndAbort(cause))));
  }

  private async send(topicMessages: TopicMessages[], records: number): Promise<void> {
    if (this.config.transactional) {
      this.txn ??= await this.producer.transaction();
      await this.txn.sendBatch({ topicMessages });
    } else {
      await this.producer.sendBatch({ topicMessages });
    }
    this.records += records;
    this.config.inFlight(-records);
  }

  private async commit(checkpointId: number | undefined): Promise<void> {
    const { source, transactional } = this.config;
    const offsets = checkpointId === undefined ? undefined : source?.offsets(checkpointId);
    if (transactional) {
      if (offsets !== undefined && offsets.length > 0) {
        this.txn ??= await this.producer.transaction();
        await this.txn.sendOffsets({ consumerGroupId: source!.groupId, topics: offsetsByTopic(offsets) });
      }
      if (this.txn !== undefined) {
        const txn = this.txn;
        this.txn = undefined;
        await txn.commit();
      }
    }
    if (checkpointId !== undefined) await source?.commit(checkpointId, { byTransaction: transactional });
    const records = this.records;
    this.records = 0;
    if (checkpointId !== undefined && !this.closed) this.subscriber.next({ checkpointId, records, offsets: offsets ?? [] });
  }

  private async abandon(): Promise<void> {
    const txn = this.txn;
    this.txn = undefined;
    if (txn !== undefined && txn.isActive()) await txn.abort().catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
  }

  private async failAndAbort(cause: unknown): Promise<void> {
    const what = this.config.transactional ? 'the transaction was aborted: the records since the last checkpoint are not visible to read_committed consumers' : 'records since the last checkpoint may be missing';
    await this.abandon();
    this.fail(`${API}: writing to Kafka failed (${messageOf(cause)}); ${what}`, cause);
  }

  private fail(message: string, cause: unknown): void {
    if (this.failed || this.closed) return;
    this.failed = true;
    this.subscriber.error(new KafkaConnectorError(API, this.config.transactional ? 'transaction' : 'client', message, { cause }));
  }
}
