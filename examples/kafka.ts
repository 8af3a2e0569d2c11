/**
 * Per-key windowed counts from Kafka to Kafka, exactly once across crashes and rebalances:
 *
 *   npm run example:kafka -- --brokers HOST:PORT --input clicks --output counts --group G --state DIR [--exit-when-idle MS]
 *
 *   clicks {"key":"k7","ts":1700000001234,"amount":12}        (ts in ms, at most 1 s out of order per partition)
 *     → kafkaPartitionTasks(group G): one task per assigned partition of clicks, each:
 *         boundedOutOfOrderness(1000) → windowAggregate(id 'counts', tumbling(10 s), key, sum and count)
 *         → one Kafka transaction per checkpoint (transactional id G-clicks-<partition>):
 *   counts key "k7", {"key":"k7","start":…,"end":…,"sum":12,"count":1}   results + checkpoint + offset
 *
 * A checkpoint of each task every second; it commits when its transaction commits, together with
 * the task's results and its partition's offset. The truth is in Kafka: the compacted checkpoint
 * topic `G-tidemark-checkpoints` (keyed by transactional id) and the group's offsets, which name
 * each partition's last checkpoint. DIR holds a tidemark/lmdb store per partition this member has
 * run (DIR/clicks-0 …), a cache of those checkpoints. Run one member or several, each with its own
 * DIR: the group splits the partitions; when a rebalance moves a partition, the new owner's producer
 * (same transactional id) fences the old one and aborts its open transaction, and the task restores
 * the partition's window state from its last committed checkpoint. SIGKILL members at any moment,
 * start them again or start new ones: consumers of `counts` with read_committed
 * (kcat -X isolation.level=read_committed) see each window exactly once. A key's clicks must all be
 * in one partition (a keyed producer puts them there): state and watermark are per partition.
 *
 * SIGTERM stops it (exit 0); `--exit-when-idle MS` exits 0 after MS without input, while it holds
 * partitions and no rebalance is under way, once every task has committed what it read.
 * `--session-timeout MS` is the consumer's session timeout (default 6000, Kafka's minimum; lower
 * it against a test broker started with a lower `--min-session-timeout-ms`, so that a restart or a
 * new member rebalances quickly).
 *
 * Without a Kafka: `npx tidemark-kafka-broker --port 9092` in another terminal, then
 * `--brokers 127.0.0.1:9092`. See docs/guides/kafka.md, "Scale-out and rebalances".
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { tap } from 'rxjs';
import { boundedOutOfOrderness, mapEvents, tumbling, windowAggregate, type Aggregator } from 'tidemark';
import { kafkaPartitionTasks, type KafkaRecord } from 'tidemark/kafka';
import { openLmdbStore } from 'tidemark/lmdb';

interface Click {
  key: string;
  ts: number;
  amount: number;
}

interface Totals {
  sum: number;
  count: number;
}

const totals: Aggregator<KafkaRecord<Click>, Totals, Totals> = {
  create: () => ({ sum: 0, count: 0 }),
  add: (acc, r) => ({ sum: acc.sum + r.value.amount, count: acc.count + 1 }),
  merge: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
  result: (acc) => acc,
};

const USAGE = 'usage: npm run example:kafka -- --brokers HOST:PORT --input clicks --output counts --group G --state DIR [--exit-when-idle MS] [--session-timeout MS]';

async function main(): Promise<number> {
  const { values: args } = parseArgs({
    options: { brokers: { type: 'string' }, input: { type: 'string' }, output: { type: 'string' }, group: { type: 'string' }, state: { type: 'string' }, 'exit-when-idle': { type: 'string' }, 'session-timeout': { type: 'string' } },
  });
  const { brokers, input, output, group, state } = args;
  if (brokers === undefined || input === undefined || output === undefined || group === undefined || state === undefined) {
    console.error(USAGE);
    return 2;
  }
  const idleExit = args['exit-when-idle'] === undefined ? undefined : Number(args['exit-when-idle']);
  if (idleExit !== undefined && !(idleExit > 0)) {
    console.error(`--exit-when-idle must be a positive number of ms, got ${args['exit-when-idle']}\n${USAGE}`);
    return 2;
  }
  const sessionTimeout = Number(args['session-timeout'] ?? 6_000);
  if (!(sessionTimeout > 0)) {
    console.error(`--session-timeout must be a positive number of ms, got ${args['session-timeout']}\n${USAGE}`);
    return 2;
  }
  mkdirSync(state, { recursive: true });
  const kafka = new Kafka({ brokers: brokers.split(','), clientId: `tidemark-example-${group}`, logLevel: logLevel.ERROR });
  await createTopics(kafka, input, output);
  const markCommits = process.env['TIDEMARK_EXAMPLE_MARK_COMMITS'] !== undefined; // for the crash tests: kill during a commit, see restores
  let lastInput = Date.now();
  const tasks = kafkaPartitionTasks<Click, { key: string; start: number; end: number; sum: number; count: number }>({
    kafka,
    groupId: group,
    topics: [input],
    fromBeginning: true,
    consumerConfig: { sessionTimeout, rebalanceTimeout: 2 * sessionTimeout, heartbeatInterval: Math.max(50, sessionTimeout / 10), maxWaitTimeInMs: 100 },
    deserialize: (m) => JSON.parse(m.value!.toString()) as Click,
    timestamp: (r) => r.value.ts,
    watermark: boundedOutOfOrderness(1_000),
    task: (clicks) =>
      clicks.pipe(
        tap((e) => {
          if (e.kind === 'event') lastInput = Date.now();
        }),
        windowAggregate({ id: 'counts', window: tumbling(10_000), key: (r: KafkaRecord<Click>) => r.value.key, aggregate: totals }),
        mapEvents((w) => ({ key: w.key, start: w.start, end: w.end, sum: w.value.sum, count: w.value.count })),
      ),
    topic: output,
    key: (c) => c.key,
    interval: 1_000,
    pipeline: 'kafka-example/2',
    cache: (p) => openLmdbStore({ path: join(state, `${p.topic}-${p.partition}`), retain: 3 }),
    producerConfig: { transactionTimeout: 30_000 },
  });
  return new Promise<number>((resolve) => {
    const sub = tasks.subscribe({
      next: (e) => {
        if (e.kind === 'started') lastInput = Date.now(); // a task that just started may have a backlog to read
        if (markCommits && e.kind === 'committing') process.stdout.write('COMMITTING\n');
        if (markCommits && e.kind === 'started') process.stdout.write(`STARTED ${e.topic}/${e.partition} checkpoint ${e.checkpointId}\n`);
      },
      error: (e: unknown) => stop(1, e),
    });
    // Idle: no input for MS, partitions held, no rebalance, and every task has committed all it read.
    const idle = () => tasks.assignment.length > 0 && !tasks.rebalancing && tasks.tasks().every((t) => t.state === 'running' && t.next === t.committed);
    const idleCheck = idleExit === undefined ? undefined : setInterval(() => Date.now() - lastInput >= idleExit && idle() && stop(0), 100);
    let stopping = false;
    function stop(code: number, error?: unknown): void {
      if (stopping) return;
      stopping = true;
      if (error !== undefined) console.error(`kafka example: ${error instanceof Error ? error.message : String(error)}`);
      if (idleCheck !== undefined) clearInterval(idleCheck);
      sub.unsubscribe(); // every task stops: an open transaction (results after its last checkpoint) is aborted
      void tasks
        .disconnected()
        .catch(() => undefined)
        .then(() => resolve(code));
    }
    process.once('SIGTERM', () => stop(0));
    process.once('SIGINT', () => stop(0));
  });
}

/** The input and output topics, if they do not exist yet (the output with as many partitions as the input). */
async function createTopics(kafka: Kafka, input: string, output: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    if (!existing.includes(input)) await admin.createTopics({ topics: [{ topic: input, numPartitions: 3 }] });
    if (!existing.includes(output)) await admin.createTopics({ topics: [{ topic: output, numPartitions: 1 }] });
  } finally {
    await admin.disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`kafka example: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
