import { InvalidArgumentError } from 'tidemark';
import { Broker } from './Broker.js';
import { BrokerServer } from './server/BrokerServer.js';
import type { TestBroker } from './TestBroker.js';
import type { TestBrokerOptions } from './TestBrokerOptions.js';

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
