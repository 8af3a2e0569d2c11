import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { Subscription, type SchedulerLike, type Subscriber } from 'rxjs';
import { ACTIVE, END_OF_TIME, IDLE, barrier, event, watermark, type Barrier, type StreamElement, type WatermarkStrategy } from 'tidemark';
import type { SourceHook } from '../../../state/checkpoint/checkpoints.js';
import { WatermarkValve } from '../../../operators/internal/chain/WatermarkValve.js';
import type { FromKafkaConfig } from '../fromKafka.js';
import { KafkaConnectorError, type KafkaConnectorFailure } from '../KafkaConnectorError.js';
import type { KafkaOffset, KafkaPartition, KafkaRecord } from '../KafkaRecord.js';
import { PartitionState, partitionKey } from './PartitionState.js';
import { messageOf } from './messageOf.js';
import { readRecord } from './readRecord.js';
import { offsetsInTransaction } from './offsetsInTransaction.js';

const API = 'fromKafka';

/** What a run needs of the config, with the defaults filled in. */
type RunConfig<V> = FromKafkaConfig<V> & { readonly watermark: WatermarkStrategy<KafkaRecord<V>>; readonly scheduler: SchedulerLike };

/**
 * @internal One subscription of a `fromKafka` source: runs the consumer, keeps one
 * {@link PartitionState} per assigned partition, merges their watermarks with the core's
 * {@link WatermarkValve} (rebuilt when the assignment changes), injects barriers and commits
 * checkpointed offsets. Everything it emits it emits between two records of a batch or from a
 * scheduler action, never in the middle of one record: a barrier always sees a consistent cut.
 */
export class KafkaSourceRun<V> {
  private partitions = new Map<string, PartitionState<V>>();
  private valve = new WatermarkValve(0);
  private emitted = -Infinity;
  private allIdle = false;
  private closed = false;
  private started = false;
  private paused = false;
  private lastCheckpoint = 0;
  private readonly pending = new Map<number, readonly KafkaOffset[]>();
  private readonly sought = new Set<string>();
  private readonly timers = new Subscription();
  private idleCheck: Subscription | undefined = undefined;
  private readonly unlisten: (() => void)[] = [];
  private startup: Promise<void> = Promise.resolve();
  /** Where each partition starts (startAt, or the restored checkpoint's offsets), until it is read. */
  private readonly startAt = new Map<string, KafkaOffset>();
  private unregister: (() => void) | undefined = undefined;
  /** Resolves once the consumer has disconnected after teardown. */
  disconnected: Promise<void> = Promise.resolve();

  constructor(
    private readonly subscriber: Subscriber<StreamElement<KafkaRecord<V>>>,
    private readonly config: RunConfig<V>,
    private readonly consumer: Consumer,
  ) {}

  start(): void {
    for (const o of this.config.startAt ?? []) this.startAt.set(partitionKey(o.topic, o.partition), o);
    const { checkpointInterval, checkpoints, pauseWhen, scheduler } = this.config;
    if (checkpoints === undefined) this.run();
    // With a coordinator, the consumer starts once it has restored (`hook.run`).
    else this.unregister = checkpoints.register(this.hook(this.config.id ?? 'kafka'));
    if (checkpointInterval !== undefined) {
      this.timers.add(
        scheduler.schedule(function (this: { schedule(state?: undefined, delay?: number): unknown }, run?: KafkaSourceRun<V>) {
          run!.checkpoint();
          this.schedule(run as undefined, checkpointInterval);
        }, checkpointInterval, this),
      );
    }
    if (pauseWhen !== undefined) {
      this.timers.add(
        pauseWhen.subscribe({
          next: (pause) => this.setPaused(pause === true),
          error: (cause: unknown) => this.fail('usage', `${API}: the pauseWhen signal errored: ${messageOf(cause)}`, { cause }),
        }),
      );
    }
  }

  private run(): void {
    this.startup = this.connect().catch((cause: unknown) =>
      this.fail('client', `${API}: cannot start the consumer of group "${this.config.groupId}" on ${this.config.topics.join(', ')}: ${messageOf(cause)}`, { cause }),
    );
  }

  /** The source as the checkpoint coordinator drives it (fromReplayable's protocol). */
  private hook(id: string): SourceHook {
    return {
      id,
      begin: (restore: Barrier, saved: unknown) => {
        const position = saved as KafkaPosition | undefined;
        for (const o of position?.offsets ?? []) this.startAt.set(partitionKey(o.topic, o.partition), o);
        this.subscriber.next(restore);
        const w = position?.watermark;
        if (typeof w === 'number' && w > this.emitted) this.subscriber.next(watermark((this.emitted = w)));
      },
      run: () => this.run(),
      inject: (b: Barrier) => {
        const position = this.position();
        this.subscriber.next(b);
        return position;
      },
      end: (b: Barrier | undefined) => {
        if (b !== undefined) this.subscriber.next(b);
        this.subscriber.complete();
      },
      fail: (error: unknown) => this.subscriber.error(error),
      committed: (saved: unknown) => {
        // kafkaTransactions' store has committed them in the checkpoint's transaction (with the
        // checkpoint's id as metadata, which a second commit here would erase).
        if (offsetsInTransaction(this.config.checkpoints?.store)) return;
        // A failed group commit (a rebalance under way) is made good by the next checkpoint's.
        void this.commitToGroup((saved as KafkaPosition | undefined)?.offsets ?? []).catch(() => undefined);
      },
    };
  }

  /** What a checkpoint records of this source: the next offset of every partition known, and the watermark. */
  private position(): KafkaPosition {
    const offsets = new Map(this.startAt);
    for (const [key, p] of this.partitions) if (p.next !== undefined) offsets.set(key, { topic: p.topic, partition: p.partition, offset: p.next });
    return { offsets: [...offsets.values()], watermark: Number.isFinite(this.emitted) ? this.emitted : null };
  }

  private async connect(): Promise<void> {
    const c = this.consumer;
    const { groupId, topics, fromBeginning = false } = this.config;
    this.unlisten.push(c.on(c.events.GROUP_JOIN, (e) => this.assign(e.payload.memberAssignment)));
    this.unlisten.push(
      c.on(c.events.CRASH, (e) => {
        if (!e.payload.restart) this.fail('client', `${API}: the consumer of group "${groupId}" crashed: ${messageOf(e.payload.error)}`, { cause: e.payload.error });
      }),
    );
    await c.connect();
    if (this.closed) return;
    await c.subscribe({ topics: [...topics], fromBeginning });
    if (this.closed) return;
    await c.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (payload) => this.eachBatch(payload) });
    this.started = true;
    if (this.paused) this.applyPause();
  }

  private async eachBatch({ batch, isRunning, isStale, resolveOffset, heartbeat }: EachBatchPayload): Promise<void> {
    if (this.closed) return;
    const p = this.partitionOf(batch.topic, batch.partition);
    for (const m of batch.messages) {
      if (this.closed || !isRunning() || isStale()) return;
      try {
        this.onMessage(p, m);
      } catch (cause) {
        // A watermark strategy that threw: the stream cannot go on with a hole in its time.
        this.fail('watermark', `${API}: the watermark strategy threw at ${p.where(m)}: ${messageOf(cause)}`, { ...p.at(m), cause });
        return;
      }
      resolveOffset(m.offset);
    }
    await heartbeat();
  }

  private onMessage(p: PartitionState<V>, m: KafkaMessage): void {
    p.next = Number(m.offset) + 1;
    const read = readRecord(API, this.config, p, m);
    if (!read.ok) return this.bad(p, m, read.reason, read.message, read.cause);
    const { record, time: t } = read;
    if (this.config.idleTimeout !== undefined) this.sawRecord(p);
    this.subscriber.next(event(record, t));
    const w = p.generator.onEvent(t, record);
    if (typeof w !== 'number' || w !== w) {
      return this.fail('watermark', `${API}: the watermark strategy returned ${String(w)} at ${p.where(m)}; onEvent must return a number`, p.at(m));
    }
    if (w > p.watermark) {
      p.watermark = w;
      this.valve.setWatermark(p.index, w);
      this.advance();
    }
  }

  private bad(p: PartitionState<V>, m: KafkaMessage, reason: KafkaConnectorFailure, message: string, cause?: unknown): void {
    const error = new KafkaConnectorError(API, reason, message, { ...p.at(m), cause });
    const { deadLetter } = this.config;
    if (deadLetter === undefined) return this.fail(reason, message, { ...p.at(m), cause });
    const letter = { operator: API, input: { ...m, topic: p.topic, partition: p.partition }, error };
    if (typeof deadLetter === 'function') deadLetter(letter);
    else deadLetter.next?.(letter);
  }

  /** Emits the combined watermark if it advanced. */
  private advance(): void {
    if (this.partitions.size === 0) return;
    const w = this.valve.watermark();
    if (w > this.emitted) {
      this.emitted = w;
      this.subscriber.next(watermark(w));
    }
  }

  private partitionOf(topic: string, partition: number): PartitionState<V> {
    const p = this.partitions.get(partitionKey(topic, partition));
    if (p !== undefined) return p;
    // A batch before the GROUP_JOIN event that assigned it (kafkajs emits that event first, but be safe).
    this.assign({ ...this.assignmentByTopic(), [topic]: [...(this.assignmentByTopic()[topic] ?? []), partition] });
    return this.partitions.get(partitionKey(topic, partition))!;
  }

  /** A rebalance gave this member `assignment`: revoked partitions leave, new ones join (with no watermark yet). */
  private assign(assignment: Readonly<Record<string, readonly number[]>>): void {
    if (this.closed) return;
    const next = new Map<string, PartitionState<V>>();
    const now = this.config.scheduler.now();
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        const key = partitionKey(topic, partition);
        next.set(key, this.partitions.get(key) ?? new PartitionState<V>(topic, partition, this.config.watermark, now));
      }
    }
    this.partitions = next;
    this.valve = new WatermarkValve(next.size);
    let i = 0;
    for (const p of next.values()) {
      p.index = i++;
      this.valve.setWatermark(p.index, p.watermark);
      this.valve.setIdle(p.index, p.idle);
    }
    this.seekRestored();
    this.scheduleIdleCheck();
    this.announceIdleness();
    this.advance();
  }

  private seekRestored(): void {
    for (const o of this.startAt.values()) {
      const key = partitionKey(o.topic, o.partition);
      if (!this.partitions.has(key) || this.sought.has(key)) continue;
      this.sought.add(key);
      this.consumer.seek({ topic: o.topic, partition: o.partition, offset: String(o.offset) });
    }
  }

  private sawRecord(p: PartitionState<V>): void {
    p.lastAt = this.config.scheduler.now();
    if (!p.idle) return;
    p.idle = false;
    this.valve.setIdle(p.index, false);
    this.announceIdleness();
    this.scheduleIdleCheck();
  }

  /** Sends IDLE when every partition went idle, ACTIVE (before the next event) when one woke up. */
  private announceIdleness(): void {
    const all = this.partitions.size > 0 && this.valve.allIdle();
    if (all === this.allIdle) return;
    this.allIdle = all;
    this.subscriber.next(all ? IDLE : ACTIVE);
  }

  private scheduleIdleCheck(): void {
    const { idleTimeout, scheduler } = this.config;
    if (idleTimeout === undefined || this.idleCheck !== undefined || this.closed) return;
    let earliest = Infinity;
    for (const p of this.partitions.values()) if (!p.idle && p.lastAt < earliest) earliest = p.lastAt;
    if (earliest === Infinity) return;
    this.idleCheck = scheduler.schedule(() => {
      this.timers.remove(this.idleCheck!);
      this.idleCheck = undefined;
      this.checkIdleness();
    }, Math.max(0, earliest + idleTimeout - scheduler.now()));
    this.timers.add(this.idleCheck);
  }

  private checkIdleness(): void {
    const now = this.config.scheduler.now();
    let changed = false;
    for (const p of this.partitions.values()) {
      if (p.idle || now - p.lastAt < this.config.idleTimeout!) continue;
      p.idle = true;
      this.valve.setIdle(p.index, true);
      changed = true;
    }
    if (changed) {
      this.advance();
      this.announceIdleness();
    }
    this.scheduleIdleCheck();
  }

  private setPaused(pause: boolean): void {
    if (pause === this.paused) return;
    this.paused = pause;
    if (this.started && !this.closed) this.applyPause();
  }

  private applyPause(): void {
    const topics = this.config.topics.map((topic) => ({ topic }));
    if (this.paused) this.consumer.pause(topics);
    else this.consumer.resume(topics);
  }

  checkpoint(): number {
    if (this.config.checkpoints !== undefined) {
      throw new KafkaConnectorError(API, 'usage', `${API}: this source takes part in the checkpoints of a coordinator; trigger them with its triggerCheckpoint()`);
    }
    const id = ++this.lastCheckpoint;
    this.pending.set(id, this.position().offsets);
    if (!this.closed) this.subscriber.next(barrier(id));
    return id;
  }

  offsets(checkpointId: number): readonly KafkaOffset[] | undefined {
    return this.pending.get(checkpointId);
  }

  async commit(checkpointId: number, byTransaction: boolean): Promise<void> {
    const offsets = this.pending.get(checkpointId);
    if (offsets === undefined) return; // unknown, or subsumed by a later checkpoint that completed
    for (const id of this.pending.keys()) if (id <= checkpointId) this.pending.delete(id);
    if (byTransaction) return;
    await this.commitToGroup(offsets, checkpointId);
  }

  private async commitToGroup(offsets: readonly KafkaOffset[], checkpointId?: number): Promise<void> {
    // The source has ended and its consumer left the group: these offsets cannot be committed
    // any more, and the next run reads from the last committed ones again (at-least-once).
    if (this.closed) return;
    const held = offsets.filter((o) => this.partitions.has(partitionKey(o.topic, o.partition)));
    if (held.length === 0) return;
    try {
      await this.consumer.commitOffsets(held.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })));
    } catch (cause) {
      throw new KafkaConnectorError(API, 'client', `${API}: committing the offsets of checkpoint ${checkpointId ?? ''} to group "${this.config.groupId}" failed: ${messageOf(cause)}`, { cause });
    }
  }

  assignment(): KafkaPartition[] {
    return [...this.partitions.values()].map((p) => ({ topic: p.topic, partition: p.partition }));
  }

  private assignmentByTopic(): Record<string, number[]> {
    const byTopic: Record<string, number[]> = {};
    for (const p of this.partitions.values()) (byTopic[p.topic] ??= []).push(p.partition);
    return byTopic;
  }

  stop(): void {
    if (this.closed) return;
    if (this.emitted < Infinity) this.subscriber.next(END_OF_TIME);
    const { checkpoints } = this.config;
    if (checkpoints !== undefined) {
      // The coordinator takes the final checkpoint and then ends the stream (hook.end).
      checkpoints.sourceFinished(this.config.id ?? 'kafka', this.position());
      this.emitted = Infinity;
      return;
    }
    this.emitted = Infinity;
    this.checkpoint();
    this.subscriber.complete();
  }

  private fail(reason: KafkaConnectorFailure, message: string, where: { topic?: string; partition?: number; offset?: number; cause?: unknown } = {}): void {
    if (this.closed) return;
    this.subscriber.error(new KafkaConnectorError(API, reason, message, where));
  }

  teardown(): void {
    if (this.closed) return;
    this.closed = true;
    this.timers.unsubscribe();
    this.unregister?.();
    for (const off of this.unlisten.splice(0)) off();
    this.partitions = new Map();
    const c = this.consumer;
    // Disconnect once the start has settled (kafkajs cannot disconnect a half-connected consumer cleanly).
    this.disconnected = this.startup.then(() => c.disconnect()).catch(() => undefined);
  }
}

/** @internal A fromKafka source's position in a checkpoint of the coordinator. */
export interface KafkaPosition {
  /** The next offset of every partition known. */
  readonly offsets: readonly KafkaOffset[];
  /** The watermark emitted before the barrier; `null` for none. */
  readonly watermark: number | null;
}
