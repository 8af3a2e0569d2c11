/**
 * A consumer group of kafkajs members in separate processes: partitions are split among them
 * and move as members join, leave (LeaveGroup) and die (their session times out), and every
 * record is read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../../../../src/connectors/kafka/testing/index.js';
import { eventually, kafkaFor, producerOf } from './support/kafkajsClients.js';

const MEMBER = fileURLToPath(new URL('./fixtures/groupMember.mjs', import.meta.url));
const TOPIC = 'rebalanced';
const PARTITIONS = 6;

interface Member {
  readonly name: string;
  readonly child: ChildProcess;
  /** The partitions of its latest assignment. */
  partitions: number[];
  readonly values: string[];
  exited: boolean;
}

let broker: TestBroker;
const members: Member[] = [];

beforeAll(async () => {
  broker = await startTestBroker({ minSessionTimeoutMs: 100, topics: [{ name: TOPIC, partitions: PARTITIONS }] });
});
afterAll(async () => {
  for (const m of members) if (!m.exited) m.child.kill('SIGKILL');
  await broker.close();
});

function startMember(name: string): Member {
  const child = spawn(process.execPath, [MEMBER, broker.brokers.join(','), 'rebalancing', TOPIC, name], { stdio: ['pipe', 'pipe', 'inherit'] });
  const member: Member = { name, child, partitions: [], values: [], exited: false };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const event = JSON.parse(line) as { event: string; partitions?: number[]; value?: string };
    if (event.event === 'assigned') member.partitions = event.partitions!;
    if (event.event === 'message') member.values.push(event.value!);
  });
  child.on('exit', () => (member.exited = true));
  members.push(member);
  return member;
}

/** Waits until the live members hold these many partitions each, together all of them, once. */
async function balanced(live: readonly Member[], sizes: readonly number[]): Promise<void> {
  await eventually(
    `assignments of ${sizes.join('+')} (now ${live.map((m) => `${m.name}:[${m.partitions.join(',')}]`).join(' ')})`,
    () => {
      const all = live.flatMap((m) => m.partitions).sort((a, b) => a - b);
      const bySize = live.map((m) => m.partitions.length).sort();
      return broker.describeGroup('rebalancing')?.state === 'Stable' && JSON.stringify(all) === JSON.stringify([...Array(PARTITIONS).keys()]) && JSON.stringify(bySize) === JSON.stringify([...sizes].sort());
    },
    20_000,
  );
}

describe('a consumer group of three processes', () => {
  it('splits the partitions, and moves them as members join, leave and die; every record is read', async () => {
    const kafka = kafkaFor(broker.brokers);
    const producer = producerOf(kafka);
    await producer.connect();
    const send = (prefix: string) => producer.send({ topic: TOPIC, messages: Array.from({ length: 12 }, (_, i) => ({ key: `${prefix}${i}`, value: `${prefix}${i}` })) });
    await send('a');

    const a = startMember('a');
    await balanced([a], [6]);
    const b = startMember('b');
    await balanced([a, b], [3, 3]);
    const c = startMember('c');
    await balanced([a, b, c], [2, 2, 2]);
    expect(broker.describeGroup('rebalancing')!.members).toHaveLength(3);
    await send('b');

    c.child.stdin!.write('leave\n'); // LeaveGroup: the others rebalance at once
    await balanced([a, b], [3, 3]);
    await eventually('c to exit', () => c.exited);

    const killed = Date.now();
    b.child.kill('SIGKILL'); // no LeaveGroup: its session (1.5 s) has to time out
    await balanced([a], [6]);
    expect(Date.now() - killed).toBeGreaterThanOrEqual(1400);
    expect(broker.describeGroup('rebalancing')!.members.map((m) => m.clientId)).toEqual(['a']);
    await send('c');

    const expected = ['a', 'b', 'c'].flatMap((p) => Array.from({ length: 12 }, (_, i) => `${p}${i}`)).sort();
    await eventually('every record to be read', () => new Set(members.flatMap((m) => m.values)).size === expected.length);
    expect([...new Set(members.flatMap((m) => m.values))].sort()).toEqual(expected);
    await producer.disconnect();
    a.child.stdin!.write('leave\n');
    await eventually('a to exit', () => a.exited);
    expect(broker.describeGroup('rebalancing')!.state).toBe('Empty');
  });
});
