/**
 * The Kafka crash example, black box: `examples/kafka.ts` (fromKafka → windowAggregate →
 * kafkaTransactions, state cached in a tidemark/lmdb DIR) against the in-process test broker,
 * really SIGKILLed at seeded random moments (some while a checkpoint's transaction commits) and
 * restarted until it exits on idleness; the output topic read with read_committed (kafkajs, and
 * kcat where installed) must then hold the batch answer, each window exactly once. And two
 * members with their own DIRs in one group, joined before the input arrives, split the
 * partitions and together write every closed window once.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../../../src/connectors/kafka/testing/index.js';
import { crashLoop, runChild, seeded } from '../../support/crashLoop.js';
import { kcat, run } from './testing/support/externalTools.js';
import { consume, eventually, kafkaFor, producerOf } from './testing/support/kafkajsClients.js';

const SCRIPT = 'examples/kafka.ts';

interface Click {
  key: string;
  ts: number;
  amount: number;
}

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker({ minSessionTimeoutMs: 100, topics: [{ name: 'clicks', partitions: 3 }, { name: 'counts', partitions: 1 }] });
});
afterAll(() => broker.close());

/** Clicks keyed by their key, at most 1 s out of order in each partition (and overall). */
function clicks(n: number, seed: number): Click[] {
  const random = seeded(seed);
  const rows: Click[] = [];
  let t = 1_700_000_000_000;
  for (let i = 0; i < n; i++) {
    t += Math.floor(random() * 40);
    rows.push({ key: `k${Math.floor(random() * 12)}`, ts: t - Math.floor(random() * 1000), amount: Math.floor(random() * 100) });
  }
  return rows;
}

/** The batch answer: every (key, window) whose end − 1 the final watermark reached. */
function batch(rows: readonly Click[], partitionOf: Map<Click, number>, closedOnly = true): string[] {
  const maxOf = new Map<number, number>();
  for (const r of rows) maxOf.set(partitionOf.get(r)!, Math.max(maxOf.get(partitionOf.get(r)!) ?? -Infinity, r.ts));
  const watermark = closedOnly ? Math.min(...maxOf.values()) - 1001 : Infinity;
  const windows = new Map<string, { key: string; start: number; end: number; sum: number; count: number }>();
  for (const r of rows) {
    const start = r.ts - (((r.ts % 10_000) + 10_000) % 10_000);
    const id = `${r.key}|${start}`;
    const w = windows.get(id) ?? { key: r.key, start, end: start + 10_000, sum: 0, count: 0 };
    w.sum += r.amount;
    w.count++;
    windows.set(id, w);
  }
  return [...windows.values()].filter((w) => w.end - 1 <= watermark).map((w) => JSON.stringify(w)).sort();
}

describe('examples/kafka.ts', () => {
  it('SIGKILLed at up to 8 seeded moments (at least 6; some during a transaction commit) while input arrives, restarted until idle: read_committed output is the batch answer, each window once', { timeout: 240_000 }, async () => {
    const rows = clicks(40_000, 11);
    const kafka = kafkaFor(broker.brokers);
    const producer = producerOf(kafka);
    await producer.connect();
    // Each key in one partition, as a keyed producer would put it; sent in order, 1000 every 400 ms
    // while the example is being killed and restarted.
    const partitionOf = new Map<Click, number>(rows.map((r) => [r, Number(r.key.slice(1)) % 3]));
    const producing = (async () => {
      for (let i = 0; i < rows.length; i += 1000) {
        await producer.send({ topic: 'clicks', messages: rows.slice(i, i + 1000).map((r) => ({ partition: partitionOf.get(r)!, key: r.key, value: JSON.stringify(r) })) });
        await new Promise((resolve) => setTimeout(resolve, 400));
      }
      await producer.disconnect();
    })();
    const dir = mkdtempSync(join(tmpdir(), 'tidemark-kafka-example-'));
    const args = ['--brokers', broker.brokers[0]!, '--input', 'clicks', '--output', 'counts', '--group', 'G', '--state', join(dir, 'state'), '--exit-when-idle', '1500', '--session-timeout', '1000'];
    const result = await crashLoop(SCRIPT, args, { seed: 5, kills: 8, minMs: 1500, maxMs: 4000 });
    await producing;
    expect(result.last.signal).toBeNull();
    expect(result.last.code, result.last.stderr).toBe(0);
    const out = (await consume(kafka, { topic: 'counts', count: 1, quietMs: 500 })).map((m) => m.value!).sort();
    expect(new Set(out).size).toBe(out.length); // no duplicate
    expect(out).toEqual(batch(rows, partitionOf));
    if (kcat.path !== null) {
      const { stdout } = await run(kcat.path, ['-b', broker.brokers[0]!, '-X', 'fetch.wait.max.ms=50', '-X', 'isolation.level=read_committed', '-C', '-t', 'counts', '-e', '-q', '-f', '%s\\n']);
      expect(stdout.trim().split('\n').sort()).toEqual(out);
    }
    console.log(`kafka example: ${result.kills} kills (${result.killsDuringCommit} during a commit), ${result.runs} runs, ${out.length} window results`);
    expect(result.kills).toBeGreaterThanOrEqual(6);
  });

  it('scales out: two members with their own DIRs split the partitions, and together give the batch answer once', { timeout: 120_000 }, async () => {
    broker.createTopic('wide', 4);
    broker.createTopic('wide-counts', 1);
    const dir = mkdtempSync(join(tmpdir(), 'tidemark-kafka-scale-'));
    const member = (name: string) =>
      runChild(SCRIPT, ['--brokers', broker.brokers[0]!, '--input', 'wide', '--output', 'wide-counts', '--group', 'W', '--state', join(dir, name), '--exit-when-idle', '2000', '--session-timeout', '1000']);
    const a = member('a');
    const b = member('b');
    // Both have joined and split the four partitions before any input: no partition moves with state.
    await eventually('two members holding two partitions each', () => {
      const group = broker.describeGroup('W');
      return group?.state === 'Stable' && group.members.length === 2;
    }, 30_000);
    const rows = clicks(8_000, 23);
    const partitionOf = new Map<Click, number>(rows.map((r) => [r, Number(r.key.slice(1)) % 4]));
    const producer = producerOf(kafkaFor(broker.brokers));
    await producer.connect();
    for (let i = 0; i < rows.length; i += 1000) {
      await producer.send({ topic: 'wide', messages: rows.slice(i, i + 1000).map((r) => ({ partition: partitionOf.get(r)!, key: r.key, value: JSON.stringify(r) })) });
    }
    await producer.disconnect();
    const [ra, rb] = await Promise.all([a, b]);
    expect([ra.code, rb.code], ra.stderr + rb.stderr).toEqual([0, 0]);
    const out = (await consume(kafkaFor(broker.brokers), { topic: 'wide-counts', count: 1, quietMs: 500 })).map((m) => m.value!).sort();
    expect(new Set(out).size).toBe(out.length);
    // Each member's watermark is the minimum over its own partitions, at least the minimum over all
    // four: every window that closed is there, and whatever else is there is a whole window.
    expect(broker.describeGroup('W')?.members ?? []).toEqual([]); // both left
    const all = new Set(batch(rows, partitionOf, false));
    for (const line of batch(rows, partitionOf)) expect(out).toContain(line);
    for (const line of out) expect(all.has(line), line).toBe(true);
  });
});
