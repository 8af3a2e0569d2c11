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
