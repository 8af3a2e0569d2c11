/**
 * Fault injection: for each kind of fault, a kafkajs client survives it (it reconnects,
 * refreshes metadata, retries) and nothing is lost or doubled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from 'tidemark';
import { KafkaErrorCode, startTestBroker, type TestBroker } from '../../../../src/connectors/kafka/testing/index.js';
import { consume, eventually, kafkaFor, producerOf, values } from './support/kafkajsClients.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker({ partitions: 2, minSessionTimeoutMs: 100 });
});
afterAll(() => broker.close());

const batch = (prefix: string, n = 4) => Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: `${prefix}${i}` }));
const expected = (...prefixes: string[]) => prefixes.flatMap((p) => batch(p).map((m) => m.value)).sort();
/**
 * Group timeouts for a test broker: a connection dropped or failed while a consumer joins its
 * group must not leave it waiting out kafkajs's 30 s default session timeout (the test's own
 * timeout) for the broker to drop its old member.
 */
const QUICK_GROUP = { sessionTimeout: 1_000, rebalanceTimeout: 1_000, heartbeatInterval: 100 };
const stored = (topic: string) => broker.describeTopic(topic)!.reduce((n, p) => n + p.highWatermark, 0);

describe('faults', () => {
  it('validates what it is given', () => {
    expect(() => broker.faults.failNext('Nope' as never, 'NONE')).toThrow(InvalidArgumentError);
    expect(() => broker.faults.failNext('Produce', 'NONE')).toThrow(/non-zero Kafka error code/);
    expect(() => broker.faults.delay('Fetch', -1)).toThrow('faults.delay: ms must be a finite number ≥ 0, got -1');
    expect(() => broker.faults.dropConnection('Fetch', { count: 0 })).toThrow(/count must be a positive integer or Infinity/);
    expect(broker.faults.pending).toBe(0);
  });

  it('dropConnections: producer and consumer reconnect; every record arrives once', async () => {
    broker.createTopic('f-drop-all', 2);
    const kafka = kafkaFor(broker.brokers);
    const producer = producerOf(kafka, { idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: 'f-drop-all', messages: batch('a') });
    expect(broker.faults.dropConnections()).toBeGreaterThan(0);
    await producer.send({ topic: 'f-drop-all', messages: batch('b') });
    const consumed = consume(kafka, { topic: 'f-drop-all', count: 12, ...QUICK_GROUP });
    await eventually('the consumer to connect', () => broker.connections >= 2);
    broker.faults.dropConnections();
    await producer.send({ topic: 'f-drop-all', messages: batch('c') });
    expect(values(await consumed)).toEqual(expected('a', 'b', 'c'));
    await producer.disconnect();
    expect(stored('f-drop-all')).toBe(12);
  });

  it('dropConnection before a request is handled (Produce, Fetch): retried, nothing lost', async () => {
    broker.createTopic('f-drop-request', 1);
    const kafka = kafkaFor(broker.brokers);
    const producer = producerOf(kafka);
    await producer.connect();
    broker.faults.dropConnection('Produce', { lose: 'request', count: 2 });
    await producer.send({ topic: 'f-drop-request', messages: batch('a') });
    broker.faults.dropConnection('Fetch', { count: 2 });
    expect(values(await consume(kafka, { topic: 'f-drop-request', count: 4, ...QUICK_GROUP }))).toEqual(expected('a'));
    await producer.disconnect();
    expect(broker.faults.history.filter((f) => f.kind === 'drop').map((f) => f.api)).toEqual(expect.arrayContaining(['Produce', 'Produce', 'Fetch', 'Fetch']));
    expect(stored('f-drop-request')).toBe(4);
  });

  it('failNext with retriable errors (Produce, Fetch, FindCoordinator, JoinGroup, OffsetCommit): the clients retry through them', async () => {
    broker.createTopic('f-fail', 2);
    const kafka = kafkaFor(broker.brokers);
    const producer = producerOf(kafka, { idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    broker.faults.failNext('Produce', 'NOT_LEADER_OR_FOLLOWER', { count: 2 });
    await producer.send({ topic: 'f-fail', messages: batch('a') });
    broker.faults.failNext('Produce', KafkaErrorCode.REQUEST_TIMED_OUT);
    await producer.send({ topic: 'f-fail', messages: batch('b') });
    await producer.disconnect();
    expect(stored('f-fail')).toBe(8);
    broker.faults.failNext('FindCoordinator', 'COORDINATOR_NOT_AVAILABLE');
    broker.faults.failNext('JoinGroup', 'COORDINATOR_LOAD_IN_PROGRESS');
    broker.faults.failNext('Fetch', 'NOT_LEADER_OR_FOLLOWER', { count: 2 });
    broker.faults.failNext('OffsetCommit', 'COORDINATOR_LOAD_IN_PROGRESS');
    expect(values(await consume(kafka, { topic: 'f-fail', groupId: 'f-fail-group', count: 8, ...QUICK_GROUP }))).toEqual(expected('a', 'b'));
    expect(broker.faults.pending).toBe(0);
    expect(broker.describeGroup('f-fail-group')!.offsets.reduce((n, o) => n + o.offset, 0)).toBe(8);
  });

  it('delay beyond the request timeout: the idempotent producer retries, the duplicate is recognised', async () => {
    broker.createTopic('f-delay', 1);
    const kafka = kafkaFor(broker.brokers, { requestTimeout: 200 });
    const producer = producerOf(kafka, { idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: 'f-delay', messages: batch('a') });
    broker.faults.delay('Produce', 500);
    const produced = broker.requests.filter((r) => r.api === 'Produce').length;
    await producer.send({ topic: 'f-delay', messages: batch('b') });
    expect(broker.requests.filter((r) => r.api === 'Produce').length - produced).toBeGreaterThanOrEqual(2); // timed out, sent again
    broker.faults.delay('Fetch', 150, { count: 3 });
    expect(values(await consume(kafka, { topic: 'f-delay', count: 8, ...QUICK_GROUP }))).toEqual(expected('a', 'b'));
    await producer.disconnect();
    expect(stored('f-delay')).toBe(8);
  });
});
