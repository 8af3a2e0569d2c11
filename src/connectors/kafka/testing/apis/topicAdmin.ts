import { KafkaErrorCode } from '../errorCodes.js';
import type { Broker } from '../Broker.js';
import { defineApi } from './Api.js';
import { byTopic } from './partitionsByTopic.js';

interface TopicResult {
  name: string;
  errorCode: number;
  message: string | null;
}

interface CreateTopicsRequest {
  topics: { name: string; partitions: number; replicationFactor: number; assignments: number; configs: Map<string, string | null> }[];
  validateOnly: boolean;
}

function createTopic(broker: Broker, t: CreateTopicsRequest['topics'][number], validateOnly: boolean): TopicResult {
  const fail = (errorCode: number, message: string): TopicResult => ({ name: t.name, errorCode, message });
  if (t.replicationFactor !== -1 && t.replicationFactor !== 1 && t.assignments === 0) {
    return fail(KafkaErrorCode.INVALID_REPLICATION_FACTOR, `Replication factor: ${t.replicationFactor} larger than available brokers: 1.`);
  }
  const partitions = t.assignments > 0 ? t.assignments : t.partitions === -1 ? broker.config.defaultPartitions : t.partitions;
  if (validateOnly) {
    if (broker.topics.get(t.name) !== undefined) return fail(KafkaErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`);
    return { name: t.name, errorCode: KafkaErrorCode.NONE, message: null };
  }
  const { errorCode, message } = broker.topics.create(t.name, partitions, t.configs);
  return { name: t.name, errorCode, message };
}

/**
 * CreateTopics (key 19) v0–v4: replication factor 1 (or -1, the default) on this one broker;
 * -1 partitions (v4's default) means the broker's default; a replica assignment sets the
 * partition count; configs are kept, not applied; `validate_only` (v1+) changes nothing.
 * @internal
 */
export const createTopics = defineApi<CreateTopicsRequest, { topics: TopicResult[] }>({
  name: 'CreateTopics',
  decode(r, version) {
    const topics = r.array((r) => ({
      name: r.string(),
      partitions: r.int32(),
      replicationFactor: r.int16(),
      assignments: r.array((r) => [r.int32(), r.array((r) => r.int32())]).length,
      configs: new Map(r.array((r) => [r.string(), r.nullableString()] as const)),
    }));
    r.int32(); // timeout_ms
    return { topics, validateOnly: version >= 1 ? r.boolean() : false };
  },
  handle: (broker, req) => ({ topics: req.topics.map((t) => createTopic(broker, t, req.validateOnly)) }),
  encode(w, res, version) {
    if (version >= 2) w.int32(0);
    w.array(res.topics, (w, t) => {
      w.string(t.name).int16(t.errorCode);
      if (version >= 1) w.nullableString(t.message);
    });
  },
  fail: (_broker, req, errorCode) => ({ topics: req.topics.map((t) => ({ name: t.name, errorCode, message: null })) }),
});

/** DeleteTopics (key 20) v0–v3: topics and their data go at once; committed offsets on them too. @internal */
export const deleteTopics = defineApi<{ names: string[] }, { topics: { name: string; errorCode: number }[] }>({
  name: 'DeleteTopics',
  decode(r) {
    const names = r.array((r) => r.string());
    r.int32(); // timeout_ms
    return { names };
  },
  handle: (broker, req) => ({ topics: req.names.map((name) => ({ name, errorCode: broker.topics.delete(name) })) }),
  encode(w, res, version) {
    if (version >= 1) w.int32(0);
    w.array(res.topics, (w, t) => w.string(t.name).int16(t.errorCode));
  },
  fail: (_broker, req, errorCode) => ({ topics: req.names.map((name) => ({ name, errorCode })) }),
});

/** CreatePartitions (key 37) v0–v1: grows topics to a new partition count. @internal */
export const createPartitions = defineApi<{ topics: { name: string; count: number }[]; validateOnly: boolean }, { topics: TopicResult[] }>({
  name: 'CreatePartitions',
  decode(r) {
    const topics = r.array((r) => {
      const name = r.string();
      const count = r.int32();
      r.nullableArray((r) => r.array((r) => r.int32())); // assignments
      return { name, count };
    });
    r.int32(); // timeout_ms
    return { topics, validateOnly: r.boolean() };
  },
  handle(broker, req) {
    return {
      topics: req.topics.map((t) => {
        if (req.validateOnly) return { name: t.name, errorCode: KafkaErrorCode.NONE, message: null };
        return { name: t.name, ...broker.topics.grow(t.name, t.count) };
      }),
    };
  },
  encode(w, res) {
    w.int32(0).array(res.topics, (w, t) => w.string(t.name).int16(t.errorCode).nullableString(t.message));
  },
  fail: (_broker, req, errorCode) => ({ topics: req.topics.map((t) => ({ name: t.name, errorCode, message: null })) }),
});

interface DeletedRecords {
  topic: string;
  partition: number;
  lowWatermark: number;
  errorCode: number;
}

/** DeleteRecords (key 21) v0–v1: moves partitions' log start offsets (-1: to the high watermark). @internal */
export const deleteRecords = defineApi<{ partitions: { topic: string; partition: number; offset: number }[] }, { results: DeletedRecords[] }>({
  name: 'DeleteRecords',
  decode(r) {
    const topics = r.array((r) => {
      const topic = r.string();
      return r.array((r) => ({ topic, partition: r.int32(), offset: r.int64() }));
    });
    r.int32(); // timeout_ms
    return { partitions: topics.flat() };
  },
  handle(broker, req) {
    return {
      results: req.partitions.map(({ topic, partition, offset }) => {
        const log = broker.topics.partition(topic, partition);
        if (log === undefined) return { topic, partition, lowWatermark: -1, errorCode: KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        const to = offset === -1 ? log.highWatermark : offset;
        if (to < 0 || to > log.highWatermark) return { topic, partition, lowWatermark: -1, errorCode: KafkaErrorCode.OFFSET_OUT_OF_RANGE };
        log.deleteBefore(to);
        return { topic, partition, lowWatermark: log.logStartOffset, errorCode: KafkaErrorCode.NONE };
      }),
    };
  },
  encode(w, res) {
    w.int32(0).array(byTopic(res.results), (w, t) => w.string(t.topic).array(t.partitions, (w, p) => w.int32(p.partition).int64(p.lowWatermark).int16(p.errorCode)));
  },
  fail: (_broker, req, errorCode) => ({ results: req.partitions.map((p) => ({ topic: p.topic, partition: p.partition, lowWatermark: -1, errorCode })) }),
});
