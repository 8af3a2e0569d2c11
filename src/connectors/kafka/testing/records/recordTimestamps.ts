import { gunzipSync } from 'node:zlib';
import { Reader } from '../protocol/Reader.js';
import { BATCH_HEADER_SIZE, readBatchHeader } from './recordBatch.js';

/**
 * The offset of each record of a stored batch and its timestamp, for ListOffsets by time:
 * decoded from uncompressed and gzip batches; `null` for other codecs (snappy, lz4, zstd),
 * where the lookup falls back to the batch's base offset and maximum timestamp.
 * @internal
 */
export function recordTimestamps(batch: Buffer): { offsetDelta: number; timestamp: number }[] | null {
  const header = readBatchHeader(batch);
  let records: Buffer;
  if (header.compression === 0) records = batch.subarray(BATCH_HEADER_SIZE);
  else if (header.compression === 1) records = gunzipSync(batch.subarray(BATCH_HEADER_SIZE));
  else return null;
  const reader = new Reader(records);
  const out: { offsetDelta: number; timestamp: number }[] = [];
  for (let i = 0; i < header.recordCount; i++) {
    const length = reader.varint();
    const end = reader.offset + length;
    reader.int8(); // attributes
    const timestampDelta = reader.varlong();
    const offsetDelta = reader.varint();
    out.push({ offsetDelta, timestamp: header.baseTimestamp + timestampDelta });
    reader.raw(end - reader.offset);
  }
  return out;
}
