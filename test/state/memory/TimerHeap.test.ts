import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimerHeap } from '../../../src/state/memory/TimerHeap.js';
import { DEFAULT_NUM_RUNS, DEFAULT_SEED } from 'tidemark/testing';

describe('TimerHeap', () => {
  it('pops by time, ties in seq order; peek looks without taking', () => {
    const h = new TimerHeap<{ time: number; seq: number }>();
    expect(h.peek()).toBeUndefined();
    expect(h.pop()).toBeUndefined();
    for (const [time, seq] of [[5, 0], [1, 1], [5, 2], [-Infinity, 3], [1, 4]] as const) h.push({ time, seq });
    expect(h.peek()).toEqual({ time: -Infinity, seq: 3 });
    const out: [number, number][] = [];
    while (h.length > 0) {
      const x = h.pop()!;
      out.push([x.time, x.seq]);
    }
    expect(out).toEqual([[-Infinity, 3], [1, 1], [1, 4], [5, 0], [5, 2]]);
  });

  it('sorts any input like a stable sort by time; a sorted array of kept records is a heap again (replaceSorted)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -20, max: 20 }), { maxLength: 200 }), fc.integer({ min: 2, max: 5 }), (times, mod) => {
        const h = new TimerHeap<{ time: number; seq: number }>();
        times.forEach((time, seq) => h.push({ time, seq }));
        const kept = h.toArray().filter((x) => x.seq % mod !== 0).sort((a, b) => a.time - b.time || a.seq - b.seq);
        h.replaceSorted(kept);
        h.push({ time: 0, seq: times.length });
        const expected = [...times, 0].map((time, seq) => ({ time, seq })).filter((x) => x.seq % mod !== 0 || x.seq === times.length).sort((a, b) => a.time - b.time);
        const got: { time: number; seq: number }[] = [];
        while (h.length > 0) got.push(h.pop()!);
        expect(got).toEqual(expected);
      }),
      { seed: DEFAULT_SEED, numRuns: DEFAULT_NUM_RUNS },
    );
  });
});
