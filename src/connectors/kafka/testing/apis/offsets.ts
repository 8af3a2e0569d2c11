import { KafkaErrorCode } from '../errorCodes.js';
import type { OffsetToCommit } from '../coordinator/GroupCoordinator.js';
import { defineApi } from './Api.js';
import { byTopic, type PartitionError, writePartitionErrors } from './partitionsByTopic.js';

interface OffsetCommitRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  offsets: OffsetToCommit[];
}

/**
 * OffsetCommit (key 8) v0–v7: a member of the current generation commits (v1+ name the
 * generation and member); a client outside any group commits with generation -1 to a group
 * without members. v1's commit timestamp and v2–v4's retention time are read and ignored
 * (offsets are kept until the group or topic is deleted).
 * @internal
 */
export const offsetCommit = defineApi<OffsetCommitRequest, { results: PartitionError[] }>({
  name: 'OffsetCommit',
  decode(r, version) {
    const groupId = r.string();
    const generationId = version >= 1 ? r.int32() : -1;
    const memberId = version >= 1 ? r.string() : '';
    if (version >= 7) r.nullableString(); // group_instance_id
    if (version >= 2 && version <= 4) r.int64(); // retention_time_ms
    const offsets = r.array((r) => {
      const topic = r.string();
      return r.array((r): OffsetToCommit => {
        const partition = r.int32();
        const offset = r.int64();
        const leaderEpoch = version >= 6 ? r.int32() : -1;
        if (version === 1) r.int64(); // commit_timestamp
        return { topic, partition, offset, leaderEpoch, metadata: r.nullableString() };
      });
    }).flat();
    return { groupId, generationId, memberId, offsets };
  },
  handle(broker, req) {
    const codes = broker.groups.commit(req.groupId, req.generationId, req.memberId, req.offsets);
    return { results: req.offsets.map((o, i) => ({ topic: o.topic, partition: o.partition, errorCode: codes[i]! })) };
  },
  encode(w, res, version) {
    if (version >= 3) w.int32(0);
    writePartitionErrors(w, res.results);
  },
  fail: (_broker, req, errorCode) => ({ results: req.offsets.map((o) => ({ topic: o.topic, partition: o.partition, errorCode })) }),
});

interface OffsetFetchRequest {
  groupId: string;
  partitions: { topic: string; partition: number }[] | null;
}

interface FetchedOffset {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
  errorCode: number;
}

/**
 * OffsetFetch (key 9) v0–v5: a group's committed offsets (-1 where none), for the partitions
 * named or, v2+, all of them (topics null). Offsets of a transaction still open are not
 * visible yet.
 * @internal
 */
export const offsetFetch = defineApi<OffsetFetchRequest, { errorCode: number; offsets: FetchedOffset[] }>({
  name: 'OffsetFetch',
  decode(r) {
    const groupId = r.string();
    const topics = r.nullableArray((r) => {
      const topic = r.string();
      return r.array((r) => ({ topic, partition: r.int32() }));
    });
    return { groupId, partitions: topics === null ? null : topics.flat() };
  },
  handle: (broker, req) => ({
    errorCode: KafkaErrorCode.NONE,
    offsets: broker.groups.fetch(req.groupId, req.partitions).map(({ topic, partition, committed }) => ({
      topic,
      partition,
      offset: committed?.offset ?? -1,
      leaderEpoch: committed?.leaderEpoch ?? -1,
      metadata: committed === null ? '' : committed.metadata,
      errorCode: KafkaErrorCode.NONE,
    })),
  }),
  encode(w, res, version) {
    if (version >= 3) w.int32(0);
    w.array(byTopic(res.offsets), (w, t) => {
      w.string(t.topic);
      w.array(t.partitions, (w, p) => {
        w.int32(p.partition).int64(p.offset);
        if (version >= 5) w.int32(p.leaderEpoch);
        w.nullableString(p.metadata).int16(p.errorCode);
      });
    });
    if (version >= 2) w.int16(res.errorCode);
  },
  fail: (_broker, req, errorCode) => ({
    errorCode,
    offsets: (req.partitions ?? []).map((p) => ({ ...p, offset: -1, leaderEpoch: -1, metadata: '', errorCode })),
  }),
});
