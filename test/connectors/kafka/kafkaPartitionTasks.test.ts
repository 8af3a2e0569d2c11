/**
 * kafkaPartitionTasks against the test broker (kafkajs 2.2.4): one task per assigned partition,
 * each with its own checkpoints and transactional id. A partition that moves to another member in
 * a rebalance takes its open windows along (the new owner restores the partition's checkpoint from
 * Kafka and fences the old owner's producer), so the read_committed output is the batch answer,
 * each window once.
 */
import { take, type Observable } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundedOutOfOrderness, InvalidArgumentError, mapEvents, MemoryCheckpointStore, sum, tumbling, windowAggregate, type StreamElement } from 'tidemark';
import { KafkaConnectorError, kafkaPartitionTasks, type KafkaPartitionTasks, type KafkaRecord, type KafkaTaskEvent } from '../../../src/connectors/kafka/index.js';
import { startTestBroker, type TestBroker } from '../../../src/connectors/kafka/testing/index.js';
import { consume, eventually, kafkaFor, producerOf } from './testing/support/kafkajsClients.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker({ minSessionTimeoutMs: 100 });
});
afterAll(() => broker.close());

interface Click { key: string; ts: number; amount: number }
interface Sum { key: string; start: number; sum: number }

const consumerConfig = { sessionTimeout: 1_000, rebalanceTimeout: 2_000, heartbeatInterval: 100, maxWaitTimeInMs: 50 };

async function produce(topic: string, clicks: (Click & { partition: number })[]): Promise<void> {
  const producer = producerOf(kafkaFor(broker.brokers));
  await producer.connect();
  await producer.send({ topic, messages: clicks.map(({ partition, ...c }) => ({ partition, key: c.key, value: JSON.stringify(c) })) });
  await producer.disconnect();
}

function member(input: string, output: string, caches?: Map<string, MemoryCheckpointStore>): { tasks: KafkaPartitionTasks; events: KafkaTaskEvent[]; errors: unknown[]; stop: () => Promise<void> } {
  const tasks = kafkaPartitionTasks<Click, Sum>({
    kafka: kafkaFor(broker.brokers),
    groupId: `g-${input}`,
    topics: [input],
    fromBeginning: true,
    consumerConfig,
    interval: 200,
    deserialize: (m) => JSON.parse(m.value!.toString()) as Click,
    timestamp: (r) => r.value.ts,
    watermark: boundedOutOfOrderness(1_000),
    task: (records) =>
      records.pipe(
        windowAggregate({ id: 'sums', window: tumbling(10_000), key: (r) => r.value.key, aggregate: sum((r) => r.value.amount) }),
        mapEvents((w) => ({ key: w.key, start: w.start, sum: w.value })),
      ),
    topic: output,
    key: (s) => s.key,
    cache: caches === undefined ? undefined : (p) => {
      const key = `${p.topic}/${p.partition}`;
      if (!caches.has(key)) caches.set(key, new MemoryCheckpointStore());
      return caches.get(key)!;
    },
  });
  const events: KafkaTaskEvent[] = [];
  const errors: unknown[] = [];
  const sub = tasks.subscribe({ next: (e) => events.push(e), error: (e: unknown) => errors.push(e) });
  return { tasks, events, errors, stop: async () => (sub.unsubscribe(), await tasks.disconnected()) };
}

const committed = async (topic: string, count: number) =>
  (await consume(kafkaFor(broker.brokers), { topic, count, quietMs: 300 })).map((m) => JSON.parse(m.value!) as Sum).sort((a, b) => a.key.localeCompare(b.key) || a.start - b.start);

const settled = (m: ReturnType<typeof member>) => m.tasks.assignment.length > 0 && !m.tasks.rebalancing && m.tasks.tasks().every((t) => t.state === 'running' && t.next === t.committed);

describe('kafkaPartitionTasks', () => {
  it('checks its options when made', () => {
    const base = { brokers: ['127.0.0.1:1'], groupId: 'g', topics: ['t'], topic: 'o', task: <E,>(input: E) => input };
    expect(() => kafkaPartitionTasks({ ...base, groupId: '' })).toThrow(InvalidArgumentError);
    expect(() => kafkaPartitionTasks({ ...base, topics: [] })).toThrow(/kafkaPartitionTasks: topics must be a non-empty array/);
    expect(() => kafkaPartitionTasks({ ...base, task: 3 as never })).toThrow(/kafkaPartitionTasks: task must be a function/);
    expect(() => kafkaPartitionTasks({ ...base, interval: -1 })).toThrow(/kafkaPartitionTasks: interval must be a positive number/);
    expect(() => kafkaPartitionTasks({ ...base, kafka: kafkaFor(['127.0.0.1:1']) } as never)).toThrow(/give exactly one of kafka or brokers/);
  });

  it('a partition that moves to a new member takes its open windows along: every window once, with the state from before the move', { timeout: 60_000 }, async () => {
    broker.createTopic('m-in', 2);
    broker.createTopic('m-out', 1);
    // Open windows [0, 10 s) of a (partition 0) and b (partition 1) before the second member joins.
    await produce('m-in', [
      { partition: 0, key: 'a', ts: 1_000, amount: 1 },
      { partition: 1, key: 'b', ts: 2_000, amount: 2 },
      { partition: 0, key: 'a', ts: 5_000, amount: 10 },
      { partition: 1, key: 'b', ts: 6_000, amount: 20 },
    ]);
    const a = member('m-in', 'm-out');
    await eventually('member a committed both partitions', () => settled(a) && a.tasks.tasks().length === 2 && a.tasks.tasks().every((t) => t.committed === 2), 20_000);
    const b = member('m-in', 'm-out');
    await eventually('the two members split the partitions', () => settled(a) && settled(b) && a.tasks.assignment.length === 1 && b.tasks.assignment.length === 1, 20_000);
    const moved = b.tasks.assignment[0]!;
    expect(b.events.find((e) => e.kind === 'started' && e.partition === moved.partition)).toMatchObject({ checkpointId: expect.any(Number), offset: 2 });
    expect(a.events.some((e) => (e.kind === 'stopped' || e.kind === 'fenced') && e.partition === moved.partition)).toBe(true);
    // The windows close in whichever member holds the partition now.
    await produce('m-in', [
      { partition: 0, key: 'a', ts: 8_000, amount: 100 },
      { partition: 1, key: 'b', ts: 9_000, amount: 200 },
      { partition: 0, key: 'a', ts: 21_000, amount: 1 },
      { partition: 1, key: 'b', ts: 22_000, amount: 1 },
    ]);
    expect(await committed('m-out', 2)).toEqual([
      { key: 'a', start: 0, sum: 111 },
      { key: 'b', start: 0, sum: 222 },
    ]);
    expect([a.errors, b.errors]).toEqual([[], []]);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('a starting task fences the previous owner of its partition before it restores: the old open transaction is aborted and cannot commit', { timeout: 30_000 }, async () => {
    broker.createTopic('z-in', 1);
    broker.createTopic('z-out', 1);
    // The old owner: a producer with the task's transactional id, a result in its open transaction.
    const old = kafkaFor(broker.brokers).producer({ transactionalId: 'g-z-in-z-in-0', idempotent: true, maxInFlightRequests: 1 });
    await old.connect();
    const txn = await old.transaction();
    await txn.send({ topic: 'z-out', messages: [{ key: 'a', value: JSON.stringify({ key: 'a', start: 0, sum: 999 }) }] });
    const b = member('z-in', 'z-out');
    await eventually('the new task started', () => b.events.some((e) => e.kind === 'started'), 20_000);
    await expect(txn.commit()).rejects.toThrow();
    await old.disconnect();
    await produce('z-in', [
      { partition: 0, key: 'a', ts: 1_000, amount: 1 },
      { partition: 0, key: 'a', ts: 21_000, amount: 1 },
    ]);
    expect(await committed('z-out', 1)).toEqual([{ key: 'a', start: 0, sum: 1 }]);
    expect(b.errors).toEqual([]);
    await b.stop();
  });

  it('a task fenced while the group still gives it its partition (another producer took its transactional id) stops, starts again from Kafka after restartDelay, and nothing is lost or doubled', { timeout: 60_000 }, async () => {
    broker.createTopic('f-in', 1);
    broker.createTopic('f-out', 1);
    await produce('f-in', [
      { partition: 0, key: 'a', ts: 1_000, amount: 1 },
      { partition: 0, key: 'a', ts: 2_000, amount: 2 },
    ]);
    const a = member('f-in', 'f-out');
    await eventually('the task committed its first records', () => settled(a) && a.tasks.tasks()[0]!.committed === 2, 20_000);
    // A zombie's successor: a producer with the task's transactional id fences the task's producer.
    const intruder = kafkaFor(broker.brokers).producer({ transactionalId: 'g-f-in-f-in-0', idempotent: true, maxInFlightRequests: 1 });
    await intruder.connect();
    await (await intruder.transaction()).abort(); // kafkajs sends InitProducerId with the transactional id here
    await produce('f-in', [{ partition: 0, key: 'a', ts: 5_000, amount: 10 }]);
    await eventually('the task was fenced and started again', () => a.events.some((e) => e.kind === 'fenced') && a.events.filter((e) => e.kind === 'started').length >= 2, 20_000);
    await intruder.disconnect();
    await produce('f-in', [{ partition: 0, key: 'a', ts: 21_000, amount: 1 }]);
    expect(await committed('f-out', 1)).toEqual([{ key: 'a', start: 0, sum: 13 }]);
    const restarted = a.events.filter((e) => e.kind === 'started')[1]!;
    expect(restarted.checkpointId).toBeGreaterThan(0); // from the checkpoint in Kafka
    expect(a.errors).toEqual([]);
    await a.stop();
  });

  it('a record that cannot be deserialized errors the stream with a KafkaConnectorError naming topic, partition and offset; with deadLetter it goes there', { timeout: 30_000 }, async () => {
    broker.createTopic('bad-in', 1);
    broker.createTopic('bad-out', 1);
    const producer = producerOf(kafkaFor(broker.brokers));
    await producer.connect();
    await producer.send({ topic: 'bad-in', messages: [{ partition: 0, value: JSON.stringify({ key: 'a', ts: 1, amount: 1 }) }, { partition: 0, value: 'not json' }] });
    await producer.disconnect();
    const letters: unknown[] = [];
    for (const deadLetter of [undefined, (l: { error: unknown }) => void letters.push(l.error)]) {
      const tasks = kafkaPartitionTasks<Click, KafkaRecord<Click>>({
        kafka: kafkaFor(broker.brokers),
        groupId: `g-bad-${deadLetter === undefined ? 'error' : 'letter'}`,
        topics: ['bad-in'],
        fromBeginning: true,
        consumerConfig,
        deserialize: (m) => JSON.parse(m.value!.toString()) as Click,
        timestamp: (r) => r.value.ts,
        deadLetter,
        task: (input) => input,
        topic: 'bad-out',
      });
      const errors: unknown[] = [];
      const sub = tasks.subscribe({ error: (e: unknown) => errors.push(e) });
      await eventually('the bad record was read', () => errors.length > 0 || letters.length > 0, 20_000);
      sub.unsubscribe();
      await tasks.disconnected();
      const error = deadLetter === undefined ? errors[0] : letters[0];
      expect(KafkaConnectorError.isKafkaConnectorError(error)).toBe(true);
      expect(error).toMatchObject({ reason: 'deserialization', topic: 'bad-in', partition: 0, offset: 1 });
      expect((error as Error).message).toMatch(/^kafkaPartitionTasks: .*cannot deserialize the record bad-in\/0@1.*fix the deserialize option/);
      if (deadLetter !== undefined) expect(errors).toEqual([]);
    }
  });

  it('a task function that throws, or a task that completes, errors the stream with a typed error naming the partition and the fix', { timeout: 30_000 }, async () => {
    broker.createTopic('odd-in', 1);
    broker.createTopic('odd-out', 1);
    const cases: [string, (input: Observable<StreamElement<KafkaRecord<Buffer | null>>>) => Observable<StreamElement<unknown>>, RegExp][] = [
      ['throws', () => { throw new Error('no pipeline today'); }, /^kafkaPartitionTasks: the task of odd-in\/0 failed: no pipeline today/],
      ['completes', (input) => input.pipe(take(1)), /^kafkaPartitionTasks: the task of odd-in\/0 completed; .*return one that does not complete/],
    ];
    for (const [name, task, message] of cases) {
      const tasks = kafkaPartitionTasks({ kafka: kafkaFor(broker.brokers), groupId: `g-odd-${name}`, topics: ['odd-in'], consumerConfig, task, topic: 'odd-out' });
      const errors: unknown[] = [];
      const sub = tasks.subscribe({ error: (e: unknown) => errors.push(e) });
      await eventually(`the task that ${name} failed`, () => errors.length > 0, 20_000);
      sub.unsubscribe();
      await tasks.disconnected();
      expect(KafkaConnectorError.isKafkaConnectorError(errors[0]), name).toBe(true);
      expect((errors[0] as Error).message).toMatch(message);
      expect(errors[0]).toMatchObject({ topic: 'odd-in', partition: 0 });
    }
  });
});
