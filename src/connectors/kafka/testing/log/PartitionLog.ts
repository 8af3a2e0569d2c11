import { KafkaErrorCode } from '../errorCodes.js';
import { assignBaseOffset, controlBatch, type ProducedBatch } from '../records/recordBatch.js';
import { recordTimestamps } from '../records/recordTimestamps.js';
import { ProducerStates } from './ProducerStates.js';

/** A batch in the log, its offsets assigned. @internal */
export interface StoredBatch {
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly maxTimestamp: number;
  readonly bytes: Buffer;
}

/** An aborted transaction of one producer: from its first offset to its abort marker. @internal */
export interface AbortedTransaction {
  readonly producerId: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
}

/** The outcome of appending one partition's batches. @internal */
export interface AppendResult {
  readonly errorCode: number;
  readonly baseOffset: number;
  readonly message?: string;
}

/**
 * One partition, in memory: its batches (the client's bytes, offsets assigned), its log start
 * and end offsets, the first offset of each open transaction (the last stable offset is the
 * least of them), the aborted transactions, and the producers' sequence state. The high
 * watermark is the log end offset: there is one replica.
 * @internal
 */
export class PartitionLog {
  private readonly stored: StoredBatch[] = [];
  private start = 0;
  private end = 0;
  /** Producer id → first offset of its open transaction in this partition. */
  private readonly open = new Map<number, number>();
  private readonly abortedTransactions: AbortedTransaction[] = [];
  private producers = new ProducerStates();
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  get logStartOffset(): number {
    return this.start;
  }

  get highWatermark(): number {
    return this.end;
  }

  /** The first offset of the oldest open transaction, or the high watermark if none is open. */
  get lastStableOffset(): number {
    let lso = this.end;
    for (const first of this.open.values()) lso = Math.min(lso, first);
    return lso;
  }

  /**
   * Appends the batches of one produce request, all or none: each batch of an idempotent or
   * transactional producer is checked against the producer's sequence; a retried batch is not
   * appended again and the answer is the offset it got the first time.
   */
  append(batches: readonly ProducedBatch[]): AppendResult {
    const scratch = this.producers.copy();
    const plan: (ProducedBatch | { duplicateOf: number })[] = [];
    let offset = this.end;
    for (const batch of batches) {
      const { header } = batch;
      if (header.producerId >= 0) {
        const verdict = scratch.check(header);
        if (verdict.kind === 'error') return { errorCode: verdict.code, baseOffset: -1, message: verdict.message };
        if (verdict.kind === 'duplicate') {
          plan.push({ duplicateOf: verdict.baseOffset });
          continue;
        }
        scratch.appended(header, offset);
      }
      plan.push(batch);
      offset += header.lastOffsetDelta + 1;
    }
    let baseOffset = -1;
    for (const step of plan) {
      if ('duplicateOf' in step) {
        if (baseOffset < 0) baseOffset = step.duplicateOf;
        continue;
      }
      const { header, bytes } = step;
      const at = this.end;
      if (baseOffset < 0) baseOffset = at;
      assignBaseOffset(bytes, at);
      this.stored.push({ baseOffset: at, lastOffset: at + header.lastOffsetDelta, maxTimestamp: header.maxTimestamp, bytes });
      this.end = at + header.lastOffsetDelta + 1;
      if (header.isTransactional && !this.open.has(header.producerId)) this.open.set(header.producerId, at);
    }
    this.producers = scratch;
    this.changed();
    return { errorCode: KafkaErrorCode.NONE, baseOffset };
  }

  /** Writes a commit or abort marker of a producer's transaction; an abort is indexed for read_committed. */
  writeMarker(producerId: number, producerEpoch: number, commit: boolean, timestamp: number): void {
    const at = this.end;
    const bytes = controlBatch(at, producerId, producerEpoch, commit, timestamp);
    this.stored.push({ baseOffset: at, lastOffset: at, maxTimestamp: timestamp, bytes });
    this.end = at + 1;
    const first = this.open.get(producerId);
    if (first !== undefined) {
      this.open.delete(producerId);
      if (!commit) this.abortedTransactions.push({ producerId, firstOffset: first, lastOffset: at });
    }
    this.producers.marker(producerId, producerEpoch);
    this.changed();
  }

  /** Whether a producer has an open transaction here. */
  hasOpenTransaction(producerId: number): boolean {
    return this.open.has(producerId);
  }

  /**
   * The batches from the one holding `fetchOffset` up to (excluding) `limit`, whole, as many as
   * fit in `maxBytes` — and at least one when `atLeastOne`, however big (KIP-74).
   */
  read(fetchOffset: number, limit: number, maxBytes: number, atLeastOne: boolean): Buffer[] {
    const out: Buffer[] = [];
    let size = 0;
    for (let i = this.indexOf(fetchOffset); i < this.stored.length; i++) {
      const batch = this.stored[i]!;
      if (batch.baseOffset >= limit) break;
      if (size + batch.bytes.length > maxBytes && !(atLeastOne && out.length === 0)) break;
      out.push(batch.bytes);
      size += batch.bytes.length;
    }
    return out;
  }

  /**
   * The aborted transactions that overlap the offsets `[from, to)`, by first offset. Kafka lists
   * them in the order they were aborted; the Java client sorts them itself, but kafkajs (2.2)
   * takes the list as sorted by first offset, and with transactions of several producers
   * interleaved in one partition it would let records of an aborted one through otherwise.
   */
  abortedBetween(from: number, to: number): AbortedTransaction[] {
    return this.abortedTransactions.filter((t) => t.lastOffset >= from && t.firstOffset < to).sort((a, b) => a.firstOffset - b.firstOffset);
  }

  /** The first offset below `limit` whose record's timestamp is at least `timestamp`, with that timestamp. */
  offsetForTimestamp(timestamp: number, limit: number): { offset: number; timestamp: number } | null {
    for (const batch of this.stored) {
      if (batch.baseOffset >= limit) break;
      if (batch.maxTimestamp < timestamp) continue;
      const records = recordTimestamps(batch.bytes);
      if (records === null) return { offset: Math.max(batch.baseOffset, this.start), timestamp: batch.maxTimestamp };
      for (const r of records) {
        const offset = batch.baseOffset + r.offsetDelta;
        if (r.timestamp >= timestamp && offset >= this.start && offset < limit) return { offset, timestamp: r.timestamp };
      }
    }
    return null;
  }

  /** Moves the log start to `offset` (DeleteRecords); whole batches below it go. */
  deleteBefore(offset: number): void {
    this.start = Math.max(this.start, Math.min(offset, this.end));
    while (this.stored.length > 0 && this.stored[0]!.lastOffset < this.start) this.stored.shift();
    this.changed();
  }

  /** Calls `listener` whenever the log changes (an append, a marker); returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** Index of the first batch whose last offset is ≥ `offset`. */
  private indexOf(offset: number): number {
    let lo = 0;
    let hi = this.stored.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.stored[mid]!.lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
