import { KafkaErrorCode } from '../errorCodes.js';
import type { Broker } from '../Broker.js';
import { illegalTopicName } from '../log/Topics.js';
import { defineApi } from './Api.js';

interface MetadataRequest {
  /** `null`: every topic. */
  topics: string[] | null;
  allowAutoTopicCreation: boolean;
}

interface TopicMetadata {
  errorCode: number;
  name: string;
  partitions: number;
}

interface MetadataResponse {
  nodeId: number;
  host: string;
  port: number;
  clusterId: string;
  topics: TopicMetadata[];
}

function response(broker: Broker, topics: TopicMetadata[]): MetadataResponse {
  return { nodeId: broker.config.nodeId, host: broker.config.host, port: broker.port, clusterId: broker.config.clusterId, topics };
}

/** The metadata of the topics asked for, creating unknown ones when both the broker and the request allow it. */
function topicMetadata(broker: Broker, request: MetadataRequest): TopicMetadata[] {
  if (request.topics === null) return broker.topics.list().map((t) => ({ errorCode: KafkaErrorCode.NONE, name: t.name, partitions: t.partitions.length }));
  return request.topics.map((name) => {
    let topic = broker.topics.get(name);
    if (topic === undefined && broker.config.autoCreateTopics && request.allowAutoTopicCreation) {
      if (illegalTopicName(name) !== null) return { errorCode: KafkaErrorCode.INVALID_TOPIC_EXCEPTION, name, partitions: 0 };
      broker.topics.create(name, broker.config.defaultPartitions);
      topic = broker.topics.get(name);
    }
    if (topic === undefined) return { errorCode: KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, partitions: 0 };
    return { errorCode: KafkaErrorCode.NONE, name, partitions: topic.partitions.length };
  });
}

/**
 * Metadata (key 3) v0–v6: the one broker (node id, host, port), the cluster id (v2+), the
 * controller (v1+: this broker), and each topic's partitions, all led by this broker with it as
 * the only replica. v0 asks for every topic with an empty list, v1+ with null; v4+ says whether
 * an unknown topic may be created. A topic created this way is ready at once (Kafka answers
 * LEADER_NOT_AVAILABLE first; clients retry either way).
 * @internal
 */
export const metadata = defineApi<MetadataRequest, MetadataResponse>({
  name: 'Metadata',
  decode(r, version) {
    const topics = version === 0 ? r.array((r) => r.string()) : r.nullableArray((r) => r.string());
    const allowAutoTopicCreation = version >= 4 ? r.boolean() : true;
    return { topics: version === 0 && topics !== null && topics.length === 0 ? null : topics, allowAutoTopicCreation };
  },
  handle: (broker, request) => response(broker, topicMetadata(broker, request)),
  encode(w, res, version) {
    if (version >= 3) w.int32(0);
    w.array([res], (w, b) => {
      w.int32(b.nodeId).string(b.host).int32(b.port);
      if (version >= 1) w.nullableString(null);
    });
    if (version >= 2) w.nullableString(res.clusterId);
    if (version >= 1) w.int32(res.nodeId);
    w.array(res.topics, (w, t) => {
      w.int16(t.errorCode).string(t.name);
      if (version >= 1) w.boolean(false);
      w.array(Array.from({ length: t.partitions }, (_, p) => p), (w, p) => {
        w.int16(KafkaErrorCode.NONE).int32(p).int32(res.nodeId);
        w.array([res.nodeId], (w, n) => w.int32(n));
        w.array([res.nodeId], (w, n) => w.int32(n));
        if (version >= 5) w.array([], () => {});
      });
    });
  },
  fail: (broker, req, errorCode) => response(broker, (req.topics ?? broker.topics.list().map((t) => t.name)).map((name) => ({ errorCode, name, partitions: 0 }))),
});
