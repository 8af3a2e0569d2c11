import { KafkaErrorCode } from '../errorCodes.js';
import type { BatchHeader } from '../records/recordBatch.js';

/** How many batches per producer a partition remembers to recognise a retried one (Kafka's 5). */
const REMEMBERED_BATCHES = 5;
const INT32_MAX = 2 ** 31 - 1;

/** One producer's state in one partition: its epoch, its last sequence, its recent batches. @internal */
export interface ProducerEntry {
  epoch: number;
  /** The sequence of the last record appended, -1 before any. */
  lastSequence: number;
  /** The last few batches: first and last sequence, and the offset they were given. */
  recent: { first: number; last: number; baseOffset: number }[];
}

/** What to do with a batch of an idempotent producer. @internal */
export type SequenceVerdict = { kind: 'append' } | { kind: 'duplicate'; baseOffset: number } | { kind: 'error'; code: number; message: string };

/** The sequence after `sequence`, wrapping at int32's maximum as Kafka's does. @internal */
export function nextSequence(sequence: number): number {
  return sequence === INT32_MAX ? 0 : sequence + 1;
}

function lastSequenceOf(header: BatchHeader): number {
  const last = header.baseSequence + header.lastOffsetDelta;
  return last > INT32_MAX ? last - INT32_MAX - 1 : last;
}

/**
 * The idempotent-producer bookkeeping of one partition (Kafka's ProducerStateManager, in
 * memory): a batch from an older epoch is refused (INVALID_PRODUCER_EPOCH); a new epoch must
 * start at sequence 0; within an epoch the next batch must continue the sequence
 * (OUT_OF_ORDER_SEQUENCE_NUMBER) unless it repeats one of the last five, which is a retry:
 * answered with the offset it got the first time and not appended again.
 * @internal
 */
export class ProducerStates {
  private readonly entries = new Map<number, ProducerEntry>();

  /** Judges a batch (its producer id ≥ 0) against the current state, changing nothing. */
  check(header: BatchHeader): SequenceVerdict {
    const entry = this.entries.get(header.producerId);
    if (entry === undefined) {
      if (header.baseSequence !== 0) {
        return { kind: 'error', code: KafkaErrorCode.UNKNOWN_PRODUCER_ID, message: `no state for producer ${header.producerId}, and sequence ${header.baseSequence} is not 0` };
      }
      return { kind: 'append' };
    }
    if (header.producerEpoch < entry.epoch) {
      return { kind: 'error', code: KafkaErrorCode.INVALID_PRODUCER_EPOCH, message: `producer ${header.producerId} epoch ${header.producerEpoch} is older than ${entry.epoch}` };
    }
    if (header.producerEpoch > entry.epoch) {
      if (header.baseSequence !== 0) {
        return { kind: 'error', code: KafkaErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, message: `new epoch ${header.producerEpoch} must start at sequence 0, got ${header.baseSequence}` };
      }
      return { kind: 'append' };
    }
    const last = lastSequenceOf(header);
    const seen = entry.recent.find((b) => b.first === header.baseSequence && b.last === last);
    if (seen !== undefined) return { kind: 'duplicate', baseOffset: seen.baseOffset };
    if (header.baseSequence !== nextSequence(entry.lastSequence)) {
      return {
        kind: 'error',
        code: KafkaErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        message: `producer ${header.producerId} sent sequence ${header.baseSequence}, expected ${nextSequence(entry.lastSequence)}`,
      };
    }
    return { kind: 'append' };
  }

  /** Records an appended batch. */
  appended(header: BatchHeader, baseOffset: number): void {
    let entry = this.entries.get(header.producerId);
    if (entry === undefined || header.producerEpoch > entry.epoch) {
      entry = { epoch: header.producerEpoch, lastSequence: -1, recent: [] };
      this.entries.set(header.producerId, entry);
    }
    entry.lastSequence = lastSequenceOf(header);
    entry.recent.push({ first: header.baseSequence, last: entry.lastSequence, baseOffset });
    if (entry.recent.length > REMEMBERED_BATCHES) entry.recent.shift();
  }

  /** A transaction marker of `epoch`: a newer epoch replaces the state (its sequences restart at 0). */
  marker(producerId: number, epoch: number): void {
    const entry = this.entries.get(producerId);
    if (entry === undefined || epoch > entry.epoch) this.entries.set(producerId, { epoch, lastSequence: -1, recent: [] });
  }

  /** A copy, to judge several batches of one request in turn before any is appended. */
  copy(): ProducerStates {
    const copy = new ProducerStates();
    for (const [id, e] of this.entries) copy.entries.set(id, { epoch: e.epoch, lastSequence: e.lastSequence, recent: [...e.recent] });
    return copy;
  }
}
