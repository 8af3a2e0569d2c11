import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError, MissingPeerDependencyError, StateError } from 'tidemark';
import type { RootDatabase } from 'lmdb';
import { checkDataFile } from './internal/checkDataFile.js';
import { DirectoryLock, LOCK_FILE } from './internal/DirectoryLock.js';
import { lmdbModule } from './internal/lmdbModule.js';
import { probe } from './internal/probe.js';
import { FORMAT_KEY, SCHEMA, decode, describeKey, encode, frame, framed, readU64, unframe } from './internal/records.js';
import { LmdbCheckpointStore } from './LmdbCheckpointStore.js';

const API = 'openLmdbStore';

/** Options of {@link openLmdbStore}. */
export interface LmdbStoreOptions {
  /** The state directory: created if missing; an empty one starts fresh. */
  readonly path: string;
  /** How many committed checkpoints stay loadable (the latest and those before it). @defaultValue 3 */
  readonly retain?: number | undefined;
  /**
   * A pipeline fingerprint, compared with `Checkpoint.pipeline` exactly: when given, a directory
   * whose checkpoints have another is refused with a StateError, and so is committing one. (The
   * checkpoint coordinator checks its own fingerprint on restore anyway.)
   */
  readonly pipeline?: string | undefined;
  /**
   * Discard the directory's state and start empty. Without it, state that is there is never
   * dropped: damaged or foreign data is an error. @defaultValue false
   */
  readonly fresh?: boolean | undefined;
  /**
   * Also read every record through lmdb itself in a child process before opening, so that a
   * damaged page the page walk (always done, in this process) let through and that would make
   * lmdb crash the process (SIGSEGV, SIGBUS) is a StateError instead. Costs a process start
   * (about 0.1 s) and a second read of the data (about 0.6 s per million entries). @defaultValue true
   */
  readonly probe?: boolean | undefined;
}

/**
 * Opens (or creates) a durable checkpoint store in an LMDB state directory, for
 * `Checkpoint`s and the incremental state of operators whose backends it hands out. The
 * directory is locked for this process until `close()`: a second opener gets a StateError at
 * once. Before lmdb maps the data, it is checked: LMDB's meta pages against the file, every
 * page of both B-trees walked with bounds-checked reads (what lmdb-js would crash on is found
 * here), every record's checksum; then, with `probe`, a read through lmdb in a child process.
 *
 * ```
 * commit(cp 7)  ──►  one write transaction:  C 7 {pipeline, sources, sink, operators}
 *                                            E op entry 7   (only entries changed since cp 6)
 *                                            L 7 op         (what cp 7 wrote, for compaction)
 *               ◄──  resolves when it is on disk
 * ```
 *
 * ## Example
 * ```ts
 * import { openLmdbStore } from 'tidemark/lmdb';
 *
 * const store = await openLmdbStore({ path: '/tmp/tidemark-example-open', fresh: true, retain: 3, pipeline: 'payments-v1' });
 * const sums = store.backend('sums');
 * sums.table<string, number, number>('sum').set('k7', 0, 12);
 * await store.commit({ id: 1, pipeline: 'payments-v1', operators: { sums: sums.snapshot() }, sources: { in: 1024 } });
 * const cp = await store.latest();
 * console.log(cp?.id, cp?.sources);
 * await store.close();
 * // output:
 * // 1 { in: 1024 }
 * ```
 *
 * @param options - where and how; see {@link LmdbStoreOptions}.
 * @returns the open store.
 * @throws InvalidArgumentError for bad options; MissingPeerDependencyError when `lmdb` is not
 * installed; StateError when the directory is in use, damaged, foreign, of another schema or
 * pipeline.
 */
export async function openLmdbStore(options: LmdbStoreOptions): Promise<LmdbCheckpointStore> {
  const { module: lmdb, error, path: lmdbPath } = lmdbModule;
  if (lmdb === undefined) throw new MissingPeerDependencyError(API, 'lmdb', '^3', error, 'npm install lmdb');
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`${API}: options must be an object with a path, got ${String(options)}`);
  const { retain = 3, pipeline, fresh = false, probe: doProbe = true } = options;
  if (typeof options.path !== 'string' || options.path === '') throw new InvalidArgumentError(`${API}: path must be a directory path, got ${JSON.stringify(options.path)}`);
  if (!Number.isSafeInteger(retain) || retain < 1) throw new InvalidArgumentError(`${API}: retain must be a positive integer, got ${retain}`);
  if (pipeline !== undefined && typeof pipeline !== 'string') throw new InvalidArgumentError(`${API}: pipeline must be a string, got ${String(pipeline)}`);

  const dir = path.resolve(options.path);
  const stat = fs.statSync(dir, { throwIfNoEntry: false });
  if (stat !== undefined && !stat.isDirectory()) throw new StateError(`${API}: ${dir} is not a directory; give the path of a state directory (it is created if missing)`);
  fs.mkdirSync(dir, { recursive: true });
  // The lock comes first: nothing in the directory is read or changed before it is ours.
  const lock = DirectoryLock.acquire(API, dir);
  let db: RootDatabase<Buffer, Buffer> | undefined;
  try {
    const dataFile = path.join(dir, 'data.mdb');
    if (fresh) for (const f of ['data.mdb', 'lock.mdb']) fs.rmSync(path.join(dir, f), { force: true });
    const others = fs.readdirSync(dir).filter((f) => f !== LOCK_FILE && f !== 'data.mdb' && f !== 'lock.mdb' && !f.startsWith(`${LOCK_FILE}.`));
    const hasData = fs.existsSync(dataFile);
    if (others.length > 0) {
      throw new StateError(
        `${API}: ${dir} is not a tidemark state directory (it holds ${others.slice(0, 3).join(', ')}${others.length > 3 ? ' …' : ''}); give an empty or new directory`,
      );
    }
    if (hasData) {
      checkRecords(dir, dataFile);
      if (doProbe && lmdbPath !== undefined) await probe(API, lmdbPath, dir);
    }
    // No other process has the environment open (the lock says so): LMDB's reader table starts anew.
    fs.rmSync(path.join(dir, 'lock.mdb'), { force: true });
    db = lmdb.open<Buffer, Buffer>({
      path: dir,
      keyEncoding: 'binary',
      encoding: 'binary',
      cache: false,
      overlappingSync: false,
      noSync: false,
    });
    const records = readStore(db, dir, hasData);
    const uid = randomUUID();
    const store = new LmdbCheckpointStore(dir, db, lock, retain, pipeline, records, uid);
    const last = records.at(-1);
    if (pipeline !== undefined && last !== undefined && last.pipeline !== pipeline) {
      throw new StateError(
        `${API}: the checkpoints in ${dir} belong to pipeline ${JSON.stringify(last.pipeline)}, not to ${JSON.stringify(pipeline)}; use another state directory, or open it with { fresh: true } to discard its state`,
      );
    }
    return store;
  } catch (e) {
    try {
      await db?.close();
    } finally {
      lock.release();
    }
    throw e;
  }
}

/**
 * Checks `data.mdb` page by page (see checkDataFile) and every record's checksum, before lmdb
 * maps it: a tidemark store (its format record, or any record, passes its checksum) with a
 * record that fails is damaged. A foreign environment is left for {@link readStore} to name.
 */
function checkRecords(dir: string, dataFile: string): void {
  let tidemark = false;
  let bad: Buffer | undefined;
  checkDataFile(API, dataFile, (key, value) => {
    if (framed(key, value)) tidemark = true;
    else bad ??= Buffer.from(key);
  });
  if (tidemark && bad !== undefined) {
    throw new StateError(`${API}: ${dir} is damaged: ${describeKey(bad)} fails its checksum; restore the directory from a backup, or open it with { fresh: true } to discard its state`);
  }
}

/** Checks the format record (writing it into a new store) and reads the retained checkpoint records. */
function readStore(db: RootDatabase<Buffer, Buffer>, dir: string, hadData: boolean): ConstructorParameters<typeof LmdbCheckpointStore>[5] {
  const raw = db.get(FORMAT_KEY);
  if (raw === undefined) {
    const any = db.getKeysCount({ limit: 1 }) > 0;
    if (any || hadData) {
      if (any) throw new StateError(`${API}: ${dir} holds an LMDB environment that tidemark did not write; give an empty or new directory`);
    }
    db.putSync(FORMAT_KEY, frame(FORMAT_KEY, encode({ format: 'tidemark-lmdb', schema: SCHEMA })));
    return [];
  }
  const f = decode(unframe(FORMAT_KEY, raw, () => `the format record of ${dir}`)) as { format?: unknown; schema?: unknown };
  if (f.format !== 'tidemark-lmdb') throw new StateError(`${API}: ${dir} holds an LMDB environment that tidemark did not write; give an empty or new directory`);
  if (f.schema !== SCHEMA) {
    throw new StateError(`${API}: ${dir} was written with tidemark/lmdb schema ${String(f.schema)}; this version reads schema ${SCHEMA}. Use the tidemark version that wrote it, or open with { fresh: true }`);
  }
  const records = [];
  const start = Buffer.from('C');
  for (const { key, value } of db.getRange({ start, end: Buffer.from('D') })) {
    const r = decode(unframe(key, value, () => `checkpoint ${readU64(key, 1)}'s record`)) as ConstructorParameters<typeof LmdbCheckpointStore>[5][number];
    if (r.schema !== SCHEMA || r.id !== readU64(key, 1)) throw new StateError(`${API}: checkpoint ${readU64(key, 1)}'s record in ${dir} is malformed; the state directory is damaged`);
    records.push(r);
  }
  return records;
}
