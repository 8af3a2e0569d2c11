import { KafkaErrorCode } from '../errorCodes.js';
import type { Broker } from '../Broker.js';
import type { AbortedTransaction } from '../log/PartitionLog.js';
import { defineApi } from './Api.js';

interface FetchPartition {
  partition: number;
  fetchOffset: number;
  maxBytes: number;
}

interface FetchRequest {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  readCommitted: boolean;
  sessionId: number;
  sessionEpoch: number;
  topics: { topic: string; partitions: FetchPartition[] }[];
}

interface PartitionData {
  partition: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  aborted: AbortedTransaction[] | null;
  records: Buffer[];
}

interface FetchResponse {
  errorCode: number;
  topics: { topic: string; partitions: PartitionData[] }[];
}

/** Reads what the request asks for, as it stands now; and the bytes read. */
function read(broker: Broker, request: FetchRequest): { response: FetchResponse; bytes: number } {
  let bytes = 0;
  const topics = request.topics.map(({ topic, partitions }) => ({
    topic,
    partitions: partitions.map((p): PartitionData => {
      const log = broker.topics.partition(topic, p.partition);
      const empty = { partition: p.partition, aborted: null, records: [] };
      if (log === undefined) return { ...empty, errorCode: KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1 };
      const marks = { highWatermark: log.highWatermark, lastStableOffset: log.lastStableOffset, logStartOffset: log.logStartOffset };
      if (p.fetchOffset < log.logStartOffset || p.fetchOffset > log.highWatermark) return { ...empty, ...marks, errorCode: KafkaErrorCode.OFFSET_OUT_OF_RANGE };
      const limit = request.readCommitted ? log.lastStableOffset : log.highWatermark;
      const room = Math.min(p.maxBytes, request.maxBytes - bytes);
      const records = log.read(p.fetchOffset, limit, Math.max(0, room), bytes === 0);
      const size = records.reduce((n, b) => n + b.length, 0);
      bytes += size;
      const aborted = request.readCommitted ? (records.length === 0 ? [] : log.abortedBetween(p.fetchOffset, limit)) : null;
      return { partition: p.partition, errorCode: KafkaErrorCode.NONE, ...marks, aborted, records };
    }),
  }));
  return { response: { errorCode: KafkaErrorCode.NONE, topics }, bytes };
}

/**
 * Fetch (key 1) v4–v11: whole stored batches from the one holding the fetch offset, up to the
 * high watermark (read_uncommitted) or the last stable offset (read_committed, with the
 * aborted transactions in the range, so the client can drop their records; control batches
 * are returned, as Kafka does, and clients skip them). At least one batch is returned however
 * big (KIP-74). With fewer than `min_bytes` at hand the response waits, up to `max_wait_ms`,
 * for an append or a transaction marker in one of the partitions. Incremental fetch sessions
 * (v7+, KIP-227) are declined: the response's session id is 0, so clients send full requests.
 * @internal
 */
export const fetch = defineApi<FetchRequest, FetchResponse>({
  name: 'Fetch',
  decode(r, version) {
    r.int32(); // replica_id
    const maxWaitMs = r.int32();
    const minBytes = r.int32();
    const maxBytes = r.int32();
    const readCommitted = r.int8() === 1;
    const sessionId = version >= 7 ? r.int32() : 0;
    const sessionEpoch = version >= 7 ? r.int32() : -1;
    const topics = r.array((r) => ({
      topic: r.string(),
      partitions: r.array((r) => {
        const partition = r.int32();
        if (version >= 9) r.int32(); // current_leader_epoch
        const fetchOffset = r.int64();
        if (version >= 5) r.int64(); // log_start_offset (of a follower)
        return { partition, fetchOffset, maxBytes: r.int32() };
      }),
    }));
    if (version >= 7) r.array((r) => [r.string(), r.array((r) => r.int32())]); // forgotten_topics_data
    if (version >= 11) r.string(); // rack_id
    return { maxWaitMs, minBytes, maxBytes, readCommitted, sessionId, sessionEpoch, topics };
  },
  handle(broker, request) {
    if (request.sessionId !== 0) return { errorCode: KafkaErrorCode.FETCH_SESSION_ID_NOT_FOUND, topics: [] };
    if (request.sessionEpoch > 0) return { errorCode: KafkaErrorCode.INVALID_FETCH_SESSION_EPOCH, topics: [] };
    const first = read(broker, request);
    if (first.bytes >= request.minBytes || request.maxWaitMs <= 0) return first.response;
    const logs = request.topics.flatMap(({ topic, partitions }) => partitions.map((p) => broker.topics.partition(topic, p.partition)));
    return new Promise<FetchResponse>((resolve) => {
      const unsubscribes: (() => void)[] = [];
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        timer.cancel();
        for (const u of unsubscribes) u();
        resolve(read(broker, request).response);
      };
      const timer = broker.clock.after(request.maxWaitMs, finish);
      for (const log of logs) {
        if (log === undefined) continue;
        unsubscribes.push(
          log.onChange(() => {
            if (read(broker, request).bytes >= request.minBytes) finish();
          }),
        );
      }
    });
  },
  encode(w, res, version) {
    w.int32(0);
    if (version >= 7) w.int16(res.errorCode).int32(0);
    w.array(res.topics, (w, t) => {
      w.string(t.topic);
      w.array(t.partitions, (w, p) => {
        w.int32(p.partition).int16(p.errorCode).int64(p.highWatermark).int64(p.lastStableOffset);
        if (version >= 5) w.int64(p.logStartOffset);
        w.nullableArray(p.aborted, (w, a) => w.int64(a.producerId).int64(a.firstOffset));
        if (version >= 11) w.int32(-1); // preferred_read_replica
        w.int32(p.records.reduce((n, b) => n + b.length, 0));
        for (const b of p.records) w.raw(b);
      });
    });
  },
  fail: (_broker, req, errorCode) => ({
    errorCode: KafkaErrorCode.NONE,
    topics: req.topics.map(({ topic, partitions }) => ({
      topic,
      partitions: partitions.map((p) => ({ partition: p.partition, errorCode, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, aborted: null, records: [] })),
    })),
  }),
});
