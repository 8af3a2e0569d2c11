/**
 * `npm run bench [-- --quick] [-- --json FILE] [-- --memory] [-- --only micro,q5,q8,chain,generation]`
 *
 * Runs the micro-benchmark and the Nexmark queries, each in a forked worker process (with
 * `--expose-gc`), and prints per query: tidemark's events per CPU-second, the best
 * hand-written loop's and the straightforward one's, the ratios (tidemark ÷ best is the
 * target) with their spreads, and the peak heap. Then: the cost of an RxJS operator inside
 * a tidemark chain, the queries on one core including generation (next to Flink's
 * published per-core figures), and (full run, or `--memory` alone) the memory-boundedness
 * check of q5 and q11. `--json FILE` also writes everything as JSON (`npx tsx
 * bench/tables.ts FILE` prints the tables again). `--quick` is a run of one round per
 * process instead of three (about half the time) whose ratios agree with the full run's (see
 * docs/performance.md).
 *
 * Each query is measured in 3 processes one after another (rounds of one sample per side in
 * each, the order rotating across them), and the medians are over all their samples: a loop
 * runs at one of two speeds per process, and one process reads whichever it drew.
 *
 * Experiment knobs: `--events N` (Nexmark events), `--runs N` (samples per side and process),
 * `--processes N` (processes per query),
 * `--rewarm RUNS,EVENTS` (the re-warm before each sample); the environment variable
 * `TIDEMARK_BENCH_V8` sets the workers' V8 flags (default `--single-threaded`: compilation and
 * GC on the measured thread, see bench/runInWorker.ts; `TIDEMARK_BENCH_V8=` for V8's defaults). `--scale` runs the scale
 * measurements instead (bench/scale.ts), `--lmdb` tidemark/lmdb's (bench/lmdb.ts).
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ChainResult } from './chainCost.js';
import type { GenerationResult } from './generation.js';
import { REWARM, combineMeasures, type MeasureOptions } from './measure.js';
import type { MemoryResult } from './memoryCheck.js';
import { NEXMARK_QUERIES } from './nexmark/queries.js';
import { chainTable, fmtRate, generationTable, memoryTable, resultsTable, type BenchJson, type JsonRow } from './report.js';
import type { BenchRow, Job, JobResult } from './worker.js';
import { benchV8Flags, currentCommit, runInWorker } from './runInWorker.js';

interface Cli {
  quick: boolean;
  memory: boolean;
  json: string | undefined;
  only: string[] | undefined;
  events: number | undefined;
  runs: number | undefined;
  rewarm: [number, number] | undefined;
  processes: number | undefined;
}

function parseCli(argv: readonly string[]): Cli {
  const cli: Cli = { quick: false, memory: false, json: undefined, only: undefined, events: undefined, runs: undefined, rewarm: undefined, processes: undefined };
  const number = (flag: string, s: string | undefined): number => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) throw new Error(`bench: ${flag} needs a non-negative integer, got ${s}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') cli.quick = true;
    else if (a === '--memory') cli.memory = true;
    else if (a === '--json') {
      cli.json = argv[++i];
      if (cli.json === undefined) throw new Error('bench: --json needs a file name');
    } else if (a === '--only') cli.only = argv[++i]?.split(',');
    else if (a === '--events') cli.events = number(a, argv[++i]);
    else if (a === '--runs') cli.runs = number(a, argv[++i]);
    else if (a === '--processes') cli.processes = Math.max(1, number(a, argv[++i]));
    else if (a === '--rewarm') {
      const [r, e] = (argv[++i] ?? '').split(',');
      cli.rewarm = [number(a, r), number(a, e)];
    } else if (a === '--help' || a === '-h') {
      console.log('usage: npm run bench -- [--quick] [--memory] [--json FILE] [--only micro,q0,q1,q2,q3,q5,q7,q8,q11,auctionBids,chain,generation] [--events N] [--runs N] [--processes N] [--rewarm RUNS,EVENTS]');
      process.exit(0);
    } else throw new Error(`bench: unknown argument ${a}; try --help`);
  }
  return cli;
}

/** Nexmark stream parameters shared by every query (stated in every result). */
const NEXMARK_GENERATOR = { eventsPerSecond: 10_000, outOfOrderGroupSize: 100 };
const NEXMARK_BOUND = 1_000;
const MEMORY_CHECKPOINTS = [2_000_000, 20_000_000];

/**
 * Quick and full differ in rounds only: the same inputs (events per query), warm-up, re-warm,
 * sample length and the same 3 processes per query, so that quick reads the same ratios
 * (within ±0.1): quick takes one round per process, full three. (A shorter quick input read
 * systematically apart: micro at 2 M events read 0.79 where the full 10 M read 1.03.)
 */
function measureOptions(cli: Cli): MeasureOptions {
  const base = { runs: cli.quick ? 1 : 3, warmupRuns: 2, warmupEvents: 500_000, minSampleSeconds: 0.5, settleMs: 250 };
  return {
    ...base,
    runs: cli.runs ?? base.runs,
    rewarmRuns: cli.rewarm?.[0] ?? REWARM.runs,
    rewarmEvents: cli.rewarm?.[1] ?? REWARM.events,
  };
}

/** Processes per measured query (see the file's comment). */
const PROCESSES = 3;

function jobs(cli: Cli): Job[] {
  const measure = measureOptions(cli);
  const nexmarkEvents = cli.events ?? 2_000_000;
  const list: Job[] = [];
  const wanted = (name: string): boolean => cli.only === undefined || cli.only.includes(name);
  if (!cli.memory) {
    if (wanted('micro')) list.push({ kind: 'micro', config: {}, measure });
    for (const { query } of NEXMARK_QUERIES) {
      if (wanted(query.name)) {
        list.push({ kind: 'nexmark', query: query.name, events: nexmarkEvents, generator: NEXMARK_GENERATOR, bound: NEXMARK_BOUND, measure });
      }
    }
    if (wanted('chain')) list.push({ kind: 'chain', events: 1_000_000, runs: cli.quick ? 3 : 7, minSampleSeconds: cli.quick ? 0.3 : 0.5 });
    if (wanted('generation')) {
      for (const { query } of NEXMARK_QUERIES) {
        list.push({ kind: 'generation', query: query.name, events: cli.quick ? 500_000 : 2_000_000, generator: NEXMARK_GENERATOR, bound: NEXMARK_BOUND, runs: cli.quick ? 1 : 3 });
      }
    }
  }
  if (cli.memory || (!cli.quick && cli.only === undefined)) {
    for (const name of ['q5', 'q11']) {
      list.push({ kind: 'memory', query: name, generator: NEXMARK_GENERATOR, bound: NEXMARK_BOUND, checkpoints: MEMORY_CHECKPOINTS });
    }
  }
  return list;
}

function jsonRow(r: BenchRow): JsonRow {
  const { tidemark, best, straightforward } = r.sides;
  return {
    query: r.query,
    title: r.title,
    events: r.events,
    outputs: r.outputs,
    params: r.params,
    target: r.target,
    tidemarkEventsPerSec: Math.round(tidemark.eventsPerSec),
    bestEventsPerSec: Math.round(best.eventsPerSec),
    straightforwardEventsPerSec: Math.round(straightforward.eventsPerSec),
    ratio: r.ratio,
    ratioStraightforward: r.ratioStraightforward,
    bestSpeedup: r.bestSpeedup,
    peakHeapBytes: { tidemark: tidemark.peakHeapBytes, best: best.peakHeapBytes, straightforward: straightforward.peakHeapBytes },
    cpuSeconds: { tidemark: tidemark.cpuSeconds, best: best.cpuSeconds, straightforward: straightforward.cpuSeconds },
    passes: { tidemark: tidemark.passes, best: best.passes, straightforward: straightforward.passes },
    generationSeconds: r.generationSeconds,
  };
}

function method(cli: Cli): string {
  const m = measureOptions(cli);
  return (
    `Events per CPU-second (user + system, process.cpuUsage, GC included) over a pre-generated array, V8 flags: ${benchV8Flags().join(' ') || 'none'}; ` +
    `${cli.processes ?? PROCESSES} processes per query, one after another; in each, ` +
    `warm-up (${m.warmupRuns} runs of each side over ${m.warmupEvents.toLocaleString('en-US')} events), then ${m.runs} round${m.runs === 1 ? '' : 's'} of one sample per side, ` +
    'the order rotating across rounds and processes (tidemark, best, straightforward; best, straightforward, tidemark; …); ' +
    `each sample after a full GC, a ${m.settleMs} ms pause and ${m.rewarmRuns} untimed re-warm runs over ${m.rewarmEvents!.toLocaleString('en-US')} events, ` +
    `repeating the run to >= ${m.minSampleSeconds} CPU-s; rates are medians over all processes' samples; a ratio is of medians, its spread (in parentheses) the range of the per-round ratios. ` +
    'Outputs of all three verified equal (warm-up and first round). Peak heap = max sampled heapUsed above the settled baseline (input excluded).'
  );
}

/** Runs a measuring job in `processes` workers one after another, each starting the rotation where the last left off, and combines their samples. */
async function measureInProcesses(job: Extract<Job, { kind: 'micro' | 'nexmark' }>, processes: number): Promise<JobResult> {
  const rows: BenchRow[] = [];
  for (let p = 0; p < processes; p++) {
    const result = await runInWorker({ ...job, measure: { ...job.measure, rotation: p * job.measure.runs } });
    if (result.kind !== 'row') throw new Error(`bench: a ${job.kind} job reported ${result.kind}`);
    rows.push(result.row);
  }
  return { kind: 'row', row: { ...rows[0]!, ...combineMeasures(rows) } };
}

async function main(): Promise<void> {
  const cli = parseCli(process.argv.slice(2));
  const started = performance.now();
  const loadStart = loadavg();
  const rows: BenchRow[] = [];
  const memory: MemoryResult[] = [];
  const generation: GenerationResult[] = [];
  let chain: ChainResult | undefined;
  const commit = currentCommit();
  console.log(
    `tidemark bench${cli.quick ? ' (quick)' : ''}: node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? '?'}), ` +
      `commit ${commit}, load average ${loadStart.map((x) => x.toFixed(2)).join(' ')}`,
  );
  for (const job of jobs(cli)) {
    const name = job.kind === 'micro' || job.kind === 'chain' ? job.kind : 'query' in job ? `${job.kind === 'nexmark' ? '' : `${job.kind} `}${job.query}` : job.kind;
    process.stderr.write(`  running ${name} …\n`);
    const result = job.kind === 'micro' || job.kind === 'nexmark' ? await measureInProcesses(job, cli.processes ?? PROCESSES) : await runInWorker(job);
    if (result.kind === 'row') {
      rows.push(result.row);
      const r = result.row;
      process.stderr.write(
        `    ${r.query}: ratio ${r.ratio.value.toFixed(2)} vs best, ${r.ratioStraightforward.value.toFixed(2)} vs straightforward ` +
          `(tidemark ${fmtRate(r.sides.tidemark.eventsPerSec)}, best ${fmtRate(r.sides.best.eventsPerSec)}, straightforward ${fmtRate(r.sides.straightforward.eventsPerSec)} ev/CPU-s)\n`,
      );
    } else if (result.kind === 'memory') memory.push(result.memory);
    else if (result.kind === 'generation') generation.push(result.generation);
    else if (result.kind === 'chain') chain = result.chain;
  }
  const json: BenchJson = {
    node: process.version,
    cpus: availableParallelism(),
    commit,
    quick: cli.quick,
    load: { start: loadStart, end: loadavg() },
    method: method(cli),
    results: rows.map(jsonRow),
    generation,
    chain,
    memory,
  };
  if (rows.length > 0) {
    console.log(`\n${resultsTable(json.results)}\n`);
    const seen = new Set<string>();
    for (const r of rows) {
      if (seen.has(r.params)) continue;
      seen.add(r.params);
      const who = rows.filter((x) => x.params === r.params).map((x) => x.query);
      console.log(`${who.join(', ')}: ${r.params}; generator cost excluded (${r.generationSeconds.toFixed(1)} s, before timing).`);
    }
    console.log(`Method: ${json.method}`);
  }
  if (chain !== undefined) console.log(`\nAn RxJS operator inside a tidemark chain (${chain.events.toLocaleString('en-US')} events):\n\n${chainTable(chain)}`);
  if (generation.length > 0) console.log(`\nOne core, including generation (events generated as pulled, in batches of 1,024):\n\n${generationTable(generation)}`);
  if (memory.length > 0) console.log(`\nMemory boundedness (events generated lazily, heap after full GC):\n\n${memoryTable(memory)}`);
  console.log(`\nload average at the end ${json.load.end.map((x) => x.toFixed(2)).join(' ')}; done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (cli.json !== undefined) {
    writeFileSync(cli.json, `${JSON.stringify(json, null, 2)}\n`);
    console.log(`wrote ${cli.json}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const run = argv.includes('--scale')
    ? import('./scale.js').then((m) => m.scaleMain(argv.filter((a) => a !== '--scale')))
    : argv.includes('--lmdb')
      ? import('./lmdb.js').then((m) => m.lmdbMain(argv.filter((a) => a !== '--lmdb')))
      : main();
  run.catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
