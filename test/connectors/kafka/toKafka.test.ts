/**
 * toKafka with kafkajs 2.2.4 against the in-process test broker: plain and idempotent writes,
 * commits at barriers, exactly-once transactions that carry fromKafka's offsets and become
 * visible to read_committed consumers (kafkajs, and kcat as a black box) only when they commit,
 * an abandoned or failed transaction aborted, a restart that gives every result exactly once,
 * back-pressure.
 */
import { firstValueFrom, from, lastValueFrom, map, of, toArray, type Subscription } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { barrier, event, mapEvents, watermark, type StreamElement } from 'tidemark';
import { fromKafka, KafkaConnectorError, toKafka, type KafkaCommit, type KafkaRecord, type KafkaSource } from '../../../src/connectors/kafka/index.js';
import { startTestBroker, type TestBroker } from '../../../src/connectors/kafka/testing/index.js';
import { kcat, run } from './testing/support/externalTools.js';
import { consume, eventually, kafkaFor, producerOf } from './testing/support/kafkajsClients.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker({ minSessionTimeoutMs: 100 });
});
afterAll(() => broker.close());

const consumerConfig = { sessionTimeout: 1_000, rebalanceTimeout: 1_000, heartbeatInterval: 100, maxWaitTimeInMs: 50 };
const kafka = () => kafkaFor(broker.brokers);
const total = (topic: string) => broker.describeTopic(topic)!.reduce((n, p) => n + p.highWatermark, 0);
const committedValues = async (topic: string, count = 0) => (await consume(kafka(), { topic, count, quietMs: 300 })).map((m) => m.value).sort();

async function produce(topic: string, values: string[], partition = 0): Promise<void> {
  const producer = producerOf(kafka());
  await producer.connect();
  await producer.send({ topic, messages: values.map((value, i) => ({ partition, value, timestamp: String(1000 + i) })) });
  await producer.disconnect();
}

describe('toKafka: plain and idempotent', () => {
  it('writes each event as a record (key, value, the event time as timestamp), not the watermarks, and commits at barriers', async () => {
    broker.createTopic('plain-out', 1);
    const input: StreamElement<{ k: string; n: number }>[] = [event({ k: 'a', n: 1 }, 5), watermark(5), event({ k: 'b', n: 2 }, 7), barrier(1), event({ k: 'a', n: 3 }, 9)];
    const commits = await lastValueFrom(from(input).pipe(toKafka({ kafka: kafka(), topic: 'plain-out', key: (v) => v.k }), toArray()));
    expect(commits).toEqual([{ checkpointId: 1, records: 2, offsets: [] }]);
    const got = await consume(kafka(), { topic: 'plain-out', count: 3 });
    expect(got.map((m) => [m.key, m.value])).toEqual([['a', '{"k":"a","n":1}'], ['b', '{"k":"b","n":2}'], ['a', '{"k":"a","n":3}']]);
  });

  it('writes with an idempotent producer, and to a topic chosen per result', async () => {
    broker.createTopic('even', 1);
    broker.createTopic('odd', 1);
    const input = of(...[1, 2, 3, 4, 5].map((n) => event(n, n)));
    await lastValueFrom(input.pipe(toKafka({ kafka: kafka(), idempotent: true, topic: (n) => (n % 2 === 0 ? 'even' : 'odd'), value: (n) => String(n) })), { defaultValue: undefined });
    expect(await committedValues('even', 2)).toEqual(['2', '4']);
    expect(await committedValues('odd', 3)).toEqual(['1', '3', '5']);
  });

  it('errors with a KafkaConnectorError when a value function throws', async () => {
    const failing = of(event(1, 1)).pipe(toKafka({ kafka: kafka(), topic: 'never', value: () => { throw new Error('boom'); } }));
    const error: unknown = await lastValueFrom(failing).catch((e: unknown) => e);
    expect(KafkaConnectorError.isKafkaConnectorError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^toKafka: the topic, key or value option threw for a result: boom/);
  });

  it('checks its options when created', () => {
    expect(() => toKafka({ topic: 't' })).toThrow(/^toKafka: give exactly one of producer, kafka or brokers/);
    expect(() => toKafka({ kafka: kafka(), topic: '' })).toThrow(/^toKafka: topic/);
    expect(() => toKafka({ kafka: kafka(), topic: 't', exactlyOnce: true })).toThrow(/^toKafka: exactlyOnce needs the fromKafka source/);
    expect(() => toKafka({ kafka: kafka(), topic: 't', maxPending: 0 })).toThrow(/^toKafka: maxPending must be a positive number/);
  });
});

/** fromKafka(input) → a map → toKafka(output, exactlyOnce), checkpoints taken by hand. */
function pipeline(input: string, output: string, group: string): { source: KafkaSource<string>; commits: KafkaCommit[]; sub: Subscription; error: () => unknown } {
  const source = fromKafka<string>({ kafka: kafka(), groupId: group, topics: [input], fromBeginning: true, consumerConfig, deserialize: (m) => m.value!.toString() });
  const commits: KafkaCommit[] = [];
  let error: unknown;
  const sub = source
    .pipe(
      mapEvents((r: KafkaRecord<string>) => r.value.toUpperCase()),
      toKafka({ kafka: kafka(), topic: output, value: (v) => v, source, exactlyOnce: true, transactionalId: `tx-${group}` }),
    )
    .subscribe({ next: (c) => commits.push(c), error: (e: unknown) => (error = e) });
  return { source, commits, sub, error: () => error };
}

describe('toKafka: exactly once', () => {
  it('keeps the results of a checkpoint in a transaction that read_committed consumers see only once it commits, with the offsets', async () => {
    broker.createTopic('eo-in', 1);
    broker.createTopic('eo-out', 1);
    await produce('eo-in', ['a', 'b', 'c']);
    const p = pipeline('eo-in', 'eo-out', 'eo-group');
    await eventually('the results sent in the open transaction', () => total('eo-out') === 3);
    expect(broker.describeTopic('eo-out')![0]!.lastStableOffset).toBe(0); // an open transaction holds them back
    expect(await committedValues('eo-out')).toEqual([]);
    expect((await consume(kafka(), { topic: 'eo-out', count: 3, readUncommitted: true })).map((m) => m.value)).toEqual(['A', 'B', 'C']);
    expect(broker.describeGroup('eo-group')!.offsets).toEqual([]);
    const id = p.source.checkpoint();
    await eventually('the commit', () => p.commits.length === 1);
    expect(p.commits[0]).toEqual({ checkpointId: id, records: 3, offsets: [{ topic: 'eo-in', partition: 0, offset: 3 }] });
    expect(await committedValues('eo-out', 3)).toEqual(['A', 'B', 'C']);
    expect(broker.describeGroup('eo-group')!.offsets.map((o) => [o.topic, o.partition, o.offset])).toEqual([['eo-in', 0, 3]]);
    if (kcat.path !== null) {
      const { stdout } = await run(kcat.path, ['-b', broker.brokers[0]!, '-X', 'fetch.wait.max.ms=50', '-X', 'isolation.level=read_committed', '-C', '-t', 'eo-out', '-e', '-q', '-f', '%s\\n']);
      expect(stdout.trim().split('\n')).toEqual(['A', 'B', 'C']);
    }
    p.sub.unsubscribe();
    await p.source.disconnected();
  });

  it('aborts the open transaction when unsubscribed; a restart gives every result exactly once', async () => {
    broker.createTopic('restart-in', 2);
    broker.createTopic('restart-out', 1);
    await produce('restart-in', ['a', 'b'], 0);
    await produce('restart-in', ['c'], 1);
    const first = pipeline('restart-in', 'restart-out', 'restart-group');
    await eventually('three results in the first transaction', () => total('restart-out') === 3);
    const id = first.source.checkpoint();
    await eventually('the first commit', () => first.commits.length === 1);
    expect(first.commits[0]!.checkpointId).toBe(id);
    await produce('restart-in', ['d', 'e'], 0);
    await eventually('two more results, uncommitted', () => total('restart-out') >= 5);
    first.sub.unsubscribe(); // a crash before the next checkpoint: that transaction must never show
    await first.source.disconnected();
    await eventually('the abandoned transaction aborted', () => broker.describeTopic('restart-out')![0]!.lastStableOffset === broker.describeTopic('restart-out')![0]!.highWatermark);
    expect(await committedValues('restart-out', 3)).toEqual(['A', 'B', 'C']);
    const second = pipeline('restart-in', 'restart-out', 'restart-group');
    await eventually('d and e again', async () => (await consume(kafka(), { topic: 'restart-out', count: 0, quietMs: 50, readUncommitted: true })).length >= 7);
    second.source.checkpoint();
    await eventually('the second commit', () => second.commits.length === 1);
    expect(second.commits[0]!.records).toBe(2);
    expect(await committedValues('restart-out', 5)).toEqual(['A', 'B', 'C', 'D', 'E']);
    second.sub.unsubscribe();
    await second.source.disconnected();
  });

  it('errors with a KafkaConnectorError and aborts when the transaction cannot commit: nothing becomes visible', async () => {
    broker.createTopic('fail-in', 1);
    broker.createTopic('fail-out', 1);
    await produce('fail-in', ['x', 'y']);
    const p = pipeline('fail-in', 'fail-out', 'fail-group');
    await eventually('the results sent', () => total('fail-out') === 2);
    broker.faults.failNext('AddOffsetsToTxn', 53 /* TRANSACTIONAL_ID_AUTHORIZATION_FAILED, not retriable */);
    p.source.checkpoint();
    await eventually('the error', () => p.error() !== undefined);
    const e = p.error() as KafkaConnectorError;
    expect([KafkaConnectorError.isKafkaConnectorError(e), e.api, e.reason]).toEqual([true, 'toKafka', 'transaction']);
    expect(e.message).toMatch(/^toKafka: writing to Kafka failed .*the transaction was aborted/);
    await p.source.disconnected();
    await eventually('aborted', () => broker.describeTopic('fail-out')![0]!.lastStableOffset === broker.describeTopic('fail-out')![0]!.highWatermark);
    expect(await committedValues('fail-out')).toEqual([]);
    expect(broker.describeGroup('fail-group')?.offsets ?? []).toEqual([]);
  });

  it('commits a bounded read (stop()) with its final offsets after the last windows fired', async () => {
    broker.createTopic('stop-in', 1);
    broker.createTopic('stop-out', 1);
    await produce('stop-in', ['p', 'q']);
    const p = pipeline('stop-in', 'stop-out', 'stop-group');
    await eventually('the results sent', () => total('stop-out') === 2);
    p.source.stop();
    await eventually('the final commit', () => p.commits.length === 1);
    expect(p.commits[0]!.offsets).toEqual([{ topic: 'stop-in', partition: 0, offset: 2 }]);
    expect(await committedValues('stop-out', 2)).toEqual(['P', 'Q']);
    await p.source.disconnected();
  });
});

describe('toKafka: back-pressure', () => {
  it('raises pressure above maxPending results in flight and lowers it once they are acknowledged', async () => {
    broker.createTopic('pressure', 1);
    const sink = toKafka<number>({ kafka: kafka(), topic: 'pressure', maxPending: 10 });
    const signals: boolean[] = [];
    const watching = sink.pressure.subscribe((b) => signals.push(b));
    await lastValueFrom(of(...Array.from({ length: 50 }, (_, i) => event(i, i))).pipe(sink), { defaultValue: undefined });
    watching.unsubscribe();
    expect(signals).toEqual([false, true, false]);
    expect(total('pressure')).toBe(50);
    expect(await firstValueFrom(sink.pressure.pipe(map((b) => b)))).toBe(false);
  });
});
