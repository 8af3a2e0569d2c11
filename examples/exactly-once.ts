/**
 * Exactly-once windowed sums across crashes (`npm run example:exactly-once -- --input IN.jsonl
 * --output OUT.jsonl --state DIR`): per key, 10-second tumbling windows of the `amount`s in a
 * JSON-lines file, written to a JSON-lines file, checkpointed every 200 ms into DIR with tidemark/lmdb.
 *
 *   IN.jsonl {"key":"k7","ts":1700000001234,"amount":12}   (ts in ms, at most 1 s out of order)
 *     → fromReplayable(jsonLinesSource(IN), boundedOutOfOrderness(1000))   resumes at a byte offset
 *     → windowAggregate(id 'sums', tumbling(10 s), key, sum and count)      state restored by id
 *     → mapEvents(→ {"key","start","end","sum","count"})
 *     → commitCheckpoints(cp, jsonLinesSink(OUT))                           truncated to the checkpoint on restart
 *
 * Kill it (SIGKILL) at any moment and run the same command again: it resumes from the last
 * checkpoint and, once the input is consumed, exits 0 with OUT holding every window exactly once.
 * A second run on the same DIR while one is running exits 1 at once ("in use") without touching OUT.
 * A damaged DIR is an error with a message (exit 1), never a crash by signal.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  boundedOutOfOrderness,
  checkpoints,
  commitCheckpoints,
  fromReplayable,
  mapEvents,
  tumbling,
  values,
  windowAggregate,
  type Aggregator,
  type CheckpointStore,
} from 'tidemark';
import { jsonLinesSink, jsonLinesSource } from 'tidemark/node';
import { openLmdbStore } from 'tidemark/lmdb';

interface Payment {
  key: string;
  ts: number;
  amount: number;
}

interface Totals {
  sum: number;
  count: number;
}

const totals: Aggregator<Payment, Totals, Totals> = {
  create: () => ({ sum: 0, count: 0 }),
  add: (acc, p) => ({ sum: acc.sum + p.amount, count: acc.count + 1 }),
  merge: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
  result: (acc) => acc,
};

/**
 * openLmdbStore, except that a lock held by a process that was killed a moment ago and is not yet
 * reaped (a zombie: it still has a pid, it will never run again) is waited for, up to 3 s. A
 * lock held by a live process is refused at once.
 */
async function openLocked(dir: string): Promise<CheckpointStore> {
  for (let waited = 0; ; waited += 50) {
    try {
      return await openLmdbStore({ path: dir, retain: 3 });
    } catch (error) {
      const holder = /in use by process (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
      if (holder === undefined || waited >= 3000 || !isZombie(Number(holder))) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function isZombie(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true; // gone since: try again
  }
}

/** Opens the state directory (tidemark/lmdb): this takes its lock, before anything else is touched. */
async function openStore(dir: string): Promise<CheckpointStore> {
  const store = await openLocked(dir);
  if (process.env['TIDEMARK_EXAMPLE_MARK_COMMITS'] === undefined) return store;
  // For the crash tests: says when a commit starts, so that a test can kill the process during one.
  const commit = store.commit.bind(store);
  return Object.assign(store, { commit: (cp: Parameters<typeof commit>[0]) => (process.stdout.write('COMMITTING\n'), commit(cp)) });
}

async function main(): Promise<number> {
  const { values: args } = parseArgs({ options: { input: { type: 'string' }, output: { type: 'string' }, state: { type: 'string' } } });
  if (args.input === undefined || args.output === undefined || args.state === undefined) {
    console.error('usage: npm run example:exactly-once -- --input IN.jsonl --output OUT.jsonl --state DIR');
    return 2;
  }
  const store = await openStore(args.state);
  try {
    const cp = checkpoints({ store, interval: 200, pipeline: 'exactly-once-example/1' });
    await new Promise<void>((resolve, reject) => {
      fromReplayable(jsonLinesSource<Payment>(args.input!), { id: 'payments', checkpoints: cp, timestamp: (p) => p.ts, watermark: boundedOutOfOrderness(1000) })
        .pipe(
          windowAggregate({ id: 'sums', window: tumbling(10_000), key: (p: Payment) => p.key, aggregate: totals }),
          mapEvents((r) => ({ key: r.key, start: r.start, end: r.end, sum: r.value.sum, count: r.value.count })),
          commitCheckpoints(cp, { sink: jsonLinesSink(args.output!) }),
          values(),
        )
        .subscribe({ complete: resolve, error: reject });
    });
    return 0;
  } finally {
    await store.close();
  }
}

/**
 * The process the command starts supervises a worker process (itself, forked) that does the
 * work: lmdb-js can die by a signal (SIGSEGV, SIGBUS) on a damaged data file that passed its
 * checks, and the command must then exit 1 with a message. A worker whose supervisor dies (is
 * SIGKILLed) stops at once too, so killing the command kills the run.
 */
function supervise(): void {
  const worker = fork(process.argv[1]!, process.argv.slice(2), { env: { ...process.env, TIDEMARK_EXACTLY_ONCE_WORKER: '1' }, execArgv: process.execArgv, stdio: 'inherit' });
  // Orphaned (npm or the shell above was killed): take the worker down, as a kill of the group would.
  dieWithAncestors(() => {
    worker.kill('SIGKILL');
    process.kill(process.pid, 'SIGKILL');
  });
  worker.on('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1);
    const state = parseArgs({ options: { state: { type: 'string' } }, strict: false }).values.state;
    console.error(
      `exactly-once: the run died with ${signal}` +
        (signal === 'SIGSEGV' || signal === 'SIGBUS' ? ` while reading the state directory ${String(state)}, which is damaged; restore it from a backup, or remove it to start over` : ''),
    );
    process.exit(1);
  });
}

/** The parent of `pid`, from /proc (Linux); undefined elsewhere. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** The worker's ancestors: its supervisor, and what started it (tsx, a shell, npm). */
function ancestry(): number[] {
  const chain = [process.ppid];
  for (let p = parentOf(process.ppid); chain.length < 4 && p !== undefined && p > 1; p = parentOf(p)) chain.push(p);
  return chain;
}

/**
 * The worker dies with whatever started the command: `kill -9` of npm (which does not pass signals
 * on) leaves its children running, and a run nobody waits for would hold the state directory.
 */
function dieWithAncestors(onDeath: () => void = () => process.kill(process.pid, 'SIGKILL')): void {
  const initial = ancestry();
  const watch = setInterval(() => {
    const now = ancestry();
    if (initial.some((pid, i) => now[i] !== pid)) onDeath();
  }, 50);
  watch.unref();
}

if (process.env['TIDEMARK_EXACTLY_ONCE_WORKER'] === undefined) {
  supervise();
} else {
  process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
  dieWithAncestors();
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`exactly-once: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
