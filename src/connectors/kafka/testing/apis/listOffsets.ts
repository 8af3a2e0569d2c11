import { KafkaErrorCode } from '../errorCodes.js';
import type { Broker } from '../Broker.js';
import { defineApi } from './Api.js';

const LATEST = -1;
const EARLIEST = -2;

interface ListOffsetsRequest {
  readCommitted: boolean;
  topics: { name: string; partitions: { partition: number; timestamp: number }[] }[];
}

interface PartitionOffset {
  partition: number;
  errorCode: number;
  timestamp: number;
  offset: number;
}

interface ListOffsetsResponse {
  topics: { name: string; partitions: PartitionOffset[] }[];
}

function lookUp(broker: Broker, topic: string, partition: number, timestamp: number, readCommitted: boolean): PartitionOffset {
  const log = broker.topics.partition(topic, partition);
  if (log === undefined) return { partition, errorCode: KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION, timestamp: -1, offset: -1 };
  const limit = readCommitted ? log.lastStableOffset : log.highWatermark;
  if (timestamp === LATEST) return { partition, errorCode: KafkaErrorCode.NONE, timestamp: -1, offset: limit };
  if (timestamp === EARLIEST) return { partition, errorCode: KafkaErrorCode.NONE, timestamp: -1, offset: log.logStartOffset };
  const found = log.offsetForTimestamp(timestamp, limit);
  return { partition, errorCode: KafkaErrorCode.NONE, timestamp: found?.timestamp ?? -1, offset: found?.offset ?? -1 };
}

/**
 * ListOffsets (key 2) v0–v5: the earliest offset (timestamp -2), the latest (-1: the high
 * watermark, or the last stable offset for read_committed, v2+), or the first offset whose
 * record has at least the given timestamp (-1 if none). v0 answers in its old form, a list of
 * offsets.
 * @internal
 */
export const listOffsets = defineApi<ListOffsetsRequest, ListOffsetsResponse>({
  name: 'ListOffsets',
  decode(r, version) {
    r.int32(); // replica_id
    const readCommitted = version >= 2 ? r.int8() === 1 : false;
    const topics = r.array((r) => ({
      name: r.string(),
      partitions: r.array((r) => {
        const partition = r.int32();
        if (version >= 4) r.int32(); // current_leader_epoch
        const timestamp = r.int64();
        if (version === 0) r.int32(); // max_num_offsets
        return { partition, timestamp };
      }),
    }));
    return { readCommitted, topics };
  },
  handle: (broker, request) => ({
    topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => lookUp(broker, t.name, p.partition, p.timestamp, request.readCommitted)) })),
  }),
  encode(w, res, version) {
    if (version >= 2) w.int32(0);
    w.array(res.topics, (w, t) => {
      w.string(t.name);
      w.array(t.partitions, (w, p) => {
        w.int32(p.partition).int16(p.errorCode);
        if (version === 0) {
          w.array(p.offset >= 0 ? [p.offset] : [], (w, o) => w.int64(o));
          return;
        }
        w.int64(p.timestamp).int64(p.offset);
        if (version >= 4) w.int32(-1); // leader_epoch: unknown, as in Metadata v0–v6
      });
    });
  },
  fail: (_broker, req, errorCode) => ({
    topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode, timestamp: -1, offset: -1 })) })),
  }),
});
