import { randomUUID } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import type { Admin, Kafka, Producer, TopicMessages, Transaction } from 'kafkajs';
import { StateError, type Checkpoint, type CheckpointStore } from 'tidemark';
import { KafkaConnectorError } from '../KafkaConnectorError.js';
import type { KafkaPosition } from './KafkaSourceRun.js';
import { messageOf } from './messageOf.js';
import { offsetsByTopic } from './offsetsByTopic.js';
import { RecordBatches } from './RecordBatches.js';

const API = 'kafkaTransactions';

/** @internal What {@link TransactionLog} needs, resolved. */
export interface TransactionLogConfig<T> {
  readonly client: Kafka;
  readonly makeProducer: () => Producer;
  readonly transactionalId: string;
  readonly groupId: string;
  readonly topicOf: (value: T) => string;
  readonly keyOf: ((value: T) => string | Buffer | null) | undefined;
  readonly valueOf: (value: T) => string | Buffer | null;
  readonly sourceId: string;
  readonly checkpointTopic: string;
  readonly cache: CheckpointStore | undefined;
}

/** The offset-commit metadata that names the checkpoint a transaction committed. */
interface CommitMark {
  readonly tidemark: string;
  readonly checkpoint: number;
  /** Offset of the checkpoint's record in the checkpoint topic. */
  readonly at: string;
}

/**
 * @internal The state behind `kafkaTransactions`: one transactional producer, one serial chain
 * of Kafka calls. Results are cut into batches synchronously (at `prepare`, and in a microtask
 * after a run of writes), so a batch never straddles a barrier; `commit(checkpoint)` adds the
 * checkpoint record and the source's offsets to the open transaction and commits it.
 */
export class TransactionLog<T> {
  private producer: Producer | undefined = undefined;
  private ready: Promise<void> | undefined = undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly batches = new RecordBatches((topicMessages) => this.send(topicMessages));
  private txn: Transaction | undefined = undefined;
  private failure: unknown = undefined;
  private restored: Checkpoint | undefined = undefined;

  constructor(private readonly config: TransactionLogConfig<T>) {}

  /** Connects the producer and fences every earlier producer of the transactional id (aborting a crashed run's open transaction), and makes the checkpoint topic. */
  private connect(): Promise<void> {
    this.ready ??= (async () => {
      const producer = (this.producer = this.config.makeProducer());
      await producer.connect();
      // kafkajs's connect() takes a producer id without the transactional id; only its first
      // transaction() sends InitProducerId with it. Fence now — abort the previous owner's open
      // transaction and refuse its later commits — before the committed offsets are read (an
      // empty transaction's abort stays local).
      await (await producer.transaction()).abort();
      await this.withAdmin(async (admin) => {
        const topics = await admin.listTopics();
        // Compacted: the latest record per key (per transactional id) is the one that counts. Several
        // tasks may create it at once: kafkajs answers false for one that exists.
        if (!topics.includes(this.config.checkpointTopic)) {
          await admin.createTopics({ topics: [{ topic: this.config.checkpointTopic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
        }
      });
    })().catch((cause: unknown) => {
      this.ready = undefined;
      throw new KafkaConnectorError('toKafka', 'client', `${API}: cannot connect the transactional producer "${this.config.transactionalId}": ${messageOf(cause)}`, { cause });
    });
    return this.ready;
  }

  // --- the store -------------------------------------------------------------------------------

  /** The checkpoint whose transaction committed last: named by the group's offset metadata, loaded from the cache or the checkpoint topic. */
  async latest(): Promise<Checkpoint | undefined> {
    await this.connect();
    const mark = await this.lastMark();
    if (mark === undefined) return (this.restored = undefined);
    const cached = await this.config.cache?.load(mark.checkpoint).catch(() => undefined);
    this.restored = cached ?? (await this.readCheckpoint(mark));
    return this.restored;
  }

  async load(id: number): Promise<Checkpoint | undefined> {
    if (this.restored?.id === id) return this.restored;
    return this.config.cache?.load(id);
  }

  async retained(): Promise<readonly number[]> {
    return (await this.config.cache?.retained()) ?? (this.restored === undefined ? [] : [this.restored.id]);
  }

  /** Commits `checkpoint` with the open transaction: its record, the source's offsets, then EndTxn. */
  commit(checkpoint: Checkpoint): Promise<void> {
    const record = serialize(checkpoint); // now: the coordinator may reuse the object
    const position = checkpoint.sources[this.config.sourceId] as KafkaPosition | undefined;
    const offsets = position?.offsets ?? [];
    const copy = deserialize(record) as Checkpoint;
    const done = this.step(async () => {
      const txn = await this.transaction();
      const [meta] = await txn.send({ topic: this.config.checkpointTopic, messages: [{ key: this.config.transactionalId, value: record }] });
      if (offsets.length > 0) {
        const mark: CommitMark = { tidemark: this.config.transactionalId, checkpoint: checkpoint.id, at: meta?.baseOffset ?? '0' };
        await txn.sendOffsets({ consumerGroupId: this.config.groupId, topics: offsetsByTopic(offsets, JSON.stringify(mark)) });
      }
      this.txn = undefined;
      await txn.commit();
    });
    return done.then(() => this.config.cache?.commit(copy).catch(() => undefined));
  }

  async close(): Promise<void> {
    await this.closeSink();
    await this.config.cache?.close();
  }

  // --- the sink --------------------------------------------------------------------------------

  restore(): void {
    this.failure = undefined;
    this.chain = this.chain.then(() => this.connect()).catch((e: unknown) => void (this.failure ??= e));
  }

  write(value: T): void {
    const { topicOf, keyOf, valueOf } = this.config;
    this.batches.add(topicOf(value), { key: keyOf === undefined ? null : keyOf(value), value: valueOf(value) });
  }

  prepare(checkpointId: number): unknown {
    this.batches.cut();
    return { transactionalId: this.config.transactionalId, checkpoint: checkpointId };
  }

  /** The pipeline ended: an open transaction (results after the last checkpoint) is aborted; the producer disconnects. */
  closeSink(): Promise<void> {
    this.batches.discard();
    const producer = this.producer;
    this.chain = this.chain
      .catch(() => undefined)
      .then(async () => {
        const txn = this.txn;
        this.txn = undefined;
        if (txn?.isActive() === true) await txn.abort().catch(() => undefined);
        await producer?.disconnect().catch(() => undefined);
      });
    this.producer = undefined;
    this.ready = undefined;
    return this.chain;
  }

  // --- internals -------------------------------------------------------------------------------

  private send(topicMessages: TopicMessages[]): void {
    void this.step(async () => {
      const txn = await this.transaction();
      await txn.sendBatch({ topicMessages });
    }).catch(() => undefined); // the failure is kept and rejects the next commit
  }

  private async transaction(): Promise<Transaction> {
    await this.connect();
    this.txn ??= await this.producer!.transaction();
    return this.txn;
  }

  /** Runs `work` after every earlier step; a failure aborts the transaction, and every later step rejects with it. */
  private step(work: () => Promise<void>): Promise<void> {
    const run = this.chain.then(async () => {
      if (this.failure !== undefined) throw this.failure;
      try {
        await work();
      } catch (cause) {
        const txn = this.txn;
        this.txn = undefined;
        if (txn?.isActive() === true) await txn.abort().catch(() => undefined);
        this.failure = new KafkaConnectorError('toKafka', 'transaction', `${API}: the Kafka transaction failed and was aborted (${messageOf(cause)}); the results since the last checkpoint are not visible, the pipeline resumes from it on restart`, { cause });
        throw this.failure;
      }
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async lastMark(): Promise<CommitMark | undefined> {
    return this.withAdmin(async (admin) => {
      const groups = await admin.fetchOffsets({ groupId: this.config.groupId });
      let best: CommitMark | undefined;
      for (const { partitions } of groups) {
        for (const { metadata } of partitions) {
          const mark = parseMark(metadata);
          if (mark?.tidemark === this.config.transactionalId && (best === undefined || mark.checkpoint > best.checkpoint)) best = mark;
        }
      }
      return best;
    });
  }

  /** Reads the checkpoint record at `mark.at` (read_committed). */
  private async readCheckpoint(mark: CommitMark): Promise<Checkpoint> {
    const { client, checkpointTopic, transactionalId } = this.config;
    // A group of its own for each read: a reader killed mid-read leaves a member behind in its
    // group, which a later join of the same group would wait for until its session expired.
    const consumer = client.consumer({ groupId: `${transactionalId}-restore-${randomUUID()}`, maxWaitTimeInMs: 100 });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [checkpointTopic], fromBeginning: true });
      const found = new Promise<Buffer>((resolve) => {
        void consumer.run({
          autoCommit: false,
          eachMessage: async ({ message }) => {
            if (message.offset === mark.at && message.value !== null) resolve(message.value);
          },
        });
      });
      consumer.seek({ topic: checkpointTopic, partition: 0, offset: mark.at });
      const value = await found;
      const checkpoint = deserialize(value) as Checkpoint;
      if (checkpoint.id !== mark.checkpoint) throw new StateError(`${API}: the record at ${checkpointTopic}/0@${mark.at} holds checkpoint ${checkpoint.id}, the group's offsets name ${mark.checkpoint}`);
      return checkpoint;
    } finally {
      await consumer.disconnect().catch(() => undefined);
    }
  }

  private async withAdmin<R>(work: (admin: Admin) => Promise<R>): Promise<R> {
    const admin = this.config.client.admin();
    await admin.connect();
    try {
      return await work(admin);
    } finally {
      await admin.disconnect();
    }
  }
}

function parseMark(metadata: string | null): CommitMark | undefined {
  if (metadata === null || !metadata.startsWith('{')) return undefined;
  try {
    const m = JSON.parse(metadata) as Partial<CommitMark>;
    return typeof m.tidemark === 'string' && typeof m.checkpoint === 'number' && typeof m.at === 'string' ? (m as CommitMark) : undefined;
  } catch {
    return undefined;
  }
}
