import type { OffsetToCommit } from '../coordinator/GroupCoordinator.js';
import { defineApi } from './Api.js';
import { type PartitionError, writePartitionErrors } from './partitionsByTopic.js';

interface InitProducerIdResponse {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

/**
 * InitProducerId (key 22) v0–v1: a producer id for an idempotent producer, or for a
 * transactional id its producer id and a new epoch (fencing the previous one, and aborting
 * its open transaction).
 * @internal
 */
export const initProducerId = defineApi<{ transactionalId: string | null; timeoutMs: number }, InitProducerIdResponse>({
  name: 'InitProducerId',
  decode: (r) => ({ transactionalId: r.nullableString(), timeoutMs: r.int32() }),
  handle: (broker, req) => broker.transactions.initProducerId(req.transactionalId, req.timeoutMs),
  encode: (w, res) => void w.int32(0).int16(res.errorCode).int64(res.producerId).int16(res.producerEpoch),
  fail: (_broker, _req, errorCode) => ({ errorCode, producerId: -1, producerEpoch: -1 }),
});

interface TxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
}

/** AddPartitionsToTxn (key 24) v0–v2: partitions join the producer's transaction (it starts with the first). @internal */
export const addPartitionsToTxn = defineApi<TxnRequest & { partitions: { topic: string; partition: number }[] }, { results: PartitionError[] }>({
  name: 'AddPartitionsToTxn',
  decode(r) {
    const header = { transactionalId: r.string(), producerId: r.int64(), producerEpoch: r.int16() };
    const partitions = r.array((r) => {
      const topic = r.string();
      return r.array((r) => ({ topic, partition: r.int32() }));
    });
    return { ...header, partitions: partitions.flat() };
  },
  handle(broker, req, version) {
    const codes = broker.transactions.addPartitions(req.transactionalId, req.producerId, req.producerEpoch, req.partitions, version);
    return { results: req.partitions.map((p, i) => ({ ...p, errorCode: codes[i]! })) };
  },
  encode: (w, res) => writePartitionErrors(w.int32(0), res.results),
  fail: (_broker, req, errorCode) => ({ results: req.partitions.map((p) => ({ ...p, errorCode })) }),
});

/** AddOffsetsToTxn (key 25) v0–v2: the transaction will commit offsets for a group. @internal */
export const addOffsetsToTxn = defineApi<TxnRequest & { groupId: string }, { errorCode: number }>({
  name: 'AddOffsetsToTxn',
  decode: (r) => ({ transactionalId: r.string(), producerId: r.int64(), producerEpoch: r.int16(), groupId: r.string() }),
  handle: (broker, req, version) => ({ errorCode: broker.transactions.addOffsets(req.transactionalId, req.producerId, req.producerEpoch, req.groupId, version) }),
  encode: (w, res) => void w.int32(0).int16(res.errorCode),
  fail: (_broker, _req, errorCode) => ({ errorCode }),
});

/** EndTxn (key 26) v0–v2: commits or aborts the producer's transaction. @internal */
export const endTxn = defineApi<TxnRequest & { commit: boolean }, { errorCode: number }>({
  name: 'EndTxn',
  decode: (r) => ({ transactionalId: r.string(), producerId: r.int64(), producerEpoch: r.int16(), commit: r.boolean() }),
  handle: (broker, req, version) => ({ errorCode: broker.transactions.endTxn(req.transactionalId, req.producerId, req.producerEpoch, req.commit, version) }),
  encode: (w, res) => void w.int32(0).int16(res.errorCode),
  fail: (_broker, _req, errorCode) => ({ errorCode }),
});

/** TxnOffsetCommit (key 28) v0–v2: offsets a transaction commits for a group, visible when it commits. @internal */
export const txnOffsetCommit = defineApi<TxnRequest & { groupId: string; offsets: OffsetToCommit[] }, { results: PartitionError[] }>({
  name: 'TxnOffsetCommit',
  decode(r, version) {
    const header = { transactionalId: r.string(), groupId: r.string(), producerId: r.int64(), producerEpoch: r.int16() };
    const offsets = r.array((r) => {
      const topic = r.string();
      return r.array((r): OffsetToCommit => {
        const partition = r.int32();
        const offset = r.int64();
        const leaderEpoch = version >= 2 ? r.int32() : -1;
        return { topic, partition, offset, leaderEpoch, metadata: r.nullableString() };
      });
    });
    return { ...header, offsets: offsets.flat() };
  },
  handle(broker, req) {
    const codes = broker.transactions.commitOffsets(req.transactionalId, req.groupId, req.producerId, req.producerEpoch, req.offsets);
    return { results: req.offsets.map((o, i) => ({ topic: o.topic, partition: o.partition, errorCode: codes[i]! })) };
  },
  encode: (w, res) => writePartitionErrors(w.int32(0), res.results),
  fail: (_broker, req, errorCode) => ({ results: req.offsets.map((o) => ({ topic: o.topic, partition: o.partition, errorCode })) }),
});
