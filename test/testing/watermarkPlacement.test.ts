import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { disorderedEvents, markLate, watermarkPlacement } from 'tidemark/testing';

describe('watermarkPlacement', () => {
  it('keeps the events in order and puts strictly increasing watermarks no higher than the bounded one', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }).chain((d) =>
          disorderedEvents(fc.nat(), { maxDisorder: d, lateFraction: 0.2 }).chain((input) => watermarkPlacement(input, { maxLag: 3 }).map((stream) => ({ input, stream }))),
        ),
        ({ input, stream }) => {
          expect(stream.filter((e) => e.kind === 'event')).toEqual(input.events);
          let max = -Infinity;
          let last = -Infinity;
          for (const e of stream) {
            if (e.kind === 'event') {
              // An event the input calls on time is never behind a placed watermark.
              if (!input.late.includes(input.events.indexOf(e))) expect(e.timestamp).toBeGreaterThan(last);
              max = Math.max(max, e.timestamp);
            } else if (e.kind === 'watermark') {
              expect(e.timestamp).toBeGreaterThan(last);
              expect(e.timestamp).toBeLessThanOrEqual(max - input.maxDisorder - 1);
              expect(e.timestamp).toBeGreaterThanOrEqual(max - input.maxDisorder - 1 - 3);
              last = e.timestamp;
            }
          }
        },
      ),
      { seed: 42, numRuns: 100 },
    );
  });

  it('sometimes places none, sometimes many', () => {
    const input = markLate(
      Array.from({ length: 10 }, (_, i) => ({ kind: 'event' as const, value: i, timestamp: i * 10 })),
      0,
    );
    const counts = fc.sample(watermarkPlacement(input), { seed: 5, numRuns: 100 }).map((s) => s.filter((e) => e.kind === 'watermark').length);
    expect(Math.min(...counts)).toBeLessThan(5);
    expect(Math.max(...counts)).toBeGreaterThan(6);
    expect(() => watermarkPlacement(input, { maxLag: -1 })).toThrow(/watermarkPlacement: maxLag must be an integer >= 0/);
  });
});
