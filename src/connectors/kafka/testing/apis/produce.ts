import { KafkaErrorCode } from '../errorCodes.js';
import type { Broker } from '../Broker.js';
import { BatchError, parseProducedBatches } from '../records/recordBatch.js';
import { defineApi } from './Api.js';

interface ProduceRequest {
  transactionalId: string | null;
  acks: number;
  topics: { name: string; partitions: { index: number; records: Buffer | null }[] }[];
}

interface PartitionResult {
  index: number;
  errorCode: number;
  baseOffset: number;
  logStartOffset: number;
}

interface ProduceResponse {
  topics: { name: string; partitions: PartitionResult[] }[];
}

/** Appends one partition's records: checks the batches, the transaction they belong to, the producer's sequence. */
function produceTo(broker: Broker, topic: string, index: number, records: Buffer | null, transactionalId: string | null): PartitionResult {
  const failed = (errorCode: number): PartitionResult => ({ index, errorCode, baseOffset: -1, logStartOffset: -1 });
  const log = broker.topics.partition(topic, index);
  if (log === undefined) return failed(KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  if (records === null) return failed(KafkaErrorCode.CORRUPT_MESSAGE);
  let batches;
  try {
    batches = parseProducedBatches(records);
  } catch (e) {
    if (e instanceof BatchError) return failed(e.code);
    throw e;
  }
  for (const { header } of batches) {
    if (header.isTransactional) {
      if (transactionalId === null) return failed(KafkaErrorCode.INVALID_REQUEST);
      const refused = broker.transactions.verifyProduce(header.producerId, header.producerEpoch, log);
      if (refused !== null) return failed(refused.errorCode);
    }
  }
  const result = log.append(batches);
  if (result.errorCode !== KafkaErrorCode.NONE) return failed(result.errorCode);
  return { index, errorCode: KafkaErrorCode.NONE, baseOffset: result.baseOffset, logStartOffset: log.logStartOffset };
}

/**
 * Produce (key 0) v3–v7: record batches v2 only (v3 is where they start). Each partition's
 * batches are checked (CRC-32C, format), idempotent batches against their producer's
 * sequence (a retried batch is answered with its first offset, not appended twice),
 * transactional ones against their transaction (INVALID_PRODUCER_EPOCH for a fenced producer).
 * With acks 0 there is no response.
 * @internal
 */
export const produce = defineApi<ProduceRequest, ProduceResponse>({
  name: 'Produce',
  decode(r) {
    const transactionalId = r.nullableString();
    const acks = r.int16();
    r.int32(); // timeout_ms: every append is immediate
    const topics = r.array((r) => ({ name: r.string(), partitions: r.array((r) => ({ index: r.int32(), records: r.nullableBytes() })) }));
    return { transactionalId, acks, topics };
  },
  handle(broker, request) {
    if (request.acks !== 0 && request.acks !== 1 && request.acks !== -1) return this.fail(broker, request, KafkaErrorCode.INVALID_REQUIRED_ACKS, 0);
    const response = {
      topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => produceTo(broker, t.name, p.index, p.records, request.transactionalId)) })),
    };
    return request.acks === 0 ? null : response;
  },
  encode(w, res, version) {
    w.array(res.topics, (w, t) => {
      w.string(t.name);
      w.array(t.partitions, (w, p) => {
        w.int32(p.index).int16(p.errorCode).int64(p.baseOffset).int64(-1); // log_append_time: CreateTime
        if (version >= 5) w.int64(p.logStartOffset);
      });
    });
    w.int32(0);
  },
  unanswered: (req) => req.acks === 0,
  fail: (_broker, req, errorCode) => ({
    topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ index: p.index, errorCode, baseOffset: -1, logStartOffset: -1 })) })),
  }),
});
