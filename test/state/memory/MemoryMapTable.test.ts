import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryStateBackend, windowAggregateEngine, tumbling, count, type MapTable, type StateBackend, type StateSnapshot } from 'tidemark';
import { CopyingStateBackend, DEFAULT_NUM_RUNS, DEFAULT_SEED } from 'tidemark/testing';

const BACKENDS = [
  ['MemoryStateBackend', () => new MemoryStateBackend()],
  ['CopyingStateBackend', () => new CopyingStateBackend()],
] as const satisfies readonly (readonly [string, () => StateBackend])[];

describe.each(BACKENDS)('map tables of the %s', (_name, make) => {
  it('gets, sets, replaces and deletes by (key, mapKey); sizeOf and size count entries', () => {
    const t = make().maps<string, string, number>('m');
    expect([t.size, t.sizeOf('a'), t.get('a', 'x')]).toEqual([0, 0, undefined]);
    t.set('a', 'x', 1);
    t.set('a', 'y', 2);
    t.set('b', 'x', 3);
    t.set('a', 'x', 10); // replaced: same entry, same place
    expect([t.get('a', 'x'), t.get('a', 'y'), t.get('b', 'x'), t.get('b', 'y'), t.get('c', 'x')]).toEqual([10, 2, 3, undefined, undefined]);
    expect([t.size, t.sizeOf('a'), t.sizeOf('b'), t.sizeOf('c')]).toEqual([3, 2, 1, 0]);
    expect(t.entries('a')).toEqual([['x', 10], ['y', 2]]);
    expect(t.mapKeys('a')).toEqual(['x', 'y']);
    t.delete('a', 'x');
    t.delete('a', 'zzz'); // nothing there: nothing changes
    t.delete('zzz', 'x');
    expect([t.size, t.sizeOf('a'), t.entries('a')]).toEqual([2, 1, [['y', 2]]]);
    t.delete('a', 'y');
    expect([...t.keys()]).toEqual(['b']); // a key whose map empties leaves the table
    expect(t.entries('a')).toEqual([]);
  });

  it('iterates a key\'s entries in insertion order, and the keys in the order they got their first entry', () => {
    const t = make().maps<string, number, string>('m');
    t.set('k2', 3, 'c');
    t.set('k1', 9, 'a');
    t.set('k1', -1, 'b');
    t.set('k2', 0, 'd');
    expect([...t.keys()]).toEqual(['k2', 'k1']);
    expect(t.entries('k1')).toEqual([[9, 'a'], [-1, 'b']]);
    expect(t.mapKeys('k2')).toEqual([3, 0]);
  });

  it('clear(key) removes one key\'s map, and only it', () => {
    const t = make().maps<string, string, number>('m');
    t.set('a', 'x', 1);
    t.set('a', 'y', 2);
    t.set('b', 'x', 3);
    t.clear('a');
    t.clear('none');
    expect([t.size, t.sizeOf('a'), [...t.keys()], t.get('b', 'x')]).toEqual([1, 0, ['b'], 3]);
  });

  it('the lists it returns are copies: changing the table while reading them is safe', () => {
    const t = make().maps<string, number, number>('m');
    for (let i = 0; i < 5; i++) t.set('a', i, i);
    const seen: number[] = [];
    for (const [mk] of t.entries('a')) {
      seen.push(mk);
      t.delete('a', mk);
      t.set('b', mk, mk);
    }
    for (const k of t.keys()) t.clear(k);
    expect([seen, t.size]).toEqual([[0, 1, 2, 3, 4], 0]);
  });

  it('map keys compare as Map keys do: 0 and -0 are one key, NaN is a key', () => {
    const t = make().maps<string, number, string>('m');
    t.set('a', -0, 'zero');
    t.set('a', NaN, 'nan');
    expect([t.get('a', 0), t.get('a', NaN), t.sizeOf('a')]).toEqual(['zero', 'nan', 2]);
  });

  it('snapshot and restore keep every key\'s map with its order; a restore replaces what was there', () => {
    const b = make();
    const t = b.maps<string, string, { n: number }>('m');
    t.set('a', 'y', { n: 1 });
    t.set('a', 'x', { n: 2 });
    t.set('b', 'z', { n: 3 });
    const snapshot = b.snapshot();
    expect(snapshot.maps).toEqual({ m: [['a', [['y', { n: 1 }], ['x', { n: 2 }]]], ['b', [['z', { n: 3 }]]]] });
    t.set('a', 'w', { n: 4 }); // after the snapshot: not in it
    expect(snapshot.maps!.m![0]![1]).toHaveLength(2);

    const other = make();
    const o = other.maps<string, string, { n: number }>('m');
    o.set('c', 'gone', { n: 0 });
    other.maps<string, string, number>('unrelated').set('d', 'gone', 0);
    other.restore(snapshot);
    expect([o.entries('a'), o.entries('b'), o.sizeOf('c'), other.maps('unrelated').size]).toEqual([
      [['y', { n: 1 }], ['x', { n: 2 }]],
      [['z', { n: 3 }]],
      0,
      0,
    ]);
    o.get('a', 'y')!.n = 99; // the restored state does not alias the snapshot
    expect(snapshot.maps!.m![0]![1][0]).toEqual(['y', { n: 1 }]);
  });

  it('a snapshot without map tables has no maps field, as before; such (older) snapshots restore and empty the map tables', () => {
    const b = make();
    b.table<string, number, number>('t').set('a', 0, 1);
    const old = b.snapshot();
    expect('maps' in old).toBe(false);
    const withMaps = make();
    withMaps.maps<string, string, number>('m').set('a', 'x', 1);
    withMaps.restore(old);
    expect([withMaps.maps('m').size, withMaps.table<string, number, number>('t').get('a', 0)]).toEqual([0, 1]);
    // A snapshot of a window operator (no map tables) is the same as it was.
    const engine = windowAggregateEngine<string>({ window: tumbling(10), aggregate: count(), state: make })();
    engine.open({ event: () => {}, watermark: () => {}, control: () => {} }, { now: () => 0, wakeAt: () => {} });
    engine.onEvent('a', 1);
    const backend = (engine.snapshot!().state as { backend: StateSnapshot }).backend;
    expect(Object.keys(backend).sort()).toEqual(['format', 'ordered', 'tables', 'timers', 'values']);
  });

  it('equals a Map of Maps under any sequence of operations', () => {
    type Op = ['set', string, number, number] | ['delete', string, number] | ['clear', string];
    const key = fc.constantFrom('a', 'b', 'c');
    const mk = fc.integer({ min: 0, max: 4 });
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.tuple(fc.constant('set' as const), key, mk, fc.integer()),
      fc.tuple(fc.constant('delete' as const), key, mk),
      fc.tuple(fc.constant('clear' as const), key),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const b = make();
        const t: MapTable<string, number, number> = b.maps('m');
        const model = new Map<string, Map<number, number>>();
        for (const o of ops) {
          if (o[0] === 'set') {
            t.set(o[1], o[2], o[3]);
            if (!model.has(o[1])) model.set(o[1], new Map());
            model.get(o[1])!.set(o[2], o[3]);
          } else if (o[0] === 'delete') {
            t.delete(o[1], o[2]);
            model.get(o[1])?.delete(o[2]);
            if (model.get(o[1])?.size === 0) model.delete(o[1]);
          } else {
            t.clear(o[1]);
            model.delete(o[1]);
          }
        }
        const restored = make();
        restored.restore(b.snapshot());
        for (const table of [t, restored.maps<string, number, number>('m')]) {
          expect([...table.keys()]).toEqual([...model.keys()]);
          for (const [k, m] of model) expect([table.entries(k), table.sizeOf(k)]).toEqual([[...m], m.size]);
          expect(table.size).toBe([...model.values()].reduce((s, m) => s + m.size, 0));
        }
      }),
      { seed: DEFAULT_SEED, numRuns: DEFAULT_NUM_RUNS },
    );
  });
});

describe('map tables of the CopyingStateBackend copy values', () => {
  it('what get and entries hand out is a copy; a value changed after set is not stored', () => {
    const t = new CopyingStateBackend().maps<string, string, { n: number }>('m');
    const v = { n: 1 };
    t.set('a', 'x', v);
    v.n = 2;
    t.get('a', 'x')!.n = 3;
    for (const [, value] of t.entries('a')) value.n = 4;
    expect(t.get('a', 'x')).toEqual({ n: 1 });
    expect(t.get('a', 'x')).not.toBe(t.get('a', 'x'));
  });
});
