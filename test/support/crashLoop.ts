import { spawn, type ChildProcess } from 'node:child_process';
import { prng } from '../../examples/sensors.js';

/** A seeded pseudo-random generator (mulberry32, the examples' own): the kill moments are the same on every run. */
export const seeded = prng;

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Whether the test killed it. */
  readonly killed: boolean;
}

/**
 * Runs `node --import tsx <script> <args>`; kills it with SIGKILL after `killAfter` ms, or when
 * it prints `killOn` (then after `killOnDelay` ms, 0 = at once), whichever comes first.
 */
export function runChild(script: string, args: readonly string[], opts: { killAfter?: number; killOn?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) {
        killed = true;
        child.kill('SIGKILL');
      }
    };
    const timer = opts.killAfter === undefined ? undefined : setTimeout(kill, opts.killAfter);
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (opts.killOn !== undefined && stdout.includes(opts.killOn)) kill();
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, killed });
    });
  });
}

export interface CrashLoopResult {
  readonly kills: number;
  readonly killsDuringCommit: number;
  readonly runs: number;
  readonly last: RunResult;
}

/**
 * Runs the script again and again, killing it with SIGKILL at seeded random moments (`kills`
 * times, every third one while a checkpoint commits), then lets it run to the end.
 */
export async function crashLoop(script: string, args: readonly string[], options: { seed: number; kills: number; minMs: number; maxMs: number }): Promise<CrashLoopResult> {
  const random = seeded(options.seed);
  let kills = 0;
  let killsDuringCommit = 0;
  let runs = 0;
  for (let i = 0; i < options.kills; i++) {
    const duringCommit = i % 3 === 2;
    const killAfter = options.minMs + Math.floor(random() * (options.maxMs - options.minMs));
    const r = await runChild(script, args, duringCommit ? { killAfter: options.maxMs * 2, killOn: 'COMMITTING', env: { TIDEMARK_TEST_COMMIT_MARK: '1', TIDEMARK_EXAMPLE_MARK_COMMITS: '1' } } : { killAfter });
    runs++;
    if (r.killed) {
      kills++;
      if (duringCommit && r.stdout.includes('COMMITTING')) killsDuringCommit++;
    } else if (r.code !== 0) {
      throw new Error(`run ${runs} failed (code ${r.code}, signal ${r.signal}): ${r.stderr}`);
    } else {
      break; // it finished before the kill: nothing left to crash
    }
  }
  const last = await runChild(script, args);
  runs++;
  return { kills, killsDuringCommit, runs, last };
}
