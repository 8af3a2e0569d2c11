/**
 * The connectors under the test broker's fault injection: fromKafka → windowAggregate →
 * kafkaTransactions rides through lost fetches, a Produce that fails with a retriable error and
 * a delayed EndTxn, with every window result exactly once for read_committed consumers. A fault
 * kafkajs does not retry inside a transaction (a lost EndTxn) errors the run with a typed error
 * and aborts the transaction; the restart is exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundedOutOfOrderness, checkpoints, commitCheckpoints, count, mapEvents, tumbling, values, windowAggregate } from 'tidemark';
import { fromKafka, kafkaTransactions, KafkaConnectorError } from '../../../src/connectors/kafka/index.js';
import { startTestBroker, type TestBroker } from '../../../src/connectors/kafka/testing/index.js';
import { consume, eventually, kafkaFor, producerOf } from './testing/support/kafkajsClients.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker({ minSessionTimeoutMs: 100 });
});
afterAll(() => broker.close());

const consumerConfig = { sessionTimeout: 1_000, rebalanceTimeout: 1_000, heartbeatInterval: 100, maxWaitTimeInMs: 50 };
const kafka = () => kafkaFor(broker.brokers, { retry: { initialRetryTime: 20, retries: 10 }, requestTimeout: 1_000 });

async function produce(topic: string, timestamps: number[]): Promise<void> {
  const producer = producerOf(kafka());
  await producer.connect();
  await producer.send({ topic, messages: timestamps.map((ts, i) => ({ partition: i % 2, value: JSON.stringify({ ts }) })) });
  await producer.disconnect();
}

/** Counts per 10-second window, exactly once; `transactionalId` defaults to one per test. */
function pipeline(name: string, transactionalId = `tx-${name}`) {
  const eo = kafkaTransactions<{ start: number; n: number }>({ kafka: kafka(), transactionalId, groupId: `g-${name}`, topic: `${name}-out` });
  const cp = checkpoints({ store: eo.store });
  const source = fromKafka<{ ts: number }>({
    kafka: kafka(),
    groupId: `g-${name}`,
    topics: [`${name}-in`],
    fromBeginning: true,
    consumerConfig,
    checkpoints: cp,
    deserialize: (m) => JSON.parse(m.value!.toString()) as { ts: number },
    timestamp: (r) => r.value.ts,
    watermark: boundedOutOfOrderness(0),
  });
  let error: unknown;
  const sub = source
    .pipe(
      windowAggregate({ id: 'n', window: tumbling(10_000), aggregate: count() }),
      mapEvents((w) => ({ start: w.start, n: w.value })),
      commitCheckpoints(cp, { sink: eo.sink }),
      values(),
    )
    .subscribe({ error: (e: unknown) => (error = e) });
  return { cp, source, sub, error: () => error, close: async () => (sub.unsubscribe(), await source.disconnected(), await eo.store.close()) };
}

const committed = async (topic: string, count: number) => (await consume(kafka(), { topic, count, quietMs: 300 })).map((m) => JSON.parse(m.value!) as { start: number; n: number }).sort((a, b) => a.start - b.start);
const timestamps = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i * 1_000);

describe('kafkaTransactions under faults', () => {
  it('rides through retriable errors, delays and lost fetches: each window once', { timeout: 60_000 }, async () => {
    broker.createTopic('faulty-in', 2);
    broker.createTopic('faulty-out', 1);
    const p = pipeline('faulty');
    await produce('faulty-in', timestamps(0, 25)); // windows [0,10s) and [10s,20s) close on both partitions
    await eventually('the first results', () => broker.describeTopic('faulty-out')![0]!.highWatermark >= 1);
    broker.faults.delay('EndTxn', 300);
    await p.cp.triggerCheckpoint();
    broker.faults.dropConnection('Fetch', { count: 2 });
    broker.faults.failNext('Produce', 'NOT_LEADER_OR_FOLLOWER', { count: 2 });
    await produce('faulty-in', timestamps(25_000, 20));
    await eventually('the later results', () => broker.describeTopic('faulty-out')![0]!.highWatermark >= 5);
    await p.cp.triggerCheckpoint();
    expect(p.error()).toBeUndefined();
    expect(await committed('faulty-out', 4)).toEqual([
      { start: 0, n: 10 },
      { start: 10_000, n: 10 },
      { start: 20_000, n: 10 },
      { start: 30_000, n: 10 },
    ]);
    expect(new Set(broker.faults.history.map((f) => f.kind))).toEqual(new Set(['drop', 'fail', 'delay']));
    await p.close();
  });

  it('a connection lost inside a transaction errors the run (typed) and aborts it; the restart gives each window once', { timeout: 60_000 }, async () => {
    broker.createTopic('dropped-in', 2);
    broker.createTopic('dropped-out', 1);
    await produce('dropped-in', timestamps(0, 25));
    const first = pipeline('dropped');
    await eventually('the first results', () => broker.describeTopic('dropped-out')![0]!.highWatermark >= 1);
    broker.faults.dropConnection('EndTxn', { lose: 'request', count: Infinity });
    await first.cp.triggerCheckpoint().catch(() => undefined);
    await eventually('the run errored', () => first.error() !== undefined);
    const e = first.error() as KafkaConnectorError;
    expect([KafkaConnectorError.isKafkaConnectorError(e), e.reason]).toEqual([true, 'transaction']);
    await first.close();
    broker.faults.clear();
    expect(await committed('dropped-out', 0)).toEqual([]);
    const second = pipeline('dropped');
    await eventually('the results again', () => second.source.assignment.length > 0 && broker.describeTopic('dropped-out')![0]!.highWatermark >= 4);
    await second.cp.triggerCheckpoint();
    expect(await committed('dropped-out', 2)).toEqual([{ start: 0, n: 10 }, { start: 10_000, n: 10 }]);
    await second.close();
  });
});
