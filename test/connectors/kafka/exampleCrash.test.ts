/**
 * The Kafka crash example, black box: `examples/kafka.ts` (kafkaPartitionTasks: one task per
 * partition, each fromKafka-like source → windowAggregate → its own Kafka transactions, state
 * cached in tidemark/lmdb stores in DIR) against the in-process test broker, really SIGKILLed at
 * seeded moments of its progress (some while a checkpoint's transaction commits) and restarted
 * until it exits on idleness; the output topic read with read_committed (kafkajs, and kcat where
 * installed) must then hold the batch answer, each window exactly once. Two members with their own
 * DIRs, joined before the input arrives, split the partitions. And a group of two or three members
 * at once, killed, replaced by members with fresh DIRs and joined by new ones while the input
 * arrives: partitions move with their window state, and the output is again the batch answer.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../../../src/connectors/kafka/testing/index.js';
import { crashGroup, crashLoop, runChild, seeded } from '../../support/crashLoop.js';
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

/**
 * The batch answer: every (key, window) whose end − 1 the final watermark of its partition
 * reached (each partition is a task with its own watermark; a key's clicks are in one partition).
 */
export function batch(rows: readonly Click[], partitionOf: Map<Click, number>, closedOnly = true): string[] {
  const maxOf = new Map<number, number>();
  for (const r of rows) maxOf.set(partitionOf.get(r)!, Math.max(maxOf.get(partitionOf.get(r)!) ?? -Infinity, r.ts));
  const windows = new Map<string, { key: string; start: number; end: number; sum: number; count: number }>();
  const watermarkOf = new Map<string, number>();
  for (const r of rows) {
    const start = r.ts - (((r.ts % 10_000) + 10_000) % 10_000);
    const id = `${r.key}|${start}`;
    const w = windows.get(id) ?? { key: r.key, start, end: start + 10_000, sum: 0, count: 0 };
    w.sum += r.amount;
    w.count++;
    windows.set(id, w);
    watermarkOf.set(id, closedOnly ? maxOf.get(partitionOf.get(r)!)! - 1001 : Infinity);
  }
  return [...windows.entries()].filter(([id, w]) => w.end - 1 <= watermarkOf.get(id)!).map(([, w]) => JSON.stringify(w)).sort();
}

/**
 * Sends `rows` in order, 400 every 400 ms (each to its partition, keyed), until `hurry()`; then
 * the rest at once. So input arrives for as long as members are being killed.
 */
function paced(producer: Producer, topic: string, rows: readonly Click[], partitionOf: Map<Click, number>): { done: Promise<void>; hurry: () => void } {
  let hurried = false;
  const done = (async () => {
    for (let i = 0; i < rows.length; i += 400) {
      await producer.send({ topic, messages: rows.slice(i, i + 400).map((r) => ({ partition: partitionOf.get(r)!, key: r.key, value: JSON.stringify(r) })) });
      if (!hurried) await new Promise((resolve) => setTimeout(resolve, 400));
    }
    await producer.disconnect();
  })();
  return { done, hurry: () => void (hurried = true) };
}

describe('examples/kafka.ts', () => {
  it('SIGKILLed at 8 seeded moments of its progress (some during a transaction commit) while input arrives, restarted until idle: read_committed output is the batch answer, each window once', { timeout: 240_000 }, async () => {
    const rows = clicks(40_000, 11);
    const kafka = kafkaFor(broker.brokers);
    const producer = producerOf(kafka);
    await producer.connect();
    // Each key in one partition, as a keyed producer would put it; sent in order, 400 every 400 ms
    // while the example is being killed and restarted, the rest at once after the last kill.
    const partitionOf = new Map<Click, number>(rows.map((r) => [r, Number(r.key.slice(1)) % 3]));
    const input = paced(producer, 'clicks', rows, partitionOf);
    const dir = mkdtempSync(join(tmpdir(), 'tidemark-kafka-example-'));
    const args = ['--brokers', broker.brokers[0]!, '--input', 'clicks', '--output', 'counts', '--group', 'G', '--state', join(dir, 'state'), '--exit-when-idle', '1500', '--session-timeout', '1000'];
    const result = await crashLoop(SCRIPT, args, { seed: 5, kills: 8, minMs: 500, maxMs: 2500, by: 'commits', onKillsDone: input.hurry });
    await input.done;
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
    expect(result.kills).toBeGreaterThanOrEqual(8);
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

  it('two or three members at once, SIGKILLed at 14 seeded moments (some during a transaction commit) and added while input arrives: partitions move with their window state, read_committed output is the batch answer, each window once', { timeout: 300_000 }, async () => {
    broker.createTopic('group-clicks', 3);
    broker.createTopic('group-counts', 1);
    const rows = clicks(40_000, 31);
    const partitionOf = new Map<Click, number>(rows.map((r) => [r, Number(r.key.slice(1)) % 3]));
    const kafka = kafkaFor(broker.brokers);
    const producer = producerOf(kafka);
    await producer.connect();
    const input = paced(producer, 'group-clicks', rows, partitionOf);
    const dir = mkdtempSync(join(tmpdir(), 'tidemark-kafka-group-'));
    const result = await crashGroup(
      SCRIPT,
      (state) => ['--brokers', broker.brokers[0]!, '--input', 'group-clicks', '--output', 'group-counts', '--group', 'GG', '--state', state, '--exit-when-idle', '2000', '--session-timeout', '1000'],
      { seed: 7, kills: 14, minMs: 500, maxMs: 2500, minMembers: 2, maxMembers: 3, dirOf: (n) => join(dir, `member-${n}`), onKillsDone: input.hurry },
    );
    await input.done;
    const out = (await consume(kafka, { topic: 'group-counts', count: 1, quietMs: 500 })).map((m) => m.value!).sort();
    // Tasks that started from a checkpoint another run committed (the partition came with its state).
    const restores = result.stdouts.flatMap((o) => [...o.matchAll(/^STARTED \S+ checkpoint (\d+)$/gm)]).filter((m) => Number(m[1]) > 0).length;
    console.log(`kafka example, group: ${result.kills} kills (${result.killsDuringCommit} during a commit), ${result.runs} runs, ${result.members} members (at most ${result.mostAtOnce} at once), ${restores} tasks restored from a checkpoint, ${out.length} window results`);
    expect(new Set(out).size).toBe(out.length); // no duplicate
    expect(out).toEqual(batch(rows, partitionOf));
    expect(result.kills).toBeGreaterThanOrEqual(14);
    expect(result.killsDuringCommit).toBeGreaterThanOrEqual(2);
    expect(result.mostAtOnce).toBeGreaterThanOrEqual(2);
    expect(restores).toBeGreaterThanOrEqual(result.kills);
    expect(broker.describeGroup('GG')?.members ?? []).toEqual([]); // every member left
  });
});
