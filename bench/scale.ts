/**
 * `npm run bench -- --scale [--quick] [--json FILE] [--only keys,sliding,sessions]`
 *
 * How tidemark scales against the best hand-written loop, each configuration in its own
 * worker (bench/scaleJobs.ts says what is measured): throughput and retained heap as the
 * number of keys grows (1e2 … 1e6), as sliding windows overlap more (size/slide 2 … 100;
 * the target: tidemark's ns per event flat within 1.5× once the engine slices panes), and
 * as live sessions grow (1e3 … 5e5). Prints markdown tables; `--json FILE` writes the
 * results (`npx tsx bench/tables.ts --scale FILE` prints the tables again). About 8 minutes.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { REWARM, type MeasureOptions } from './measure.js';
import { scaleTables } from './report.js';
import { currentCommit, runInWorker } from './runInWorker.js';
import type { ScaleDimension, ScaleJob, ScaleResult } from './scaleJobs.js';

export const SCALE_VALUES: Readonly<Record<ScaleDimension, readonly number[]>> = {
  keys: [1e2, 1e3, 1e4, 1e5, 1e6],
  sliding: [2, 5, 10, 20, 50, 100],
  sessions: [1e3, 1e4, 1e5, 5e5],
};

/** What `--scale --json` writes. */
export interface ScaleJson {
  readonly node: string;
  readonly cpus: number;
  readonly commit: string;
  readonly load: { readonly start: readonly number[]; readonly end: readonly number[] };
  readonly results: readonly ScaleResult[];
}

export async function scaleMain(argv: readonly string[]): Promise<void> {
  let json: string | undefined;
  let only: string[] | undefined;
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') json = argv[++i];
    else if (a === '--only') only = argv[++i]?.split(',');
    else if (a === '--quick') quick = true;
    else throw new Error(`bench --scale: unknown argument ${a} (--quick, --json FILE, --only keys,sliding,sessions)`);
  }
  const measure: MeasureOptions = { runs: quick ? 2 : 3, warmupRuns: 1, warmupEvents: 300_000, minSampleSeconds: 0.3, settleMs: 150, ...REWARM_OPTIONS };
  const started = performance.now();
  const loadStart = loadavg();
  const commit = currentCommit();
  console.log(`tidemark bench --scale: node ${process.version}, ${availableParallelism()} CPUs, commit ${commit}, load average ${loadStart.map((x) => x.toFixed(2)).join(' ')}`);
  const results: ScaleResult[] = [];
  for (const dimension of Object.keys(SCALE_VALUES) as ScaleDimension[]) {
    if (only !== undefined && !only.includes(dimension)) continue;
    for (const value of SCALE_VALUES[dimension]) {
      process.stderr.write(`  running ${dimension} ${value.toLocaleString('en-US')} …\n`);
      const job: ScaleJob = { kind: 'scale', dimension, value, measure };
      const r = await runInWorker(job);
      if (r.kind !== 'scale') throw new Error(`bench --scale: unexpected ${r.kind} result`);
      results.push(r.scale);
    }
  }
  console.log(`\n${scaleTables(results)}`);
  const out: ScaleJson = { node: process.version, cpus: availableParallelism(), commit, load: { start: loadStart, end: loadavg() }, results };
  console.log(`\nload average at the end ${out.load.end.map((x) => x.toFixed(2)).join(' ')}; done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (json !== undefined) {
    writeFileSync(json, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`wrote ${json}`);
  }
}

const REWARM_OPTIONS = { rewarmRuns: REWARM.runs, rewarmEvents: REWARM.events };
