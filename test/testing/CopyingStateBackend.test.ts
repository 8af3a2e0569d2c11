import { describe, expect, it } from 'vitest';
import { collect, session, windowAggregateEngine } from 'tidemark';
import { CopyingStateBackend } from 'tidemark/testing';

describe('CopyingStateBackend', () => {
  it('a table returns copies: changing what get returned, or a value after set, changes nothing stored', () => {
    const t = new CopyingStateBackend().table<string, number, { n: number }>('t');
    const v = { n: 1 };
    t.set('a', 0, v);
    v.n = 2; // after set
    expect(t.get('a', 0)).toEqual({ n: 1 });
    t.get('a', 0)!.n = 3; // a get result, not set back
    expect(t.get('a', 0)).toEqual({ n: 1 });
    expect(t.get('a', 0)).not.toBe(t.get('a', 0));
    t.set('a', 0, { n: 4 });
    expect(t.get('a', 0)).toEqual({ n: 4 });
    expect([...t.keys(0)]).toEqual(['a']);
    expect(t.size).toBe(1);
    t.delete('a', 0);
    expect(t.size).toBe(0);
  });

  it('namespace views copy too: what get and forEach hand out is a copy; clear empties the namespace', () => {
    const t = new CopyingStateBackend().table<string, number, { n: number }>('t');
    const w = t.namespace(1);
    w.set('a', { n: 1 });
    w.get('a')!.n = 2;
    w.forEach((v) => (v.n = 3));
    expect(w.get('a')).toEqual({ n: 1 });
    expect([...w.keys()]).toEqual(['a']);
    w.clear();
    expect([w.size, t.size]).toEqual([0, 0]);
  });

  it('ordered tables and value cells copy too; primitives pass as they are', () => {
    const b = new CopyingStateBackend();
    const o = b.ordered<string, number[]>('o');
    const list = [1];
    o.set('k', 5, list);
    list.push(2);
    o.get('k', 5)!.push(3);
    expect(o.get('k', 5)).toEqual([1]);
    expect([o.floor('k', 7), o.lower('k', 5), o.positions('k', 0, 9), [...o.keys()], o.size]).toEqual([5, undefined, [5], ['k'], 1]);
    const cell = b.value('c', { at: 0 });
    cell.get().at = 9;
    expect(cell.get()).toEqual({ at: 0 });
    const n = b.value('n', 1);
    n.set(2);
    expect(n.get()).toBe(2);
  });

  it('snapshot and restore work as the memory backend\'s', () => {
    const b = new CopyingStateBackend();
    b.table<string, number, number>('t').set('a', 1, 10);
    b.ordered<string, string>('o').set('a', 3, 'x');
    b.timers<string, number>('q').register(7, 'a', 1);
    const copy = new CopyingStateBackend();
    copy.restore(b.snapshot());
    expect(copy.table<string, number, number>('t').get('a', 1)).toBe(10);
    expect(copy.ordered<string, string>('o').get('a', 3)).toBe('x');
    expect(copy.timers('q').peek()).toBe(7);
  });

  it('catches an operator that mutates state after set: such a session engine would come out empty', () => {
    // A deliberately broken "engine step": stores the accumulator, then adds to it.
    const b = new CopyingStateBackend();
    const t = b.table<string, number, string[]>('acc');
    const acc: string[] = [];
    t.set('k', 0, acc);
    acc.push('a');
    expect(t.get('k', 0)).toEqual([]);
    // The real window engine writes back what it changes: it works on this backend.
    const engine = windowAggregateEngine<string>({ window: session(3), aggregate: collect(), state: () => new CopyingStateBackend() })();
    const out: unknown[] = [];
    engine.open({ event: (v) => out.push(v), watermark: () => {}, control: () => {} }, { now: () => 0, wakeAt: () => {} });
    engine.onEvent('a', 1);
    engine.onEvent('b', 3);
    engine.onWatermark(Infinity);
    expect(out).toEqual([{ key: undefined, start: 1, end: 6, value: ['a', 'b'], firing: 'on-time' }]);
  });
});
