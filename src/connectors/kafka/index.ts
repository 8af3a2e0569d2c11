/**
 * tidemark/kafka: Kafka connectors for event-time pipelines, over kafkajs (an optional peer
 * dependency). `fromKafka` reads topics as an event-time stream with one watermark per
 * partition; `toKafka` writes results, plainly, idempotently, or in Kafka transactions tied to
 * checkpoints (exactly once for `read_committed` consumers); `kafkaPartitionTasks` runs one such
 * pipeline per assigned partition, so that its state moves with it in a rebalance.
 * @packageDocumentation
 * @module tidemark/kafka
 */

export type { FromKafkaConfig, KafkaSource, KafkaSourceControl } from './fromKafka.js';
export { fromKafka } from './fromKafka.js';
export type { KafkaOffset, KafkaPartition, KafkaRecord } from './KafkaRecord.js';
export type { KafkaConnectorFailure } from './KafkaConnectorError.js';
export { KafkaConnectorError } from './KafkaConnectorError.js';
export { MissingPeerDependencyError } from 'tidemark';
export type { KafkaCommit, KafkaSink, ToKafkaConfig } from './toKafka.js';
export { toKafka } from './toKafka.js';
export type { KafkaTransactions, KafkaTransactionsConfig } from './kafkaTransactions.js';
export { kafkaTransactions } from './kafkaTransactions.js';
export type { KafkaPartitionTasks, KafkaPartitionTasksConfig, KafkaPartitionTasksControl, KafkaTaskEvent, KafkaTaskStatus } from './kafkaPartitionTasks.js';
export { kafkaPartitionTasks } from './kafkaPartitionTasks.js';
