/**
 * startTestBroker: its options, its topics, the wire protocol at the byte level (pipelining,
 * ApiVersions negotiation, connections closed on what Kafka refuses, acks 0), and teardown
 * that leaves no handle or timer behind.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from 'tidemark';
import { KafkaErrorCode, startTestBroker, SUPPORTED_APIS, type TestBroker } from '../../../../src/connectors/kafka/testing/index.js';
import { controlBatch } from '../../../../src/connectors/kafka/testing/records/recordBatch.js';
import { frame, RawClient } from './support/rawClient.js';
import { kafkaFor, producerOf } from './support/kafkajsClients.js';

const started: TestBroker[] = [];
async function start(options: Parameters<typeof startTestBroker>[0] = {}): Promise<TestBroker> {
  const broker = await startTestBroker(options);
  started.push(broker);
  return broker;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((b) => b.close()));
});

describe('options and topics', () => {
  it('refuses bad options with messages that name the option', async () => {
    await expect(startTestBroker({ port: -1 })).rejects.toThrow('startTestBroker: port must be an integer ≥ 0, got -1');
    await expect(startTestBroker({ partitions: 0 })).rejects.toThrow(InvalidArgumentError);
    await expect(startTestBroker({ minSessionTimeoutMs: 500, maxSessionTimeoutMs: 100 })).rejects.toThrow(/maxSessionTimeoutMs \(100\) must be at least minSessionTimeoutMs \(500\)/);
    await expect(startTestBroker({ topics: ['bad/name'] })).rejects.toThrow(/createTopic: "bad\/name" may only contain/);
  });

  it('creates topics at start and on demand, describes and deletes them', async () => {
    const broker = await start({ partitions: 3, topics: ['a', { name: 'b', partitions: 1 }] });
    expect(broker.brokers).toEqual([`127.0.0.1:${broker.port}`]);
    broker.createTopic('c');
    expect(broker.listTopics()).toEqual(['a', 'b', 'c']);
    expect(broker.describeTopic('a')).toEqual([0, 1, 2].map((partition) => ({ partition, logStartOffset: 0, highWatermark: 0, lastStableOffset: 0 })));
    expect(() => broker.createTopic('a')).toThrow("createTopic: Topic 'a' already exists.");
    broker.deleteTopic('a');
    expect(broker.describeTopic('a')).toBeUndefined();
    expect(() => broker.deleteTopic('a')).toThrow("deleteTopic: Topic 'a' does not exist.");
  });

  it('does not create topics on Metadata requests when autoCreateTopics is false', async () => {
    const broker = await start({ autoCreateTopics: false });
    const producer = producerOf(kafkaFor(broker.brokers), { retry: { retries: 1, initialRetryTime: 10 } });
    await producer.connect();
    await expect(producer.send({ topic: 'missing', messages: [{ value: 'x' }] })).rejects.toThrow();
    await producer.disconnect();
    expect(broker.listTopics()).toEqual([]);
  });
});

describe('the wire protocol', () => {
  it('answers pipelined requests in order: ApiVersions v0 then Metadata v0 in one write', async () => {
    const broker = await start({ topics: ['t'] });
    const client = await RawClient.open(broker.port);
    client.send(frame(18, 0, 1), frame(3, 0, 2, (w) => w.array([], () => {})));
    const versions = await client.next();
    expect(versions.correlationId).toBe(1);
    expect(versions.body.int16()).toBe(0);
    const apis = versions.body.array((r) => ({ key: r.int16(), min: r.int16(), max: r.int16() }));
    expect(apis).toEqual(SUPPORTED_APIS.map((a) => ({ key: a.key, min: a.minVersion, max: a.maxVersion })));
    const metadata = await client.next();
    expect(metadata.correlationId).toBe(2);
    const brokers = metadata.body.array((r) => [r.int32(), r.string(), r.int32()]);
    expect(brokers).toEqual([[1, '127.0.0.1', broker.port]]);
    expect(metadata.body.array((r) => [r.int16(), r.string(), r.array((r) => [r.int16(), r.int32(), r.int32(), r.array((r) => r.int32()), r.array((r) => r.int32())])])).toEqual([[0, 't', [[0, 0, 1, [1], [1]]]]]);
    await client.close();
  });

  it('answers ApiVersions v3 (flexible) in v3, and a version it does not know in v0 with UNSUPPORTED_VERSION', async () => {
    const broker = await start();
    const client = await RawClient.open(broker.port);
    client.send(frame(18, 3, 7, (w) => w.compactString('test').compactString('1.0').taggedFields(), true));
    const v3 = await client.next();
    expect(v3.correlationId).toBe(7);
    expect(v3.body.int16()).toBe(0);
    expect(v3.body.compactArray((r) => { const api = [r.int16(), r.int16(), r.int16()]; r.taggedFields(); return api; })).toHaveLength(SUPPORTED_APIS.length);
    expect(v3.body.int32()).toBe(0);
    v3.body.taggedFields();
    expect(v3.body.remaining).toBe(0);
    client.send(frame(18, 9, 8, (w) => w.raw(Buffer.from([0xff, 0xfe])), true));
    const tooNew = await client.next();
    expect(tooNew.correlationId).toBe(8);
    expect(tooNew.body.int16()).toBe(KafkaErrorCode.UNSUPPORTED_VERSION);
    expect(tooNew.body.array((r) => [r.int16(), r.int16(), r.int16()])).toContainEqual([18, 0, 3]);
    expect(tooNew.body.remaining).toBe(0);
    await client.close();
  });

  it('closes the connection on an unknown API key, an unsupported version, or a frame it cannot parse', async () => {
    const broker = await start();
    for (const bad of [frame(999, 0, 1), frame(0, 2, 1), frame(3, 1, 1, (w) => w.int32(5))]) {
      const client = await RawClient.open(broker.port);
      client.send(bad);
      await client.closed;
    }
    expect(broker.requests.map((r) => `${r.api} v${r.version}`)).toEqual(['Metadata v1']);
  });

  it('sends no response to a produce with acks 0, and refuses a batch whose CRC-32C is wrong', async () => {
    const broker = await start({ topics: ['t'] });
    const client = await RawClient.open(broker.port);
    const batch = controlBatch(0, -1, -1, true, 0);
    batch.writeInt16BE(0, 21); // not a control batch any more: a plain one-record batch
    batch.writeUInt32BE(0, 17); // with a wrong CRC
    const produce = (correlationId: number, acks: number) =>
      frame(0, 7, correlationId, (w) => w.nullableString(null).int16(acks).int32(1000).array(['t'], (w, t) => w.string(t).array([0], (w, p) => w.int32(p).bytes(batch))));
    client.send(produce(1, 0), produce(2, 1));
    const answer = await client.next();
    expect(answer.correlationId).toBe(2);
    const topics = answer.body.array((r) => ({ name: r.string(), partitions: r.array((r) => [r.int32(), r.int16(), r.int64(), r.int64(), r.int64()]) }));
    expect(topics).toEqual([{ name: 't', partitions: [[0, KafkaErrorCode.CORRUPT_MESSAGE, -1, -1, -1]] }]);
    expect(broker.describeTopic('t')![0]!.highWatermark).toBe(0);
    await client.close();
  });
});

describe('close()', () => {
  const handles = () => {
    const counts: Record<string, number> = {};
    for (const r of process.getActiveResourcesInfo()) if (/^(TCPServerWrap|TCPSocketWrap|Timeout)$/.test(r)) counts[r] = (counts[r] ?? 0) + 1;
    return counts;
  };

  it('leaves no server, socket or timer behind, with fetches waiting, a group, an open transaction and a delayed response pending', async () => {
    const before = handles();
    const broker = await startTestBroker({ minSessionTimeoutMs: 100, topics: ['t'] });
    const kafka = kafkaFor(broker.brokers);
    const producer = producerOf(kafka, { transactionalId: 'teardown', idempotent: true, maxInFlightRequests: 1, transactionTimeout: 60_000 });
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic: 't', messages: [{ value: 'open' }] }); // a transaction timer
    await producer.disconnect();
    const client = await RawClient.open(broker.port);
    const join = frame(11, 3, 1, (w) => w.string('g').int32(10_000).int32(10_000).string('').string('consumer').array(['range'], (w, n) => w.string(n).bytes(Buffer.alloc(0))));
    const fetch = frame(1, 11, 2, (w) => {
      w.int32(-1).int32(30_000).int32(1).int32(1 << 20).int8(0).int32(0).int32(-1);
      w.array(['t'], (w, t) => w.string(t).array([0], (w, p) => w.int32(p).int32(-1).int64(1).int64(-1).int32(1 << 20)));
      w.array([], () => {}).string('');
    });
    client.send(join); // a member with a session timer; its JoinGroup (v3) completes at once
    await client.next();
    broker.faults.delay('Metadata', 60_000);
    client.send(fetch, frame(3, 1, 3, (w) => w.int32(-1))); // a fetch waiting 30 s, a metadata response delayed behind it
    await new Promise((r) => setTimeout(r, 50));
    expect(handles()['Timeout'] ?? 0).toBeGreaterThan(before['Timeout'] ?? 0);
    await broker.close();
    await client.closed;
    const after = handles();
    for (const kind of ['TCPServerWrap', 'TCPSocketWrap', 'Timeout']) expect(after[kind] ?? 0, kind).toBeLessThanOrEqual(before[kind] ?? 0);
    await expect(broker.close()).resolves.toBeUndefined();
  });
});
