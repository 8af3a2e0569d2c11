/**
 * The Kafka crash example, black box: `examples/kafka.ts` (fromKafka → windowAggregate →
 * kafkaTransactions, state cached in a tidemark/lmdb DIR) against the in-process test broker,
 * really SIGKILLed at seeded random moments (some while a checkpoint's transaction commits) and
 * restarted until it exits on idleness; the output topic read with read_committed (kafkajs, and
 * kcat where installed) must then hold the batch answer, each window exactly once.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../../../src/connectors/kafka/testing/index.js';
import { crashLoop, seeded } from '../../support/crashLoop.js';
import { kcat, run } from './testing/support/externalTools.js';
import { consume, kafkaFor, producerOf } from './testing/support/kafkajsClients.js';

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
function batch(rows: readonly Click[], partitionOf: Map<Click, number>): string[] {
  const maxOf = new Map<number, number>();
  for (const r of rows) maxOf.set(partitionOf.get(r)!, Math.max(maxOf.get(partitionOf.get(r)!) ?? -Infinity, r.ts));
  const watermark = Math.min(...maxOf.values()) - 1001;
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
  it('SIGKILLed at 8 seeded moments (some during a transaction commit), restarted until idle: read_committed output is the batch answer, each window once', { timeout: 240_000 }, async () => {
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
});
