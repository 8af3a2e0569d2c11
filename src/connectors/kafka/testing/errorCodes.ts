/**
 * Kafka's error codes, by the names the protocol guide gives them: those this broker answers
 * with, and those a test may want to inject with {@link BrokerFaults.failNext}.
 *
 * @example
 * ```ts
 * import { KafkaErrorCode } from 'tidemark/kafka/testing';
 *
 * console.log(KafkaErrorCode.NOT_LEADER_OR_FOLLOWER, KafkaErrorCode.REBALANCE_IN_PROGRESS);
 * // output:
 * // 6 27
 * ```
 */
export const KafkaErrorCode = {
  /** An unexpected error on the broker (a handler threw). */
  UNKNOWN_SERVER_ERROR: -1,
  /** Success. */
  NONE: 0,
  /** The requested offset is before the log start or after the high watermark. */
  OFFSET_OUT_OF_RANGE: 1,
  /** A record batch failed its CRC-32C check or is malformed. */
  CORRUPT_MESSAGE: 2,
  /** There is no such topic or partition. */
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  /** The requested fetch size is invalid. */
  INVALID_FETCH_SIZE: 4,
  /** The partition has no leader right now (retriable: clients refresh metadata). */
  LEADER_NOT_AVAILABLE: 5,
  /** This broker does not lead the partition (retriable: clients refresh metadata). */
  NOT_LEADER_OR_FOLLOWER: 6,
  /** The request timed out on the broker (retriable). */
  REQUEST_TIMED_OUT: 7,
  /** The broker is not available. */
  BROKER_NOT_AVAILABLE: 8,
  /** A replica is not available. */
  REPLICA_NOT_AVAILABLE: 9,
  /** A record batch is larger than the broker accepts. */
  MESSAGE_TOO_LARGE: 10,
  /** The metadata of a committed offset is too long (over 4096 characters). */
  OFFSET_METADATA_TOO_LARGE: 12,
  /** The server disconnected before a response was received (retriable). */
  NETWORK_EXCEPTION: 13,
  /** The coordinator is loading its state (retriable). */
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  /** The coordinator is not available (retriable: clients look it up again). */
  COORDINATOR_NOT_AVAILABLE: 15,
  /** This broker is not the coordinator of the group or transaction (retriable). */
  NOT_COORDINATOR: 16,
  /** The topic name is not legal. */
  INVALID_TOPIC_EXCEPTION: 17,
  /** A produce request carries more than the broker accepts. */
  RECORD_LIST_TOO_LARGE: 18,
  /** Fewer in-sync replicas than required (retriable). */
  NOT_ENOUGH_REPLICAS: 19,
  /** Appended, but fewer in-sync replicas than required (retriable). */
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: 20,
  /** A produce request asks for acks other than -1, 0 or 1. */
  INVALID_REQUIRED_ACKS: 21,
  /** The generation id is not the group's current one. */
  ILLEGAL_GENERATION: 22,
  /** The member's protocol type or protocols do not fit the group's. */
  INCONSISTENT_GROUP_PROTOCOL: 23,
  /** The group id is empty. */
  INVALID_GROUP_ID: 24,
  /** The coordinator does not know the member id. */
  UNKNOWN_MEMBER_ID: 25,
  /** The session timeout is outside the broker's allowed range. */
  INVALID_SESSION_TIMEOUT: 26,
  /** The group is rebalancing: the member must join again. */
  REBALANCE_IN_PROGRESS: 27,
  /** The committed offset metadata is too large. */
  INVALID_COMMIT_OFFSET_SIZE: 28,
  /** A record's timestamp is not acceptable. */
  INVALID_TIMESTAMP: 32,
  /** The broker does not support the request's version. */
  UNSUPPORTED_VERSION: 35,
  /** A topic with this name exists. */
  TOPIC_ALREADY_EXISTS: 36,
  /** The partition count is not valid. */
  INVALID_PARTITIONS: 37,
  /** The replication factor is larger than the number of brokers (one). */
  INVALID_REPLICATION_FACTOR: 38,
  /** The replica assignment is not valid. */
  INVALID_REPLICA_ASSIGNMENT: 39,
  /** A configuration is not valid. */
  INVALID_CONFIG: 40,
  /** This broker is not the controller (retriable). */
  NOT_CONTROLLER: 41,
  /** The request is malformed or inconsistent. */
  INVALID_REQUEST: 42,
  /** The message format (magic 0 or 1) is not supported. */
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 43,
  /** An idempotent producer's sequence number skips or goes back. */
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  /** An idempotent producer's batch was already appended. */
  DUPLICATE_SEQUENCE_NUMBER: 46,
  /** The producer's epoch is older than the current one: a newer producer fenced it. */
  INVALID_PRODUCER_EPOCH: 47,
  /** The request does not fit the transaction's state. */
  INVALID_TXN_STATE: 48,
  /** The producer id does not belong to the transactional id. */
  INVALID_PRODUCER_ID_MAPPING: 49,
  /** The transaction timeout is larger than the broker allows. */
  INVALID_TRANSACTION_TIMEOUT: 50,
  /** The previous transaction is still completing (retriable). */
  CONCURRENT_TRANSACTIONS: 51,
  /** Not attempted because another part of the request failed. */
  OPERATION_NOT_ATTEMPTED: 55,
  /** A disk error on the broker (retriable). */
  KAFKA_STORAGE_ERROR: 56,
  /** The broker has no state for the producer id. */
  UNKNOWN_PRODUCER_ID: 59,
  /** The group has members, so it cannot be deleted. */
  NON_EMPTY_GROUP: 68,
  /** There is no such group. */
  GROUP_ID_NOT_FOUND: 69,
  /** The fetch session is unknown (this broker creates none). */
  FETCH_SESSION_ID_NOT_FOUND: 70,
  /** The fetch session epoch is not valid. */
  INVALID_FETCH_SESSION_EPOCH: 71,
  /** The compression codec is not supported. */
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  /** JoinGroup v4+: join again with the member id in the response. */
  MEMBER_ID_REQUIRED: 79,
  /** A record or batch breaks a rule (such as a control batch from a client). */
  INVALID_RECORD: 87,
  /** A newer producer with the same transactional id fenced this one (newer request versions). */
  PRODUCER_FENCED: 90,
} as const;

/**
 * The name of one of Kafka's error codes in {@link KafkaErrorCode}, such as `'NOT_COORDINATOR'`.
 *
 * @example
 * ```ts
 * import { KafkaErrorCode, type KafkaErrorName } from 'tidemark/kafka/testing';
 *
 * const retriable: KafkaErrorName[] = ['NOT_LEADER_OR_FOLLOWER', 'REQUEST_TIMED_OUT'];
 * console.log(retriable.map((name) => KafkaErrorCode[name]));
 * // output:
 * // [ 6, 7 ]
 * ```
 */
export type KafkaErrorName = keyof typeof KafkaErrorCode;
