import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, event, type Timestamped } from 'tidemark';
import { boundaryTimestamps, disorderedEvents, markLate, type DisorderedEvents } from 'tidemark/testing';

const seed = Number(process.env.TIDEMARK_SEED ?? 42);
const numRuns = Number(process.env.TIDEMARK_NUM_RUNS ?? 100);

/** Independent check of the promise: on-time events arrive after every event more than maxDisorder older... */
function violations<T>({ events, late, maxDisorder }: DisorderedEvents<T>): string[] {
  const lateSet = new Set(late);
  const problems: string[] = [];
  events.forEach((e, i) => {
    const newer = events.slice(0, i).some((a) => a.timestamp > e.timestamp + maxDisorder);
    if (newer && !lateSet.has(i)) problems.push(`event ${i} arrives beyond the bound but is not marked late`);
    if (!newer && lateSet.has(i)) problems.push(`event ${i} is marked late but arrives within the bound`);
  });
  return problems;
}

/** Whether some event arrives right after the newest event so far, exactly `gap` behind it. */
function rightBehindNewest<T>({ events }: DisorderedEvents<T>, gap: number): boolean {
  let max = -Infinity;
  return events.some((e, i) => {
    const newest = i > 0 && events[i - 1]!.timestamp === max;
    max = Math.max(max, e.timestamp);
    return newest && e.timestamp === events[i - 1]!.timestamp - gap;
  });
}

const samples = <T>(arbitrary: fc.Arbitrary<DisorderedEvents<T>>, runs = 100) => fc.sample(arbitrary, { seed, numRuns: runs });

describe('disorderedEvents', () => {
  it('keeps every unmarked event within maxDisorder and marks exactly the others late, whatever the options', () => {
    const v = fc.nat(5);
    const options = (d: number) => [
      { maxDisorder: d, lateFraction: 0.3 },
      { maxDisorder: d, lateFraction: 0.3, timeRange: { min: -20, max: 50 }, boundaries: { size: 10, allowedLateness: 4 } },
      { maxDisorder: d, lateFraction: 0.5, boundaries: { size: 7, slide: 3, offset: 1 } },
      { maxDisorder: d, lateFraction: 0.3, timestamps: boundaryTimestamps(10, { allowedLateness: 3 }) },
      { maxDisorder: d, lateFraction: 0.3, timestamps: boundaryTimestamps(5, { maxDisorder: 1, windows: { min: -4, max: 4 } }) },
      { maxDisorder: d, lateFraction: 0.3, timestamps: fc.integer({ min: 0, max: 30 }).map((x) => 2 * x) },
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }).chain((d) => fc.oneof(...options(d).map((o) => disorderedEvents(v, o)))),
        (input) => {
          expect(violations(input)).toEqual([]);
          expect([...input.late].sort((a, b) => a - b)).toEqual(input.late);
        },
      ),
      { seed, numRuns: 3 * numRuns },
    );
  });

  it('puts events right at the bound: exactly maxDisorder behind the newest, right after it (late ones one tick beyond)', () => {
    // Uniform delays and shuffles almost never do this: it needs a pair of events exactly
    // maxDisorder apart and the newer of them to arrive first, right before the other.
    const onTime = samples(disorderedEvents(fc.nat(), { maxDisorder: 3 }));
    expect(onTime.filter((s) => rightBehindNewest(s, 3)).length).toBeGreaterThanOrEqual(20);
    const withLate = samples(disorderedEvents(fc.nat(), { maxDisorder: 3, lateFraction: 0.3 }));
    expect(withLate.filter((s) => rightBehindNewest(s, 3)).length).toBeGreaterThanOrEqual(15);
    // One tick beyond the bound: behind the watermark by exactly 0 (timestamp = watermark).
    expect(withLate.filter((s) => rightBehindNewest(s, 4)).length).toBeGreaterThanOrEqual(8);
  });

  it('completes boundaryTimestamps with its maxDisorder: end − 1 + maxDisorder, and end − 1 arriving right after it', () => {
    const edgy = samples(disorderedEvents(fc.nat(), { maxDisorder: 3, timestamps: boundaryTimestamps(10) }));
    const at = (s: DisorderedEvents<number>, residue: number) => s.events.some((e) => ((e.timestamp % 10) + 10) % 10 === residue);
    expect(edgy.filter((s) => at(s, 2)).length).toBeGreaterThanOrEqual(40); // 12, 22, …: the window [0, 10) fires one tick early
    const endMinusOneAtTheBound = (s: DisorderedEvents<number>) =>
      s.events.some((e, i) => i > 0 && ((e.timestamp % 10) + 10) % 10 === 9 && s.events[i - 1]!.timestamp === e.timestamp + 3 && !s.late.includes(i));
    expect(edgy.filter(endMinusOneAtTheBound).length).toBeGreaterThanOrEqual(8);
    // Given its own maxDisorder, a boundaryTimestamps keeps it.
    for (const s of samples(disorderedEvents(fc.nat(), { maxDisorder: 3, timestamps: boundaryTimestamps(10, { maxDisorder: 0 }) }), 30)) {
      for (const e of s.events) expect([9, 0, 1, 2, 3, 4]).toContain(((e.timestamp % 10) + 10) % 10); // edges, or an edge + a delay
    }
  });

  it('with boundaries, draws about half the timestamps at the window edges, within timeRange', () => {
    const timeRange = { min: -30, max: 170 };
    const edgy = samples(disorderedEvents(fc.nat(), { maxDisorder: 2, timeRange, boundaries: { size: 20, offset: 5 } }));
    const all = edgy.flatMap((s) => s.events.map((e) => e.timestamp));
    for (const t of all) {
      expect(t).toBeGreaterThanOrEqual(timeRange.min);
      expect(t).toBeLessThanOrEqual(timeRange.max);
    }
    // Edges of [20k + 5, 20k + 25): 20k + 4, 5, 6 and (maxDisorder 2) 20k + 6, 7, 8: 5 of 20 residues.
    const atEdges = (ts: number[]) => ts.filter((t) => [4, 5, 6, 7, 8].includes(((t % 20) + 20) % 20)).length / ts.length;
    expect(atEdges(all)).toBeGreaterThan(0.45);
    const plain = samples(disorderedEvents(fc.nat(), { maxDisorder: 2, timeRange })).flatMap((s) => s.events.map((e) => e.timestamp));
    expect(atEdges(plain)).toBeLessThan(0.4);
  });

  it('keeps to a timestamps arbitrary of its own: no event placed at a timestamp it did not give', () => {
    for (const s of samples(disorderedEvents(fc.nat(), { maxDisorder: 3, lateFraction: 0.3, timestamps: fc.integer({ min: 0, max: 30 }).map((x) => 2 * x) }))) {
      for (const e of s.events) expect(e.timestamp % 2).toBe(0);
    }
  });

  it('has no late events without lateFraction, yet does reorder', () => {
    const samples = fc.sample(disorderedEvents(fc.nat(), { maxDisorder: 10, count: 20 }), { seed, numRuns: 50 });
    for (const s of samples) {
      expect(s.late).toEqual([]);
      expect(violations(s)).toEqual([]);
    }
    const reordered = samples.filter((s) => s.events.some((e, i) => i > 0 && e.timestamp < s.events[i - 1]!.timestamp));
    expect(reordered.length).toBeGreaterThan(40);
  });

  it('makes more events late the higher lateFraction is (those meant late that end up behind the watermark)', () => {
    const lateShare = (lateFraction: number) => {
      const samples = fc.sample(disorderedEvents(fc.nat(), { maxDisorder: 2, lateFraction, count: 30 }), { seed, numRuns: 40 });
      return samples.reduce((n, s) => n + s.late.length, 0) / samples.reduce((n, s) => n + s.events.length, 0);
    };
    const [low, mid, all] = [lateShare(0.1), lateShare(0.5), lateShare(1)];
    expect(low).toBeGreaterThan(0.05);
    expect(low).toBeLessThan(mid);
    expect(mid).toBeLessThan(all);
    expect(mid).toBeLessThan(0.6);
    // Late events favour arriving just beyond the bound, which in a stream of late events only
    // is often not behind anything: fewer of them end up late than lateFraction says.
    expect(all).toBeGreaterThan(0.3);
  });

  it('respects count, timeRange, timestamps and keys', () => {
    for (const s of fc.sample(disorderedEvents(fc.constant('v'), { maxDisorder: 3, count: { min: 2, max: 4 }, timeRange: { min: -50, max: -40 } }), { seed, numRuns: 30 })) {
      expect(s.events.length).toBeGreaterThanOrEqual(2);
      expect(s.events.length).toBeLessThanOrEqual(4);
      for (const e of s.events) {
        expect(e.kind).toBe('event');
        expect(e.value).toBe('v');
        expect(e.timestamp).toBeGreaterThanOrEqual(-50);
        expect(e.timestamp).toBeLessThanOrEqual(-40);
      }
    }
    for (const s of fc.sample(disorderedEvents(fc.nat(3), { maxDisorder: 0, count: 5, timestamps: boundaryTimestamps(10), keys: ['a', 'b'] }), { seed, numRuns: 30 })) {
      expect(s.events).toHaveLength(5);
      for (const e of s.events) {
        expect([-1, 0, 1]).toContain(((e.timestamp + 1) % 10) - 1);
        expect(['a', 'b']).toContain(e.value.key);
        expect(e.value.value).toBeLessThanOrEqual(3);
      }
    }
  });

  it('prints compactly in counterexamples and shrinks to a tiny one', () => {
    const details = fc.check(
      fc.property(disorderedEvents(fc.nat(9), { maxDisorder: 3 }), ({ events }) => events.every((e, i) => i === 0 || e.timestamp >= events[i - 1]!.timestamp)),
      { seed, numRuns: 200 },
    );
    expect(details.failed).toBe(true);
    const [counterexample] = details.counterexample!;
    // Two events, the newer first, at most maxDisorder apart (with the default seed: 0@1 0@0).
    expect(counterexample.events).toHaveLength(2);
    const [a, b] = counterexample.events as [Timestamped<number>, Timestamped<number>];
    expect(a.timestamp - b.timestamp).toBeGreaterThan(0);
    expect(a.timestamp - b.timestamp).toBeLessThanOrEqual(3);
    expect(fc.stringify(counterexample)).toBe(`maxDisorder 3: 0@${a.timestamp} 0@${b.timestamp}`);
  });

  it('validates its options eagerly', () => {
    const v = fc.nat();
    expect(() => disorderedEvents(v, { maxDisorder: -1 })).toThrow(/disorderedEvents: maxDisorder must be an integer >= 0, got -1/);
    expect(() => disorderedEvents(v, { maxDisorder: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => disorderedEvents(v, { maxDisorder: 1, lateFraction: 2 })).toThrow(/lateFraction must be a number from 0 to 1/);
    expect(() => disorderedEvents(v, { maxDisorder: 1, count: { min: 3, max: 2 } })).toThrow(/count must be/);
    expect(() => disorderedEvents(v, { maxDisorder: 1, timeRange: { min: 3, max: 2 } })).toThrow(/timeRange must be/);
    expect(() => disorderedEvents(v, { maxDisorder: 1, keys: [] })).toThrow(/keys must be a non-empty array/);
    expect(() => disorderedEvents(null as unknown as fc.Arbitrary<number>, { maxDisorder: 1 })).toThrow(/values must be a fast-check arbitrary/);
    expect(() => disorderedEvents(v, { maxDisorder: 1, boundaries: { size: 0 } })).toThrow(/disorderedEvents: boundaries.size must be an integer >= 1, got 0/);
    expect(() => disorderedEvents(v, { maxDisorder: 1, boundaries: { size: 10, slide: 2.5 } })).toThrow(/boundaries.slide must be an integer >= 1, got 2.5/);
    expect(() => disorderedEvents(v, { maxDisorder: 1, boundaries: { size: 10, offset: NaN } })).toThrow(/boundaries.offset must be an integer, got NaN/);
    expect(() => disorderedEvents(v, { maxDisorder: 1, boundaries: { size: 10, allowedLateness: -1 } })).toThrow(/boundaries.allowedLateness must be an integer >= 0, got -1/);
    expect(() => disorderedEvents(v, { maxDisorder: 1, boundaries: { size: 10 }, timestamps: boundaryTimestamps(10) })).toThrow(
      /boundaries draws timestamps from timeRange and cannot be combined with timestamps; pass timestamps: boundaryTimestamps\(size, \{ slide, offset, allowedLateness \}\) instead/,
    );
  });
});

describe('markLate', () => {
  it('marks the events behind the bounded-out-of-orderness watermark at their arrival', () => {
    const events: Timestamped<string>[] = [event('a', 5), event('b', 3), event('c', 2), event('d', 9), event('e', 6), event('f', 7)];
    const d = markLate(events, 2);
    expect(d.late).toEqual([2, 4]); // c@2 <= 5-2-1, e@6 <= 9-2-1
    expect(d.events).toBe(events);
    expect(d.maxDisorder).toBe(2);
    expect(markLate(events, 0).late).toEqual([1, 2, 4, 5]);
    expect(markLate([], 3).late).toEqual([]);
    expect(() => markLate(events, -1)).toThrow(/markLate: maxDisorder must be a finite number >= 0/);
  });

  it('prints late events as such', () => {
    expect(fc.stringify(markLate([event('a', 5), event('b', 1)], 2))).toBe('maxDisorder 2: "a"@5 late("b"@1)');
    expect(fc.stringify(markLate([], 2))).toBe('maxDisorder 2: (no events)');
  });
});
