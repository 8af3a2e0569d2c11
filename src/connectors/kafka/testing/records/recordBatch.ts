import { crc32c } from '../protocol/crc32c.js';
import { KafkaErrorCode } from '../errorCodes.js';

/**
 * Record batch v2 (magic 2), the only message format this broker stores. Its 61-byte header:
 *
 * ```
 *  0 baseOffset int64        27 baseTimestamp int64
 *  8 batchLength int32       35 maxTimestamp int64
 * 12 partitionLeaderEpoch    43 producerId int64
 * 16 magic int8              51 producerEpoch int16
 * 17 crc uint32 (CRC-32C of 21…end)  53 baseSequence int32
 * 21 attributes int16        57 recordCount int32
 * 23 lastOffsetDelta int32   61 records…
 * ```
 *
 * The CRC does not cover the base offset, so the broker can assign offsets by rewriting the
 * first eight bytes of the client's batch and store it as it came.
 * @internal
 */
export const BATCH_HEADER_SIZE = 61;

/** The fields of a batch header the broker acts on. @internal */
export interface BatchHeader {
  readonly lastOffsetDelta: number;
  readonly baseTimestamp: number;
  readonly maxTimestamp: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly recordCount: number;
  /** Bits 0–2 of the attributes: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
  readonly compression: number;
  readonly isTransactional: boolean;
  readonly isControl: boolean;
}

/** One batch of a produce request: its header and its bytes (a copy, safe to keep). @internal */
export interface ProducedBatch {
  readonly header: BatchHeader;
  readonly bytes: Buffer;
}

/** Why a produce request's records were refused: the error code for its partition. @internal */
export class BatchError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Reads a batch header at `at` of `bytes` (no checks). @internal */
export function readBatchHeader(bytes: Buffer, at = 0): BatchHeader {
  const attributes = bytes.readInt16BE(at + 21);
  return {
    lastOffsetDelta: bytes.readInt32BE(at + 23),
    baseTimestamp: Number(bytes.readBigInt64BE(at + 27)),
    maxTimestamp: Number(bytes.readBigInt64BE(at + 35)),
    producerId: Number(bytes.readBigInt64BE(at + 43)),
    producerEpoch: bytes.readInt16BE(at + 51),
    baseSequence: bytes.readInt32BE(at + 53),
    recordCount: bytes.readInt32BE(at + 57),
    compression: attributes & 0x07,
    isTransactional: (attributes & 0x10) !== 0,
    isControl: (attributes & 0x20) !== 0,
  };
}

/**
 * Splits the `records` of one partition of a produce request into batches and checks each:
 * magic 2, a length that fits, a CRC-32C that matches, no control batch from a client, at
 * least one record. Throws {@link BatchError} with Kafka's code for the first fault.
 * @internal
 */
export function parseProducedBatches(records: Buffer): ProducedBatch[] {
  const batches: ProducedBatch[] = [];
  let at = 0;
  while (at < records.length) {
    if (records.length - at < 17) throw new BatchError(KafkaErrorCode.CORRUPT_MESSAGE, 'truncated record batch');
    const magic = records.readInt8(at + 16);
    if (magic !== 2) throw new BatchError(KafkaErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, `message format v${magic}; only record batch v2 is supported`);
    const size = 12 + records.readInt32BE(at + 8);
    if (size < BATCH_HEADER_SIZE || at + size > records.length) throw new BatchError(KafkaErrorCode.CORRUPT_MESSAGE, 'record batch length out of bounds');
    const expected = records.readUInt32BE(at + 17);
    if (crc32c(records, at + 21, at + size) !== expected) throw new BatchError(KafkaErrorCode.CORRUPT_MESSAGE, 'record batch CRC-32C mismatch');
    const header = readBatchHeader(records, at);
    if (header.isControl) throw new BatchError(KafkaErrorCode.INVALID_RECORD, 'clients may not produce control batches');
    if (header.recordCount <= 0 || header.lastOffsetDelta !== header.recordCount - 1) {
      throw new BatchError(KafkaErrorCode.INVALID_RECORD, `record count ${header.recordCount} does not match last offset delta ${header.lastOffsetDelta}`);
    }
    batches.push({ header, bytes: Buffer.from(records.subarray(at, at + size)) });
    at += size;
  }
  if (batches.length === 0) throw new BatchError(KafkaErrorCode.CORRUPT_MESSAGE, 'no record batch');
  return batches;
}

/** Gives a stored batch its offset and leader epoch (outside the CRC). @internal */
export function assignBaseOffset(bytes: Buffer, baseOffset: number): void {
  bytes.writeBigInt64BE(BigInt(baseOffset), 0);
  bytes.writeInt32BE(0, 12);
}

/**
 * A control batch: the transaction marker a coordinator writes to each partition of a
 * transaction when it ends. One record, key `{version: 0, type: 0 abort | 1 commit}` and value
 * `{version: 0, coordinatorEpoch}`; attributes transactional and control.
 * @internal
 */
export function controlBatch(baseOffset: number, producerId: number, producerEpoch: number, commit: boolean, timestamp: number): Buffer {
  const key = Buffer.from([0, 0, 0, commit ? 1 : 0]);
  const value = Buffer.from([0, 0, 0, 0, 0, 0]);
  // The record: attributes, timestampDelta 0, offsetDelta 0, key, value, no headers.
  const body = Buffer.concat([Buffer.from([0, 0, 0, key.length * 2]), key, Buffer.from([value.length * 2]), value, Buffer.from([0])]);
  const record = Buffer.concat([Buffer.from([body.length * 2]), body]);
  const batch = Buffer.alloc(BATCH_HEADER_SIZE + record.length);
  batch.writeBigInt64BE(BigInt(baseOffset), 0);
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeInt32BE(0, 12);
  batch.writeInt8(2, 16);
  batch.writeInt16BE(0x30, 21); // transactional | control
  batch.writeInt32BE(0, 23);
  batch.writeBigInt64BE(BigInt(timestamp), 27);
  batch.writeBigInt64BE(BigInt(timestamp), 35);
  batch.writeBigInt64BE(BigInt(producerId), 43);
  batch.writeInt16BE(producerEpoch, 51);
  batch.writeInt32BE(-1, 53);
  batch.writeInt32BE(1, 57);
  record.copy(batch, BATCH_HEADER_SIZE);
  batch.writeUInt32BE(crc32c(batch, 21), 17);
  return batch;
}
