import { describe, expect, it } from 'vitest';
import { MemoryStateBackend, StateError, type StateSnapshot } from 'tidemark';
import { errorOf } from '../support/errorOf.js';

type Fired = [time: number, key: string, namespace: number];

function drain(backend: MemoryStateBackend, name: string, until: number): Fired[] {
  const fired: Fired[] = [];
  backend.timers<string, number>(name).advanceTo(until, (t, k, ns) => fired.push([t, k, ns]));
  return fired;
}

describe('MemoryStateBackend tables', () => {
  it('gets, sets and deletes values per (key, namespace)', () => {
    const t = new MemoryStateBackend().table<string, number, number>('sum');
    expect(t.size).toBe(0);
    expect(t.get('a', 0)).toBeUndefined();
    t.set('a', 0, 1);
    t.set('a', 10, 2);
    t.set('b', 0, 3);
    expect([t.get('a', 0), t.get('a', 10), t.get('b', 0), t.get('b', 10)]).toEqual([1, 2, 3, undefined]);
    expect(t.size).toBe(3);
    t.set('a', 0, 5); // overwrite: same entry
    expect(t.get('a', 0)).toBe(5);
    expect(t.size).toBe(3);
    t.delete('a', 0);
    expect(t.get('a', 0)).toBeUndefined();
    expect(t.get('a', 10)).toBe(2);
    expect(t.size).toBe(2);
    t.delete('a', 0); // deleting what is gone changes nothing
    t.delete('zzz', 99);
    expect(t.size).toBe(2);
    t.delete('a', 10);
    t.delete('b', 0);
    expect(t.size).toBe(0);
    expect([...t.keys(0)]).toEqual([]);
  });

  it('lists a namespace\'s keys in insertion order', () => {
    const t = new MemoryStateBackend().table<string, number, number>('x');
    t.set('c', 1, 0);
    t.set('a', 1, 0);
    t.set('b', 2, 0);
    t.set('b', 1, 0);
    expect([...t.keys(1)]).toEqual(['c', 'a', 'b']);
    expect([...t.keys(2)]).toEqual(['b']);
    expect([...t.keys(3)]).toEqual([]);
  });

  it('returns the same table (and the same state) for the same name, separate ones for other names', () => {
    const b = new MemoryStateBackend();
    b.table<string, number, number>('x').set('a', 0, 1);
    expect(b.table<string, number, number>('x').get('a', 0)).toBe(1);
    expect(b.table<string, number, number>('y').get('a', 0)).toBeUndefined();
  });

  it('keeps the namespace cache correct when alternating namespaces and emptying one', () => {
    const t = new MemoryStateBackend().table<string, number, number>('x');
    t.set('a', 0, 1);
    t.set('a', 1, 2);
    t.delete('a', 0); // empties namespace 0
    t.set('b', 0, 3);
    expect([t.get('a', 0), t.get('b', 0), t.get('a', 1)]).toEqual([undefined, 3, 2]);
    expect(t.size).toBe(2);
  });
});

describe('MemoryStateBackend namespace views', () => {
  it('a view reads and writes one namespace of the table, and stays valid while it empties and fills again', () => {
    const t = new MemoryStateBackend().table<string, number, number>('t');
    const w = t.namespace(10);
    expect(w.size).toBe(0);
    w.set('a', 1);
    t.set('b', 10, 2);
    expect([w.get('a'), w.get('b'), t.get('a', 10), [...w.keys()], w.size, t.size]).toEqual([1, 2, 1, ['a', 'b'], 2, 2]);
    w.delete('a');
    t.delete('b', 10); // empties the namespace: it leaves the table
    expect([w.size, t.size, [...t.keys(10)]]).toEqual([0, 0, []]);
    w.set('c', 3); // and joins it again through the same view
    expect([t.get('c', 10), t.size, [...t.keys(10)]]).toEqual([3, 1, ['c']]);
  });

  it('two views of one namespace made while it was empty share it once either writes', () => {
    const b = new MemoryStateBackend();
    const t = b.table<string, number, number>('t');
    const v1 = t.namespace(5);
    const v2 = t.namespace(5);
    v1.set('a', 1);
    v2.set('b', 2);
    expect([[...v1.keys()], [...v2.keys()], t.size]).toEqual([['a', 'b'], ['a', 'b'], 2]);
    v2.delete('a');
    v2.delete('b');
    expect([v1.size, t.size]).toEqual([0, 0]);
    expect(b.snapshot().tables['t']).toEqual([]); // emptied through the second view: the namespace left the table
    v1.set('c', 3);
    expect([t.get('c', 5), v2.get('c'), t.size]).toEqual([3, 3, 1]);
    const late = t.namespace(5); // a view made while it is full is the same namespace
    expect(late.get('c')).toBe(3);
  });

  it('forEach visits (value, key) in insertion order and allows resetting existing keys; clear empties the namespace at once', () => {
    const b = new MemoryStateBackend();
    const t = b.table<string, number, number>('t');
    const w = t.namespace(3);
    w.set('a', 1);
    w.set('b', 2);
    t.set('c', 4, 9);
    const seen: [string, number][] = [];
    w.forEach((v, k) => {
      seen.push([k, v]);
      w.set(k, 0);
    });
    expect(seen).toEqual([['a', 1], ['b', 2]]);
    expect([w.get('a'), w.get('b'), t.size]).toEqual([0, 0, 3]);
    w.clear();
    expect([w.size, t.size, t.get('c', 4)]).toEqual([0, 1, 9]);
    expect(b.snapshot().tables['t']).toEqual([[4, [['c', 9]]]]);
    w.clear(); // clearing an empty namespace changes nothing
    w.set('d', 5);
    expect([t.get('d', 3), t.size]).toEqual([5, 2]);
  });

  it('snapshot and restore see what views wrote', () => {
    const b = new MemoryStateBackend();
    b.table<string, number, number>('t').namespace(1).set('k', 7);
    const copy = new MemoryStateBackend();
    const view = copy.table<string, number, number>('t').namespace(1);
    copy.restore(b.snapshot());
    expect(copy.table<string, number, number>('t').get('k', 1)).toBe(7);
    view.set('j', 8); // a view taken before the restore writes into the restored namespace
    expect([...copy.table<string, number, number>('t').keys(1)]).toEqual(['k', 'j']);
  });
});

describe('MemoryStateBackend values', () => {
  it('starts at the initial value, keeps what is set, and ignores a later initial value', () => {
    const b = new MemoryStateBackend();
    const wm = b.value('watermark', -Infinity);
    expect(wm.get()).toBe(-Infinity);
    wm.set(10);
    expect(wm.get()).toBe(10);
    expect(b.value('watermark', 0).get()).toBe(10);
    expect(b.value('other', 'x').get()).toBe('x');
  });
});

describe('MemoryStateBackend timers', () => {
  it('fires in time order, then registration order, and only up to `until`', () => {
    const b = new MemoryStateBackend();
    const q = b.timers<string, number>('t');
    q.register(20, 'a', 0);
    q.register(5, 'b', 0);
    q.register(10, 'c', 0);
    q.register(5, 'a', 0);
    q.register(-3, 'z', 7);
    expect(q.size).toBe(5);
    expect(q.peek()).toBe(-3);
    expect(drain(b, 't', 10)).toEqual([
      [-3, 'z', 7],
      [5, 'b', 0],
      [5, 'a', 0],
      [10, 'c', 0],
    ]);
    expect(q.size).toBe(1);
    expect(q.peek()).toBe(20);
    expect(drain(b, 't', 19)).toEqual([]);
    expect(drain(b, 't', Infinity)).toEqual([[20, 'a', 0]]);
    expect(q.size).toBe(0);
    expect(q.peek()).toBe(Infinity);
  });

  it('fires ties in registration order across namespaces', () => {
    const b = new MemoryStateBackend();
    const q = b.timers<string, number>('t');
    q.register(9, 'a', 1);
    q.register(9, 'b', 2);
    q.register(9, 'c', 1);
    expect(drain(b, 't', 9)).toEqual([
      [9, 'a', 1],
      [9, 'b', 2],
      [9, 'c', 1],
    ]);
  });

  it('keeps one timer per (time, key, namespace)', () => {
    const b = new MemoryStateBackend();
    const q = b.timers<string, number>('t');
    q.register(5, 'a', 0);
    q.register(5, 'a', 0);
    q.register(5, 'a', 1); // another namespace: another timer
    q.register(6, 'a', 0); // another time: another timer
    expect(q.size).toBe(3);
    expect(drain(b, 't', 10)).toEqual([
      [5, 'a', 0],
      [5, 'a', 1],
      [6, 'a', 0],
    ]);
  });

  it('deletes a timer; peek skips emptied times; deleting an unknown timer is a no-op', () => {
    const b = new MemoryStateBackend();
    const q = b.timers<string, number>('t');
    q.register(5, 'a', 0);
    q.register(5, 'b', 0);
    q.register(8, 'c', 0);
    q.delete(5, 'a', 0);
    q.delete(5, 'a', 0);
    q.delete(5, 'nope', 0);
    q.delete(6, 'a', 0);
    q.delete(5, 'b', 1);
    expect(q.size).toBe(2);
    expect(q.peek()).toBe(5);
    q.delete(5, 'b', 0);
    expect(q.size).toBe(1);
    expect(q.peek()).toBe(8);
    expect(drain(b, 't', 100)).toEqual([[8, 'c', 0]]);
  });

  it('a timer deleted then registered again fires once', () => {
    const b = new MemoryStateBackend();
    const q = b.timers<string, number>('t');
    q.register(5, 'a', 0);
    q.delete(5, 'a', 0);
    q.register(5, 'a', 0);
    expect(q.size).toBe(1);
    expect(drain(b, 't', 5)).toEqual([[5, 'a', 0]]);
  });

  it('fires timers registered during advanceTo at or before `until` in the same call, later ones not', () => {
    const b = new MemoryStateBackend();
    const q = b.timers<string, number>('t');
    q.register(1, 'a', 0);
    const fired: Fired[] = [];
    q.advanceTo(10, (t, k, ns) => {
      fired.push([t, k, ns]);
      if (k === 'a') {
        q.register(1, 'same-time', 0);
        q.register(10, 'at-until', 0);
        q.register(4, 'between', 0);
        q.register(11, 'after', 0);
      }
    });
    expect(fired).toEqual([
      [1, 'a', 0],
      [1, 'same-time', 0],
      [4, 'between', 0],
      [10, 'at-until', 0],
    ]);
    expect(q.size).toBe(1);
    expect(q.peek()).toBe(11);
  });

  it('keeps timers of different names apart', () => {
    const b = new MemoryStateBackend();
    b.timers<string, number>('x').register(1, 'a', 0);
    expect(b.timers<string, number>('y').size).toBe(0);
    expect(drain(b, 'y', 10)).toEqual([]);
    expect(drain(b, 'x', 10)).toEqual([[1, 'a', 0]]);
  });
});

describe('MemoryStateBackend snapshot and restore', () => {
  function populated(): MemoryStateBackend {
    const b = new MemoryStateBackend();
    const t = b.table<string, number, { n: number; seen: number[] }>('acc');
    t.set('a', 0, { n: 1, seen: [1] });
    t.set('b', 10, { n: 2, seen: [11, 12] });
    const q = b.timers<string, number>('timers');
    q.register(9, 'a', 0);
    q.register(19, 'b', 10);
    q.register(19, 'a', 10);
    b.value('watermark', -Infinity).set(3);
    return b;
  }

  it('restores tables, timers and values into a fresh backend', () => {
    const snap = populated().snapshot();
    expect(snap.format).toBe('tidemark-state/1');
    const r = new MemoryStateBackend();
    r.restore(snap);
    const t = r.table<string, number, { n: number; seen: number[] }>('acc');
    expect(t.get('a', 0)).toEqual({ n: 1, seen: [1] });
    expect(t.get('b', 10)).toEqual({ n: 2, seen: [11, 12] });
    expect(t.size).toBe(2);
    expect(r.value('watermark', -Infinity).get()).toBe(3);
    expect(r.timers<string, number>('timers').size).toBe(3);
    expect(drain(r, 'timers', Infinity)).toEqual([
      [9, 'a', 0],
      [19, 'b', 10],
      [19, 'a', 10],
    ]);
  });

  it('a snapshot is a deep copy: later changes to state do not change it', () => {
    const b = populated();
    const snap = b.snapshot();
    const before = structuredClone(snap);
    const t = b.table<string, number, { n: number; seen: number[] }>('acc');
    t.get('b', 10)!.seen.push(99); // mutate a held object in place
    t.set('a', 0, { n: 100, seen: [] });
    t.set('c', 0, { n: 7, seen: [] });
    b.timers<string, number>('timers').register(1, 'c', 0);
    drain(b, 'timers', 9);
    b.value('watermark', 0).set(50);
    expect(snap).toEqual(before);
    const r = new MemoryStateBackend();
    r.restore(snap);
    expect(r.table<string, number, { n: number; seen: number[] }>('acc').get('b', 10)).toEqual({ n: 2, seen: [11, 12] });
  });

  it('restore does not keep the snapshot: mutating restored state leaves the snapshot alone', () => {
    const snap = populated().snapshot();
    const before = structuredClone(snap);
    const r = new MemoryStateBackend();
    r.restore(snap);
    r.table<string, number, { n: number; seen: number[] }>('acc').get('a', 0)!.seen.push(42);
    drain(r, 'timers', Infinity);
    expect(snap).toEqual(before);
  });

  it('snapshots and restores ordered tables, each key ascending; a snapshot without any restores them empty', () => {
    const b = new MemoryStateBackend();
    const o = b.ordered<string, string>('sessions');
    o.set('k', 20, 'late');
    o.set('k', 10, 'early');
    const snap = b.snapshot();
    expect(snap.ordered).toEqual({ sessions: [['k', [[10, 'early'], [20, 'late']]]] });
    const copy = new MemoryStateBackend();
    copy.restore(snap);
    expect(copy.ordered<string, string>('sessions').floor('k', 15)).toBe(10);
    expect(copy.ordered<string, string>('sessions').get('k', 20)).toBe('late');
    const { ordered: _, ...older } = snap;
    copy.restore(older);
    expect(copy.ordered('sessions').size).toBe(0);
  });

  it('restore replaces existing tables and timers (no leftovers)', () => {
    const empty = new MemoryStateBackend().snapshot();
    const b = populated();
    b.restore(empty);
    expect(b.table('acc').size).toBe(0);
    expect(b.timers('timers').size).toBe(0);
    expect(b.timers('timers').peek()).toBe(Infinity);
  });

  it('restore of an unknown format throws a StateError naming the format and the fix', () => {
    const b = new MemoryStateBackend();
    for (const bad of [{ format: 'tidemark-state/2', tables: {}, timers: {}, values: {} }, {}, null, undefined]) {
      const thrown = errorOf(() => b.restore(bad as unknown as StateSnapshot));
      expect(StateError.isStateError(thrown)).toBe(true);
      expect(thrown.message).toContain('MemoryStateBackend.restore: unknown snapshot format');
      expect(thrown.message).toContain('expected "tidemark-state/1"');
    }
    const thrown = errorOf(() => b.restore({ format: 'tidemark-state/2' } as unknown as StateSnapshot));
    expect(thrown.message).toContain('"tidemark-state/2"');
  });
});
