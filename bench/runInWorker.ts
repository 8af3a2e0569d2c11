import { execSync, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Job, JobResult } from './worker.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** Runs a job in a forked worker (bench/worker.ts) with `--expose-gc`, a large heap and the V8 flags of `TIDEMARK_BENCH_V8`, if set. */
export function runInWorker(job: Job): Promise<JobResult> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [JSON.stringify(job)], {
      execArgv: [...process.execArgv, '--expose-gc', '--max-old-space-size=8192', ...(process.env['TIDEMARK_BENCH_V8'] ?? '').split(' ').filter((f) => f !== '')],
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
