import { execSync, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Job, JobResult } from './worker.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

/**
 * The V8 flags of the workers: `TIDEMARK_BENCH_V8` if set (empty: none), else
 * `--single-threaded`. With V8's background threads (concurrent compilation, marking,
 * sweeping) a loop runs at one of two speeds per process, and which one it draws is chance:
 * q3's best loop read 52–112 M events/CPU-s across 8 processes of one commit, so a median of 3
 * processes read 0.38 in one run and 0.69 in the next. Single-threaded, the same 4 processes
 * read 52–55 M (docs/performance.md, *One process, two speeds*). Compilation and GC then run on
 * the measured thread, and count for the side that causes them.
 */
export function benchV8Flags(): string[] {
  return (process.env['TIDEMARK_BENCH_V8'] ?? '--single-threaded').split(' ').filter((f) => f !== '');
}

/** Runs a job in a forked worker (bench/worker.ts) with `--expose-gc`, a large heap and {@link benchV8Flags}. */
export function runInWorker(job: Job): Promise<JobResult> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [JSON.stringify(job)], {
      execArgv: [...process.execArgv, '--expose-gc', '--max-old-space-size=8192', ...benchV8Flags()],
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

/**
 * The commit measured: `TIDEMARK_BENCH_COMMIT` if set (a run in an exported copy of a
 * commit), else `git rev-parse --short HEAD`, marked when src/ or bench/ has uncommitted changes.
 */
export function currentCommit(): string {
  const given = process.env['TIDEMARK_BENCH_COMMIT'];
  if (given !== undefined && given !== '') return given;
  try {
    const hash = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execSync('git status --porcelain -- src bench', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() !== '';
    return dirty ? `${hash} + uncommitted changes in src/ or bench/` : hash;
  } catch {
    return 'unknown';
  }
}
