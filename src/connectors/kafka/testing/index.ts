/**
 * tidemark/kafka/testing: an in-process Kafka broker that speaks the Kafka wire protocol, so
 * that tests, CI and your own test suites run real Kafka clients (kafkajs, librdkafka-based
 * ones such as kcat and confluent-kafka, kafka-python) without a Kafka installation. One node,
 * in memory; produce (idempotent and transactional), fetch (read_committed too), consumer
 * groups with rebalances, offsets, topic and group administration; fault injection. The
 * command `tidemark-kafka-broker` runs it for other processes.
 * @packageDocumentation
 * @module tidemark/kafka/testing
 */

export type { CommittedOffsetInfo, GroupInfo, GroupMemberInfo, PartitionInfo, RequestRecord, TestBroker } from './TestBroker.js';
export type { TestBrokerOptions, TopicConfig, TopicSpec } from './TestBrokerOptions.js';
export { startTestBroker } from './startTestBroker.js';
export type { BrokerFaults, DropConnectionOptions, FaultOptions, InjectedFault } from './faults.js';
export type { KafkaErrorName } from './errorCodes.js';
export { KafkaErrorCode } from './errorCodes.js';
export type { ApiName, SupportedApi } from './apiKeys.js';
export { SUPPORTED_APIS } from './apiKeys.js';
export type { TestBrokerCliOptions } from './cli.js';
export { runTestBrokerCli } from './cli.js';
