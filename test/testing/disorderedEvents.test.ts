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

describe('disorderedEvents', () => {
  it('keeps every unmarked event within maxDisorder and marks exactly the others late', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }).chain((d) => disorderedEvents(fc.nat(5), { maxDisorder: d, lateFraction: 0.3 })),
        (input) => {
          expect(violations(input)).toEqual([]);
          expect([...input.late].sort((a, b) => a - b)).toEqual(input.late);
        },
      ),
      { seed, numRuns },
    );
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
    expect(all).toBeGreaterThan(0.4);
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
