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
 * A run that finishes before its kill ends the loop (nothing is left to crash). `onKillsDone` is
 * called before the last run (e.g. to send the rest of the input at once).
 */
export async function crashLoop(
  script: string,
  args: readonly string[],
  options: { seed: number; kills: number; minMs: number; maxMs: number; by?: 'time' | 'commits'; onKillsDone?: () => void },
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
      if (kills === options.kills) options.onKillsDone?.();
      if (duringCommit && r.stdout.includes('COMMITTING')) killsDuringCommit++;
    } else if (r.code !== 0) {
      throw new Error(`run ${runs} failed (code ${r.code}, signal ${r.signal}): ${r.stderr}`);
    } else {
      break; // it finished before the kill: nothing left to crash
    }
  }
  options.onKillsDone?.();
  const last = await runChild(script, args);
  runs++;
  return { kills, killsDuringCommit, runs, last };
}

export interface CrashGroupResult {
  readonly kills: number;
  readonly killsDuringCommit: number;
  readonly runs: number;
  /** How many members were started with a state directory never used before (the first ones included). */
  readonly members: number;
  /** The most members that ran at once. */
  readonly mostAtOnce: number;
  /** The last run of every member, each of which ran to its end. */
  readonly last: readonly RunResult[];
  /** What every run printed, in the order the runs ended. */
  readonly stdouts: readonly string[];
}

/**
 * Runs a group of members of one script at once — `minMembers` at first, up to `maxMembers` —
 * each with `argsFor(dir)` for a state directory of its own, and SIGKILLs them at seeded random
 * moments (`kills` in all) while the others go on. The moments are measured in each member's own
 * progress (the script prints `COMMITTING` as a commit starts, TIDEMARK_EXAMPLE_MARK_COMMITS):
 * every third kill right at its 2nd to 5th commit, the others `minMs … maxMs` after its 1st to 3rd
 * (and, for a member that never commits, `fallbackMs` after its start). A killed member is started
 * again with its directory, or (one time in three) with a fresh one, as a replaced machine; after a
 * kill, while fewer than `maxMembers` run, a new member is added one time in two. Once `kills` is
 * reached, `onKillsDone` is called and every member runs to its end (within `timeoutMs`); a member
 * that ended on its own before that is started again. `dirOf(n)` names the n-th directory.
 */
export async function crashGroup(
  script: string,
  argsFor: (dir: string) => readonly string[],
  options: {
    seed: number;
    kills: number;
    minMs: number;
    maxMs: number;
    minMembers: number;
    maxMembers: number;
    dirOf: (n: number) => string;
    fallbackMs?: number;
    timeoutMs?: number;
    onKillsDone?: () => void;
  },
): Promise<CrashGroupResult> {
  const random = seeded(options.seed);
  const env = { TIDEMARK_TEST_COMMIT_MARK: '1', TIDEMARK_EXAMPLE_MARK_COMMITS: '1' };
  let kills = 0;
  let planned = 0;
  let killsDuringCommit = 0;
  let runs = 0;
  let dirs = 0;
  let running = 0;
  let mostAtOnce = 0;
  const last: RunResult[] = [];
  const stdouts: string[] = [];
  const slots: Promise<void>[] = [];
  const member = async (first: string): Promise<void> => {
    let dir = first;
    for (;;) {
      const chaos = planned < options.kills;
      let plan: Parameters<typeof runChild>[2] = { killAfter: options.timeoutMs ?? 120_000, env };
      let duringCommit = false;
      if (chaos) {
        duringCommit = planned % 3 === 2;
        planned++;
        const killAfter = options.fallbackMs ?? 10_000;
        const delay = options.minMs + Math.floor(random() * (options.maxMs - options.minMs));
        plan = duringCommit
          ? { killAfter, killOn: 'COMMITTING', killOnCount: 2 + Math.floor(random() * 4), env }
          : { killAfter, killOn: 'COMMITTING', killOnCount: 1 + Math.floor(random() * 3), killOnDelay: delay, env };
      }
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      const r = await runChild(script, argsFor(dir), plan);
      running--;
      runs++;
      stdouts.push(r.stdout);
      if (!chaos) {
        if (r.killed) throw new Error(`a member's last run did not end within ${options.timeoutMs ?? 120_000} ms: ${r.stderr}`);
        if (r.code !== 0) throw new Error(`a member's last run failed (code ${r.code}, signal ${r.signal}): ${r.stderr}`);
        last.push(r);
        return;
      }
      if (!r.killed) {
        if (r.code !== 0) throw new Error(`run ${runs} failed (code ${r.code}, signal ${r.signal}): ${r.stderr}`);
        planned--; // it ended on its own before its kill: try again
        continue;
      }
      kills++;
      if (kills === options.kills) options.onKillsDone?.();
      if (duringCommit && r.stdout.includes('COMMITTING')) killsDuringCommit++;
      if (running + 1 < options.maxMembers && planned < options.kills && random() < 0.5) add(options.dirOf(dirs++));
      if (random() < 1 / 3) dir = options.dirOf(dirs++);
    }
  };
  const add = (dir: string): void => {
    const slot = member(dir);
    slot.catch(() => undefined); // awaited below, in order; not an unhandled rejection meanwhile
    slots.push(slot);
  };
  for (let i = 0; i < options.minMembers; i++) add(options.dirOf(dirs++));
  for (let i = 0; i < slots.length; i++) await slots[i];
  return { kills, killsDuringCommit, runs, members: dirs, mostAtOnce, last, stdouts };
}
