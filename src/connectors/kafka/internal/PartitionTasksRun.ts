import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, ProducerConfig } from 'kafkajs';
import type { Observable, SchedulerLike, Subscriber, Subscription } from 'rxjs';
import type { CheckpointStore, DeadLetterRoute, StreamElement, WatermarkStrategy } from 'tidemark';
import type { KafkaPartitionTasksConfig, KafkaTaskEvent, KafkaTaskStatus } from '../kafkaPartitionTasks.js';
import { KafkaConnectorError } from '../KafkaConnectorError.js';
import type { KafkaPartition, KafkaRecord } from '../KafkaRecord.js';
import { isFenced } from './isFenced.js';
import { messageOf } from './messageOf.js';
import { PartitionTask, type TaskEvents } from './PartitionTask.js';
import { partitionKey } from './PartitionState.js';

const API = 'kafkaPartitionTasks';

/** @internal The config of {@link kafkaPartitionTasks} with its defaults filled in. */
export interface TaskResolved<V, T> {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly fromBeginning: boolean;
  readonly consumerConfig: KafkaPartitionTasksConfig<V, T>['consumerConfig'];
  readonly task: (input: Observable<StreamElement<KafkaRecord<V>>>, partition: KafkaPartition) => Observable<StreamElement<T>>;
  readonly topic: string | ((value: T) => string);
  readonly key: ((value: T) => string | Buffer | null) | undefined;
  readonly value: ((value: T) => string | Buffer | null) | undefined;
  readonly deserialize: ((message: KafkaMessage, topic: string, partition: number) => V) | undefined;
  readonly timestamp: ((record: KafkaRecord<V>) => number) | undefined;
  readonly watermark: WatermarkStrategy<KafkaRecord<V>>;
  readonly deadLetter: DeadLetterRoute<KafkaMessage & { topic: string; partition: number }> | undefined;
  readonly interval: number;
  readonly pipeline: string | undefined;
  readonly transactionalIdPrefix: string;
  readonly checkpointTopic: string;
  readonly cache: ((partition: KafkaPartition) => CheckpointStore | Promise<CheckpointStore>) | undefined;
  readonly producerConfig: ProducerConfig | undefined;
  readonly restartDelay: number;
  readonly scheduler: SchedulerLike;
}

type AnyTask = PartitionTask<unknown, unknown>;

/**
 * @internal One subscription of `kafkaPartitionTasks`: one kafkajs consumer in the group, one
 * {@link PartitionTask} per assigned partition. A newly assigned partition is paused until its
 * task has restored (fencing the previous owner first), then sought to the restored offset and
 * resumed; a revoked one's task is stopped (its open transaction aborted). A partition kept
 * through a rebalance is sought to where its task is (kafkajs would go back to the committed
 * offset). Batches go to their partition's task; barriers come from each task's own coordinator,
 * between batches.
 */
export class PartitionTasksRun<V, T> implements TaskEvents {
  private readonly tasks = new Map<string, AnyTask>();
  /** Stops under way, by partition: a new task of the partition waits for them (its cache is free then). */
  private readonly stopping = new Map<string, Promise<void>>();
  private readonly starting = new Set<string>();
  private assigned = new Map<string, KafkaPartition>();
  private readonly timers = new Set<Subscription>();
  private readonly unlisten: (() => void)[] = [];
  private startup: Promise<void> = Promise.resolve();
  private closed = false;
  rebalancing = true;
  disconnected: Promise<void> = Promise.resolve();

  constructor(
    private readonly subscriber: Subscriber<KafkaTaskEvent>,
    private readonly config: TaskResolved<V, T>,
    private readonly consumer: Consumer,
  ) {}

  run(): void {
    this.startup = this.connect().catch((cause: unknown) =>
      this.fail(`${API}: cannot start the consumer of group "${this.config.groupId}" on ${this.config.topics.join(', ')}: ${messageOf(cause)}`, cause),
    );
  }

  assignment(): KafkaPartition[] {
    return [...this.assigned.values()];
  }

  status(): KafkaTaskStatus[] {
    return [...this.assigned].map(([key, p]) => {
      const task = this.tasks.get(key);
      return {
        topic: p.topic,
        partition: p.partition,
        state: task?.running === true ? 'running' : 'restoring',
        next: task?.running === true ? task.source.next : undefined,
        committed: task?.committedOffset,
        checkpointId: task?.committedId ?? 0,
      };
    });
  }

  private async connect(): Promise<void> {
    const c = this.consumer;
    this.unlisten.push(c.on(c.events.GROUP_JOIN, (e) => this.assign(e.payload.memberAssignment)));
    this.unlisten.push(c.on(c.events.REBALANCING, () => void (this.rebalancing = true)));
    this.unlisten.push(
      c.on(c.events.CRASH, (e) => {
        if (!e.payload.restart) this.fail(`${API}: the consumer of group "${this.config.groupId}" crashed: ${messageOf(e.payload.error)}`, e.payload.error);
        else this.rebalancing = true;
      }),
    );
    await this.checkpointTopic();
    if (this.closed) return;
    await c.connect();
    if (this.closed) return;
    await c.subscribe({ topics: [...this.config.topics], fromBeginning: this.config.fromBeginning });
    if (this.closed) return;
    await c.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (payload) => this.eachBatch(payload) });
  }

  /** Creates the checkpoint topic (compacted, one partition) once for all tasks, which would race to create it. */
  private async checkpointTopic(): Promise<void> {
    const admin = this.config.kafka.admin();
    await admin.connect();
    try {
      const { checkpointTopic } = this.config;
      if (!(await admin.listTopics()).includes(checkpointTopic)) {
        await admin.createTopics({ topics: [{ topic: checkpointTopic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
      }
    } finally {
      await admin.disconnect();
    }
  }

  private async eachBatch({ batch, isRunning, isStale, resolveOffset, heartbeat }: EachBatchPayload): Promise<void> {
    const task = this.tasks.get(partitionKey(batch.topic, batch.partition));
    if (this.closed || task === undefined || !task.running) return; // paused until its task runs
    for (const m of batch.messages) {
      if (this.closed || !isRunning() || isStale() || !task.running || this.tasks.get(partitionKey(batch.topic, batch.partition)) !== task) return;
      task.push(m);
      resolveOffset(m.offset);
    }
    await heartbeat();
  }

  /** A rebalance gave this member `assignment`: tasks of revoked partitions stop, new partitions get tasks (paused until restored). */
  private assign(assignment: Readonly<Record<string, readonly number[]>>): void {
    if (this.closed) return;
    this.rebalancing = false;
    const next = new Map<string, KafkaPartition>();
    for (const [topic, partitions] of Object.entries(assignment)) for (const partition of partitions) next.set(partitionKey(topic, partition), { topic, partition });
    for (const [key, p] of this.assigned) if (!next.has(key)) this.stopTask(key, p, 'stopped');
    this.assigned = next;
    for (const [key, p] of next) {
      const task = this.tasks.get(key);
      if (task?.running === true) {
        // kafkajs starts a kept partition again at the group's committed offset: go on where the task is.
        const offset = task.source.next;
        if (offset !== undefined) this.consumer.seek({ topic: p.topic, partition: p.partition, offset: String(offset) });
      } else {
        this.consumer.pause([{ topic: p.topic, partitions: [p.partition] }]);
        if (task === undefined) this.startTask(key, p);
      }
    }
  }

  private startTask(key: string, p: KafkaPartition): void {
    if (this.starting.has(key) || this.tasks.has(key)) return;
    this.starting.add(key);
    const previous = this.stopping.get(key) ?? Promise.resolve();
    void previous
      .then(async () => {
        if (this.closed || !this.assigned.has(key)) return;
        const cache = this.config.cache === undefined ? undefined : await this.config.cache(p);
        if (this.closed || !this.assigned.has(key)) {
          await cache?.close();
          return;
        }
        this.tasks.set(key, new PartitionTask<V, T>(p, this.config, this, cache) as unknown as AnyTask);
      })
      .catch((cause: unknown) => this.fail(`${API}: cannot open the checkpoint cache of ${p.topic}/${p.partition}: ${messageOf(cause)}; check the cache option`, cause, p))
      .finally(() => this.starting.delete(key));
  }

  private stopTask(key: string, p: KafkaPartition, kind: 'stopped' | 'fenced'): void {
    const task = this.tasks.get(key);
    if (task === undefined) return;
    this.tasks.delete(key);
    const stop = (this.stopping.get(key) ?? Promise.resolve()).then(() => task.stop());
    this.stopping.set(key, stop);
    void stop.then(() => {
      if (this.stopping.get(key) === stop) this.stopping.delete(key);
    });
    this.emit({ kind, topic: p.topic, partition: p.partition, checkpointId: task.committedId, offset: task.committedOffset });
  }

  // --- TaskEvents ------------------------------------------------------------------------------

  start(task: AnyTask, offset: number | undefined): void {
    const { topic, partition } = task.partition;
    if (this.closed || this.tasks.get(partitionKey(topic, partition)) !== task) return;
    if (offset !== undefined) this.consumer.seek({ topic, partition, offset: String(offset) });
    this.consumer.resume([{ topic, partitions: [partition] }]);
    this.emit({ kind: 'started', topic, partition, checkpointId: task.committedId, offset });
  }

  committing(task: AnyTask, checkpointId: number): void {
    const { topic, partition } = task.partition;
    if (this.tasks.get(partitionKey(topic, partition)) === task) this.emit({ kind: 'committing', topic, partition, checkpointId, offset: undefined });
  }

  committed(task: AnyTask, checkpointId: number, offset: number | undefined): void {
    const { topic, partition } = task.partition;
    if (this.tasks.get(partitionKey(topic, partition)) === task) this.emit({ kind: 'committed', topic, partition, checkpointId, offset });
  }

  failed(task: AnyTask, error: unknown): void {
    const p = task.partition;
    const key = partitionKey(p.topic, p.partition);
    if (this.closed || this.tasks.get(key) !== task) return;
    if (!isFenced(error)) {
      // A connector's own error names the record or the transaction already; anything else (the task function's) is wrapped.
      if (KafkaConnectorError.isKafkaConnectorError(error)) this.subscriber.error(error);
      else this.fail(`${API}: the task of ${p.topic}/${p.partition} failed: ${messageOf(error)}`, error, p);
      return;
    }
    // Another member started this partition's task (a rebalance moved it): the newer producer
    // fenced ours, and our open transaction is aborted. If the group still gives it to us (our
    // view is behind, or the other is the stale one), start again after a while, from Kafka.
    this.consumer.pause([{ topic: p.topic, partitions: [p.partition] }]);
    this.stopTask(key, p, 'fenced');
    const timer = this.config.scheduler.schedule(() => {
      this.timers.delete(timer);
      if (!this.closed && this.assigned.has(key) && !this.tasks.has(key)) this.startTask(key, this.assigned.get(key)!);
    }, this.config.restartDelay);
    this.timers.add(timer);
  }

  // --- internals -------------------------------------------------------------------------------

  private emit(e: KafkaTaskEvent): void {
    if (!this.closed) this.subscriber.next(e);
  }

  private fail(message: string, cause: unknown, where: KafkaPartition | undefined = undefined): void {
    if (this.closed) return;
    const reason = KafkaConnectorError.isKafkaConnectorError(cause) ? cause.reason : 'client';
    this.subscriber.error(new KafkaConnectorError(API, reason, message, { ...where, cause }));
  }

  teardown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) t.unsubscribe();
    this.timers.clear();
    for (const off of this.unlisten.splice(0)) off();
    const stops = [...this.tasks.values()].map((t) => t.stop());
    this.tasks.clear();
    const c = this.consumer;
    this.disconnected = Promise.all([...stops, ...this.stopping.values()])
      .then(() => this.startup)
      .then(() => c.disconnect())
      .catch(() => undefined);
  }
}
