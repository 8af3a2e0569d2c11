/**
 * kafkajs 2.2.4, in this process, against the test broker: produce and consume, idempotence,
 * transactions with sendOffsets seen by read_committed and read_uncommitted consumers, a
 * zombie producer fenced, a transaction timed out, offsets, topic and group administration.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../../../../src/connectors/kafka/testing/index.js';
import { consume, eventually, kafkaFor, producerOf, values } from './support/kafkajsClients.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker({ partitions: 2, minSessionTimeoutMs: 100 });
});
afterAll(() => broker.close());

const messages = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i % 3}`, value: `${prefix}${i}` }));
const total = (topic: string) => broker.describeTopic(topic)!.reduce((n, p) => n + p.highWatermark, 0);

describe('produce and consume', () => {
  it('delivers every message once, keyed messages to one partition, with offsets from 0', async () => {
    broker.createTopic('plain', 3);
    const kafka = kafkaFor(broker.brokers);
    const producer = producerOf(kafka);
    await producer.connect();
    const sent = await producer.send({ topic: 'plain', messages: messages('p', 30) });
    await producer.send({ topic: 'plain', compression: 1 /* gzip */, messages: messages('z', 5) });
    await producer.disconnect();
    expect(sent.every((r) => r.errorCode === 0 && r.baseOffset === '0')).toBe(true);
    const got = await consume(kafka, { topic: 'plain', count: 35 });
    expect(values(got)).toEqual([...messages('p', 30), ...messages('z', 5)].map((m) => m.value).sort());
    for (const key of ['p0', 'p1', 'p2']) expect(new Set(got.filter((m) => m.key === key).map((m) => m.partition)).size).toBe(1);
    for (let p = 0; p < 3; p++) {
      const offsets = got.filter((m) => m.partition === p).map((m) => m.offset);
      expect(offsets).toEqual(offsets.map((_, i) => i));
    }
  });

  it('creates a topic on first use (auto-creation) with the default partition count', async () => {
    const kafka = kafkaFor(broker.brokers);
    const producer = producerOf(kafka);
    await producer.connect();
    await producer.send({ topic: 'auto-created', messages: [{ value: 'x' }] });
    await producer.disconnect();
    expect(broker.describeTopic('auto-created')).toHaveLength(2);
    expect(values(await consume(kafka, { topic: 'auto-created', count: 1 }))).toEqual(['x']);
  });

  it('answers ListOffsets: earliest, latest and by timestamp', async () => {
    broker.createTopic('timed', 1);
    const kafka = kafkaFor(broker.brokers);
    const producer = producerOf(kafka);
    await producer.connect();
    await producer.send({ topic: 'timed', messages: [1000, 2000, 3000].map((t) => ({ value: `t${t}`, timestamp: String(t) })) });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.fetchTopicOffsets('timed')).toEqual([{ partition: 0, offset: '3', high: '3', low: '0' }]);
    expect(await admin.fetchTopicOffsetsByTimestamp('timed', 1500)).toEqual([{ partition: 0, offset: '1' }]);
    expect(await admin.fetchTopicOffsetsByTimestamp('timed', 9999)).toEqual([{ partition: 0, offset: '3' }]);
    await admin.deleteTopicRecords({ topic: 'timed', partitions: [{ partition: 0, offset: '1' }] });
    expect(await admin.fetchTopicOffsets('timed')).toEqual([{ partition: 0, offset: '3', high: '3', low: '1' }]);
    await admin.disconnect();
    expect(values(await consume(kafka, { topic: 'timed', count: 2 }))).toEqual(['t2000', 't3000']);
  });
});

describe('idempotent producer', () => {
  it('a request retried after its response was lost is not appended twice', async () => {
    broker.createTopic('idempotent', 1);
    const kafka = kafkaFor(broker.brokers);
    const producer = producerOf(kafka, { idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: 'idempotent', acks: -1, messages: messages('a', 3) });
    broker.faults.dropConnection('Produce', { lose: 'response' });
    await producer.send({ topic: 'idempotent', acks: -1, messages: messages('b', 3) });
    await producer.send({ topic: 'idempotent', acks: -1, messages: messages('c', 3) });
    await producer.disconnect();
    expect(broker.faults.history.map((f) => f.kind)).toContain('drop');
    expect(total('idempotent')).toBe(9);
    expect(values(await consume(kafka, { topic: 'idempotent', count: 9 }))).toEqual([...messages('a', 3), ...messages('b', 3), ...messages('c', 3)].map((m) => m.value).sort());
  });

  it('without idempotence the same lost response duplicates the batch (what the test above guards against)', async () => {
    broker.createTopic('not-idempotent', 1);
    const kafka = kafkaFor(broker.brokers);
    const producer = producerOf(kafka);
    await producer.connect();
    broker.faults.dropConnection('Produce', { lose: 'response' });
    await producer.send({ topic: 'not-idempotent', acks: -1, messages: messages('d', 3) });
    await producer.disconnect();
    expect(total('not-idempotent')).toBe(6);
  });
});

describe('transactions', () => {
  it('commit and abort, with sendOffsets: read_committed sees the committed records once, read_uncommitted all', async () => {
    broker.createTopic('txn-out', 2);
    broker.createTopic('txn-in', 1);
    const kafka = kafkaFor(broker.brokers);
    const producer = producerOf(kafka, { transactionalId: 'txn-a', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const committed = await producer.transaction();
    await committed.send({ topic: 'txn-out', messages: messages('c', 4) });
    await committed.sendOffsets({ consumerGroupId: 'txn-group', topics: [{ topic: 'txn-in', partitions: [{ partition: 0, offset: '7' }] }] });
    await committed.commit();
    const aborted = await producer.transaction();
    await aborted.send({ topic: 'txn-out', messages: messages('x', 3) });
    await aborted.sendOffsets({ consumerGroupId: 'txn-group', topics: [{ topic: 'txn-in', partitions: [{ partition: 0, offset: '99' }] }] });
    await aborted.abort();
    const last = await producer.transaction();
    await last.send({ topic: 'txn-out', messages: [{ key: 'c0', value: 'last' }] });
    await last.commit();
    await producer.disconnect();

    const readCommitted = await consume(kafka, { topic: 'txn-out', count: 5 });
    expect(values(readCommitted)).toEqual([...messages('c', 4).map((m) => m.value), 'last'].sort());
    const readUncommitted = await consume(kafka, { topic: 'txn-out', count: 8, readUncommitted: true });
    expect(values(readUncommitted)).toEqual([...messages('c', 4), ...messages('x', 3)].map((m) => m.value).concat('last').sort());
    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.fetchOffsets({ groupId: 'txn-group', topics: ['txn-in'] })).toEqual([{ topic: 'txn-in', partitions: [{ partition: 0, offset: '7', metadata: null }] }]);
    await admin.disconnect();
  });

  it('an open transaction holds read_committed consumers at its first offset (the last stable offset) until it ends', async () => {
    broker.createTopic('txn-open', 1);
    const kafka = kafkaFor(broker.brokers);
    const transactional = producerOf(kafka, { transactionalId: 'txn-open', idempotent: true, maxInFlightRequests: 1 });
    const plain = producerOf(kafka);
    await Promise.all([transactional.connect(), plain.connect()]);
    await plain.send({ topic: 'txn-open', messages: [{ value: 'before' }] });
    const open = await transactional.transaction();
    await open.send({ topic: 'txn-open', messages: [{ value: 'in-txn' }] });
    await plain.send({ topic: 'txn-open', messages: [{ value: 'after' }] });
    expect(broker.describeTopic('txn-open')![0]).toMatchObject({ highWatermark: 3, lastStableOffset: 1 });
    expect(values(await consume(kafka, { topic: 'txn-open', count: 1, quietMs: 500 }))).toEqual(['before']);
    await open.commit();
    expect(broker.describeTopic('txn-open')![0]).toMatchObject({ highWatermark: 4, lastStableOffset: 4 });
    expect(values(await consume(kafka, { topic: 'txn-open', count: 3 }))).toEqual(['after', 'before', 'in-txn']);
    await Promise.all([transactional.disconnect(), plain.disconnect()]);
  });

  it('fences a zombie: a second producer with the same transactional id aborts its transaction and its epoch is refused', async () => {
    broker.createTopic('zombie', 1);
    const kafka = kafkaFor(broker.brokers);
    const zombie = producerOf(kafka, { transactionalId: 'txn-z', idempotent: true, maxInFlightRequests: 1 });
    await zombie.connect();
    const zombieTxn = await zombie.transaction();
    await zombieTxn.send({ topic: 'zombie', messages: [{ value: 'zombie-1' }] });

    const successor = producerOf(kafka, { transactionalId: 'txn-z', idempotent: true, maxInFlightRequests: 1 });
    await successor.connect(); // InitProducerId: a new epoch; the zombie's transaction is aborted
    const txn = await successor.transaction();
    await txn.send({ topic: 'zombie', messages: [{ value: 'successor' }] });
    await txn.commit();

    await expect(zombieTxn.send({ topic: 'zombie', messages: [{ value: 'zombie-2' }] })).rejects.toMatchObject({ type: expect.stringMatching(/INVALID_PRODUCER_EPOCH|PRODUCER_FENCED/) });
    await expect(zombieTxn.commit()).rejects.toThrow();
    await Promise.all([zombie.disconnect(), successor.disconnect()]);
    expect(values(await consume(kafka, { topic: 'zombie', count: 1, quietMs: 400 }))).toEqual(['successor']);
    expect(values(await consume(kafka, { topic: 'zombie', count: 2, readUncommitted: true }))).toEqual(['successor', 'zombie-1']);
  });

  it('aborts a transaction that outlives its timeout, and fences its producer', async () => {
    broker.createTopic('txn-timeout', 1);
    const kafka = kafkaFor(broker.brokers);
    const producer = producerOf(kafka, { transactionalId: 'txn-t', idempotent: true, maxInFlightRequests: 1, transactionTimeout: 300 });
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic: 'txn-timeout', messages: [{ value: 'too-slow' }] });
    expect(broker.describeTopic('txn-timeout')![0]!.lastStableOffset).toBe(0);
    await eventually('the timed-out transaction to be aborted', () => broker.describeTopic('txn-timeout')![0]!.lastStableOffset === 2, 3000);
    await expect(txn.commit()).rejects.toMatchObject({ type: expect.stringMatching(/INVALID_PRODUCER_EPOCH|PRODUCER_FENCED/) });
    await producer.disconnect();
    expect(await consume(kafka, { topic: 'txn-timeout', quietMs: 300, timeoutMs: 2000 })).toEqual([]);
  });
});

describe('offsets', () => {
  it('commits a group’s offsets; a consumer of the group resumes after them; admin reads them', async () => {
    broker.createTopic('resume', 1);
    const kafka = kafkaFor(broker.brokers);
    const producer = producerOf(kafka);
    await producer.connect();
    await producer.send({ topic: 'resume', messages: messages('r', 5) });
    expect(values(await consume(kafka, { topic: 'resume', groupId: 'resumer', count: 5 }))).toHaveLength(5);
    expect(broker.describeGroup('resumer')!.offsets).toEqual([{ topic: 'resume', partition: 0, offset: 5 }]);
    await producer.send({ topic: 'resume', messages: messages('s', 2) });
    await producer.disconnect();
    expect(values(await consume(kafka, { topic: 'resume', groupId: 'resumer', count: 2 }))).toEqual(['s0', 's1']);
    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.fetchOffsets({ groupId: 'resumer', topics: ['resume'] })).toEqual([{ topic: 'resume', partitions: [{ partition: 0, offset: '7', metadata: null }] }]);
    expect(await admin.fetchOffsets({ groupId: 'never-committed', topics: ['resume'] })).toEqual([{ topic: 'resume', partitions: [{ partition: 0, offset: '-1', metadata: null }] }]);
    await admin.disconnect();
  });
});

describe('admin', () => {
  it('creates, lists, grows and deletes topics', async () => {
    const admin = kafkaFor(broker.brokers).admin();
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic: 'admin-a', numPartitions: 3 }, { topic: 'admin-b' }] })).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic: 'admin-a', numPartitions: 3 }] })).toBe(false); // exists
    await expect(admin.createTopics({ topics: [{ topic: 'bad name!' }] })).rejects.toMatchObject({ errors: [{ type: 'INVALID_TOPIC_EXCEPTION' }] });
    expect(await admin.listTopics()).toEqual(expect.arrayContaining(['admin-a', 'admin-b']));
    const { topics } = await admin.fetchTopicMetadata({ topics: ['admin-a'] });
    expect(topics[0]!.partitions.map((p) => [p.partitionId, p.leader])).toEqual([[0, 1], [1, 1], [2, 1]]);
    await admin.createPartitions({ topicPartitions: [{ topic: 'admin-b', count: 4 }] });
    expect(broker.describeTopic('admin-b')).toHaveLength(4);
    await admin.deleteTopics({ topics: ['admin-a', 'admin-b'] });
    expect(broker.listTopics()).not.toContain('admin-a');
    expect(await admin.listTopics()).not.toContain('admin-b');
    await admin.disconnect();
  });

  it('lists, describes and deletes groups', async () => {
    broker.createTopic('groups', 2);
    const kafka = kafkaFor(broker.brokers);
    const consumer = kafka.consumer({ groupId: 'described', maxWaitTimeInMs: 50, sessionTimeout: 6000 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'groups' });
    const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
    await consumer.run({ eachMessage: async () => {} });
    await joined;
    const admin = kafka.admin();
    await admin.connect();
    expect((await admin.listGroups()).groups).toEqual(expect.arrayContaining([{ groupId: 'described', protocolType: 'consumer' }]));
    const [group] = (await admin.describeGroups(['described'])).groups;
    expect(group).toMatchObject({ groupId: 'described', state: 'Stable', protocolType: 'consumer', protocol: 'RoundRobinAssigner' });
    expect(group!.members).toHaveLength(1);
    expect(group!.members[0]!.memberAssignment.length).toBeGreaterThan(0);
    await expect(admin.deleteGroups(['described'])).rejects.toThrow();
    await consumer.disconnect();
    expect((await admin.describeGroups(['described'])).groups[0]!.state).toBe('Empty');
    expect(await admin.deleteGroups(['described'])).toEqual([{ groupId: 'described', errorCode: 0 }]);
    expect((await admin.describeGroups(['described'])).groups[0]!.state).toBe('Dead');
    await admin.disconnect();
  });
});
