import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryOrderedTable } from '../../../src/state/memory/MemoryOrderedTable.js';
import { DEFAULT_NUM_RUNS, DEFAULT_SEED } from 'tidemark/testing';

describe('MemoryOrderedTable', () => {
  it('gets, sets, replaces and deletes by (key, position); size counts entries', () => {
    const t = new MemoryOrderedTable<string, string>();
    t.set('a', 10, 'x');
    t.set('a', 5, 'y');
    t.set('b', 5, 'z');
    t.set('a', 10, 'x2');
    expect([t.get('a', 10), t.get('a', 5), t.get('b', 5), t.get('a', 7), t.get('c', 5)]).toEqual(['x2', 'y', 'z', undefined, undefined]);
    expect(t.size).toBe(3);
    t.delete('a', 10);
    t.delete('a', 99);
    t.delete('c', 1);
    expect(t.size).toBe(2);
    expect([...t.keys()]).toEqual(['a', 'b']);
    t.delete('a', 5);
    expect([...t.keys()]).toEqual(['b']);
  });

  it('floor is the greatest position <= at, lower the greatest < at; positions lists a range ascending', () => {
    const t = new MemoryOrderedTable<string, number>();
    for (const p of [30, -5, 10, 20.5]) t.set('k', p, p);
    expect([t.floor('k', 10), t.floor('k', 9.9), t.floor('k', -6), t.floor('k', Infinity), t.floor('none', 1)]).toEqual([10, -5, undefined, 30, undefined]);
    expect([t.lower('k', 10), t.lower('k', -5), t.lower('k', 31)]).toEqual([-5, undefined, 30]);
    expect([t.floorValue('k', 10), t.floorValue('k', -6), t.lowerValue('k', 10), t.lowerValue('k', -5), t.floorValue('none', 1)]).toEqual([10, undefined, -5, undefined, undefined]);
    const single = new MemoryOrderedTable<string, string>();
    single.set('s', 7, 'seven');
    expect([single.floorValue('s', 7), single.floorValue('s', 6), single.lowerValue('s', 7), single.lowerValue('s', 8)]).toEqual(['seven', undefined, undefined, 'seven']);
    expect(t.positions('k', -5, 20.5)).toEqual([-5, 10, 20.5]);
    expect(t.positions('k', 11, 12)).toEqual([]);
    expect(t.positions('k', 40, 0)).toEqual([]);
  });

  it('agrees with a sorted-list model under any sequence of operations, across run splits (many entries per key)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.constantFrom('a', 'b'), at: fc.integer({ min: 0, max: 2_000 }) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.constantFrom('a', 'b'), at: fc.integer({ min: 0, max: 2_000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 1_500 }), fc.array(fc.integer({ min: -10, max: 2_010 }), { maxLength: 20 }), (ops, probes) => {
        const t = new MemoryOrderedTable<string, number>();
        const model = new Map<string, Map<number, number>>([['a', new Map()], ['b', new Map()]]);
        ops.forEach((o, i) => {
          if (o.kind === 'set') {
            t.set(o.key, o.at, i);
            model.get(o.key)!.set(o.at, i);
          } else {
            t.delete(o.key, o.at);
            model.get(o.key)!.delete(o.at);
          }
        });
        let size = 0;
        for (const [key, m] of model) {
          const sorted = [...m.keys()].sort((x, y) => x - y);
          size += sorted.length;
          expect(t.positions(key, -Infinity, Infinity)).toEqual(sorted);
          for (const p of probes) {
            expect(t.floor(key, p)).toBe(sorted.filter((x) => x <= p).at(-1));
            expect(t.lower(key, p)).toBe(sorted.filter((x) => x < p).at(-1));
            expect(t.floorValue(key, p)).toBe(m.get(sorted.filter((x) => x <= p).at(-1)!));
            expect(t.lowerValue(key, p)).toBe(m.get(sorted.filter((x) => x < p).at(-1)!));
            expect(t.get(key, p)).toBe(m.get(p));
            expect(t.positions(key, p, p + 100)).toEqual(sorted.filter((x) => x >= p && x <= p + 100));
          }
        }
        expect(t.size).toBe(size);
      }),
      { seed: DEFAULT_SEED, numRuns: DEFAULT_NUM_RUNS },
    );
  });

  it('with positionOf, agrees with the model whether values sit at their own position or elsewhere, as keys go from one entry to several and back', () => {
    interface Row {
      readonly at: number;
      readonly id: number;
    }
    const op = fc.record({
      kind: fc.constantFrom('set' as const, 'set' as const, 'delete' as const),
      key: fc.constantFrom('a', 'b', 'c'),
      at: fc.integer({ min: 0, max: 6 }),
      // Most values are stored at their own position (held bare when alone), some elsewhere (wrapped).
      own: fc.integer({ min: 0, max: 3 }).map((n) => n > 0),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const t = new MemoryOrderedTable<string, Row>({ positionOf: (r) => r.at });
        const model = new Map<string, Map<number, Row>>([['a', new Map()], ['b', new Map()], ['c', new Map()]]);
        ops.forEach((o, id) => {
          if (o.kind === 'set') {
            const row = { at: o.own ? o.at : o.at + 100, id };
            t.set(o.key, o.at, row);
            model.get(o.key)!.set(o.at, row);
          } else {
            t.delete(o.key, o.at);
            model.get(o.key)!.delete(o.at);
          }
          for (const [key, m] of model) {
            const sorted = [...m.keys()].sort((x, y) => x - y);
            expect(t.positions(key, -Infinity, Infinity)).toEqual(sorted);
            for (let p = -1; p <= 7; p++) {
              expect(t.get(key, p)).toBe(m.get(p));
              expect(t.floorValue(key, p)).toBe(m.get(sorted.filter((x) => x <= p).at(-1)!));
              expect(t.lowerValue(key, p)).toBe(m.get(sorted.filter((x) => x < p).at(-1)!));
              expect(t.floor(key, p)).toBe(sorted.filter((x) => x <= p).at(-1));
            }
          }
        });
        expect(t.size).toBe([...model.values()].reduce((n, m) => n + m.size, 0));
        const copy = new MemoryOrderedTable<string, Row>({ positionOf: (r) => r.at });
        copy.load(t.dump());
        expect(copy.dump()).toEqual(t.dump());
      }),
      { seed: DEFAULT_SEED, numRuns: DEFAULT_NUM_RUNS },
    );
  });

  it('with positionOf, an array value is never taken for a key\'s runs', () => {
    const t = new MemoryOrderedTable<string, number[]>({ positionOf: (v) => v[0]! });
    t.set('k', 3, [3, 9]);
    expect([t.get('k', 3), t.floorValue('k', 5), t.positions('k', 0, 10), t.size]).toEqual([[3, 9], [3, 9], [3], 1]);
    t.set('k', 1, [1]);
    t.delete('k', 1);
    expect(t.dump()).toEqual([['k', [[3, [3, 9]]]]]);
  });

  it('agrees with the model used as a time-ordered queue: appends near the end, the oldest dropped first (the fast paths at both ends of the runs)', () => {
    const step = fc.record({ ahead: fc.integer({ min: -2, max: 5 }), drop: fc.constantFrom(0, 0, 0, 0, 0, 1, 2) }); // the queue grows past a run (256)
    fc.assert(
      fc.property(fc.array(step, { minLength: 1_000, maxLength: 2_000 }), fc.array(fc.integer({ min: -10, max: 3_000 }), { maxLength: 20 }), (steps, probes) => {
        const t = new MemoryOrderedTable<string, number>();
        const model = new Map<number, number>();
        let now = 0;
        steps.forEach(({ ahead, drop }, i) => {
          now = Math.max(0, now + ahead);
          t.set('q', now, i);
          model.set(now, i);
          for (let d = 0; d < drop && model.size > 0; d++) {
            const oldest = Math.min(...model.keys());
            t.delete('q', oldest);
            model.delete(oldest);
          }
          if (i % 97 === 0) expect(t.positions('q', -Infinity, Infinity)).toEqual([...model.keys()].sort((x, y) => x - y));
        });
        const sorted = [...model.keys()].sort((x, y) => x - y);
        expect(t.positions('q', -Infinity, Infinity)).toEqual(sorted);
        expect(t.size).toBe(sorted.length);
        for (const p of [...probes, ...sorted.slice(0, 3), ...sorted.slice(-3)]) {
          expect(t.floor('q', p)).toBe(sorted.filter((x) => x <= p).at(-1));
          expect(t.lower('q', p)).toBe(sorted.filter((x) => x < p).at(-1));
          expect(t.get('q', p)).toBe(model.get(p));
        }
      }),
      { seed: DEFAULT_SEED, numRuns: DEFAULT_NUM_RUNS },
    );
  });

  it('dump and load round-trip, ascending per key', () => {
    const t = new MemoryOrderedTable<string, string>();
    for (let i = 600; i > 0; i--) t.set('k', i, `v${i}`);
    const rows = t.dump();
    expect(rows[0]![1].map(([p]) => p)).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    const u = new MemoryOrderedTable<string, string>();
    u.load(rows);
    expect(u.size).toBe(600);
    expect(u.get('k', 300)).toBe('v300');
    expect(u.floor('k', 1_000)).toBe(600);
  });
});
