import * as fs from 'node:fs';
import { StateError } from 'tidemark';
import type { Checkpoint, CheckpointStore, StateSnapshot } from 'tidemark';
import type { RootDatabase } from 'lmdb';
import { DELTA, RESTORED, type Delta, type RestoredFrom, type StoreLink } from './internal/delta.js';
import type { DirectoryLock } from './internal/DirectoryLock.js';
import { rebuildState } from './internal/rebuildState.js';
import { SCHEMA, checkpointKey, encode, entryKey, entryPrefix, frame } from './internal/records.js';
import { LmdbStateBackend } from './LmdbStateBackend.js';

/** @internal An operator as a checkpoint record holds it. */
type OperatorRecord =
  /** A snapshot taken by another backend: kept whole, in the record. */
  | { readonly kind: 'inline'; readonly snapshot: unknown }
  /** A snapshot of an {@link LmdbStateBackend}: the snapshot with its state cut out (`path`), the state in the 'E' records of checkpoints `from` to this one. */
  | { readonly kind: 'state'; readonly skeleton: unknown; readonly path: readonly string[]; readonly from: number; readonly entries: number };

/** @internal A checkpoint record ('C' id). */
interface CheckpointRecord {
  readonly schema: number;
  readonly id: number;
  readonly pipeline: string;
  readonly sources: Readonly<Record<string, unknown>>;
  readonly hasSink: boolean;
  readonly sink: unknown;
  readonly operators: Readonly<Record<string, OperatorRecord>>;
}

/**
 * A durable {@link CheckpointStore} in an LMDB environment, made by {@link openLmdbStore}.
 * Each `commit` is one LMDB write transaction holding every operator's state (only what
 * changed, for operators whose state lives in a {@link LmdbStateBackend} from
 * {@link LmdbCheckpointStore.backend}), every source's position, the sink's token and the
 * checkpoint's metadata; it resolves once the transaction is on disk. The last `retain`
 * checkpoints stay loadable.
 *
 * @example
 * ```ts
 * import { openLmdbStore } from 'tidemark/lmdb';
 *
 * const store = await openLmdbStore({ path: '/tmp/tidemark-example-store', fresh: true, retain: 2 });
 * await store.commit({ id: 1, pipeline: 'in|sum', operators: { sum: { total: 3 } }, sources: { in: 120 }, sink: 64 });
 * console.log((await store.latest())?.sources, await store.retained());
 * await store.close();
 * // output:
 * // { in: 120 } [ 1 ]
 * ```
 */
export class LmdbCheckpointStore implements CheckpointStore {
  private closed = false;
  /** Set when a commit failed in LMDB: no further commits. */
  private failed: StateError | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly backends = new Map<string, LmdbStateBackend>();
  /** Per operator: the lineage whose deltas apply to the latest committed state. */
  private readonly lineages = new Map<string, string>();
  private lineageCount = 0;
  private readonly link: StoreLink;

  /** @internal Made by {@link openLmdbStore}. */
  constructor(
    /** The state directory. */
    readonly path: string,
    private readonly db: RootDatabase<Buffer, Buffer>,
    private readonly lock: DirectoryLock,
    private readonly retain: number,
    private readonly pipeline: string | undefined,
    /** Retained checkpoint records, oldest first. */
    private readonly records: CheckpointRecord[],
    uid: string,
  ) {
    this.link = {
      uid,
      newLineage: (op) => `${uid}:${op}:${++this.lineageCount}`,
      adopt: (op, from, lineage) => {
        const last = this.records.at(-1);
        if (from.store !== uid || from.operator !== op || last === undefined || from.checkpoint !== last.id || last.operators[op]?.kind !== 'state') return false;
        this.lineages.set(op, lineage);
        return true;
      },
    };
  }

  /** The latest committed checkpoint, after the commits already asked for have settled. */
  async latest(): Promise<Checkpoint | undefined> {
    this.open('latest');
    await this.queue;
    const last = this.records.at(-1);
    return last === undefined ? undefined : this.rebuild(last);
  }

  /** A retained checkpoint by id, after the commits already asked for have settled. */
  async load(id: number): Promise<Checkpoint | undefined> {
    this.open('load');
    await this.queue;
    const r = this.records.find((c) => c.id === id);
    return r === undefined ? undefined : this.rebuild(r);
  }

  /** The retained checkpoints' ids, oldest first, after the commits already asked for have settled. */
  async retained(): Promise<readonly number[]> {
    this.open('retained');
    await this.queue;
    return this.records.map((r) => r.id);
  }

  /**
   * A state backend for operator `operatorId`, whose snapshots this store commits
   * incrementally. A second call for one id (a pipeline started again in this process) gives a
   * new backend that takes the id over: the earlier one's snapshots are then refused.
   */
  backend(operatorId: string): LmdbStateBackend {
    this.open('backend');
    if (typeof operatorId !== 'string' || operatorId === '') throw new StateError(`LmdbCheckpointStore.backend: the operator id must be a non-empty string, got ${JSON.stringify(operatorId)}`);
    const b = new LmdbStateBackend(this.link, operatorId);
    this.backends.set(operatorId, b);
    this.lineages.delete(operatorId);
    return b;
  }

  commit(checkpoint: Checkpoint): Promise<void> {
    const run = this.queue.then(() => this.write(checkpoint));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    try {
      await this.db.close();
    } finally {
      this.lock.release();
    }
  }

  // --- commit ------------------------------------------------------------------------------

  private async write(cp: Checkpoint): Promise<void> {
    this.open('commit');
    if (this.failed !== undefined) {
      throw new StateError(`LmdbCheckpointStore.commit: checkpoint ${cp.id} was not written: an earlier commit failed (${this.failed.message}); close the store and open it again`, { cause: this.failed });
    }
    const last = this.records.at(-1);
    if (!Number.isSafeInteger(cp.id) || cp.id < 0) throw new StateError(`LmdbCheckpointStore.commit: checkpoint id must be a non-negative safe integer, got ${cp.id}`);
    if (last !== undefined && cp.id <= last.id) throw new StateError(`LmdbCheckpointStore.commit: checkpoint ids must increase; got ${cp.id} after ${last.id}`);
    this.checkPipeline('commit', cp.pipeline, cp.id);
    // Cut each operator's delta out of its snapshot (now, so the caller may reuse the checkpoint).
    const operators: Record<string, OperatorRecord> = {};
    const deltas: [op: string, delta: Delta][] = [];
    for (const [op, snapshot] of Object.entries(cp.operators)) {
      const found = findDelta(snapshot);
      if (found === undefined) {
        operators[op] = { kind: 'inline', snapshot: structuredClone(snapshot) };
        continue;
      }
      const { delta, path, skeleton } = found;
      if (delta.store !== this.link.uid) throw new StateError(`LmdbCheckpointStore.commit: operator "${op}"'s snapshot was taken by a backend of another store; use this store's backend("${op}")`);
      if (!delta.full && this.lineages.get(op) !== delta.lineage) {
        throw new StateError(`LmdbCheckpointStore.commit: operator "${op}"'s snapshot is a change from a state this store did not commit last; restore the store's latest checkpoint into its backend first`);
      }
      const before = (last?.operators[op] as { from?: number } | undefined)?.from;
      if (!delta.full && before === undefined) throw new StateError(`LmdbCheckpointStore.commit: operator "${op}" has no committed state to apply its change to`);
      // A whole state is read from here on; a change, from where its state was read, or from where
      // the backend's refresh cycle says every live entry now is.
      const from = delta.full ? cp.id : Math.max(before!, delta.complete ?? 0);
      operators[op] = { kind: 'state', skeleton, path, from, entries: delta.entries };
      deltas.push([op, delta]);
    }
    const record: CheckpointRecord = {
      schema: SCHEMA,
      id: cp.id,
      pipeline: cp.pipeline,
      sources: structuredClone(cp.sources),
      hasSink: 'sink' in cp,
      sink: structuredClone(cp.sink),
      operators,
    };
    const kept = [...this.records, record];
    const dropped = kept.splice(0, Math.max(0, kept.length - this.retain));
    const written = deltas.reduce((n, [, d]) => n + d.keys.length, 0);
    try {
      await this.db.transaction(() => {
        const key = checkpointKey(cp.id);
        this.db.putSync(key, frame(key, encode(record)));
        for (const [op, delta] of deltas) this.writeDelta(op, cp.id, delta);
        this.compact(dropped, kept, Math.max(MIN_TRIM, 2 * written));
      });
    } catch (e) {
      // lmdb-js rejects a failed commit with a generic error whose `commitError` promise holds the cause.
      const cause = (e as { commitError?: Promise<unknown> })?.commitError !== undefined ? await (e as { commitError: Promise<unknown> }).commitError.then(() => e, (c: unknown) => c) : e;
      const error = writeError(cp.id, this.path, cause);
      // After a failed write the environment is not trusted with another: reopen it.
      if (!StateError.isStateError(cause)) this.failed = error;
      throw error;
    }
    this.records.splice(0, this.records.length, ...kept);
    for (const [op, delta] of deltas) {
      this.lineages.set(op, delta.lineage);
      this.backends.get(op)?.confirm(delta.lineage, delta.snapshot, delta.full, cp.id);
    }
  }

  /**
   * Writes a delta's entries as versions `id`, at the end of the operator's range: what a
   * checkpoint costs is what changed, not what is held. Nothing is read.
   */
  private writeDelta(op: string, id: number, delta: Delta): void {
    const prefix = entryPrefix(op);
    for (let i = 0; i < delta.keys.length; i++) {
      const key = entryKey(prefix, id, delta.keys[i]!);
      const value = delta.values[i] ?? null;
      if (value === null && delta.full) {
        // A whole state hides nothing older (it is read from `id` on): no deletion or reset is
        // written, and what this delta wrote of the entry before (a timer set, then removed) goes.
        this.db.removeSync(key);
        continue;
      }
      this.db.putSync(key, frame(key, value ?? EMPTY));
    }
  }

  /**
   * Drops checkpoints past retention, in the commit's transaction, and removes at most `budget`
   * versions that no retained checkpoint reads — those of each operator below the oldest
   * retained checkpoint's `from` — from the low end: a bounded amount of sequential work per
   * commit, at least twice what the commit wrote, so garbage goes faster than it comes. The
   * state of an operator no retained checkpoint has goes whole.
   */
  private compact(dropped: readonly CheckpointRecord[], kept: readonly CheckpointRecord[], budget: number): void {
    for (const d of dropped) this.db.removeSync(checkpointKey(d.id));
    let left = budget;
    for (const [op, r] of Object.entries(kept[0]!.operators)) {
      if (r.kind !== 'state' || left <= 0) continue;
      const prefix = entryPrefix(op);
      left -= this.removeRange(prefix, entryKey(prefix, r.from, EMPTY), left);
    }
    const live = new Set(kept.flatMap((k) => Object.keys(k.operators)));
    for (const d of dropped) {
      for (const op of Object.keys(d.operators)) {
        if (live.has(op)) continue;
        const prefix = entryPrefix(op);
        this.removeRange(prefix, Buffer.concat([prefix, Buffer.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)]), Infinity);
      }
    }
  }

  /** Removes up to `limit` records from `start` (inclusive) to `end` (exclusive), lowest first; returns how many. */
  private removeRange(start: Buffer, end: Buffer, limit: number): number {
    const keys: Buffer[] = [];
    for (const key of this.db.getKeys(limit === Infinity ? { start, end } : { start, end, limit })) keys.push(Buffer.from(key));
    for (const key of keys) this.db.removeSync(key);
    return keys.length;
  }

  // --- load --------------------------------------------------------------------------------

  private rebuild(r: CheckpointRecord): Checkpoint {
    this.checkPipeline('latest', r.pipeline, r.id);
    const operators: Record<string, unknown> = {};
    for (const [op, o] of Object.entries(r.operators)) {
      if (o.kind === 'inline') {
        operators[op] = structuredClone(o.snapshot);
        continue;
      }
      const { snapshot, order } = rebuildState(this.db, op, o.from, r.id, o.entries);
      const marked: StateSnapshot & { [RESTORED]: RestoredFrom } = { ...snapshot, [RESTORED]: { store: this.link.uid, operator: op, checkpoint: r.id, order } };
      operators[op] = place(structuredClone(o.skeleton), o.path, marked);
    }
    const cp: { -readonly [F in keyof Checkpoint]: Checkpoint[F] } = { id: r.id, pipeline: r.pipeline, operators, sources: structuredClone(r.sources) };
    if (r.hasSink) cp.sink = structuredClone(r.sink);
    return cp;
  }

  private checkPipeline(api: string, pipeline: string, id: number): void {
    if (this.pipeline !== undefined && pipeline !== this.pipeline) {
      throw new StateError(
        `LmdbCheckpointStore.${api}: checkpoint ${id} in ${this.path} belongs to pipeline ${JSON.stringify(pipeline)}, not to this one (${JSON.stringify(this.pipeline)}); ` +
          'use another state directory, or open it with { fresh: true } to discard its state',
      );
    }
  }

  private open(api: string): void {
    if (this.closed) throw new StateError(`LmdbCheckpointStore.${api}: the store of ${this.path} is closed`);
  }
}

/** An empty payload: a deletion (a reset, for a timer queue's own identity). */
const EMPTY = new Uint8Array(0);

/** Versions removed per commit at least (see `compact`), however little it wrote. */
const MIN_TRIM = 4096;

/** Finds the one delta in an operator's snapshot: it, where it was, and the snapshot without it. */
function findDelta(snapshot: unknown): { delta: Delta; path: string[]; skeleton: unknown } | undefined {
  const found: { delta: Delta; path: string[] }[] = [];
  const walk = (x: unknown, path: string[], depth: number): void => {
    if (x === null || typeof x !== 'object' || depth > 6 || ArrayBuffer.isView(x) || x instanceof Map || x instanceof Set) return;
    const d = (x as Record<string, unknown>)[DELTA];
    if (d !== undefined) {
      found.push({ delta: d as Delta, path });
      return;
    }
    for (const [k, v] of Object.entries(x)) walk(v, [...path, k], depth + 1);
  };
  walk(snapshot, [], 0);
  if (found.length === 0) return undefined;
  if (found.length > 1) throw new StateError(`LmdbCheckpointStore.commit: an operator's snapshot holds ${found.length} backends' states; give each operator one backend`);
  const { delta, path } = found[0]!;
  return { delta, path, skeleton: place(snapshot, path, null, true) };
}

/** `x` with the value at `path` replaced (copying the objects along the path when `copy`, else in place). */
function place(x: unknown, path: readonly string[], value: unknown, copy = false): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  const obj = x as Record<string, unknown>;
  const next = place(obj[head], rest, value, copy);
  if (!copy) {
    obj[head] = next;
    return obj;
  }
  const c: Record<string, unknown> = Array.isArray(obj) ? ([...obj] as unknown as Record<string, unknown>) : { ...obj };
  c[head] = next;
  return structuredClone(c);
}

/** A failed commit as a StateError that says why (a full disk or map above all). */
function writeError(id: number, dir: string, e: unknown): StateError {
  if (StateError.isStateError(e)) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown })?.code;
  const free = freeBytes(dir);
  // lmdb grows its map as needed, so a map that cannot grow is a file that cannot: a full disk
  // (reported as ENOSPC, or by lmdb-js as EIO) or a map beyond the address space.
  const disk = code === 'ENOSPC' || /ENOSPC|No space left/i.test(msg) || (free !== undefined && free < 1 << 20);
  const map = /MDB_MAP_FULL|MDB_MAP_RESIZED|mapsize/i.test(msg);
  const why = disk
    ? `the disk is full (${msg}; ${free ?? 'unknown'} bytes free); free space on the disk that holds ${dir}`
    : map
      ? `the LMDB map cannot grow (${msg}); free memory or address space, or move the directory`
      : msg;
  return new StateError(`LmdbCheckpointStore.commit: checkpoint ${id} was not written: ${why}. The last committed checkpoint is unchanged`, { cause: e });
}

function freeBytes(dir: string): number | undefined {
  try {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}
