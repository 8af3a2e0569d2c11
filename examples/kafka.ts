/**
 * Per-key windowed counts from Kafka to Kafka, exactly once across crashes:
 *
 *   npm run example:kafka -- --brokers HOST:PORT --input clicks --output counts --group G --state DIR [--exit-when-idle MS]
 *
 *   clicks {"key":"k7","ts":1700000001234,"amount":12}        (ts in ms, at most 1 s out of order per partition)
 *     → fromKafka(group G, boundedOutOfOrderness(1000) per partition, checkpoints)
 *     → windowAggregate(id 'counts', tumbling(10 s), key, sum and count)
 *     → commitCheckpoints(cp, kafkaTransactions(...).sink)     one Kafka transaction per checkpoint:
 *   counts key "k7", {"key":"k7","start":…,"end":…,"sum":12,"count":1}   results + checkpoint + offsets
 *
 * A checkpoint every second; it commits when its transaction commits. DIR holds a tidemark/lmdb
 * store, a cache of the committed checkpoints (the truth is in Kafka: the checkpoint topic
 * `<G>-<id of DIR>-checkpoints` and the group's offsets), and names this member: its
 * transactional id is derived from DIR, so a restart with the same DIR fences the crashed run and
 * aborts its open transaction. SIGKILL it at any moment and start it again: consumers of `counts`
 * with read_committed (kcat -X isolation.level=read_committed) see each window exactly once.
 * SIGTERM stops it (exit 0); `--exit-when-idle MS` exits 0 after MS without input, while it holds
 * partitions, once a checkpoint after the last input is committed. `--session-timeout MS` is the
 * consumer's session timeout (default 6000, Kafka's minimum; lower it against a test broker
 * started with a lower `--min-session-timeout-ms`, so that a restart rejoins quickly).
 *
 * Without a Kafka: `npx tidemark-kafka-broker --port 9092` in another terminal, then
 * `--brokers 127.0.0.1:9092`. Limits (docs/guides/kafka.md): run one member per group; with
 * several, a partition that moves loses the open windows of its records before the last commit.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, realpathSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { tap } from 'rxjs';
import { boundedOutOfOrderness, checkpoints, commitCheckpoints, mapEvents, tumbling, values, windowAggregate, type Aggregator, type CheckpointStore } from 'tidemark';
import { fromKafka, kafkaTransactions, type KafkaRecord } from 'tidemark/kafka';
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
  const member = createHash('sha256').update(realpathSync(state)).digest('hex').slice(0, 12);
  const cache: CheckpointStore = await openLmdbStore({ path: state, retain: 3 }); // takes DIR's lock first
  const kafka = new Kafka({ brokers: brokers.split(','), clientId: `tidemark-example-${member}`, logLevel: logLevel.ERROR });
  await createTopics(kafka, input, output);
  const eo = kafkaTransactions<{ key: string; start: number; end: number; sum: number; count: number }>({
    kafka,
    transactionalId: `${group}-${member}`,
    groupId: group,
    topic: output,
    key: (c) => c.key,
    cache,
    producerConfig: { transactionTimeout: 30_000 },
  });
  let lastInput = Date.now();
  let committedAt = 0;
  const store = markCommits(eo.store);
  const cp = checkpoints({ store, interval: 1_000, pipeline: 'kafka-example/1', onCommit: () => (committedAt = Date.now()) });
  const source = fromKafka<Click>({
    kafka,
    groupId: group,
    topics: [input],
    fromBeginning: true,
    consumerConfig: { sessionTimeout, rebalanceTimeout: 2 * sessionTimeout, heartbeatInterval: Math.max(50, sessionTimeout / 10), maxWaitTimeInMs: 100 },
    checkpoints: cp,
    deserialize: (m) => JSON.parse(m.value!.toString()) as Click,
    timestamp: (r) => r.value.ts,
    watermark: boundedOutOfOrderness(1_000),
  });
  return new Promise<number>((resolve) => {
    const sub = source
      .pipe(
        tap((e) => {
          if (e.kind === 'event') lastInput = Date.now();
        }),
        windowAggregate({ id: 'counts', window: tumbling(10_000), key: (r: KafkaRecord<Click>) => r.value.key, aggregate: totals }),
        mapEvents((w) => ({ key: w.key, start: w.start, end: w.end, sum: w.value.sum, count: w.value.count })),
        commitCheckpoints(cp, { sink: eo.sink }),
        values(),
      )
      .subscribe({ error: (e: unknown) => stop(1, e) });
    const idleCheck =
      idleExit === undefined
        ? undefined
        : setInterval(() => {
            const now = Date.now();
            if (source.assignment.length > 0 && now - lastInput >= idleExit && committedAt > lastInput) stop(0);
          }, 100);
    let stopping = false;
    function stop(code: number, error?: unknown): void {
      if (stopping) return;
      stopping = true;
      if (error !== undefined) console.error(`kafka example: ${error instanceof Error ? error.message : String(error)}`);
      if (idleCheck !== undefined) clearInterval(idleCheck);
      sub.unsubscribe(); // an open transaction (results after the last checkpoint) is aborted
      void source
        .disconnected()
        .then(() => store.close())
        .catch(() => undefined)
        .then(() => resolve(code));
    }
    process.once('SIGTERM', () => stop(0));
    process.once('SIGINT', () => stop(0));
  });
}

/** For the crash tests: says when a checkpoint's transaction starts to commit, so that a test can kill the process during one. */
function markCommits(store: CheckpointStore): CheckpointStore {
  if (process.env['TIDEMARK_EXAMPLE_MARK_COMMITS'] === undefined) return store;
  const commit = store.commit.bind(store);
  return Object.assign(store, { commit: (cp: Parameters<typeof commit>[0]) => (process.stdout.write('COMMITTING\n'), commit(cp)) });
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
