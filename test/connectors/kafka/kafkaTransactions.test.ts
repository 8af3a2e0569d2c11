/**
 * kafkaTransactions with tidemark's checkpoint coordinator, kafkajs 2.2.4 and the test broker:
 * fromKafka → windowAggregate{id} → commitCheckpoints(cp, { sink }) writes each window result
 * exactly once for read_committed consumers; a run abandoned between checkpoints (a crash) and
 * restarted restores the window state from the checkpoint its last transaction committed.
 */
import { type Subscription } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundedOutOfOrderness, checkpoints, commitCheckpoints, mapEvents, MemoryCheckpointStore, sum, tumbling, values, windowAggregate, type Checkpoints } from 'tidemark';
import { fromKafka, kafkaTransactions, type KafkaSource } from '../../../src/connectors/kafka/index.js';
import { startTestBroker, type TestBroker } from '../../../src/connectors/kafka/testing/index.js';
import { consume, eventually, kafkaFor, producerOf } from './testing/support/kafkajsClients.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker({ minSessionTimeoutMs: 100 });
});
afterAll(() => broker.close());

const consumerConfig = { sessionTimeout: 1_000, rebalanceTimeout: 1_000, heartbeatInterval: 100, maxWaitTimeInMs: 50 };
const kafka = () => kafkaFor(broker.brokers);

interface Click { key: string; ts: number; amount: number }
interface Count { key: string; start: number; sum: number }

async function produce(topic: string, clicks: (Click & { partition: number })[]): Promise<void> {
  const producer = producerOf(kafka());
  await producer.connect();
  await producer.send({ topic, messages: clicks.map(({ partition, ...c }) => ({ partition, key: c.key, value: JSON.stringify(c) })) });
  await producer.disconnect();
}

/** One run of the pipeline; `cache` is the local store the transactions keep as a cache. */
function run(input: string, output: string, cache?: MemoryCheckpointStore): { source: KafkaSource<Click>; cp: Checkpoints; sub: Subscription; error: () => unknown; done: () => boolean } {
  const eo = kafkaTransactions<Count>({ kafka: kafka(), transactionalId: `eo-${input}`, groupId: `g-${input}`, topic: output, key: (c) => c.key, cache });
  const cp = checkpoints({ store: eo.store });
  const source = fromKafka<Click>({
    kafka: kafka(),
    groupId: `g-${input}`,
    topics: [input],
    fromBeginning: true,
    consumerConfig,
    checkpoints: cp,
    deserialize: (m) => JSON.parse(m.value!.toString()) as Click,
    timestamp: (r) => r.value.ts,
    watermark: boundedOutOfOrderness(1_000),
  });
  let error: unknown;
  let done = false;
  const sub = source
    .pipe(
      windowAggregate({ id: 'sums', window: tumbling(10_000), key: (r) => r.value.key, aggregate: sum((r) => r.value.amount) }),
      mapEvents((w) => ({ key: w.key, start: w.start, sum: w.value })),
      commitCheckpoints(cp, { sink: eo.sink }),
      values(),
    )
    .subscribe({ error: (e: unknown) => (error = e), complete: () => (done = true) });
  return { source, cp, sub, error: () => error, done: () => done };
}

const committedCounts = async (topic: string, count: number) =>
  (await consume(kafka(), { topic, count, quietMs: 300 })).map((m) => JSON.parse(m.value!) as Count).sort((a, b) => a.key.localeCompare(b.key) || a.start - b.start);

describe('kafkaTransactions', () => {
  it('commits window results, state and offsets in one transaction per checkpoint', async () => {
    broker.createTopic('k-in', 2);
    broker.createTopic('k-out', 1);
    await produce('k-in', [
      { partition: 0, key: 'a', ts: 1_000, amount: 1 },
      { partition: 1, key: 'b', ts: 2_000, amount: 2 },
      { partition: 0, key: 'a', ts: 12_000, amount: 3 },
      { partition: 1, key: 'b', ts: 12_500, amount: 4 },
    ]);
    const r = run('k-in', 'k-out');
    await eventually('the first windows fired and were sent', () => broker.describeTopic('k-out')![0]!.highWatermark >= 2);
    expect(await committedCounts('k-out', 0)).toEqual([]); // in the open transaction
    const id = await r.cp.triggerCheckpoint();
    expect(r.cp.committed?.id).toBe(id);
    expect(await committedCounts('k-out', 2)).toEqual([{ key: 'a', start: 0, sum: 1 }, { key: 'b', start: 0, sum: 2 }]);
    const offsets = broker.describeGroup('g-k-in')!.offsets.map((o) => [o.partition, o.offset]).sort();
    expect(offsets).toEqual([[0, 2], [1, 2]]);
    expect(r.error()).toBeUndefined();
    r.sub.unsubscribe();
    await r.source.disconnected();
  });

  it('after a crash between checkpoints, a restart gives every result exactly once, from the cache or from Kafka', async () => {
    for (const cache of [new MemoryCheckpointStore(), undefined]) {
      const input = cache === undefined ? 'c-in-kafka' : 'c-in-cache';
      const output = `${input}-out`;
      broker.createTopic(input, 2);
      broker.createTopic(output, 1);
      await produce(input, [
        { partition: 0, key: 'a', ts: 1_000, amount: 1 },
        { partition: 1, key: 'b', ts: 3_000, amount: 2 },
        { partition: 0, key: 'a', ts: 5_000, amount: 10 },
        { partition: 1, key: 'b', ts: 11_500, amount: 4 },
        { partition: 0, key: 'a', ts: 11_000, amount: 5 },
      ]);
      const first = run(input, output, cache);
      await eventually('window [0,10s) fired', () => broker.describeTopic(output)![0]!.highWatermark >= 2);
      await first.cp.triggerCheckpoint(); // state: the open windows [10s,20s) of a and b
      await produce(input, [
        { partition: 0, key: 'a', ts: 14_000, amount: 7 },
        { partition: 1, key: 'b', ts: 25_000, amount: 1 },
        { partition: 0, key: 'a', ts: 26_000, amount: 1 },
      ]);
      await eventually('window [10s,20s) fired in the second transaction', () => broker.describeTopic(output)![0]!.highWatermark >= 4);
      first.sub.unsubscribe(); // crash: the second transaction is never committed
      await first.source.disconnected();
      const second = run(input, output, cache);

      await eventually('the restart sent [10s,20s) again', async () => (await consume(kafka(), { topic: output, quietMs: 50, readUncommitted: true })).length >= 6);
      await second.cp.triggerCheckpoint();
      expect(await committedCounts(output, 4)).toEqual([
        { key: 'a', start: 0, sum: 11 },
        { key: 'a', start: 10_000, sum: 12 },
        { key: 'b', start: 0, sum: 2 },
        { key: 'b', start: 10_000, sum: 4 },
      ]);
      expect(second.error()).toBeUndefined();
      second.sub.unsubscribe();
      await second.source.disconnected();
    }
  });
});
