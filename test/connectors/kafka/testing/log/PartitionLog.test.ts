import { describe, expect, it } from 'vitest';
import { KafkaErrorCode } from '../../../../../src/connectors/kafka/testing/index.js';
import { PartitionLog } from '../../../../../src/connectors/kafka/testing/log/PartitionLog.js';
import { parseProducedBatches } from '../../../../../src/connectors/kafka/testing/records/recordBatch.js';
import { controlBatch } from '../../../../../src/connectors/kafka/testing/records/recordBatch.js';
import { crc32c } from '../../../../../src/connectors/kafka/testing/protocol/crc32c.js';

/** A one-record batch of a producer, at a sequence and epoch. */
function batch(producerId: number, sequence: number, epoch = 0, transactional = false) {
  const b = controlBatch(0, producerId, epoch, true, 0);
  b.writeInt16BE(transactional ? 0x10 : 0, 21);
  b.writeInt32BE(sequence, 53);
  b.writeUInt32BE(crc32c(b, 21), 17);
  return parseProducedBatches(b);
}

describe('PartitionLog', () => {
  it('assigns offsets; a retried batch of an idempotent producer gets its first offset and is not appended again', () => {
    const log = new PartitionLog('t', 0);
    expect(log.append(batch(1, 0))).toEqual({ errorCode: 0, baseOffset: 0 });
    expect(log.append(batch(1, 1))).toEqual({ errorCode: 0, baseOffset: 1 });
    expect(log.append(batch(1, 0))).toEqual({ errorCode: 0, baseOffset: 0 }); // duplicate
    expect(log.highWatermark).toBe(2);
    expect(log.append(batch(1, 3)).errorCode).toBe(KafkaErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(log.append(batch(2, 5)).errorCode).toBe(KafkaErrorCode.UNKNOWN_PRODUCER_ID);
    expect(log.append(batch(-1, -1))).toEqual({ errorCode: 0, baseOffset: 2 }); // not idempotent: no checks
  });

  it('a newer epoch restarts at sequence 0, and an older epoch is refused', () => {
    const log = new PartitionLog('t', 0);
    log.append(batch(1, 0, 0));
    expect(log.append(batch(1, 4, 1)).errorCode).toBe(KafkaErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(log.append(batch(1, 0, 1)).errorCode).toBe(KafkaErrorCode.NONE);
    expect(log.append(batch(1, 1, 0)).errorCode).toBe(KafkaErrorCode.INVALID_PRODUCER_EPOCH);
  });

  it('keeps the last stable offset at an open transaction’s first offset, and indexes aborted transactions', () => {
    const log = new PartitionLog('t', 0);
    log.append(batch(-1, -1)); // 0
    log.append(batch(7, 0, 0, true)); // 1, open
    log.append(batch(-1, -1)); // 2
    expect([log.highWatermark, log.lastStableOffset]).toEqual([3, 1]);
    expect(log.read(0, log.lastStableOffset, 1 << 20, true)).toHaveLength(1);
    log.writeMarker(7, 0, false, 0); // 3: abort
    expect([log.highWatermark, log.lastStableOffset]).toEqual([4, 4]);
    expect(log.abortedBetween(0, 4)).toEqual([{ producerId: 7, firstOffset: 1, lastOffset: 3 }]);
    expect(log.abortedBetween(4, 4)).toEqual([]);
    expect(log.append(batch(7, 0, 1, true)).errorCode).toBe(KafkaErrorCode.NONE); // the next epoch starts at 0
  });

  it('lists aborted transactions of interleaved producers by first offset, not by the order they were aborted (kafkajs reads the list so)', () => {
    const log = new PartitionLog('t', 0);
    log.append(batch(7, 0, 0, true)); // 0: producer 7's transaction
    log.append(batch(8, 0, 0, true)); // 1: producer 8's
    log.writeMarker(8, 0, false, 0); // 2: 8 aborts first
    log.writeMarker(7, 0, false, 0); // 3: then 7
    expect(log.abortedBetween(0, 4)).toEqual([
      { producerId: 7, firstOffset: 0, lastOffset: 3 },
      { producerId: 8, firstOffset: 1, lastOffset: 2 },
    ]);
  });

  it('reads whole batches within a byte budget, but at least one', () => {
    const log = new PartitionLog('t', 0);
    for (let i = 0; i < 3; i++) log.append(batch(-1, -1));
    const size = log.read(0, 3, 1 << 20, true)[0]!.length;
    expect(log.read(1, 3, 2 * size, true)).toHaveLength(2);
    expect(log.read(0, 3, 1, true)).toHaveLength(1);
    expect(log.read(0, 3, 1, false)).toHaveLength(0);
  });
});
