import * as fc from 'fast-check';
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { boundedOutOfOrderness, event, watermark, withEventTime } from 'tidemark';
import { boundedWatermarks, disorderedEvents } from 'tidemark/testing';

describe('boundedWatermarks', () => {
  it('interleaves max − bound − 1 after each event that advances it', () => {
    expect(boundedWatermarks([event('a', 3), event('b', 1), event('c', 8)], 1)).toEqual([event('a', 3), watermark(1), event('b', 1), event('c', 8), watermark(6)]);
    expect(boundedWatermarks([], 1)).toEqual([]);
    expect(() => boundedWatermarks([], -1)).toThrow(/boundedWatermarks: maxDisorder must be a finite number >= 0/);
  });

  it('is what withEventTime(boundedOutOfOrderness(d)) emits (without the final +Infinity)', async () => {
    const inputs = fc.sample(
      fc.integer({ min: 0, max: 10 }).chain((d) => disorderedEvents(fc.nat(), { maxDisorder: d, lateFraction: 0.2 })),
      { seed: 7, numRuns: 30 },
    );
    for (const { events, maxDisorder } of inputs) {
      const real = await lastValueFrom(
        from(events).pipe(withEventTime({ timestamp: (e) => e.timestamp, watermark: boundedOutOfOrderness(maxDisorder) }), toArray()),
      );
      const ours = boundedWatermarks(events, maxDisorder);
      expect(real.slice(0, -1).map((e) => (e.kind === 'event' ? { ...e, value: e.value.value } : e))).toEqual(ours.map((e) => (e.kind === 'event' ? { ...e } : e)));
    }
  });
});
