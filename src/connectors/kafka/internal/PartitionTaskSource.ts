import type { KafkaMessage } from 'kafkajs';
import { Observable, type Subscriber } from 'rxjs';
import { event, watermark, type Barrier, type Checkpoints, type DeadLetterRoute, type StreamElement, type WatermarkStrategy } from 'tidemark';
import type { SourceHook } from '../../../state/checkpoint/checkpoints.js';
import { KafkaConnectorError, type KafkaConnectorFailure } from '../KafkaConnectorError.js';
import type { KafkaPartition, KafkaRecord } from '../KafkaRecord.js';
import type { KafkaPosition } from './KafkaSourceRun.js';
import { messageOf } from './messageOf.js';
import { PartitionState } from './PartitionState.js';
import { readRecord, type RecordReading } from './readRecord.js';

const API = 'kafkaPartitionTasks';

/** @internal What a task's source needs. */
export interface PartitionTaskSourceConfig<V> extends RecordReading<V> {
  readonly partition: KafkaPartition;
  readonly watermark: WatermarkStrategy<KafkaRecord<V>>;
  readonly deadLetter: DeadLetterRoute<KafkaMessage & { topic: string; partition: number }> | undefined;
  readonly checkpoints: Checkpoints;
  /** The restored position is known and the task may read: seek the partition to `offset` (undefined: the group's committed offset) and resume it. */
  readonly start: (offset: number | undefined) => void;
  /** A checkpoint with this position is committed. */
  readonly committed: (offset: number | undefined) => void;
  /** Processing time, for the partition's idleness bookkeeping. */
  readonly now: () => number;
}

/**
 * @internal The event-time source of one partition task: one partition's records, its own
 * watermark (one generator), barriers from the task's own checkpoint coordinator. Its position in
 * a checkpoint is a {@link KafkaPosition} with that one partition, as `fromKafka`'s (so that
 * `kafkaTransactions` commits it with `sendOffsets`). Records come from the member's consumer
 * through {@link PartitionTaskSource.push}, only after {@link PartitionTaskSourceConfig.start}.
 */
export class PartitionTaskSource<V> {
  readonly observable: Observable<StreamElement<KafkaRecord<V>>>;
  private subscriber: Subscriber<StreamElement<KafkaRecord<V>>> | undefined = undefined;
  private readonly state: PartitionState<V>;
  private emitted = -Infinity;
  /** The restored offset (where reading starts), `undefined` for a fresh start. */
  private startAt: number | undefined = undefined;
  private reading = false;

  constructor(private readonly config: PartitionTaskSourceConfig<V>) {
    const { topic, partition } = config.partition;
    this.state = new PartitionState<V>(topic, partition, config.watermark, config.now());
    this.observable = new Observable<StreamElement<KafkaRecord<V>>>((subscriber) => {
      if (this.subscriber !== undefined) {
        subscriber.error(new KafkaConnectorError(API, 'usage', `${API}: the input of task ${topic}/${partition} is already subscribed; subscribe to it once in the task function (use share() to fan out)`));
        return;
      }
      this.subscriber = subscriber;
      const unregister = config.checkpoints.register(this.hook());
      return () => {
        this.reading = false;
        unregister();
      };
    });
  }

  /** Whether the task has restored and reads its partition. */
  get running(): boolean {
    return this.reading;
  }

  /** The next offset the task expects: after its last record, else where it started. */
  get next(): number | undefined {
    return this.state.next ?? this.startAt;
  }

  /** One record of the partition, in offset order. A record before {@link next} was read already (a re-fetch after a rebalance) and is skipped. */
  push(m: KafkaMessage): void {
    const subscriber = this.subscriber;
    if (!this.reading || subscriber === undefined) return;
    const offset = Number(m.offset);
    const next = this.next;
    if (next !== undefined && offset < next) return;
    const p = this.state;
    p.next = offset + 1;
    const read = readRecord(API, this.config, p, m);
    if (!read.ok) return this.bad(m, read.reason, read.message, read.cause);
    subscriber.next(event(read.record, read.time));
    let w: number;
    try {
      w = p.generator.onEvent(read.time, read.record);
    } catch (cause) {
      return this.fail(new KafkaConnectorError(API, 'watermark', `${API}: the watermark strategy threw at ${p.where(m)}: ${messageOf(cause)}`, { ...p.at(m), cause }));
    }
    if (typeof w !== 'number' || w !== w) {
      return this.fail(new KafkaConnectorError(API, 'watermark', `${API}: the watermark strategy returned ${String(w)} at ${p.where(m)}; onEvent must return a number`, p.at(m)));
    }
    if (w > this.emitted) subscriber.next(watermark((this.emitted = w)));
  }

  private bad(m: KafkaMessage, reason: KafkaConnectorFailure, message: string, cause: unknown): void {
    const p = this.state;
    const error = new KafkaConnectorError(API, reason, message, { ...p.at(m), cause });
    const { deadLetter } = this.config;
    if (deadLetter === undefined) return this.fail(error);
    const letter = { operator: API, input: { ...m, topic: p.topic, partition: p.partition }, error };
    if (typeof deadLetter === 'function') deadLetter(letter);
    else deadLetter.next?.(letter);
  }

  private fail(error: unknown): void {
    this.reading = false;
    this.subscriber?.error(error);
  }

  private position(): KafkaPosition {
    const { topic, partition } = this.config.partition;
    const next = this.next;
    return { offsets: next === undefined ? [] : [{ topic, partition, offset: next }], watermark: Number.isFinite(this.emitted) ? this.emitted : null };
  }

  private hook(): SourceHook {
    return {
      id: 'kafka',
      begin: (restore: Barrier, saved: unknown) => {
        const position = saved as KafkaPosition | undefined;
        const { topic, partition } = this.config.partition;
        this.startAt = position?.offsets.find((o) => o.topic === topic && o.partition === partition)?.offset;
        this.subscriber?.next(restore);
        const w = position?.watermark;
        if (typeof w === 'number' && w > this.emitted) this.subscriber?.next(watermark((this.emitted = w)));
      },
      run: () => {
        this.reading = true;
        this.config.start(this.startAt);
      },
      inject: (b: Barrier) => {
        const position = this.position();
        this.subscriber?.next(b);
        return position;
      },
      end: (b: Barrier | undefined) => {
        if (b !== undefined) this.subscriber?.next(b);
        this.subscriber?.complete();
      },
      fail: (error: unknown) => this.fail(error),
      committed: (saved: unknown) => this.config.committed((saved as KafkaPosition | undefined)?.offsets[0]?.offset),
    };
  }
}
