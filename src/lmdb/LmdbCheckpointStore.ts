import * as fs from 'node:fs';
import { StateError } from 'tidemark';
import type { Checkpoint, CheckpointStore, StateSnapshot } from 'tidemark';
import type { RootDatabase } from 'lmdb';
import { DELTA, NONE, RESTORED, UNKNOWN, type Delta, type RestoredFrom, type StoreLink } from './internal/delta.js';
import type { DirectoryLock } from './internal/DirectoryLock.js';
import { rebuildState } from './internal/rebuildState.js';
import { Kind, checkpointKey, decodeLog, encode, encodeLog, entryPrefix, frame, logKey, readU64, u64, unframe } from './internal/records.js';
import { LmdbStateBackend } from './LmdbStateBackend.js';

/** @internal An operator as a checkpoint record holds it. */
type OperatorRecord =
  /** A snapshot taken by another backend: kept whole, in the record. */
  | { readonly kind: 'inline'; readonly snapshot: unknown }
  /** A snapshot of an {@link LmdbStateBackend}: the snapshot with its state cut out (`path`), the state in 'E' records from checkpoint `from` on. */
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
  /** Per lineage, its recently committed snapshots and the checkpoints they became (what a delta's `sentIn` refers to). */
  private readonly committed = new Map<string, Map<number, number>>();
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
      const from = delta.full ? cp.id : (last?.operators[op] as { from?: number } | undefined)?.from;
      if (from === undefined) throw new StateError(`LmdbCheckpointStore.commit: operator "${op}" has no committed state to apply its change to`);
      operators[op] = { kind: 'state', skeleton, path, from, entries: delta.entries };
      deltas.push([op, delta]);
    }
    const record: CheckpointRecord = {
      schema: 1,
      id: cp.id,
      pipeline: cp.pipeline,
      sources: structuredClone(cp.sources),
      hasSink: 'sink' in cp,
      sink: structuredClone(cp.sink),
      operators,
    };
    const kept = [...this.records, record];
    const dropped = kept.splice(0, Math.max(0, kept.length - this.retain));
    try {
      await this.db.transaction(() => {
        const key = checkpointKey(cp.id);
        this.db.putSync(key, frame(key, encode(record)));
        for (const [op, delta] of deltas) this.writeDelta(op, cp.id, (operators[op] as { from: number }).from, delta);
        if (dropped.length > 0) this.compact(dropped, kept);
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
      let c = this.committed.get(delta.lineage);
      if (c === undefined) this.committed.set(delta.lineage, (c = new Map()));
      c.set(delta.snapshot, cp.id);
      // Only snapshots taken while an earlier one was being committed refer back: a few suffice.
      if (c.size > 16) c.delete(c.keys().next().value!);
      this.backends.get(op)?.confirm(delta.lineage, delta.snapshot, delta.full, cp.id);
    }
  }

  /**
   * Writes a delta's entries as versions `id` and, in the log, each identity with the version it
   * replaces, as the backend knew it (or as an earlier commit of the same lineage wrote it): no
   * reads, except for a timer queue written anew (its timers on disk are looked up).
   */
  private writeDelta(op: string, id: number, from: number, delta: Delta): void {
    const prefix = entryPrefix(op);
    const version = u64(id);
    const committed = this.committed.get(delta.lineage);
    /** Per identity (as latin1), what the log says: two slots of one identity (removed, then set again) make one entry. */
    const log = new Map<string, { ident: Buffer; prev: number; dead: boolean }>();
    const note = (ident: Buffer, prev: number, dead: boolean): void => {
      const k = ident.toString('latin1');
      const seen = log.get(k);
      if (seen === undefined) log.set(k, { ident, prev, dead });
      else {
        seen.prev = seen.prev === UNKNOWN || prev === UNKNOWN ? UNKNOWN : Math.max(seen.prev, prev);
        seen.dead = dead;
      }
    };
    for (let i = 0; i < delta.keys.length; i++) {
      const ident = Buffer.from(delta.keys[i]!);
      const value = delta.values[i] ?? null;
      if (ident[0] === Kind.Timer && ident.length === ident.readUInt16BE(1) + 3) {
        // A reset of a timer queue: every timer of it on disk is removed (those it has now follow).
        for (const removed of this.resetQueue(prefix, ident, from, id)) note(removed, UNKNOWN, true);
        continue;
      }
      const key = Buffer.concat([prefix, ident, version]);
      if (value === null && delta.full) {
        // A whole state hides nothing older (it is read from `id` on): no deletion is written,
        // and what this delta wrote of the entry before goes.
        this.db.removeSync(key);
        continue;
      }
      this.db.putSync(key, frame(key, value === null ? new Uint8Array(0) : value));
      const sentIn = delta.sentIn[i] ?? 0;
      const earlier = sentIn === 0 ? undefined : committed?.get(sentIn);
      const prev = earlier ?? delta.prev[i] ?? UNKNOWN;
      note(ident, prev >= id ? NONE : prev, value === null);
    }
    const lk = logKey(id, op);
    this.db.putSync(lk, frame(lk, encodeLog(log.values())));
  }

  /** Writes a deletion of every timer of `queue` live in the state from `from`; returns their identities. */
  private resetQueue(prefix: Buffer, queue: Buffer, from: number, id: number): Buffer[] {
    const start = Buffer.concat([prefix, queue]);
    const end = Buffer.concat([start, Buffer.of(0xff, 0xff, 0xff, 0xff, 0xff)]);
    const latest = new Map<string, { version: number; live: boolean; ident: Buffer }>();
    for (const { key, value } of this.db.getRange({ start, end })) {
      const version = readU64(key, key.length - 8);
      if (version < from) continue;
      const ident = key.subarray(prefix.length, key.length - 8);
      const s = ident.toString('latin1');
      const seen = latest.get(s);
      if (seen === undefined || version > seen.version) latest.set(s, { version, live: value.length > 4, ident: Buffer.from(ident) });
    }
    const removed: Buffer[] = [];
    for (const { live, ident } of latest.values()) {
      if (!live) continue;
      const tomb = Buffer.concat([prefix, ident, u64(id)]);
      this.db.putSync(tomb, frame(tomb, new Uint8Array(0)));
      removed.push(ident);
    }
    return removed;
  }

  /**
   * Drops checkpoints past retention, in the commit's transaction: for the new oldest retained
   * checkpoint R, versions no retained checkpoint reads any more — those shadowed by a version
   * written up to R, deletions up to R, everything before a whole state written up to R — go.
   * The work is what the dropped checkpoints wrote, not the whole state.
   */
  private compact(dropped: readonly CheckpointRecord[], kept: readonly CheckpointRecord[]): void {
    const oldest = kept[0]!;
    for (const d of dropped) this.db.removeSync(checkpointKey(d.id));
    const previous = dropped[0]!;
    for (const [op, r] of Object.entries(oldest.operators)) {
      if (r.kind !== 'state') continue;
      const prefix = entryPrefix(op);
      const before = previous.operators[op];
      if (before?.kind !== 'state' || r.from > before.from) {
        // A whole state written at r.from: every older version of this operator goes.
        this.removeWhere(prefix, (v) => v < r.from);
      }
      // What the checkpoints from the dropped ones to the oldest wrote shadows what came before:
      // the version each replaced goes, and each deletion itself (a look-up only where the log
      // does not say which version was replaced).
      for (const c of [...dropped.slice(1), oldest]) {
        const lk = logKey(c.id, op);
        const raw = this.db.get(lk);
        if (raw === undefined) continue;
        for (const e of decodeLog(unframe(lk, raw, () => `the log of checkpoint ${c.id}`), UNKNOWN)) {
          if (e.prev === UNKNOWN) {
            this.shadow(prefix, e.ident, c.id);
            continue;
          }
          if (e.prev >= 0) this.db.removeSync(Buffer.concat([prefix, e.ident, u64(e.prev)]));
          if (e.dead) this.db.removeSync(Buffer.concat([prefix, e.ident, u64(c.id)]));
        }
      }
    }
    // Logs up to the oldest retained are needed no more; operators no retained checkpoint has go whole.
    for (const c of [...dropped, oldest]) for (const op of Object.keys(c.operators)) this.db.removeSync(logKey(c.id, op));
    const live = new Set(kept.flatMap((k) => Object.keys(k.operators)));
    for (const d of dropped) for (const op of Object.keys(d.operators)) if (!live.has(op)) this.removeWhere(entryPrefix(op), () => true);
  }

  /** Removes the versions of `ident` before `at`, and the one at `at` too if it is a deletion. */
  private shadow(prefix: Buffer, ident: Buffer, at: number): void {
    const base = Buffer.concat([prefix, ident]);
    for (const { key, value } of this.db.getRange({ start: Buffer.concat([base, u64(0)]), end: Buffer.concat([base, u64(at + 1)]) })) {
      if (key.length !== base.length + 8) continue;
      const v = readU64(key, key.length - 8);
      if (v < at || value.length <= 4) this.db.removeSync(key);
    }
  }

  private removeWhere(prefix: Buffer, drop: (version: number) => boolean): void {
    const end = Buffer.concat([prefix, Buffer.of(0xff, 0xff, 0xff, 0xff, 0xff)]);
    for (const { key } of this.db.getRange({ start: prefix, end })) if (drop(readU64(key, key.length - 8))) this.db.removeSync(key);
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
