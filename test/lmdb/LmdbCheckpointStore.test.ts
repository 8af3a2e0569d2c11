import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryStateBackend, StateError, type Checkpoint, type StateBackend, type StateSnapshot } from 'tidemark';
import { openLmdbStore, type LmdbStateBackend } from 'tidemark/lmdb';
import { open, type RootDatabase } from 'lmdb';
import { decode, encode, frame, unframe } from '../../src/lmdb/internal/records.js';
import { seeded } from '../support/crashLoop.js';
import { tmpDir } from './tmpDir.js';

/** Writes every kind of state into `b`. */
function fill(b: StateBackend, round: number): void {
  const t = b.table<string, number, { n: number }>('sum');
  t.set(`k${round}`, round % 3, { n: round });
  if (round > 1) t.delete(`k${round - 2}`, (round - 2) % 3);
  t.set('always', 0, { n: round });
  const o = b.ordered<string, string>('versions');
  o.set('eur', 100 - round, `v${round}`);
  if (round % 2 === 0) o.delete('eur', 100 - round + 1);
  const m = b.maps<string, string, number>('spent');
  m.set(`card${round % 2}`, `cat${round}`, round);
  if (round % 3 === 0) m.clear('card0');
  const q = b.timers<string, number>('ends');
  q.register(round * 10, `k${round}`, 0);
  q.register(round * 10, 'tie', 1);
  q.advanceTo(round * 10 - 15, () => undefined);
  b.value('wm', -Infinity).set(round * 10 - 15);
}

/** A snapshot with empty structures left out (an empty table and an absent one are the same state). */
function normal(s: StateSnapshot): unknown {
  const drop = (r: Record<string, readonly unknown[]> | undefined) => Object.fromEntries(Object.entries(r ?? {}).filter(([, rows]) => rows.length > 0));
  return { tables: drop(s.tables), ordered: drop(s.ordered), maps: drop(s.maps), timers: drop(s.timers), values: s.values };
}

function stateOf(cp: Checkpoint | undefined, op: string): StateSnapshot {
  return (cp!.operators[op] as { state: { backend: StateSnapshot } }).state.backend;
}

function checkpoint(id: number, b: LmdbStateBackend, extra: Record<string, unknown> = {}): Checkpoint {
  return { id, pipeline: 'p1', operators: { op: { operator: 'test', state: { backend: b.snapshot() } }, ...extra }, sources: { in: id * 100 }, sink: id };
}

describe('LmdbCheckpointStore', () => {
  it('commits every kind of state incrementally; latest and every retained checkpoint rebuild exactly the state at its barrier', async () => {
    const dir = tmpDir();
    const store = await openLmdbStore({ path: dir, retain: 4 });
    const lmdb = store.backend('op');
    const memory = new MemoryStateBackend();
    const expected = new Map<number, unknown>();
    for (let round = 1; round <= 9; round++) {
      fill(lmdb, round);
      fill(memory, round);
      const cp = checkpoint(round, lmdb, { plain: { round } });
      expected.set(round, normal(memory.snapshot()));
      // Changes after the barrier are not in the checkpoint.
      lmdb.table<string, number, { n: number }>('sum').set('after', 0, { n: -1 });
      lmdb.table<string, number, { n: number }>('sum').delete('after', 0);
      await store.commit(cp);
    }
    expect(await store.retained()).toEqual([6, 7, 8, 9]);
    for (const id of [6, 7, 8, 9]) {
      const cp = await store.load(id);
      expect(cp?.sources).toEqual({ in: id * 100 });
      expect(cp?.sink).toBe(id);
      expect(cp?.operators['plain']).toEqual({ round: id });
      expect(normal(stateOf(cp, 'op'))).toEqual(expected.get(id));
    }
    expect(await store.load(5)).toBeUndefined();
    await store.close();

    // Reopened: the same checkpoints, and a backend restored from the latest goes on incrementally.
    const again = await openLmdbStore({ path: dir, retain: 4 });
    const latest = await again.latest();
    expect(latest?.id).toBe(9);
    expect(normal(stateOf(latest, 'op'))).toEqual(expected.get(9));
    const restored = again.backend('op');
    restored.restore(stateOf(latest, 'op'));
    fill(restored, 10);
    fill(memory, 10);
    const delta = restored.snapshot() as unknown as Record<string, { full: boolean; keys: unknown[] }>;
    expect(delta['tidemark-lmdb-delta']!.full).toBe(false);
    await again.commit({ id: 10, pipeline: 'p1', operators: { op: { operator: 'test', state: { backend: delta } } }, sources: {} });
    expect(normal(stateOf(await again.latest(), 'op'))).toEqual(normal(memory.snapshot()));
    // An older retained checkpoint still restores exactly, and the next commit writes the whole state.
    const older = again.backend('op2');
    older.restore(stateOf(await again.load(7), 'op'));
    expect((older.snapshot() as unknown as Record<string, { full: boolean }>)['tidemark-lmdb-delta']!.full).toBe(true);
    await again.close();
  });

  it('writes only what changed: a checkpoint after one change carries one entry', async () => {
    const store = await openLmdbStore({ path: tmpDir() });
    const b = store.backend('op');
    const t = b.table<number, number, number>('t');
    for (let k = 0; k < 1000; k++) t.set(k, 0, k);
    const first = b.snapshot() as unknown as Record<string, { keys: unknown[] }>;
    expect(first['tidemark-lmdb-delta']!.keys).toHaveLength(1000);
    await store.commit({ id: 1, pipeline: 'p', operators: { op: first }, sources: {} });
    t.set(7, 0, 70);
    t.set(7, 0, 71);
    const second = b.snapshot() as unknown as Record<string, { keys: unknown[] }>;
    expect(second['tidemark-lmdb-delta']!.keys).toHaveLength(1);
    await store.commit({ id: 2, pipeline: 'p', operators: { op: second }, sources: {} });
    const rebuilt = (await store.latest())!.operators['op'] as StateSnapshot;
    expect(rebuilt.tables['t']![0]![1]).toHaveLength(1000);
    expect(rebuilt.tables['t']![0]![1][7]).toEqual([7, 71]);
    await store.close();
  });

  it('processing goes on while a checkpoint commits, and the commit holds the state at the barrier', async () => {
    const store = await openLmdbStore({ path: tmpDir() });
    const b = store.backend('op');
    const t = b.table<number, number, number>('t');
    for (let k = 0; k < 20_000; k++) t.set(k, 0, 1);
    const committing = store.commit({ id: 1, pipeline: 'p', operators: { op: b.snapshot() }, sources: {} });
    let done = false;
    void committing.then(() => (done = true));
    // Turns of the event loop while the commit is under way, each changing state.
    let turns = 0;
    while (!done) {
      await new Promise((r) => setImmediate(r));
      if (!done) t.set(turns++, 0, 2);
    }
    expect(turns).toBeGreaterThan(0);
    const rows = ((await store.latest())!.operators['op'] as StateSnapshot).tables['t']![0]![1];
    expect(rows).toHaveLength(20_000);
    expect(rows.every(([, v]) => v === 1)).toBe(true);
    await store.close();
  });

  it('a snapshot whose commit failed is folded into the next one', async () => {
    const store = await openLmdbStore({ path: tmpDir() });
    const b = store.backend('op');
    const t = b.table<string, number, number>('t');
    t.set('a', 0, 1);
    await store.commit({ id: 1, pipeline: 'p', operators: { op: b.snapshot() }, sources: {} });
    t.set('b', 0, 2);
    const lost = b.snapshot(); // never committed (the checkpoint was abandoned)
    void lost;
    t.set('c', 0, 3);
    await store.commit({ id: 3, pipeline: 'p', operators: { op: b.snapshot() }, sources: {} });
    const rebuilt = (await store.latest())!.operators['op'] as StateSnapshot;
    expect(rebuilt.tables['t']).toEqual([[0, [['a', 1], ['b', 2], ['c', 3]]]]);
    await store.close();
  });

  it('refuses ids that do not increase, the changes of a backend another took over from, and use after close', async () => {
    const store = await openLmdbStore({ path: tmpDir() });
    const first = store.backend('a');
    first.value('n', 0).set(1);
    await store.commit({ id: 5, pipeline: 'p', operators: { a: first.snapshot() }, sources: {} });
    await expect(store.commit({ id: 5, pipeline: 'p', operators: {}, sources: {} })).rejects.toThrow(new StateError('LmdbCheckpointStore.commit: checkpoint ids must increase; got 5 after 5'));
    const second = store.backend('a');
    first.value('n', 0).set(2);
    const stale = store.commit({ id: 6, pipeline: 'p', operators: { a: first.snapshot() }, sources: {} });
    await expect(stale).rejects.toThrow(StateError);
    await expect(stale).rejects.toThrow(`LmdbCheckpointStore.commit: operator "a"'s snapshot is a change from a state this store did not commit last; restore the store's latest checkpoint into its backend first`);
    second.value('n', 0).set(3);
    await store.commit({ id: 7, pipeline: 'p', operators: { a: second.snapshot() }, sources: {} });
    expect(((await store.latest())!.operators['a'] as StateSnapshot).values).toEqual({ n: 3 });
    await store.close();
    await expect(store.latest()).rejects.toThrow(StateError);
    await expect(store.latest()).rejects.toThrow(`LmdbCheckpointStore.latest: the store of ${path.resolve(store.path)} is closed`);
  });
});

describe('LmdbCheckpointStore compaction (seeded)', () => {
  /** What a commit wrote, per identity (hex): its versions, each live or a deletion. */
  type Written = Map<string, Map<number, boolean>>;
  /** Timer queues written anew (a reset of the queue) in committed deltas. */
  let resets = 0;

  /** Applies one committed delta to the model: each identity it holds is a record at version `id` (a queue's own identity: its reset). */
  function record(written: Written, id: number, snapshot: StateSnapshot): void {
    const delta = (snapshot as unknown as Record<string, { full: boolean; keys: Uint8Array[]; values: (Uint8Array | null)[] }>)['tidemark-lmdb-delta']!;
    delta.keys.forEach((k, i) => {
      const ident = Buffer.from(k);
      if (ident[0] === 4 && ident.length === ident.readUInt16BE(1) + 3) resets++;
      const hex = ident.toString('hex');
      if (!written.has(hex)) written.set(hex, new Map());
      // A whole state (the first) writes no deletions: what it wrote of the entry before goes.
      if (delta.full && delta.values[i] === null) written.get(hex)!.delete(id);
      else written.get(hex)!.set(id, delta.values[i] !== null);
    });
  }

  for (const seed of [1, 2, 3, 4]) {
    it(`seed ${seed}: what stays on disk is exactly what the retained checkpoints read (overlapping and refused commits, a reopen, timer queues written anew), and each rebuilds exactly`, async () => {
      const random = seeded(seed);
      const int = (n: number) => Math.floor(random() * n);
      const dir = tmpDir();
      let store = await openLmdbStore({ path: dir, retain: 3, probe: false });
      let lmdb = store.backend('op');
      const memory = new MemoryStateBackend();
      const written: Written = new Map();
      const expected = new Map<number, unknown>();
      let id = 0;
      let time = 0;
      // Changes are drawn once and applied to both backends.
      const apply = (n: number) => {
        for (let i = 0; i < n; i++) {
          const t = time;
          const r = random();
          const k = int(40);
          const v = int(1000);
          const dt = int(50);
          for (const b of [lmdb, memory] as StateBackend[]) {
            time = t;
            if (r < 0.4) b.table<number, number, number>('t').set(k, k % 3, v);
            else if (r < 0.6) b.table<number, number, number>('t').delete(k, k % 3);
            else if (r < 0.7) b.maps<number, number, number>('m').set(k % 5, k, v);
            else if (r < 0.75) b.maps<number, number, number>('m').delete(k % 5, k);
            else if (r < 0.8) b.value('n', 0).set(v);
            else if (r < 0.9) b.timers<number, number>('q').register(time + dt, k, 0);
            else if (r < 0.95) b.timers<number, number>('q').delete(time + dt, k, 0);
            else b.timers<number, number>('q').advanceTo((time = t + (dt % 10)), () => undefined);
          }
        }
      };
      const commit = (snapshot: StateSnapshot, at: number): Promise<void> =>
        store.commit({ id: at, pipeline: 'p', operators: { op: snapshot }, sources: {} }).then(() => record(written, at, snapshot));
      for (let round = 1; round <= 24; round++) {
        apply(20 + int(40));
        if (round % 7 === 0) {
          // Enough timer changes since the last checkpoint that the backend writes the queue anew.
          for (let i = 0; i < 1500; i++) {
            const at = time + 1 + int(50);
            const k = int(40);
            for (const b of [lmdb, memory] as StateBackend[]) {
              b.timers<number, number>('q').register(at, k, 1);
              b.timers<number, number>('q').delete(at, k, 1);
            }
          }
        }
        const s1 = lmdb.snapshot();
        expected.set(++id, normal(memory.snapshot()));
        if (round % 5 === 0) {
          // Refused (the id does not increase): its change is folded into the next commit.
          await expect(store.commit({ id: id - 1, pipeline: 'p', operators: { op: s1 }, sources: {} })).rejects.toThrow(StateError);
          expected.delete(id--);
          continue;
        }
        const first = commit(s1, id);
        if (round % 4 === 0) {
          // A second barrier while the first commit is under way.
          apply(10 + int(20));
          const s2 = lmdb.snapshot();
          expected.set(++id, normal(memory.snapshot()));
          await Promise.all([first, commit(s2, id)]);
        } else await first;
        if (round === 12) {
          // Reopened, and restored from the latest: the chain goes on from what is on disk.
          await store.close();
          store = await openLmdbStore({ path: dir, retain: 3, probe: false });
          lmdb = store.backend('op');
          lmdb.restore(stateOf2(await store.latest()));
        }
      }
      expect(resets, 'timer queues written anew').toBeGreaterThan(0);
      resets = 0;
      const retained = await store.retained();
      expect(retained).toHaveLength(3);
      for (const r of retained) expect(normal(stateOf2(await store.load(r))), `checkpoint ${r}`).toEqual(expected.get(r));
      await store.close();

      // On disk: every version from the oldest retained checkpoint's `from` on, as written —
      // nothing older (the garbage below it is far under a commit's removal budget here).
      const db = open<Buffer, Buffer>({ path: dir, keyEncoding: 'binary', encoding: 'binary', readOnly: true });
      const from = fromOf(db, retained[0]!);
      expect(from, "the refresh cycle moved the oldest retained checkpoint's from past the first").toBeGreaterThan(1);
      const want = new Set<string>();
      for (const [ident, versions] of written) for (const v of versions.keys()) if (v >= from) want.add(`${ident}@${v}`);
      const have = new Set<string>();
      for (const { ident, version } of entriesOf(db)) have.add(`${ident.toString('hex')}@${version}`);
      await db.close();
      const detail = (k: string) => `${k} (written: ${JSON.stringify([...(written.get(k.split('@')[0]!) ?? [])])})`;
      expect([...have].filter((k) => !want.has(k)).map(detail), 'versions left that no retained checkpoint reads').toEqual([]);
      expect([...want].filter((k) => !have.has(k)), 'versions a retained checkpoint reads that are gone').toEqual([]);
      console.log(`seed ${seed}: ${have.size} versions on disk for ${written.size} identities, retained ${retained.join(', ')}, read from ${from}`);
    }, 60_000);
  }
});

function stateOf2(cp: Checkpoint | undefined): StateSnapshot {
  return cp!.operators['op'] as StateSnapshot;
}

const PREFIX = Buffer.concat([Buffer.from('E'), Buffer.from([0, 2]), Buffer.from('op')]);

/** Operator "op"'s state entries on disk: identity and the checkpoint that wrote it. */
function* entriesOf(db: RootDatabase<Buffer, Buffer>): Generator<{ ident: Buffer; version: number }> {
  for (const key of db.getKeys({ start: PREFIX, end: Buffer.concat([PREFIX, Buffer.alloc(8, 0xff)]) })) {
    yield { ident: Buffer.from(key.subarray(PREFIX.length + 8)), version: Number(key.readBigUInt64BE(PREFIX.length)) };
  }
}

/** The checkpoint operator "op"'s state is read from, as checkpoint `id`'s record says. */
function fromOf(db: RootDatabase<Buffer, Buffer>, id: number): number {
  const key = Buffer.concat([Buffer.from('C'), Buffer.alloc(8)]);
  key.writeBigUInt64BE(BigInt(id), 1);
  const record = decode(unframe(key, db.get(key), () => `checkpoint ${id}'s record`)) as { operators: Record<string, { from: number }> };
  return record.operators['op']!.from;
}

describe('LmdbCheckpointStore with a large state and small changes (the refresh cycle)', () => {
  it('writes what changed plus a bounded refresh, moves the state\'s from forward once every entry was written again, and removes the garbage below it a bounded amount per commit', async () => {
    const dir = tmpDir();
    const store = await openLmdbStore({ path: dir, retain: 2, probe: false });
    const b = store.backend('op');
    const memory = new MemoryStateBackend();
    const keys = 12_000;
    for (const x of [b, memory] as StateBackend[]) for (let k = 0; k < keys; k++) x.table<number, number, number>('t').set(k, 0, 0);
    await store.commit({ id: 1, pipeline: 'p', operators: { op: b.snapshot() }, sources: {} });
    const db = open<Buffer, Buffer>({ path: dir, keyEncoding: 'binary', encoding: 'binary', readOnly: true });
    const below = (from: number) => [...entriesOf(db)].filter((e) => e.version < from).length;
    let id = 1;
    let moved = 0;
    let trimmedAfterMove = 0;
    const largest = { written: 0, removed: 0 };
    let before = [...entriesOf(db)].length;
    const oldestFrom = async () => fromOf(db, (await store.retained())[0]!);
    while (id < 600 && ((await oldestFrom()) <= 1 || below(await oldestFrom()) > 0)) {
      for (const x of [b, memory] as StateBackend[]) for (let i = 0; i < 10; i++) x.table<number, number, number>('t').set((id * 37 + i * 1009) % keys, 0, id);
      const snapshot = b.snapshot();
      const written = (snapshot as unknown as Record<string, { keys: unknown[] }>)['tidemark-lmdb-delta']!.keys.length;
      await store.commit({ id: ++id, pipeline: 'p', operators: { op: snapshot }, sources: {} });
      const after = [...entriesOf(db)].length;
      largest.written = Math.max(largest.written, written);
      largest.removed = Math.max(largest.removed, before + written - after);
      before = after;
      if (moved === 0 && fromOf(db, id) > 1) moved = id;
      else if (moved > 0) trimmedAfterMove++;
    }
    // 10 changes a commit, and the refresh's least (64): never the whole state at once.
    expect(largest.written).toBeLessThanOrEqual(10 + 64);
    expect(moved, 'the refresh cycle completed').toBeGreaterThan(keys / 74);
    // The whole state below from (12 k entries) goes in commits of at most 4096 removals each.
    expect(largest.removed).toBeLessThanOrEqual(4096);
    expect(trimmedAfterMove).toBeGreaterThanOrEqual(Math.ceil(keys / 4096));
    expect(below(fromOf(db, (await store.retained())[0]!)), 'garbage left below the oldest retained from').toBe(0);
    expect(normal(stateOf2(await store.latest()))).toEqual(normal(memory.snapshot()));
    await db.close();
    await store.close();
  }, 120_000);
});

describe('LmdbCheckpointStore and a directory of the first schema', () => {
  it('refuses it with a StateError that names both schemas and the way out', async () => {
    const dir = tmpDir();
    const store = await openLmdbStore({ path: dir, probe: false });
    await store.commit({ id: 1, pipeline: 'p', operators: {}, sources: {} });
    await store.close();
    const db = open<Buffer, Buffer>({ path: dir, keyEncoding: 'binary', encoding: 'binary' });
    const key = Buffer.from('Mformat');
    await db.put(key, frame(key, encode({ format: 'tidemark-lmdb', schema: 1 })));
    await db.close();
    const error = await openLmdbStore({ path: dir, probe: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateError);
    expect((error as Error).message).toMatch(/written with tidemark\/lmdb schema 1; this version reads schema 2.*\{ fresh: true \}/);
    const fresh = await openLmdbStore({ path: dir, probe: false, fresh: true });
    expect(await fresh.retained()).toEqual([]);
    await fresh.close();
  });
});
