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
 * Runs `node --import tsx <script> <args>`; kills it with SIGKILL after `killAfter` ms, or once
 * it has printed `killOn` `killOnCount` times (default 1; then after `killOnDelay` ms, 0 = at
 * once), whichever comes first.
 */
export function runChild(
  script: string,
  args: readonly string[],
  opts: { killAfter?: number; killOn?: string; killOnCount?: number; killOnDelay?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
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
    let delayed: NodeJS.Timeout | undefined;
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (opts.killOn === undefined || delayed !== undefined || killed) return;
      if (stdout.split(opts.killOn).length - 1 < (opts.killOnCount ?? 1)) return;
      if ((opts.killOnDelay ?? 0) === 0) kill();
      else delayed = setTimeout(kill, opts.killOnDelay);
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      if (delayed !== undefined) clearTimeout(delayed);
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
 * times), then lets it run to the end. Every third kill comes right as a checkpoint commit
 * starts: the script prints `COMMITTING` then (TIDEMARK_EXAMPLE_MARK_COMMITS /
 * TIDEMARK_TEST_COMMIT_MARK). The other moments are
 *
 * - `by: 'time'` (default): `minMs … maxMs` after the start — for a script that waits for its
 *   input, so that time is what moves it on;
 * - `by: 'commits'`: `minMs … maxMs` after the run's first or second commit starts — measured in
 *   the run's own progress, so that a fast or a loaded machine gets the same number of kills
 *   from a script that reads its whole input as fast as it can.
 *
 * A run that finishes before its kill ends the loop (nothing is left to crash).
 */
export async function crashLoop(
  script: string,
  args: readonly string[],
  options: { seed: number; kills: number; minMs: number; maxMs: number; by?: 'time' | 'commits' },
): Promise<CrashLoopResult> {
  const random = seeded(options.seed);
  const env = { TIDEMARK_TEST_COMMIT_MARK: '1', TIDEMARK_EXAMPLE_MARK_COMMITS: '1' };
  let kills = 0;
  let killsDuringCommit = 0;
  let runs = 0;
  for (let i = 0; i < options.kills; i++) {
    const duringCommit = i % 3 === 2;
    const killOnCount = options.by === 'commits' ? 1 + Math.floor(random() * 2) : 1;
    const delay = options.minMs + Math.floor(random() * (options.maxMs - options.minMs));
    const plan = duringCommit
      ? { killAfter: options.by === 'commits' ? 30_000 : options.maxMs * 2, killOn: 'COMMITTING', killOnCount, env }
      : options.by === 'commits'
        ? { killAfter: 30_000, killOn: 'COMMITTING', killOnCount, killOnDelay: delay, env }
        : { killAfter: delay };
    const r = await runChild(script, args, plan);
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
