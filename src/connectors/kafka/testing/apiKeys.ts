/**
 * The Kafka APIs the test broker answers, each with the versions it implements. Clients read
 * this range from ApiVersions and pick the highest version both sides know: kafkajs 2.2.4 and
 * librdkafka take the minimum of their maximum and this one; kafka-python 2.0.2 infers a broker
 * release from it (2.3, from Fetch v11 without Produce v8) and uses that release's versions.
 *
 * No API here is used in a flexible version (KIP-482) except ApiVersions v3, which librdkafka
 * sends first: every other maximum is the last version before its flexible one, or lower.
 *
 * @example
 * ```ts
 * import { SUPPORTED_APIS } from 'tidemark/kafka/testing';
 *
 * const produce = SUPPORTED_APIS.find((api) => api.name === 'Produce')!;
 * console.log(produce.key, produce.minVersion, produce.maxVersion);
 * // output:
 * // 0 3 7
 * ```
 */
export const SUPPORTED_APIS: readonly SupportedApi[] = [
  { name: 'Produce', key: 0, minVersion: 3, maxVersion: 7 },
  { name: 'Fetch', key: 1, minVersion: 4, maxVersion: 11 },
  { name: 'ListOffsets', key: 2, minVersion: 0, maxVersion: 5 },
  { name: 'Metadata', key: 3, minVersion: 0, maxVersion: 6 },
  { name: 'OffsetCommit', key: 8, minVersion: 0, maxVersion: 7 },
  { name: 'OffsetFetch', key: 9, minVersion: 0, maxVersion: 5 },
  { name: 'FindCoordinator', key: 10, minVersion: 0, maxVersion: 2 },
  { name: 'JoinGroup', key: 11, minVersion: 0, maxVersion: 5 },
  { name: 'Heartbeat', key: 12, minVersion: 0, maxVersion: 3 },
  { name: 'LeaveGroup', key: 13, minVersion: 0, maxVersion: 3 },
  { name: 'SyncGroup', key: 14, minVersion: 0, maxVersion: 3 },
  { name: 'DescribeGroups', key: 15, minVersion: 0, maxVersion: 4 },
  { name: 'ListGroups', key: 16, minVersion: 0, maxVersion: 2 },
  { name: 'ApiVersions', key: 18, minVersion: 0, maxVersion: 3 },
  { name: 'CreateTopics', key: 19, minVersion: 0, maxVersion: 4 },
  { name: 'DeleteTopics', key: 20, minVersion: 0, maxVersion: 3 },
  { name: 'DeleteRecords', key: 21, minVersion: 0, maxVersion: 1 },
  { name: 'InitProducerId', key: 22, minVersion: 0, maxVersion: 1 },
  { name: 'AddPartitionsToTxn', key: 24, minVersion: 0, maxVersion: 2 },
  { name: 'AddOffsetsToTxn', key: 25, minVersion: 0, maxVersion: 2 },
  { name: 'EndTxn', key: 26, minVersion: 0, maxVersion: 2 },
  { name: 'TxnOffsetCommit', key: 28, minVersion: 0, maxVersion: 2 },
  { name: 'CreatePartitions', key: 37, minVersion: 0, maxVersion: 1 },
  { name: 'DeleteGroups', key: 42, minVersion: 0, maxVersion: 1 },
];

/**
 * One API of {@link SUPPORTED_APIS}: its name in the protocol guide, its key, its version range.
 *
 * @example
 * ```ts
 * import { SUPPORTED_APIS, type SupportedApi } from 'tidemark/kafka/testing';
 *
 * const flexibleOnly: SupportedApi[] = SUPPORTED_APIS.filter((api) => api.name === 'ApiVersions');
 * console.log(flexibleOnly);
 * // output:
 * // [ { name: 'ApiVersions', key: 18, minVersion: 0, maxVersion: 3 } ]
 * ```
 */
export interface SupportedApi {
  /** The API's name in the protocol guide, such as `'JoinGroup'`. */
  readonly name: ApiName;
  /** The API key in the request header. */
  readonly key: number;
  /** The lowest version the broker answers. */
  readonly minVersion: number;
  /** The highest version the broker answers. */
  readonly maxVersion: number;
}

/**
 * The name of an API the test broker answers, as the protocol guide names it.
 *
 * @example
 * ```ts
 * import { startTestBroker, type ApiName } from 'tidemark/kafka/testing';
 *
 * const broker = await startTestBroker();
 * const groupApis: ApiName[] = ['JoinGroup', 'SyncGroup', 'Heartbeat'];
 * for (const api of groupApis) broker.faults.delay(api, 100);
 * await broker.close();
 * ```
 */
export type ApiName =
  | 'Produce'
  | 'Fetch'
  | 'ListOffsets'
  | 'Metadata'
  | 'OffsetCommit'
  | 'OffsetFetch'
  | 'FindCoordinator'
  | 'JoinGroup'
  | 'Heartbeat'
  | 'LeaveGroup'
  | 'SyncGroup'
  | 'DescribeGroups'
  | 'ListGroups'
  | 'ApiVersions'
  | 'CreateTopics'
  | 'DeleteTopics'
  | 'DeleteRecords'
  | 'InitProducerId'
  | 'AddPartitionsToTxn'
  | 'AddOffsetsToTxn'
  | 'EndTxn'
  | 'TxnOffsetCommit'
  | 'CreatePartitions'
  | 'DeleteGroups';
