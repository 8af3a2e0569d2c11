/**
 * The connectors against a real Kafka: runs when KAFKA_BROKERS is set (`host:port[,host:port]`),
 * e.g. `KAFKA_BROKERS=localhost:9092 npx vitest run test/connectors/kafka/realBroker.test.ts`.
 * Elsewhere it is one skipped entry naming the reason (as the suite does for kcat and the
 * Python clients). Topics get unique names; they are deleted afterwards.
 */
import { lastValueFrom, of } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { boundedOutOfOrderness, checkpoints, commitCheckpoints, count, event, mapEvents, tumbling, values, windowAggregate } from 'tidemark';
import { fromKafka, kafkaTransactions, toKafka } from '../../../src/connectors/kafka/index.js';
import { consume, eventually, kafkaFor } from './testing/support/kafkajsClients.js';

const brokers = process.env['KAFKA_BROKERS']?.split(',').filter((b) => b !== '') ?? [];
/** Without a Kafka the suite is one skipped entry that says why (as kcat.test.ts does for kcat), not a list of skipped tests. */
const SKIP_REASON = 'KAFKA_BROKERS is not set (host:port of a Kafka to test against); the real-broker suite does not run';

const run = Math.random().toString(36).slice(2, 8);
const created: string[] = [];

async function createTopic(name: string, partitions: number): Promise<string> {
  const topic = `tidemark-${run}-${name}`;
  const admin = kafkaFor(brokers).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  await admin.disconnect();
  created.push(topic);
  return topic;
}

afterAll(async () => {
  if (created.length === 0) return;
  const admin = kafkaFor(brokers).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: created }).catch(() => undefined);
  await admin.disconnect();
});

if (brokers.length === 0) it.skip(`real Kafka: ${SKIP_REASON}`, () => {});
else describe('against a real Kafka (KAFKA_BROKERS)', () => {
  it('toKafka writes, fromKafka reads with per-partition watermarks', { timeout: 60_000 }, async () => {
    const topic = await createTopic('plain', 2);
    await lastValueFrom(of(event({ k: 'a' }, 1000), event({ k: 'b' }, 2000)).pipe(toKafka({ kafka: kafkaFor(brokers), topic, key: (v) => v.k })), { defaultValue: undefined });
    const source = fromKafka({ kafka: kafkaFor(brokers), groupId: `tidemark-${run}-plain`, topics: [topic], fromBeginning: true, idleTimeout: 500 });
    const seen: string[] = [];
    const sub = source.subscribe((e) => seen.push(e.kind === 'event' ? `e@${e.timestamp}` : e.kind));
    await eventually('both records', () => seen.filter((s) => s.startsWith('e@')).length === 2, 45_000);
    sub.unsubscribe();
    await source.disconnected();
    expect(seen.filter((s) => s.startsWith('e@')).sort()).toEqual(['e@1000', 'e@2000']);
  });

  it('fromKafka → windowAggregate → kafkaTransactions: read_committed sees each window once', { timeout: 90_000 }, async () => {
    const input = await createTopic('in', 2);
    const output = await createTopic('out', 1);
    const group = `tidemark-${run}-eo`;
    const producer = kafkaFor(brokers).producer();
    await producer.connect();
    await producer.send({ topic: input, messages: [1000, 2000, 15_000].map((ts) => ({ key: 'k', value: JSON.stringify({ ts }) })) });
    await producer.disconnect();
    const eo = kafkaTransactions<{ start: number; n: number }>({ kafka: kafkaFor(brokers), transactionalId: `${group}-1`, groupId: group, topic: output, checkpointTopic: `${group}-checkpoints` });
    created.push(`${group}-checkpoints`);
    const cp = checkpoints({ store: eo.store });
    const source = fromKafka<{ ts: number }>({
      kafka: kafkaFor(brokers),
      groupId: group,
      topics: [input],
      fromBeginning: true,
      checkpoints: cp,
      idleTimeout: 1_000,
      deserialize: (m) => JSON.parse(m.value!.toString()) as { ts: number },
      timestamp: (r) => r.value.ts,
      watermark: boundedOutOfOrderness(100),
    });
    const sub = source
      .pipe(
        windowAggregate({ id: 'n', window: tumbling(10_000), aggregate: count() }),
        mapEvents((w) => ({ start: w.start, n: w.value })),
        commitCheckpoints(cp, { sink: eo.sink }),
        values(),
      )
      .subscribe();
    await eventually('three records read', () => source.assignment.length > 0, 45_000);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await cp.triggerCheckpoint();
    sub.unsubscribe();
    await source.disconnected();
    await eo.store.close();
    const got = await consume(kafkaFor(brokers), { topic: output, count: 1, quietMs: 1_000, timeoutMs: 30_000 });
    expect(got.map((m) => JSON.parse(m.value!) as unknown)).toEqual([{ start: 0, n: 2 }]);
  });
});
