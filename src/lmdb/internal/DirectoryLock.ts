import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StateError } from 'tidemark';

/** @internal The lock file's name inside a state directory. */
export const LOCK_FILE = 'tidemark.lock';

interface Holder {
  readonly pid: number;
  /** The process's start time (field 22 of /proc/PID/stat), where the OS has it: a reused pid is not the holder. */
  readonly start: string | null;
  readonly host: string;
  readonly token: string;
}

/**
 * @internal An exclusive lock on a state directory, held by this process: a lock file created
 * with `O_EXCL` that names its holder (pid, process start time, host). LMDB itself lets several
 * processes open one environment; tidemark's state has one writer, so a second opener is told
 * at once who holds the directory. A lock whose holder is gone (killed) is taken over.
 */
export class DirectoryLock {
  private released = false;

  private constructor(
    readonly file: string,
    private readonly holder: Holder,
  ) {}

  /** Takes the lock on `dir` (which exists), or throws a StateError naming the process that holds it. */
  static acquire(api: string, dir: string): DirectoryLock {
    const file = path.join(dir, LOCK_FILE);
    const me: Holder = { pid: process.pid, start: startTime(process.pid), host: os.hostname(), token: `${process.pid}-${Math.random().toString(36).slice(2)}` };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = fs.openSync(file, 'wx');
        try {
          fs.writeSync(fd, JSON.stringify(me));
          fs.fsyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
        return new DirectoryLock(file, me);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new StateError(`${api}: cannot create the lock file ${file}: ${(e as Error).message}`, { cause: e });
      }
      const text = readOrEmpty(file);
      const other = parse(text);
      if (other !== undefined && alive(other)) {
        const who = other.pid === process.pid ? 'this process (it is already open here; close that store first)' : `process ${other.pid}`;
        throw new StateError(`${api}: the state directory ${dir} is in use by ${who}; one process at a time can use a state directory`);
      }
      takeOver(api, dir, file, text);
    }
    throw new StateError(`${api}: the state directory ${dir} is in use (its lock file ${file} keeps changing hands)`);
  }

  /** Releases the lock (removes the lock file if it is still this holder's). */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (parse(readOrEmpty(this.file))?.token === this.holder.token) fs.rmSync(this.file, { force: true });
  }
}

/** Removes a stale lock file, unless another process is taking it over at the same moment. */
function takeOver(api: string, dir: string, file: string, staleText: string): void {
  const guard = `${file}.takeover`;
  try {
    fs.mkdirSync(guard);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new StateError(`${api}: cannot take over the stale lock ${file}: ${(e as Error).message}`, { cause: e });
    // A guard left by a process killed while taking over is stale after a few seconds.
    const age = Date.now() - (fs.statSync(guard, { throwIfNoEntry: false })?.mtimeMs ?? 0);
    if (age < 5_000) throw new StateError(`${api}: the state directory ${dir} is in use (another process is taking over its stale lock)`);
    fs.rmSync(guard, { recursive: true, force: true });
    return;
  }
  try {
    if (readOrEmpty(file) === staleText) fs.rmSync(file, { force: true });
  } finally {
    fs.rmSync(guard, { recursive: true, force: true });
  }
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function parse(text: string): Holder | undefined {
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    return typeof h.pid === 'number' && typeof h.token === 'string' ? (h as Holder) : undefined;
  } catch {
    return undefined;
  }
}

function alive(h: Holder): boolean {
  if (h.host !== os.hostname()) return true; // another machine's process: cannot tell, so assume it runs
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A holder killed a moment ago may linger as a zombie until its parent reaps it: it holds nothing.
  if (processState(h.pid) === 'Z' || processState(h.pid) === 'X') return false;
  const start = startTime(h.pid);
  return h.start === null || start === null || start === h.start;
}

/** The state letter of /proc/PID/stat (R, S, D, Z …), where the OS has it. */
function processState(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2) || null;
  } catch {
    return null;
  }
}

function startTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) in parentheses; the start time is field 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}
