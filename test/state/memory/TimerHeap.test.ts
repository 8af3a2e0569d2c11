import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimerHeap, type TimerRecord } from '../../../src/state/memory/TimerHeap.js';
import { DEFAULT_NUM_RUNS, DEFAULT_SEED } from 'tidemark/testing';

/** Pops everything, as records. */
function drain<K, N>(h: TimerHeap<K, N>): TimerRecord<K, N>[] {
  const out: TimerRecord<K, N>[] = [];
  for (; h.length > 0; h.pop()) out.push({ time: h.topTime, seq: h.topSeq, key: h.topKey, ns: h.topNs });
  return out;
}

describe('TimerHeap', () => {
  it('pops by time, ties in seq order, each with its key and namespace; the top is there to look at without taking', () => {
    const h = new TimerHeap<string, number>();
    expect(h.length).toBe(0);
    h.pop(); // popping an empty heap does nothing
    expect(h.length).toBe(0);
    for (const [time, seq] of [[5, 0], [1, 1], [5, 2], [-Infinity, 3], [1, 4]] as const) h.push(time, seq, `k${seq}`, seq * 10);
    expect([h.topTime, h.topSeq, h.topKey, h.topNs, h.length]).toEqual([-Infinity, 3, 'k3', 30, 5]);
    expect(drain(h).map((r) => [r.time, r.seq, r.key, r.ns])).toEqual([
      [-Infinity, 3, 'k3', 30],
      [1, 1, 'k1', 10],
      [1, 4, 'k4', 40],
      [5, 0, 'k0', 0],
      [5, 2, 'k2', 20],
    ]);
  });

  it('sorts any input like a stable sort by time; a sorted array of kept records is a heap again (replaceSorted)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -20, max: 20 }), { maxLength: 200 }), fc.integer({ min: 2, max: 5 }), (times, mod) => {
        const h = new TimerHeap<number, string>();
        times.forEach((time, seq) => h.push(time, seq, seq * 2, `n${seq}`));
        expect(h.toArray()).toHaveLength(times.length);
        const kept = h
          .toArray()
          .filter((x) => x.seq % mod !== 0)
          .sort((a, b) => a.time - b.time || a.seq - b.seq);
        h.replaceSorted(kept);
        h.push(0, times.length, times.length * 2, `n${times.length}`);
        const expected = [...times, 0]
          .map((time, seq) => ({ time, seq, key: seq * 2, ns: `n${seq}` }))
          .filter((x) => x.seq % mod !== 0 || x.seq === times.length)
          .sort((a, b) => a.time - b.time);
        expect(drain(h)).toEqual(expected);
      }),
      { seed: DEFAULT_SEED, numRuns: DEFAULT_NUM_RUNS },
    );
  });

  it('clear() empties it', () => {
    const h = new TimerHeap<string, number>();
    h.push(1, 0, 'a', 0);
    h.clear();
    expect(h.length).toBe(0);
    h.push(2, 1, 'b', 1);
    expect(drain(h)).toEqual([{ time: 2, seq: 1, key: 'b', ns: 1 }]);
  });
});
