/**
 * fromKafka with kafkajs 2.2.4 against the in-process test broker: per-partition watermarks
 * merged by minimum, idle partitions, order within a partition, back-pressure by pausing,
 * offsets committed only when a checkpoint completes, a rebalance between two members of a
 * group, typed errors and dead letters, teardown.
 */
import { BehaviorSubject, type Subscription } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundedOutOfOrderness, InvalidArgumentError, type StreamElement } from 'tidemark';
import { fromKafka, KafkaConnectorError, type FromKafkaConfig, type KafkaRecord, type KafkaSource } from '../../../src/connectors/kafka/index.js';
import { startTestBroker, type TestBroker } from '../../../src/connectors/kafka/testing/index.js';
import { eventually, kafkaFor, producerOf } from './testing/support/kafkajsClients.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker({ minSessionTimeoutMs: 100 });
});
afterAll(() => broker.close());

let groups = 0;
/** Fast group settings: a member that joins or leaves is noticed within a few hundred ms. */
const consumerConfig = { sessionTimeout: 1_000, rebalanceTimeout: 1_000, heartbeatInterval: 100, maxWaitTimeInMs: 50 };

function source<V = Buffer | null>(topic: string, config: Partial<FromKafkaConfig<V>> = {}): KafkaSource<V> {
  return fromKafka<V>({ kafka: kafkaFor(broker.brokers), groupId: `g${++groups}`, topics: [topic], fromBeginning: true, consumerConfig, ...config });
}

async function produce(topic: string, records: { partition: number; ts: number; value?: string }[]): Promise<void> {
  const producer = producerOf(kafkaFor(broker.brokers));
  await producer.connect();
  await producer.send({ topic, messages: records.map((r) => ({ partition: r.partition, value: r.value ?? `v${r.ts}`, timestamp: String(r.ts) })) });
  await producer.disconnect();
}

/** Subscribes and records every element, with a compact text for each. */
function record<V>(s: KafkaSource<V>): { elements: StreamElement<KafkaRecord<V>>[]; text: string[]; sub: Subscription; error: () => unknown } {
  const elements: StreamElement<KafkaRecord<V>>[] = [];
  const text: string[] = [];
  let error: unknown;
  const sub = s.subscribe({
    next: (e) => {
      elements.push(e);
      text.push(e.kind === 'event' ? `p${e.value.partition}@${e.timestamp}` : e.kind === 'watermark' ? `W(${e.timestamp})` : e.kind === 'barrier' ? `B${e.checkpointId}` : e.idle ? 'idle' : 'active');
    },
    error: (e: unknown) => (error = e),
  });
  return { elements, text, sub, error: () => error };
}

const events = (text: readonly string[]) => text.filter((t) => t.startsWith('p'));
const marks = (text: readonly string[]) => text.filter((t) => t.startsWith('W')).map((t) => Number(t.slice(2, -1)));

async function closed<V>(s: KafkaSource<V>, sub: Subscription): Promise<void> {
  sub.unsubscribe();
  await s.disconnected();
}

describe('fromKafka: watermarks per partition', () => {
  it('holds the watermark at the slowest partition; it advances once every partition has data', async () => {
    broker.createTopic('wm', 2);
    await produce('wm', [1000, 3000, 2000].map((ts) => ({ partition: 0, ts })));
    const s = source('wm', { watermark: boundedOutOfOrderness(500) });
    const r = record(s);
    await eventually('three events of partition 0', () => events(r.text).length === 3);
    await new Promise((res) => setTimeout(res, 200));
    expect(marks(r.text)).toEqual([]); // partition 1 has no data: it holds the watermark back
    await produce('wm', [{ partition: 1, ts: 1800 }]);
    await eventually('the watermark', () => marks(r.text).length === 1);
    expect(marks(r.text)).toEqual([1800 - 501]); // min(3000 − 501, 1800 − 501)
    expect(events(r.text)).toEqual(['p0@1000', 'p0@3000', 'p0@2000', 'p1@1800']);
    await produce('wm', [{ partition: 1, ts: 5000 }]);
    await eventually('the second watermark', () => marks(r.text).length === 2);
    expect(marks(r.text)).toEqual([1299, 2499]); // now partition 0 is the slowest
    expect(r.error()).toBeUndefined();
    await closed(s, r.sub);
  });

  it('leaves an idle partition out, says when all are idle, and takes it back with its next record', async () => {
    broker.createTopic('idle', 2);
    await produce('idle', [{ partition: 0, ts: 1000 }]);
    const s = source('idle', { idleTimeout: 150 });
    const r = record(s);
    await eventually('partition 1 idle', () => marks(r.text).includes(999));
    await eventually('both idle', () => r.text.includes('idle'));
    expect(r.text.slice(0, 3)).toEqual(['p0@1000', 'W(999)', 'idle']);
    await produce('idle', [{ partition: 1, ts: 2000 }]);
    await eventually('the record on partition 1', () => events(r.text).length === 2);
    expect(r.text.slice(3, 5)).toEqual(['active', 'p1@2000']);
    // Partition 0 idles again and partition 1's watermark alone counts.
    await eventually('partition 0 idle again', () => marks(r.text).includes(1999));
    expect(marks(r.text)).toEqual([999, 1999]);
    await closed(s, r.sub);
  });

  it('keeps each partition in offset order and stamps by the timestamp option', async () => {
    broker.createTopic('order', 3);
    const records = Array.from({ length: 60 }, (_, i) => ({ partition: i % 3, ts: 10_000 + i, value: JSON.stringify({ at: i }) }));
    await produce('order', records);
    const s = source<{ at: number }>('order', { deserialize: (m) => JSON.parse(m.value!.toString()) as { at: number }, timestamp: (r) => r.value.at });
    const r = record(s);
    await eventually('60 events', () => events(r.text).length === 60);
    const got = r.elements.filter((e) => e.kind === 'event');
    for (let p = 0; p < 3; p++) {
      const mine = got.filter((e) => e.value.partition === p);
      expect(mine.map((e) => e.value.offset)).toEqual([...Array(20).keys()]);
      expect(mine.map((e) => e.timestamp)).toEqual(mine.map((e) => e.value.value.at));
    }
    const w = marks(r.text);
    expect(w).toEqual([...w].sort((a, b) => a - b));
    expect(w.at(-1)).toBe(56); // the slowest partition's last event (57, 58, 59 are the last of each) − 1
    await closed(s, r.sub);
  });
});

describe('fromKafka: back-pressure', () => {
  it('fetches nothing while pauseWhen says true, and everything once it says false', async () => {
    broker.createTopic('pause', 2);
    const pressure = new BehaviorSubject(false);
    const s = source('pause', { pauseWhen: pressure });
    const r = record(s);
    await produce('pause', [{ partition: 0, ts: 1 }, { partition: 1, ts: 2 }]);
    await eventually('the first two', () => events(r.text).length === 2);
    pressure.next(true);
    await new Promise((res) => setTimeout(res, 150)); // a fetch already under way may still land
    const before = events(r.text).length;
    await produce('pause', [{ partition: 0, ts: 3 }, { partition: 1, ts: 4 }]);
    await new Promise((res) => setTimeout(res, 500));
    expect(events(r.text).length).toBe(before);
    pressure.next(false);
    await eventually('the rest after resume', () => events(r.text).length === 4);
    await closed(s, r.sub);
  });
});

describe('fromKafka: checkpoints and offsets', () => {
  it('commits offsets to the group only when a checkpoint completes, those of the barrier', async () => {
    broker.createTopic('offsets', 2);
    await produce('offsets', [{ partition: 0, ts: 1 }, { partition: 0, ts: 2 }, { partition: 1, ts: 3 }]);
    const s = source('offsets', { groupId: 'offsets-group' });
    const r = record(s);
    await eventually('three events', () => events(r.text).length === 3);
    const id = s.checkpoint();
    expect(r.text.at(-1)).toBe(`B${id}`);
    expect(s.offsets(id)).toEqual(expect.arrayContaining([{ topic: 'offsets', partition: 0, offset: 2 }, { topic: 'offsets', partition: 1, offset: 1 }]));
    await produce('offsets', [{ partition: 0, ts: 4 }]);
    await eventually('the fourth', () => events(r.text).length === 4);
    await new Promise((res) => setTimeout(res, 100));
    expect(broker.describeGroup('offsets-group')?.offsets ?? []).toEqual([]); // nothing before completion
    await s.commit(id);
    const committed = broker.describeGroup('offsets-group')!.offsets.map((o) => [o.partition, o.offset]).sort();
    expect(committed).toEqual([[0, 2], [1, 1]]); // the barrier's offsets, not the fourth record's
    expect(s.offsets(id)).toBeUndefined();
    await closed(s, r.sub);
  });

  it('takes checkpoints every checkpointInterval, and a restart resumes from the committed offsets', async () => {
    broker.createTopic('resume', 1);
    await produce('resume', [1, 2, 3].map((ts) => ({ partition: 0, ts })));
    const s = source('resume', { groupId: 'resume-group', checkpointInterval: 50 });
    const r = record(s);
    await eventually('a barrier after the three events', () => events(r.text).length === 3 && r.text.at(-1)!.startsWith('B'));
    await s.commit(Number(r.text.at(-1)!.slice(1)));
    await closed(s, r.sub);
    await produce('resume', [{ partition: 0, ts: 4 }]);
    const again = source('resume', { groupId: 'resume-group' });
    const r2 = record(again);
    await eventually('the fourth event', () => events(r2.text).length >= 1);
    await new Promise((res) => setTimeout(res, 150));
    expect(events(r2.text)).toEqual(['p0@4']);
    await closed(again, r2.sub);
  });

  it('starts at startAt offsets (a restored checkpoint) instead of the committed ones', async () => {
    broker.createTopic('startat', 1);
    await produce('startat', [1, 2, 3, 4].map((ts) => ({ partition: 0, ts })));
    const s = source('startat', { startAt: [{ topic: 'startat', partition: 0, offset: 2 }] });
    const r = record(s);
    await eventually('two events', () => events(r.text).length >= 2);
    await new Promise((res) => setTimeout(res, 150));
    expect(events(r.text)).toEqual(['p0@3', 'p0@4']);
    await closed(s, r.sub);
  });
});

describe('fromKafka: rebalances', () => {
  it('splits the partitions between two members of a group; each record is read once after the split', async () => {
    broker.createTopic('split', 4);
    const a = source('split', { groupId: 'split-group' });
    const ra = record(a);
    await eventually('a holds all four', () => a.assignment.length === 4);
    const b = source('split', { groupId: 'split-group' });
    const rb = record(b);
    await eventually('two each', () => a.assignment.length === 2 && b.assignment.length === 2, 10_000);
    const held = [...a.assignment, ...b.assignment].map((p) => p.partition).sort();
    expect(held).toEqual([0, 1, 2, 3]);
    await produce('split', Array.from({ length: 40 }, (_, i) => ({ partition: i % 4, ts: 100 + i })));
    await eventually('40 records', () => events(ra.text).length + events(rb.text).length === 40);
    await new Promise((res) => setTimeout(res, 200));
    const partitionsOf = (text: string[]) => new Set(events(text).map((t) => Number(t.slice(1, t.indexOf('@')))));
    expect([...partitionsOf(ra.text)].sort()).toEqual(a.assignment.map((p) => p.partition).sort());
    expect([...partitionsOf(rb.text)].sort()).toEqual(b.assignment.map((p) => p.partition).sort());
    expect(events(ra.text).length + events(rb.text).length).toBe(40);
    // b leaves: a takes its partitions back, with them their records from then on.
    await closed(b, rb.sub);
    await eventually('a holds all four again', () => a.assignment.length === 4, 10_000);
    await closed(a, ra.sub);
  });
});

describe('fromKafka: errors and teardown', () => {
  it('errors with a KafkaConnectorError naming topic, partition and offset of a record it cannot read', async () => {
    broker.createTopic('bad', 1);
    await produce('bad', [{ partition: 0, ts: 1, value: '{"ok":1}' }, { partition: 0, ts: 2, value: 'not json' }]);
    const s = source<unknown>('bad', { deserialize: (m) => JSON.parse(m.value!.toString()) });
    const r = record(s);
    await eventually('the error', () => r.error() !== undefined);
    const e = r.error() as KafkaConnectorError;
    expect(KafkaConnectorError.isKafkaConnectorError(e)).toBe(true);
    expect([e.reason, e.topic, e.partition, e.offset]).toEqual(['deserialization', 'bad', 0, 1]);
    expect(e.message).toMatch(/^fromKafka: cannot deserialize the record bad\/0@1: .*deadLetter/);
    expect(events(r.text)).toEqual(['p0@1']);
    await s.disconnected();
  });

  it('routes such records to deadLetter and goes on', async () => {
    broker.createTopic('dead', 1);
    await produce('dead', [{ partition: 0, ts: 1, value: 'x' }, { partition: 0, ts: 2, value: '2' }]);
    const letters: unknown[] = [];
    const s = source<number>('dead', {
      deserialize: (m) => JSON.parse(m.value!.toString()) as number,
      deadLetter: (d) => letters.push([d.input.topic, d.input.partition, d.input.offset, (d.error as KafkaConnectorError).reason]),
    });
    const r = record(s);
    await eventually('the good record', () => events(r.text).length === 1);
    expect(letters).toEqual([['dead', 0, '0', 'deserialization']]);
    await closed(s, r.sub);
  });

  it('checks its options when created', () => {
    const kafka = kafkaFor(broker.brokers);
    expect(() => fromKafka({ groupId: 'g', topics: ['t'] })).toThrow(InvalidArgumentError);
    expect(() => fromKafka({ kafka, groupId: '', topics: ['t'] })).toThrow(/^fromKafka: groupId/);
    expect(() => fromKafka({ kafka, groupId: 'g', topics: [] })).toThrow(/^fromKafka: topics/);
    expect(() => fromKafka({ kafka, groupId: 'g', topics: ['t'], idleTimeout: -1 })).toThrow(/^fromKafka: idleTimeout must be a positive number/);
  });

  it('refuses a second subscription while one runs, and disconnects on unsubscribe', async () => {
    broker.createTopic('once', 1);
    const s = source('once');
    const r = record(s);
    const second = record(s);
    expect(KafkaConnectorError.isKafkaConnectorError(second.error())).toBe(true);
    await eventually('assigned', () => s.assignment.length === 1);
    await closed(s, r.sub);
    expect(s.assignment).toEqual([]);
    await eventually('no connection left', () => broker.connections === 0);
  });
});
