import { readFileSync } from 'node:fs';

/** How many generations of ancestors are watched: enough for `npx` (npm exec, a shell) in between. */
const DEPTH = 3;

/** The parent process id of `pid`, from /proc (Linux); `null` where there is no /proc or no such process. */
function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses; the fields resume after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return null;
  }
}

/**
 * The process's ancestors, parent first, up to {@link DEPTH} generations or init (pid 1).
 * Without /proc (macOS, Windows), just the parent.
 * @internal
 */
export function ancestry(ppid: number = process.ppid): number[] {
  const chain = [ppid];
  while (chain.length < DEPTH && chain[chain.length - 1]! > 1) {
    const next = parentOf(chain[chain.length - 1]!);
    if (next === null || next <= 0) break;
    chain.push(next);
  }
  return chain;
}

/**
 * Whether the ancestry changed since `initial` was taken: an ancestor died and its children
 * were adopted (their parent id changed). `npx` does not pass SIGTERM on to the command it
 * runs, so a broker started under it checks this to exit with whoever started it.
 * @internal
 */
export function ancestryChanged(initial: readonly number[]): boolean {
  const now = ancestry();
  return initial.some((pid, i) => now[i] !== pid);
}
