import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryTimerQueue } from '../../../src/state/memory/MemoryTimerQueue.js';
import { DEFAULT_NUM_RUNS, DEFAULT_SEED } from 'tidemark/testing';

describe('MemoryTimerQueue', () => {
  it('frees deleted timers at once: registering and cancelling many distinct times leaves nothing behind', () => {
    const q = new MemoryTimerQueue<string, number>();
    for (let i = 0; i < 10_000; i++) {
      q.register(1_000 + i, 'k', i);
      q.delete(1_000 + i, 'k', i);
    }
    expect(q.size).toBe(0);
    expect(q.footprint).toBeLessThan(100);
    expect(q.peek()).toBe(Infinity);
  });

  it('many deleted timers of one time do not pile up in that time\'s bucket', () => {
    const q = new MemoryTimerQueue<string, number>();
    q.register(5, 'keep', 0);
    for (let i = 1; i <= 10_000; i++) {
      q.register(5, 'k', i);
      q.delete(5, 'k', i);
    }
    expect(q.footprint).toBeLessThan(100);
    const fired: unknown[] = [];
    q.advanceTo(5, (t, k, ns) => fired.push([t, k, ns]));
    expect(fired).toEqual([[5, 'keep', 0]]);
  });

  it('a timer registered again while pending fires once, at its first registration\'s place among ties', () => {
    const q = new MemoryTimerQueue<string, number>();
    q.register(5, 'a', 0);
    q.register(5, 'b', 0);
    for (let i = 0; i < 1_000; i++) q.register(5, 'a', 0);
    expect(q.size).toBe(2);
    const fired: string[] = [];
    q.advanceTo(5, (_t, k) => fired.push(k));
    expect(fired).toEqual(['a', 'b']);
    expect(q.footprint).toBe(0);
  });

  it('many timers of one time (past the scan limit): each fires once, duplicates skipped, one registered while firing fires again', () => {
    const q = new MemoryTimerQueue<string, number>();
    for (let round = 0; round < 2; round++) for (let k = 0; k < 40; k++) q.register(5, `k${k}`, 0);
    const fired: string[] = [];
    q.advanceTo(5, (_t, k) => {
      fired.push(k);
      if (k === 'k30' && fired.filter((f) => f === 'k30').length === 1) q.register(5, 'k30', 0);
    });
    expect(fired).toEqual([...Array.from({ length: 40 }, (_, k) => `k${k}`), 'k30']);
    expect(q.size).toBe(0);
  });

  it('duplicates are compacted away: registering one timer on every event keeps the heap within about twice the live timers', () => {
    const q = new MemoryTimerQueue<string, number>();
    for (let k = 0; k < 500; k++) q.register(1_000, `k${k}`, 0);
    for (let i = 0; i < 100_000; i++) q.register(1_000, `k${i % 500}`, 0);
    expect(q.size).toBe(500);
    expect(q.footprint).toBeLessThanOrEqual(2 * 500 + 1);
  });

  it('a timer deleted and registered again is live, after the timers registered in between; one registered while its time fires fires in the same advance', () => {
    const q = new MemoryTimerQueue<string, number>();
    q.register(5, 'a', 0);
    q.register(5, 'b', 0);
    q.delete(5, 'a', 0);
    q.register(5, 'a', 0);
    const fired: string[] = [];
    q.advanceTo(5, (_t, k) => {
      fired.push(k);
      if (k === 'b' && fired.length === 1) q.register(5, 'a', 0); // a is pending: a duplicate, nothing new
      if (k === 'a' && fired.length === 2) q.register(5, 'a', 0); // registered after a fired: a new timer, due now
    });
    expect(fired).toEqual(['b', 'a', 'a']);
    expect(q.size).toBe(0);
  });

  it('a delete of a timer that does not exist changes nothing, and a later registration of it is live', () => {
    const q = new MemoryTimerQueue<string, number>();
    q.delete(7, 'x', 1);
    q.register(7, 'x', 1);
    expect(q.size).toBe(1);
    expect(q.peek()).toBe(7);
    expect(q.dump()).toEqual([[7, 1, 'x']]);
  });

  it('agrees with a model (time order, then registration order; one timer per (time, key, ns)) under register/delete/advance', () => {
    type Op = { kind: 'register' | 'delete'; time: number; key: string } | { kind: 'advance'; time: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constantFrom('register' as const, 'delete' as const), time: fc.integer({ min: 0, max: 60 }), key: fc.constantFrom('a', 'b', 'c') }),
      fc.record({ kind: fc.constant('advance' as const), time: fc.integer({ min: 0, max: 60 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const q = new MemoryTimerQueue<string, number>();
        let model: { time: number; key: string }[] = [];
        for (const o of ops) {
          if (o.kind === 'register') {
            q.register(o.time, o.key, 0);
            if (!model.some((m) => m.time === o.time && m.key === o.key)) model.push({ time: o.time, key: o.key });
          } else if (o.kind === 'delete') {
            q.delete(o.time, o.key, 0);
            model = model.filter((m) => !(m.time === o.time && m.key === o.key));
          } else {
            const fired: string[] = [];
            q.advanceTo(o.time, (t, k) => fired.push(`${t}/${k}`));
            const due = model.filter((m) => m.time <= o.time);
            // A stable sort by time keeps registration order among ties.
            expect(fired).toEqual([...due].sort((x, y) => x.time - y.time).map((m) => `${m.time}/${m.key}`));
            model = model.filter((m) => m.time > o.time);
          }
          expect(q.size).toBe(model.length);
          expect(q.peek()).toBe(model.length === 0 ? Infinity : Math.min(...model.map((m) => m.time)));
        }
      }),
      { seed: DEFAULT_SEED, numRuns: DEFAULT_NUM_RUNS },
    );
  });
});
