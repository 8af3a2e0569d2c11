/**
 * kcat (librdkafka 2.0.2, Debian's) against the test broker: metadata (-L), produce (-P),
 * consume (-C, read_committed too), balanced group consumption (-G) with offsets committed
 * and two members splitting the partitions. Skipped, with the reason printed, without kcat.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../../../../src/connectors/kafka/testing/index.js';
import { kcat, run } from './support/externalTools.js';
import { eventually } from './support/kafkajsClients.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker({ minSessionTimeoutMs: 100, topics: [{ name: 'kcat', partitions: 2 }] });
});
afterAll(() => broker.close());

const KCAT = kcat.path ?? 'kcat';
const b = () => ['-b', broker.brokers[0]!];
/** Short fetch waits: at the end of a partition librdkafka learns of it when a fetch returns empty. */
const fast = ['-X', 'fetch.wait.max.ms=50'];

describe.skipIf(kcat.path === null)('kcat', () => {
  it('-L: lists the broker and the topics with their partitions', async () => {
    const { stdout } = await run(KCAT, [...b(), '-L', '-J']);
    const metadata = JSON.parse(stdout) as { brokers: { id: number; name: string }[]; topics: { topic: string; partitions: { partition: number; leader: number }[] }[] };
    expect(metadata.brokers).toEqual([{ id: 1, name: broker.brokers[0] }]);
    const topic = metadata.topics.find((t) => t.topic === 'kcat')!;
    expect(topic.partitions.map((p) => [p.partition, p.leader])).toEqual([[0, 1], [1, 1]]);
  });

  it('-P then -C: keyed lines in, the same lines out, per partition in order', async () => {
    await run(KCAT, [...b(), '-P', '-t', 'kcat', '-K:', '-p', '0'], { input: 'k1:one\nk2:two\nk3:three\n' });
    await run(KCAT, [...b(), '-P', '-t', 'kcat', '-z', 'gzip', '-p', '1'], { input: 'gz1\ngz2\n' });
    expect(broker.describeTopic('kcat')!.map((p) => p.highWatermark)).toEqual([3, 2]);
    const { stdout } = await run(KCAT, [...b(), ...fast, '-C', '-t', 'kcat', '-e', '-q', '-f', '%p %o %k=%s\\n']);
    const lines = stdout.trim().split('\n').sort();
    expect(lines).toEqual(['0 0 k1=one', '0 1 k2=two', '0 2 k3=three', '1 0 =gz1', '1 1 =gz2']);
    const committed = await run(KCAT, [...b(), ...fast, '-C', '-t', 'kcat', '-e', '-q', '-X', 'isolation.level=read_committed', '-f', '%s\\n']);
    expect(committed.stdout.trim().split('\n').sort()).toEqual(['gz1', 'gz2', 'one', 'three', 'two']);
  });

  it('-G: consumes as a group member, commits its offsets, and resumes after them', async () => {
    broker.createTopic('kcat-group', 2);
    await run(KCAT, [...b(), '-P', '-t', 'kcat-group', '-K:'], { input: 'a:1\nb:2\nc:3\nd:4\n' });
    const group = [...b(), ...fast, '-G', 'kcat-g', '-X', 'auto.offset.reset=earliest', '-e', '-q', '-f', '%s\\n', 'kcat-group'];
    expect((await run(KCAT, group)).stdout.trim().split('\n').sort()).toEqual(['1', '2', '3', '4']);
    expect(broker.describeGroup('kcat-g')!.offsets.reduce((n, o) => n + o.offset, 0)).toBe(4);
    await run(KCAT, [...b(), '-P', '-t', 'kcat-group', '-K:'], { input: 'e:5\n' });
    expect((await run(KCAT, group)).stdout.trim()).toBe('5');
  });

  it('-G with two members: the partitions are split between them, and every record reaches one', async () => {
    broker.createTopic('kcat-split', 4);
    const members: { child: ChildProcess; lines: string[] }[] = [];
    for (let i = 0; i < 2; i++) {
      const child = spawn(KCAT, [...b(), '-G', 'kcat-split-g', '-X', 'auto.offset.reset=earliest', '-X', 'session.timeout.ms=6000', '-X', 'heartbeat.interval.ms=100', '-u', '-q', '-f', '%p:%s\\n', 'kcat-split'], { stdio: ['ignore', 'pipe', 'ignore'] });
      const member = { child, lines: [] as string[] };
      createInterface({ input: child.stdout! }).on('line', (l) => member.lines.push(l));
      members.push(member);
    }
    try {
      await eventually('two members in a stable group', () => {
        const g = broker.describeGroup('kcat-split-g');
        return g?.state === 'Stable' && g.members.length === 2;
      });
      const input = Array.from({ length: 40 }, (_, i) => `k${i}:v${i}`).join('\n');
      await run(KCAT, [...b(), '-P', '-t', 'kcat-split', '-K:'], { input: `${input}\n` });
      await eventually('every record consumed', () => members.reduce((n, m) => n + m.lines.length, 0) >= 40);
      const partitionsOf = members.map((m) => new Set(m.lines.map((l) => l.split(':')[0])));
      expect(partitionsOf.every((s) => s.size > 0)).toBe(true);
      expect([...partitionsOf[0]!].some((p) => partitionsOf[1]!.has(p))).toBe(false);
      expect(members.flatMap((m) => m.lines.map((l) => l.split(':')[1])).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `v${i}`).sort());
    } finally {
      for (const m of members) m.child.kill('SIGTERM');
      await Promise.all(members.map((m) => new Promise((r) => (m.child.exitCode !== null ? r(null) : m.child.once('exit', r)))));
    }
    await eventually('the group to empty after both left', () => broker.describeGroup('kcat-split-g')?.state === 'Empty');
  });
});

if (kcat.path === null) it.skip(`kcat: ${kcat.skipReason}`, () => {});
