import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Checkpoint, CheckpointStore } from 'tidemark';

/**
 * A simple durable CheckpointStore for tests (not the library's: tidemark/lmdb is): one JSON
 * file per checkpoint, written to a temporary file, fsynced and renamed (then the directory is
 * fsynced), with a checksum; a pid lock file (a stale lock of a dead process is taken over).
 */
export class FileCheckpointStore implements CheckpointStore {
  private closed = false;
  private constructor(
    private readonly dir: string,
    private readonly retain: number,
  ) {}

  static open(dir: string, retain = 3): FileCheckpointStore {
    mkdirSync(dir, { recursive: true });
    const lock = join(dir, 'LOCK');
    for (let attempt = 0; ; attempt++) {
      try {
        const fd = openSync(lock, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw new Error(`the state directory ${dir} is in use (locked by another process)`);
        const pid = Number(readFileSync(lock, 'utf8'));
        if (Number.isInteger(pid) && pid > 0 && alive(pid)) throw new Error(`the state directory ${dir} is in use by process ${pid}`);
        rmSync(lock, { force: true });
      }
    }
    return new FileCheckpointStore(dir, retain);
  }

  private ids(): number[] {
    return readdirSync(this.dir)
      .map((f) => /^cp-(\d+)\.json$/.exec(f)?.[1])
      .filter((x): x is string => x !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  async latest(): Promise<Checkpoint | undefined> {
    const ids = this.ids();
    return ids.length === 0 ? undefined : this.load(ids[ids.length - 1]!);
  }

  async load(id: number): Promise<Checkpoint | undefined> {
    const file = join(this.dir, `cp-${id}.json`);
    if (!existsSync(file)) return undefined;
    const text = readFileSync(file, 'utf8');
    const nl = text.indexOf('\n');
    const body = text.slice(nl + 1);
    if (nl < 0 || text.slice(0, nl) !== checksum(body)) throw new Error(`the checkpoint file ${file} is damaged (checksum mismatch)`);
    return JSON.parse(body) as Checkpoint;
  }

  async retained(): Promise<readonly number[]> {
    return this.ids();
  }

  async commit(checkpoint: Checkpoint): Promise<void> {
    if (this.closed) throw new Error('closed');
    const body = JSON.stringify(checkpoint);
    const tmp = join(this.dir, `cp-${checkpoint.id}.tmp`);
    const fd = openSync(tmp, 'w');
    writeFileSync(fd, `${checksum(body)}\n${body}`);
    fsyncSync(fd);
    closeSync(fd);
    if (process.env['TIDEMARK_TEST_COMMIT_MARK'] !== undefined) process.stdout.write('COMMITTING\n');
    renameSync(tmp, join(this.dir, `cp-${checkpoint.id}.json`));
    const dfd = openSync(this.dir, 'r');
    fsyncSync(dfd);
    closeSync(dfd);
    const ids = this.ids();
    for (const old of ids.slice(0, Math.max(0, ids.length - this.retain))) rmSync(join(this.dir, `cp-${old}.json`), { force: true });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    rmSync(join(this.dir, 'LOCK'), { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function checksum(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return `fnv1a:${h.toString(16)}:${s.length}`;
}
