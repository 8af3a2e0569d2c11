import type { KafkaMessage } from 'kafkajs';
import type { Observable, Subscription } from 'rxjs';
import { checkpoints, commitCheckpoints, type CheckpointStore, type StreamElement } from 'tidemark';
import { KafkaConnectorError } from '../KafkaConnectorError.js';
import type { KafkaPartition, KafkaRecord } from '../KafkaRecord.js';
import { kafkaTransactions, type KafkaTransactions } from '../kafkaTransactions.js';
import { PartitionTaskSource } from './PartitionTaskSource.js';
import type { TaskResolved } from './PartitionTasksRun.js';

/** @internal What a task tells its member. */
export interface TaskEvents {
  /** Restored: the partition may be sought to `offset` (undefined: the group's committed one) and resumed. */
  start(task: PartitionTask<unknown, unknown>, offset: number | undefined): void;
  /** A checkpoint of the task starts to commit (its barrier reached the end of the pipeline). */
  committing(task: PartitionTask<unknown, unknown>, checkpointId: number): void;
  /** A checkpoint of the task committed (its transaction did), with the partition's next offset. */
  committed(task: PartitionTask<unknown, unknown>, checkpointId: number, offset: number | undefined): void;
  /** The task's pipeline errored (its transaction fenced, or anything else). */
  failed(task: PartitionTask<unknown, unknown>, error: unknown): void;
}

/**
 * @internal One input partition's task (Kafka Streams' task before KIP-447): its own pipeline
 * (the user's function over the partition's records, ended by `commitCheckpoints`), its own
 * checkpoint coordinator and its own transactional producer (`kafkaTransactions` with the
 * transactional id of the partition). Starting it fences whoever ran the partition before (the
 * producer's InitProducerId aborts their open transaction) and only then reads which checkpoint
 * the partition's committed offset names: so it restores the state of the last transaction that
 * committed, and no later commit of the old owner can succeed.
 */
export class PartitionTask<V, T> {
  readonly source: PartitionTaskSource<V>;
  readonly transactionalId: string;
  private subscription: Subscription | undefined = undefined;
  private eo: KafkaTransactions<T> | undefined = undefined;
  private stopped: Promise<void> | undefined = undefined;
  /** The offset of the last committed checkpoint (the restored one at first). */
  committedOffset: number | undefined = undefined;
  committedId = 0;
  restored = false;

  constructor(
    readonly partition: KafkaPartition,
    private readonly config: TaskResolved<V, T>,
    private readonly events: TaskEvents,
    private readonly cache: CheckpointStore | undefined,
  ) {
    const { topic, partition: p } = partition;
    this.transactionalId = `${config.transactionalIdPrefix}-${topic}-${p}`;
    const eo = (this.eo = kafkaTransactions<T>({
      kafka: config.kafka,
      transactionalId: this.transactionalId,
      groupId: config.groupId,
      topic: config.topic,
      key: config.key,
      value: config.value,
      checkpointTopic: config.checkpointTopic,
      cache,
      producerConfig: config.producerConfig,
    }));
    const store: CheckpointStore = { ...eo.store, commit: (c) => (this.events.committing(this as PartitionTask<unknown, unknown>, c.id), eo.store.commit(c)) };
    const cp = checkpoints({ store, interval: config.interval, scheduler: config.scheduler, pipeline: config.pipeline });
    this.source = new PartitionTaskSource<V>({
      partition,
      deserialize: config.deserialize,
      timestamp: config.timestamp,
      watermark: config.watermark,
      deadLetter: config.deadLetter,
      checkpoints: cp,
      now: () => config.scheduler.now(),
      start: (offset) => {
        this.restored = true;
        this.committedId = cp.restored?.id ?? 0;
        this.committedOffset = offset;
        this.events.start(this as PartitionTask<unknown, unknown>, offset);
      },
      committed: (offset) => {
        this.committedOffset = offset;
        this.committedId = cp.committed?.id ?? this.committedId;
        this.events.committed(this as PartitionTask<unknown, unknown>, this.committedId, offset);
      },
    });
    let pipeline: Observable<StreamElement<T>>;
    try {
      pipeline = config.task(this.source.observable as Observable<StreamElement<KafkaRecord<V>>>, partition);
    } catch (cause) {
      queueMicrotask(() => this.events.failed(this as PartitionTask<unknown, unknown>, cause));
      return;
    }
    this.subscription = pipeline.pipe(commitCheckpoints(cp, { sink: eo.sink })).subscribe({
      error: (error: unknown) => this.events.failed(this as PartitionTask<unknown, unknown>, error),
      complete: () =>
        this.events.failed(
          this as PartitionTask<unknown, unknown>,
          new KafkaConnectorError('kafkaPartitionTasks', 'usage', `kafkaPartitionTasks: the task of ${partition.topic}/${partition.partition} completed; a task's pipeline runs until its partition is revoked, so return one that does not complete (no take(), first() …)`, partition),
        ),
    });
  }

  /** Whether the task has restored and reads its partition. */
  get running(): boolean {
    return this.source.running;
  }

  push(m: KafkaMessage): void {
    this.source.push(m);
  }

  /** Stops the task: its open transaction (results after its last checkpoint) is aborted, its producer disconnects, its cache closes. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.subscription?.unsubscribe();
      this.subscription = undefined;
      await this.eo?.store.close().catch(() => undefined);
    })();
    return this.stopped;
  }
}
