/**
 * `npm run bench [-- --quick] [-- --json FILE] [-- --memory] [-- --only micro,q5]`
 *
 * Runs the micro-benchmark and the Nexmark queries, each in a forked worker process
 * (with `--expose-gc`), and prints per query: tidemark events per CPU-second, the
 * hand-written reference's, their ratio, and the peak heap. `--json FILE` also writes the
 * rows as JSON. The full run ends with the memory-boundedness check of q5 and q11
 * (20 M lazily generated events); `--memory` runs only that; `--quick` is a < 1 min smoke run.
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { PairOptions } from './measure.js';
import type { MemoryResult } from './memoryCheck.js';
import { NEXMARK_QUERIES } from './nexmark/queries.js';
import type { BenchRow, Job, JobResult } from './worker.js';

interface Cli {
  quick: boolean;
  memory: boolean;
  json: string | undefined;
  only: string[] | undefined;
}

function parseCli(argv: readonly string[]): Cli {
  const cli: Cli = { quick: false, memory: false, json: undefined, only: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') cli.quick = true;
    else if (a === '--memory') cli.memory = true;
    else if (a === '--json') cli.json = argv[++i];
    else if (a === '--only') cli.only = argv[++i]?.split(',');
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm run bench -- [--quick] [--memory] [--json FILE] [--only micro,q0,q1,q2,q5,q7,q11]');
      process.exit(0);
    } else throw new Error(`bench: unknown argument ${a}; try --help`);
  }
  if (cli.json === undefined && argv.includes('--json')) throw new Error('bench: --json needs a file name');
  return cli;
}

/** Nexmark stream parameters shared by every query (stated in every result). */
const NEXMARK_GENERATOR = { eventsPerSecond: 10_000, outOfOrderGroupSize: 100 };
const NEXMARK_BOUND = 1_000;
const MEMORY_CHECKPOINTS = [2_000_000, 20_000_000];

function pairOptions(cli: Cli): PairOptions {
  return cli.quick
    ? { runs: 3, warmupRuns: 2, warmupEvents: 300_000, minSampleSeconds: 0.1, settleMs: 100 }
    : { runs: 7, warmupRuns: 2, warmupEvents: 500_000, minSampleSeconds: 0.5, settleMs: 250 };
}

function jobs(cli: Cli): Job[] {
  const pair = pairOptions(cli);
  const nexmarkEvents = cli.quick ? 300_000 : 2_000_000;
  const list: Job[] = [];
  const wanted = (name: string): boolean => cli.only === undefined || cli.only.includes(name);
  if (!cli.memory) {
    if (wanted('micro')) list.push({ kind: 'micro', config: cli.quick ? { events: 1_000_000 } : {}, pair });
    for (const { query } of NEXMARK_QUERIES) {
      if (wanted(query.name)) {
        list.push({ kind: 'nexmark', query: query.name, events: nexmarkEvents, generator: NEXMARK_GENERATOR, bound: NEXMARK_BOUND, pair });
      }
    }
  }
  if (cli.memory || !cli.quick) {
    for (const name of ['q5', 'q11']) {
      if (wanted(name)) list.push({ kind: 'memory', query: name, generator: NEXMARK_GENERATOR, bound: NEXMARK_BOUND, checkpoints: MEMORY_CHECKPOINTS });
    }
  }
  return list;
}

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

function runInWorker(job: Job): Promise<JobResult> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [JSON.stringify(job)], {
      execArgv: [...process.execArgv, '--expose-gc', '--max-old-space-size=8192'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let settled = false;
    child.on('message', (m: { ok: true; result: JobResult } | { ok: false; error: string }) => {
      settled = true;
      if (m.ok) resolve(m.result);
      else reject(new Error(m.error));
    });
    child.on('exit', (code) => {
      if (!settled) reject(new Error(`bench worker exited with code ${code} before reporting`));
    });
  });
}

const fmtRate = (x: number): string => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : `${(x / 1e3).toFixed(0)} K`);
const fmtMB = (x: number): string => `${(x / 2 ** 20).toFixed(0)} MB`;

function table(rows: readonly BenchRow[]): string {
  const head = ['query', 'what', 'events', 'tidemark ev/CPU-s', 'reference ev/CPU-s', 'ratio', 'pair ratios', 'target', 'peak heap tidemark / ref'];
  const body = rows.map((r) => [
    r.query,
    r.title,
    r.events.toLocaleString('en-US'),
    fmtRate(r.tidemarkEventsPerSec),
    fmtRate(r.referenceEventsPerSec),
    r.ratio.toFixed(2),
    `${r.ratioRange[0].toFixed(2)}–${r.ratioRange[1].toFixed(2)}`,
    `${r.ratio >= r.target ? '≥' : '<'} ${r.target}`,
    `${fmtMB(r.peakHeapBytes)} / ${fmtMB(r.referencePeakHeapBytes)}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  return [line(head), `|${widths.map((w, i) => (i >= 2 ? `${'-'.repeat(w + 1)}:` : `${'-'.repeat(w + 2)}`)).join('|')}|`, ...body.map(line)].join('\n');
}

function memoryTable(results: readonly MemoryResult[]): string {
  return results
    .map((m) => {
      const pts = m.points.map((p) => `${(p.events / 1e6).toFixed(0)} M events: ${fmtMB(p.heapUsedBytes)}`).join(', ');
      const verdict = m.growth <= 2 ? 'bounded (≤ 2×)' : 'NOT bounded (> 2×)';
      return `${m.query}: heap after GC at ${pts}; ×${m.growth.toFixed(2)} — ${verdict}; ${m.outputs.toLocaleString('en-US')} outputs, ${m.cpuSeconds.toFixed(1)} CPU-s incl. generation`;
    })
    .join('\n');
}

async function main(): Promise<void> {
  const cli = parseCli(process.argv.slice(2));
  const started = performance.now();
  const rows: BenchRow[] = [];
  const memory: MemoryResult[] = [];
  console.log(`tidemark bench${cli.quick ? ' (quick)' : ''}: node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? '?'})`);
  for (const job of jobs(cli)) {
    const name = job.kind === 'micro' ? 'micro' : `${job.kind === 'memory' ? 'memory ' : ''}${job.query}`;
    process.stderr.write(`  running ${name} …\n`);
    const result = await runInWorker(job);
    if (result.kind === 'row') {
      rows.push(result.row);
      const r = result.row;
      process.stderr.write(`    ${r.query}: ratio ${r.ratio.toFixed(2)} (tidemark ${fmtRate(r.tidemarkEventsPerSec)}, reference ${fmtRate(r.referenceEventsPerSec)} ev/CPU-s)\n`);
    } else {
      memory.push(result.memory);
    }
  }
  if (rows.length > 0) {
    console.log('');
    console.log(table(rows));
    console.log('');
    const seen = new Set<string>();
    for (const r of rows) {
      if (seen.has(r.params)) continue;
      seen.add(r.params);
      const who = rows.filter((x) => x.params === r.params).map((x) => x.query);
      console.log(`${who.join(', ')}: ${r.params}; generator cost excluded (${r.generationSeconds.toFixed(1)} s, before timing).`);
    }
    const p = pairOptions(cli);
    console.log(
      'Method: events per CPU-second (user + system, process.cpuUsage, GC threads included) over a pre-generated array; ' +
        'one process per query; warm-up, then samples of tidemark and the hand-written reference alternating, each after a full GC ' +
        `and a ${p.settleMs} ms pause, each repeating the run to >= ${p.minSampleSeconds} CPU-s; median of ${p.runs} samples; ` +
        `"pair ratios" = range over the ${p.runs} pairs. ` +
        'Outputs verified equal. Peak heap = max sampled heapUsed above the settled baseline (input excluded).',
    );
  }
  if (memory.length > 0) {
    console.log('');
    console.log('Memory boundedness (events generated lazily, heap after full GC):');
    console.log(memoryTable(memory));
  }
  console.log(`\ndone in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (cli.json !== undefined) {
    const json = {
      node: process.version,
      cpus: availableParallelism(),
      results: rows.map((r) => ({
        query: r.query,
        events: r.events,
        tidemarkEventsPerSec: Math.round(r.tidemarkEventsPerSec),
        referenceEventsPerSec: Math.round(r.referenceEventsPerSec),
        ratio: Number(r.ratio.toFixed(3)),
        ratioRange: r.ratioRange.map((x) => Number(x.toFixed(3))),
        peakHeapBytes: r.peakHeapBytes,
        referencePeakHeapBytes: r.referencePeakHeapBytes,
        target: r.target,
        params: r.params,
        outputs: r.outputs,
        passesPerSample: { tidemark: r.passes[0], reference: r.passes[1] },
        tidemarkCpuSeconds: r.tidemarkCpuSeconds,
        referenceCpuSeconds: r.referenceCpuSeconds,
      })),
      memory,
    };
    writeFileSync(cli.json, `${JSON.stringify(json, null, 2)}\n`);
    console.log(`wrote ${cli.json}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
