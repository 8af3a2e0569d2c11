/**
 * `npm run bench -- --lmdb [--quick] [--only throughput,checkpoints,heap]`: tidemark/lmdb's figures, in a forked process with
 * `--expose-gc` (each store in a fresh temporary directory, removed afterwards):
 *
 * 1. Nexmark q5 and q11 with every windowAggregate's state in an LmdbStateBackend, against the
 *    same pipelines on the memory backend, alternating runs in one process (events per
 *    CPU-second, median; target ratio ≥ 0.5); and the LMDB runs again with a checkpoint (snapshot
 *    at the barrier + one durable commit) every 100 k events.
 * 2. What a checkpoint costs: 1 M keys with 1 % changed against 10 k keys all changed (the target:
 *    the first at most 2× the second), over enough checkpoints that the refresh cycle completes
 *    twice (the steady state: changes, entries written again, old versions removed) — the barrier
 *    (serializing the change, synchronous), the commit until durable, their sum (median, p95,
 *    max), and the longest event-loop stall meanwhile.
 * 3. Retained heap of q11 on LMDB state over a long stream, checkpointed every 100 k events
 *    (heap after a full GC at two points; bounded means flat).
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Subject, type Observable } from 'rxjs';
import { boundedOutOfOrderness, count, filterEvents, session, sliding, tumbling, values, windowAggregate, withEventTime, type StateBackend } from 'tidemark';
import { openLmdbStore, type LmdbCheckpointStore, type LmdbStateBackend } from 'tidemark/lmdb';
import { collectGarbage, gcAvailable } from './measure.js';
import { NexmarkGenerator } from './nexmark/generator.js';
import { eventTime, isBid, type NexmarkEvent } from './nexmark/model.js';
import { Q5_SIZE, Q5_SLIDE, hottest } from './nexmark/q5.js';
import { Q11_GAP } from './nexmark/q11.js';

const BOUND = 1_000;
const GENERATOR = { eventsPerSecond: 10_000, outOfOrderGroupSize: 100 };
const CHECKPOINT_EVERY = 100_000;

type Backends = (id: string) => (() => StateBackend) | undefined;
type Pipeline = (source: Observable<NexmarkEvent>, state: Backends) => Observable<unknown>;

const QUERIES: Record<'q5' | 'q11', Pipeline> = {
  q5: (source, state) =>
    source.pipe(
      withEventTime({ timestamp: eventTime, watermark: boundedOutOfOrderness(BOUND) }),
      filterEvents(isBid),
      windowAggregate({ window: sliding(Q5_SIZE, Q5_SLIDE), key: (e) => e.bid.auction, aggregate: count(), state: state('q5-counts') }),
      windowAggregate({ window: tumbling(Q5_SLIDE), aggregate: hottest(), state: state('q5-hot') }),
      values(),
    ),
  q11: (source, state) =>
    source.pipe(
      withEventTime({ timestamp: eventTime, watermark: boundedOutOfOrderness(BOUND) }),
      filterEvents(isBid),
      windowAggregate({ window: session(Q11_GAP), key: (e) => e.bid.bidder, aggregate: count(), state: state('q11-sessions') }),
      values(),
    ),
};

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tidemark-bench-lmdb-'));
}

/** Runs a query over `events`; with a store, its state in the store's backends, checkpointed every `every` events. */
async function run(query: Pipeline, events: readonly NexmarkEvent[], store: LmdbCheckpointStore | undefined, every: number | undefined): Promise<{ cpu: number; outputs: number }> {
  const backends = new Map<string, LmdbStateBackend>();
  const state: Backends = (id) => {
    if (store === undefined) return undefined;
    return () => {
      const b = store.backend(id);
      backends.set(id, b);
      return b;
    };
  };
  const source = new Subject<NexmarkEvent>();
  let outputs = 0;
  let failure: unknown;
  query(source, state).subscribe({ next: () => void outputs++, error: (e: unknown) => void (failure = e) });
  let id = ((await store?.latest())?.id ?? 0) + 1;
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < events.length; i++) {
    source.next(events[i]!);
    if (every !== undefined && store !== undefined && (i + 1) % every === 0) {
      const operators = Object.fromEntries([...backends].map(([op, b]) => [op, b.snapshot()]));
      await store.commit({ id: id++, pipeline: 'bench', operators, sources: { in: i + 1 } });
    }
  }
  source.complete();
  const cpu = process.cpuUsage(cpu0);
  if (failure !== undefined) throw failure;
  return { cpu: (cpu.user + cpu.system) / 1e6, outputs };
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rate = (n: number): string => `${(n / 1e6).toFixed(2)} M/s`;

async function throughput(events: readonly NexmarkEvent[], runs: number): Promise<void> {
  console.log(`\n## q5 and q11: LMDB backend against the memory backend (${events.length.toLocaleString('en-US')} events, median of ${runs}, events per CPU-second)\n`);
  console.log('| query | memory | LMDB | LMDB ÷ memory | LMDB + checkpoint every 100 k | ÷ memory |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [name, query] of Object.entries(QUERIES)) {
    const sides = { memory: [] as number[], lmdb: [] as number[], checkpointed: [] as number[] };
    let expected: number | undefined;
    for (let r = -1; r < runs; r++) {
      for (const side of ['memory', 'lmdb', 'checkpointed'] as const) {
        const dir = side === 'memory' ? undefined : tempDir();
        const store = dir === undefined ? undefined : await openLmdbStore({ path: dir, probe: false });
        collectGarbage();
        const { cpu, outputs } = await run(query, events, store, side === 'checkpointed' ? CHECKPOINT_EVERY : undefined);
        await store?.close();
        if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
        if (expected === undefined) expected = outputs;
        else if (outputs !== expected) throw new Error(`bench --lmdb: ${name} on ${side} gave ${outputs} outputs, the memory backend ${expected}`);
        if (r >= 0) sides[side].push(events.length / cpu); // run -1 warms up
      }
    }
    const m = median(sides.memory);
    const l = median(sides.lmdb);
    const c = median(sides.checkpointed);
    console.log(`| ${name} | ${rate(m)} | ${rate(l)} | ${(l / m).toFixed(2)} | ${rate(c)} | ${(c / m).toFixed(2)} |`);
  }
}

/** One operator's backend with `keys` keys (one value each, in one namespace), its whole state committed once. */
async function keyed(keys: number): Promise<{ store: LmdbCheckpointStore; backend: LmdbStateBackend; dir: string; id: number }> {
  const dir = tempDir();
  const store = await openLmdbStore({ path: dir, probe: false, retain: 3 });
  const backend = store.backend('counts');
  const t = backend.table<number, number, { n: number }>('counts');
  for (let k = 0; k < keys; k++) t.set(k, 0, { n: 0 });
  await store.commit({ id: 1, pipeline: 'bench', operators: { counts: backend.snapshot() }, sources: {} });
  return { store, backend, dir, id: 1 };
}

async function checkpointCost(quick: boolean): Promise<void> {
  // Enough checkpoints for the refresh cycle (which rewrites, alongside each change, half as many
  // entries not written since the cycle began) to complete twice at 1 % a checkpoint, so the
  // figures include writing again and removing what is older: the steady state, not a fresh store.
  const rounds = quick ? 120 : 250;
  console.log(`\n## Checkpoint cost: what changed, not what is held (${rounds} checkpoints each, retain 3)\n`);
  console.log('| state | changed | barrier (sync), median | commit until durable, median | barrier + commit: median | p95 | max | longest event-loop stall, median | entries written, median | state read from (last) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const results: { median: number; p95: number }[] = [];
  for (const [keys, changed] of [
    [1_000_000, 10_000],
    [10_000, 10_000],
  ] as const) {
    const s = await keyed(keys);
    const t = s.backend.table<number, number, { n: number }>('counts');
    const barrier: number[] = [];
    const commit: number[] = [];
    const total: number[] = [];
    const stall: number[] = [];
    const written: number[] = [];
    let from = 1;
    for (let r = 0; r < rounds; r++) {
      // A different `changed` keys each round (spread over all of them).
      for (let i = 0; i < changed; i++) {
        const k = keys === changed ? i : (i * 97 + r * 7919) % keys;
        t.set(k, 0, { n: r + 1 });
      }
      collectGarbage();
      const h = monitorEventLoopDelay({ resolution: 1 });
      h.enable();
      const t0 = performance.now();
      const snapshot = s.backend.snapshot();
      const t1 = performance.now();
      const delta = (snapshot as unknown as Record<string, { keys: unknown[]; complete: number | undefined }>)['tidemark-lmdb-delta']!;
      written.push(delta.keys.length);
      from = delta.complete ?? from;
      await s.store.commit({ id: ++s.id, pipeline: 'bench', operators: { counts: snapshot }, sources: {} });
      const t2 = performance.now();
      h.disable();
      barrier.push(t1 - t0);
      commit.push(t2 - t1);
      total.push(t2 - t0);
      stall.push(h.max / 1e6);
    }
    await s.store.close();
    fs.rmSync(s.dir, { recursive: true, force: true });
    const result = { median: median(total), p95: quantile(total, 0.95) };
    results.push(result);
    console.log(
      `| ${keys.toLocaleString('en-US')} keys | ${((changed / keys) * 100).toFixed(0)} % | ${median(barrier).toFixed(1)} ms | ${median(commit).toFixed(1)} ms | ${result.median.toFixed(1)} ms | ${result.p95.toFixed(1)} ms | ${Math.max(...total).toFixed(1)} ms | ${median(stall).toFixed(1)} ms | ${median(written).toLocaleString('en-US')} | checkpoint ${from} |`,
    );
  }
  console.log(
    `\n1 M keys with 1 % changed ÷ 10 k keys all changed: ${(results[0]!.median / results[1]!.median).toFixed(2)} (target ≤ 2), at the 95th percentile ${(results[0]!.p95 / results[1]!.p95).toFixed(2)}`,
  );
}

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

async function heap(quick: boolean): Promise<void> {
  const points = quick ? [1_000_000, 3_000_000] : [2_000_000, 6_000_000];
  const gen = new NexmarkGenerator(GENERATOR);
  const dir = tempDir();
  const store = await openLmdbStore({ path: dir, probe: false, retain: 3 });
  let backend: LmdbStateBackend | undefined;
  const source = new Subject<NexmarkEvent>();
  let outputs = 0;
  QUERIES.q11(source, () => () => (backend = store.backend('q11-sessions'))).subscribe({ next: () => void outputs++ });
  const heapAt: number[] = [];
  let id = 1;
  for (let i = 0; i < points.at(-1)!; i++) {
    source.next(gen.eventAt(i));
    if ((i + 1) % CHECKPOINT_EVERY === 0) await store.commit({ id: id++, pipeline: 'bench', operators: { 'q11-sessions': backend!.snapshot() }, sources: { in: i + 1 } });
    if (points.includes(i + 1)) {
      collectGarbage();
      heapAt.push(process.memoryUsage().heapUsed);
    }
  }
  source.complete();
  await store.close();
  const size = fs.statSync(path.join(dir, 'data.mdb')).size;
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`\n## Retained heap: q11 on LMDB state, a checkpoint every 100 k events\n`);
  console.log('| events | heap after GC |');
  console.log('| --- | --- |');
  points.forEach((p, i) => console.log(`| ${p.toLocaleString('en-US')} | ${(heapAt[i]! / 2 ** 20).toFixed(1)} MiB |`));
  console.log(`\ngrowth ${(heapAt[1]! / heapAt[0]!).toFixed(2)}× over ${(points[1]! / points[0]!).toFixed(0)}× the events (${outputs.toLocaleString('en-US')} sessions fired, data.mdb ${(size / 2 ** 20).toFixed(1)} MiB)`);
}

export async function lmdbMain(argv: readonly string[]): Promise<void> {
  let only: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--only') only = argv[++i]?.split(',');
    else if (argv[i] !== '--quick') throw new Error(`bench --lmdb: unknown argument ${argv[i]} (--quick, --only throughput,checkpoints,heap)`);
  }
  if (!gcAvailable()) {
    // Heap figures need a full GC: run again in a process that has one.
    const child = fork(fileURLToPath(import.meta.url), ['--lmdb-worker', ...argv], { execArgv: [...process.execArgv, '--expose-gc', '--max-old-space-size=8192'], stdio: 'inherit' });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`bench --lmdb: the worker exited with ${code}`);
    return;
  }
  const quick = argv.includes('--quick');
  console.log(`tidemark bench --lmdb: node ${process.version}, ${os.availableParallelism()} CPUs${quick ? ', quick' : ''}`);
  const events = only === undefined || only.includes('throughput') ? new NexmarkGenerator(GENERATOR).slice(0, quick ? 500_000 : 1_000_000) : [];
  if (only === undefined || only.includes('throughput')) await throughput(events, quick ? 3 : 5);
  if (only === undefined || only.includes('checkpoints')) await checkpointCost(quick);
  if (only === undefined || only.includes('heap')) await heap(quick);
}

if (process.argv[2] === '--lmdb-worker') {
  lmdbMain(process.argv.slice(3)).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
