import { describe, expect, it } from 'vitest';
import { KafkaErrorCode } from '../../../../../src/connectors/kafka/testing/index.js';
import { BatchError, controlBatch, parseProducedBatches, readBatchHeader } from '../../../../../src/connectors/kafka/testing/records/recordBatch.js';
import { crc32c } from '../../../../../src/connectors/kafka/testing/protocol/crc32c.js';
import { recordTimestamps } from '../../../../../src/connectors/kafka/testing/records/recordTimestamps.js';

/** A one-record data batch, made from a control batch by clearing the control bit (and fixing the CRC). */
function dataBatch(producerId = -1, sequence = -1, transactional = false): Buffer {
  const batch = controlBatch(0, producerId, 0, true, 1234);
  batch.writeInt16BE(transactional ? 0x10 : 0, 21);
  batch.writeInt32BE(sequence, 53);
  batch.writeUInt32BE(crc32c(batch, 21), 17);
  return batch;
}

describe('record batches', () => {
  it('a control batch is a valid v2 batch: transactional, control, one COMMIT or ABORT record', () => {
    const commit = controlBatch(42, 7, 3, true, 1000);
    expect(commit.readInt8(16)).toBe(2);
    expect(commit.readUInt32BE(17)).toBe(crc32c(commit, 21));
    expect(readBatchHeader(commit)).toMatchObject({ isControl: true, isTransactional: true, producerId: 7, producerEpoch: 3, recordCount: 1, baseSequence: -1 });
    expect(Number(commit.readBigInt64BE(0))).toBe(42);
    expect(commit.subarray(-12, -8)).toEqual(Buffer.from([0, 0, 0, 1])); // key: version 0, type 1 (commit)
    expect(controlBatch(0, 7, 3, false, 1000).subarray(-12, -8)).toEqual(Buffer.from([0, 0, 0, 0]));
    expect(recordTimestamps(commit)).toEqual([{ offsetDelta: 0, timestamp: 1000 }]);
  });

  it('parses a produce request’s batches and refuses a wrong CRC, an old format, a control batch', () => {
    const batches = parseProducedBatches(Buffer.concat([dataBatch(5, 0), dataBatch(5, 1)]));
    expect(batches.map((b) => b.header.baseSequence)).toEqual([0, 1]);
    const corrupt = dataBatch();
    corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 1) ^ 1, corrupt.length - 1);
    const code = (records: Buffer) => {
      try {
        parseProducedBatches(records);
        return KafkaErrorCode.NONE;
      } catch (e) {
        return (e as BatchError).code;
      }
    };
    expect(code(corrupt)).toBe(KafkaErrorCode.CORRUPT_MESSAGE);
    const v1 = dataBatch();
    v1.writeInt8(1, 16);
    expect(code(v1)).toBe(KafkaErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
    expect(code(controlBatch(0, 1, 0, true, 0))).toBe(KafkaErrorCode.INVALID_RECORD);
    expect(code(dataBatch().subarray(0, 30))).toBe(KafkaErrorCode.CORRUPT_MESSAGE);
  });
});
