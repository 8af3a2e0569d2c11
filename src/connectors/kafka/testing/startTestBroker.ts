import { InvalidArgumentError } from 'tidemark';
import { Broker } from './Broker.js';
import type { ApiName } from './apiKeys.js';
import type { BrokerFaults } from './faults.js';
import { BrokerServer } from './server/BrokerServer.js';

/**
 * A topic to create when the broker starts: a name (the default partition count), or a {@link TopicConfig}.
 *
 * @example
 * ```ts
 * import { startTestBroker, type TopicSpec } from 'tidemark/kafka/testing';
 *
 * const topics: TopicSpec[] = ['audit', { name: 'orders', partitions: 6 }];
 * const broker = await startTestBroker({ topics });
 * await broker.close();
 * ```
 */
export type TopicSpec = string | TopicConfig;

/**
 * A topic to create when the broker starts, with its partition count.
 *
 * @example
 * ```ts
 * import type { TopicConfig } from 'tidemark/kafka/testing';
 *
 * const orders: TopicConfig = { name: 'orders', partitions: 6 };
 * ```
 */
export interface TopicConfig {
  /** The topic's name. */
  readonly name: string;
  /**
   * Its partition count.
   * @defaultValue the broker's `partitions`
   */
  readonly partitions?: number;
}

/**
 * Options of {@link startTestBroker}.
 *
 * @example
 * ```ts
 * import { startTestBroker, type TestBrokerOptions } from 'tidemark/kafka/testing';
 *
 * // Short session timeouts, so that a test of a consumer dying takes a second, not Kafka's 45.
 * const options: TestBrokerOptions = { partitions: 3, minSessionTimeoutMs: 100, autoCreateTopics: false, topics: ['events'] };
 * const broker = await startTestBroker(options);
 * await broker.close();
 * ```
 */
export interface TestBrokerOptions {
  /**
   * The TCP port to listen on; 0 lets the system pick a free one (read it from
   * {@link TestBroker.port} or {@link TestBroker.brokers}).
   * @defaultValue 0
   */
  readonly port?: number;
  /**
   * The address to listen on, which is also the host the broker advertises in its metadata
   * (clients connect to it for every request after the first).
   * @defaultValue '127.0.0.1'
   */
  readonly host?: string;
  /**
   * The partition count of topics created without one: auto-created topics, `createTopic(name)`,
   * CreateTopics with -1 (Kafka's `num.partitions`).
   * @defaultValue 1
   */
  readonly partitions?: number;
  /** Topics to create before the broker accepts connections. */
  readonly topics?: readonly TopicSpec[];
  /**
   * Whether a Metadata request for an unknown topic creates it (Kafka's
   * `auto.create.topics.enable`); Metadata v4+ requests may also refuse it.
   * @defaultValue true
   */
  readonly autoCreateTopics?: boolean;
  /**
   * The shortest session timeout a consumer may ask for (Kafka's
   * `group.min.session.timeout.ms`). Lower it to test session expiry quickly; a JoinGroup
   * below it fails with INVALID_SESSION_TIMEOUT.
   * @defaultValue 6000
   */
  readonly minSessionTimeoutMs?: number;
  /**
   * The longest session timeout a consumer may ask for (`group.max.session.timeout.ms`).
   * @defaultValue 1800000
   */
  readonly maxSessionTimeoutMs?: number;
  /**
   * How long the first member of an empty group waits for others before its first generation
   * (`group.initial.rebalance.delay.ms`; Kafka's default is 3000, its test setups use 0).
   * @defaultValue 0
   */
  readonly initialRebalanceDelayMs?: number;
  /**
   * The longest transaction timeout a producer may ask for (`transaction.max.timeout.ms`).
   * @defaultValue 900000
   */
  readonly maxTransactionTimeoutMs?: number;
  /**
   * The broker's node id in metadata.
   * @defaultValue 1
   */
  readonly nodeId?: number;
  /**
   * The cluster id in metadata (v2+).
   * @defaultValue 'tidemark-test-cluster'
   */
  readonly clusterId?: string;
  /** Receives one line per notable event (connections closed on faults or bad requests, handler errors). Silent by default. */
  readonly log?: (line: string) => void;
}

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

function positiveInteger(name: string, value: number | undefined, fallback: number, min = 1): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min) throw new InvalidArgumentError(`startTestBroker: ${name} must be an integer ≥ ${min}, got ${String(value)}`);
  return v;
}

/**
 * Starts an in-process Kafka broker that speaks the Kafka wire protocol over TCP, for tests:
 * one node, everything in memory. Real clients connect to it — kafkajs, librdkafka (kcat,
 * confluent-kafka), kafka-python — to produce (plain, idempotent, transactional), fetch
 * (read_uncommitted and read_committed), run consumer groups with rebalances, commit offsets
 * and administer topics and groups. {@link TestBroker.faults} injects failures.
 *
 * Not a Kafka for production: no replication, no persistence, no security, no quotas.
 *
 * @example
 * ```ts
 * import { Kafka, logLevel } from 'kafkajs';
 * import { startTestBroker } from 'tidemark/kafka/testing';
 *
 * const broker = await startTestBroker({ topics: [{ name: 'events', partitions: 2 }] });
 * const kafka = new Kafka({ brokers: broker.brokers, logLevel: logLevel.NOTHING });
 * const producer = kafka.producer();
 * await producer.connect();
 * await producer.send({ topic: 'events', messages: [{ key: 'k', value: 'hello' }] });
 * await producer.disconnect();
 * console.log(broker.describeTopic('events')!.reduce((n, p) => n + p.highWatermark, 0));
 * await broker.close();
 * // output:
 * // 1
 * ```
 * @param options - where to listen, the topics to start with, group and transaction limits.
 * @returns the running broker, once it listens.
 * @throws InvalidArgumentError when an option is out of range or a topic cannot be created.
 */
export async function startTestBroker(options: TestBrokerOptions = {}): Promise<TestBroker> {
  const port = positiveInteger('port', options.port, 0, 0);
  if (port > 65535) throw new InvalidArgumentError(`startTestBroker: port must be at most 65535, got ${port}`);
  const minSessionTimeoutMs = positiveInteger('minSessionTimeoutMs', options.minSessionTimeoutMs, 6000);
  const maxSessionTimeoutMs = positiveInteger('maxSessionTimeoutMs', options.maxSessionTimeoutMs, 1_800_000);
  if (maxSessionTimeoutMs < minSessionTimeoutMs) {
    throw new InvalidArgumentError(`startTestBroker: maxSessionTimeoutMs (${maxSessionTimeoutMs}) must be at least minSessionTimeoutMs (${minSessionTimeoutMs})`);
  }
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const broker = new Broker({
    nodeId: positiveInteger('nodeId', options.nodeId, 1, 0),
    host,
    clusterId: options.clusterId ?? 'tidemark-test-cluster',
    defaultPartitions: positiveInteger('partitions', options.partitions, 1),
    autoCreateTopics: options.autoCreateTopics ?? true,
    minSessionTimeoutMs,
    maxSessionTimeoutMs,
    initialRebalanceDelayMs: positiveInteger('initialRebalanceDelayMs', options.initialRebalanceDelayMs, 0, 0),
    maxTransactionTimeoutMs: positiveInteger('maxTransactionTimeoutMs', options.maxTransactionTimeoutMs, 900_000),
  });
  const createTopic = (name: string, partitions?: number): void => {
    const { errorCode, message } = broker.topics.create(name, partitions ?? broker.config.defaultPartitions);
    if (errorCode !== 0) throw new InvalidArgumentError(`createTopic: ${message}`);
  };
  for (const spec of options.topics ?? []) {
    if (typeof spec === 'string') createTopic(spec);
    else createTopic(spec.name, spec.partitions);
  }
  const server = new BrokerServer(broker, log);
  await server.listen(port, host);
  return {
    brokers: [`${host}:${broker.port}`],
    host,
    port: broker.port,
    faults: server.faults,
    get connections() {
      return server.connectionCount;
    },
    requests: server.requests,
    createTopic,
    deleteTopic(name) {
      if (broker.topics.delete(name) !== 0) throw new InvalidArgumentError(`deleteTopic: Topic '${name}' does not exist.`);
    },
    listTopics: () => broker.topics.list().map((t) => t.name).sort(),
    describeTopic(name) {
      return broker.topics.get(name)?.partitions.map((p) => ({
        partition: p.partition,
        logStartOffset: p.logStartOffset,
        highWatermark: p.highWatermark,
        lastStableOffset: p.lastStableOffset,
      }));
    },
    describeGroup(groupId) {
      const group = broker.groups.describe(groupId);
      const offsets = broker.groups.fetch(groupId, null).map((o) => ({ topic: o.topic, partition: o.partition, offset: o.committed!.offset }));
      if (group === undefined) return undefined;
      return {
        groupId,
        state: group.state,
        generationId: group.generationId,
        protocol: group.protocolName,
        members: [...group.members.values()].map((m) => ({ memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost })),
        offsets,
      };
    },
    close: () => server.close(),
  };
}
