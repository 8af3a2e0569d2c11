import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryStateBackend, StateError, type Checkpoint, type StateBackend, type StateSnapshot } from 'tidemark';
import { openLmdbStore, type LmdbStateBackend } from 'tidemark/lmdb';
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
