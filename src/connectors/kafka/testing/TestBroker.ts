import type { ApiName } from './apiKeys.js';
import type { BrokerFaults } from './faults.js';

/**
 * A partition of a topic as the broker holds it.
 *
 * @example
 * ```ts
 * import { startTestBroker, type PartitionInfo } from 'tidemark/kafka/testing';
 *
 * const broker = await startTestBroker({ topics: [{ name: 'events', partitions: 2 }] });
 * const partitions: readonly PartitionInfo[] = broker.describeTopic('events')!;
 * console.log(partitions.map((p) => [p.partition, p.highWatermark, p.lastStableOffset]));
 * await broker.close();
 * // output:
 * // [ [ 0, 0, 0 ], [ 1, 0, 0 ] ]
 * ```
 */
export interface PartitionInfo {
  /** The partition's index. */
  readonly partition: number;
  /** The first offset still in the log. */
  readonly logStartOffset: number;
  /** The offset the next record gets (one replica: also the log end offset). */
  readonly highWatermark: number;
  /** The first offset of the oldest open transaction, or the high watermark: what read_committed consumers read up to. */
  readonly lastStableOffset: number;
}

/**
 * A consumer group as the coordinator holds it.
 *
 * @example
 * ```ts
 * import { startTestBroker, type GroupInfo } from 'tidemark/kafka/testing';
 *
 * const broker = await startTestBroker();
 * const group: GroupInfo | undefined = broker.describeGroup('billing');
 * console.log(group); // no consumer has joined or committed yet
 * await broker.close();
 * // output:
 * // undefined
 * ```
 */
export interface GroupInfo {
  /** The group's id. */
  readonly groupId: string;
  /** The classic group protocol's state. */
  readonly state: 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable';
  /** The current generation (0 before the first rebalance). */
  readonly generationId: number;
  /** The chosen assignment protocol, such as `'RoundRobinAssigner'` (kafkajs) or `'range'`. */
  readonly protocol: string | null;
  /** The members. */
  readonly members: readonly GroupMemberInfo[];
  /** The committed offsets, by topic and partition (those of open transactions not yet). */
  readonly offsets: readonly CommittedOffsetInfo[];
}

/**
 * A member of a group, in {@link GroupInfo}.
 *
 * @example
 * ```ts
 * import type { GroupInfo, GroupMemberInfo } from 'tidemark/kafka/testing';
 *
 * const clientIds = (group: GroupInfo): string[] => group.members.map((m: GroupMemberInfo) => m.clientId);
 * ```
 */
export interface GroupMemberInfo {
  /** The id the coordinator gave the member. */
  readonly memberId: string;
  /** The client id of its requests. */
  readonly clientId: string;
  /** The address it connects from. */
  readonly clientHost: string;
}

/**
 * An offset a group committed, in {@link GroupInfo}.
 *
 * @example
 * ```ts
 * import type { CommittedOffsetInfo, GroupInfo } from 'tidemark/kafka/testing';
 *
 * const lag = (group: GroupInfo, ends: Map<string, number>): number =>
 *   group.offsets.reduce((n, o: CommittedOffsetInfo) => n + (ends.get(`${o.topic}/${o.partition}`) ?? o.offset) - o.offset, 0);
 * ```
 */
export interface CommittedOffsetInfo {
  /** The topic. */
  readonly topic: string;
  /** The partition. */
  readonly partition: number;
  /** The committed offset: the next one the group will read. */
  readonly offset: number;
}

/**
 * A request the broker received: which API, in which version, from which client.
 *
 * @example
 * ```ts
 * import type { RequestRecord, TestBroker } from 'tidemark/kafka/testing';
 *
 * // The versions a client used, per API: what it negotiated with the broker.
 * const versionsOf = (broker: TestBroker, clientId: string): string[] =>
 *   [...new Set(broker.requests.filter((r: RequestRecord) => r.clientId === clientId).map((r) => `${r.api} v${r.version}`))];
 * ```
 */
export interface RequestRecord {
  /** The API. */
  readonly api: ApiName;
  /** The version the client chose. */
  readonly version: number;
  /** The client id of the request header. */
  readonly clientId: string;
  /** The correlation id of the request header. */
  readonly correlationId: number;
}

/**
 * A running test broker, from {@link startTestBroker}.
 *
 * @example
 * ```ts
 * import { startTestBroker, type TestBroker } from 'tidemark/kafka/testing';
 *
 * const broker: TestBroker = await startTestBroker({ partitions: 2 });
 * broker.createTopic('events');
 * broker.createTopic('audit', 1);
 * console.log(broker.listTopics(), broker.describeTopic('events')!.length, broker.connections);
 * broker.deleteTopic('audit');
 * await broker.close();
 * // output:
 * // [ 'audit', 'events' ] 2 0
 * ```
 */
export interface TestBroker {
  /** The bootstrap list for a client: `['127.0.0.1:<port>']`. */
  readonly brokers: string[];
  /** The host it listens on and advertises. */
  readonly host: string;
  /** The port it listens on. */
  readonly port: number;
  /** Fault injection: drop connections, fail requests, delay responses. */
  readonly faults: BrokerFaults;
  /** Open client connections. */
  readonly connections: number;
  /**
   * The requests received (the latest 10,000), oldest first, in the order they arrived: what
   * each client negotiated and sent.
   */
  readonly requests: readonly RequestRecord[];
  /**
   * Creates a topic (partitions: the broker's default).
   * @throws InvalidArgumentError when the name is illegal, the topic exists, or the count is not a positive integer.
   */
  createTopic(name: string, partitions?: number): void;
  /**
   * Deletes a topic, its records and the offsets committed on it.
   * @throws InvalidArgumentError when there is no such topic.
   */
  deleteTopic(name: string): void;
  /** The topics' names, sorted. */
  listTopics(): string[];
  /** A topic's partitions and their offsets, or `undefined` if there is no such topic. */
  describeTopic(name: string): readonly PartitionInfo[] | undefined;
  /** A group's state, members and committed offsets, or `undefined` if there is no such group. */
  describeGroup(groupId: string): GroupInfo | undefined;
  /**
   * Stops the broker: closes the listening socket and every connection, cancels every timer.
   * Afterwards nothing of it keeps the process alive. Calling it again returns the same promise.
   */
  close(): Promise<void>;
}
