/**
 * How one side of one query runs from process to process:
 *
 *   npx tsx bench/processSpread.ts q7 best [processes] [events]
 *
 * Forks `processes` workers (default 8, each with `--expose-gc` and the bench's V8 flags,
 * `benchV8Flags()`: `--single-threaded` unless `TIDEMARK_BENCH_V8` says otherwise); each
 * generates the query's events, runs the side 24 times over them
 * (a fresh pipeline or reference each time) and reports the median of its last 12 runs in
 * events per CPU-second. Prints the processes' figures sorted: a loop that runs at one of two
 * speeds per process (docs/performance.md, *One process, two speeds*) shows as two clusters.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { makeSink, median, runSide, type Side } from './measure.js';
import { benchV8Flags } from './runInWorker.js';
import { NexmarkGenerator } from './nexmark/generator.js';
import { nexmarkQuery } from './nexmark/queries.js';

const SELF = fileURLToPath(import.meta.url);
const RUNS = 24;

function child(name: string, side: Side, events: number): number {
  const { query } = nexmarkQuery(name);
  const input = new NexmarkGenerator({ eventsPerSecond: 10_000, outOfOrderGroupSize: 100 }).slice(0, events);
  const rates: number[] = [];
  for (let i = 0; i < RUNS; i++) rates.push(events / runSide(side, query, input, { bound: 1_000 }, makeSink(query)).cpuSeconds);
  return median(rates.slice(RUNS / 2));
}

function spawn(args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const flags = benchV8Flags();
    const worker = fork(SELF, ['--child', ...args], { execArgv: [...process.execArgv, '--expose-gc', ...flags], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    worker.on('message', (rate: number) => resolve(rate));
    worker.on('exit', (code) => (code === 0 ? undefined : reject(new Error(`processSpread: a worker exited with code ${code}`))));
  });
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  const [, name = 'q7', side = 'best', events = '1000000'] = argv;
  process.send!(child(name, side as Side, Number(events)));
  process.disconnect();
} else {
  const [name = 'q7', side = 'best', processes = '8', events = '1000000'] = argv;
  if (!['tidemark', 'best', 'straightforward'].includes(side)) throw new Error(`processSpread: side must be tidemark, best or straightforward, got ${side}`);
  const rates: number[] = [];
  for (let p = 0; p < Number(processes); p++) rates.push(await spawn([name, side, events]));
  rates.sort((a, b) => a - b);
  console.log(`${name} ${side}, ${processes} processes, M events/CPU-s: ${rates.map((r) => (r / 1e6).toFixed(2)).join(' ')}`);
}
