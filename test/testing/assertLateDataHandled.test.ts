import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, type Collector, type Timestamped } from 'tidemark';
import { PropertyFailedError, assertLateDataHandled, boundaryTimestamps, disorderedEvents } from 'tidemark/testing';
import { failureOf } from './fixtures/failureOf.js';
import { lastFiringValues, tinyTumbling, type TinyBug } from './fixtures/tinyTumbling.js';

// A narrow time range makes the off-by-one coincidence (window end − 1 + lateness = watermark) common.
const events = disorderedEvents(fc.nat(9), { maxDisorder: 3, lateFraction: 0.3, timeRange: { min: 0, max: 40 } });
const windowEndMinusOne = (t: number) => Math.floor(t / 10) * 10 + 9;

const config = (allowedLateness: number, bug: TinyBug = 'none') => ({
  pipeline: { engine: (ctx: { late: (e: Timestamped<number>) => void }) => tinyTumbling(10, { allowedLateness, bug, late: ctx.late }) },
  events,
  allowedLateness,
  lateWhen: (e: Timestamped<number>, w: number) => windowEndMinusOne(e.timestamp) + allowedLateness <= w,
  counted: lastFiringValues,
});

describe('assertLateDataHandled', () => {
  it('passes for a correct engine, with and without allowed lateness', () => {
    assertLateDataHandled(config(0));
    assertLateDataHandled(config(4));
  });

  it('catches lateness off by one, with a two-event counterexample', () => {
    for (const lateness of [0, 4]) {
      const { error, events: shrunk } = failureOf(() => assertLateDataHandled(config(lateness, 'late-off-by-one')));
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toMatch(/^assertLateDataHandled: property failed after \d+ case\(s\)/);
      expect(shrunk.length).toBeGreaterThanOrEqual(2); // a newer event, then one behind the watermark
      expect(shrunk.length).toBeLessThanOrEqual(3);
      expect(error.message).toContain(`late data mishandled (maxDisorder 3, allowedLateness ${lateness}):`);
      expect(error.message).toMatch(/late but not in the late output: \d@-?\d+ \(watermark -?\d+ at arrival\)/);
      expect(error.message).toMatch(/late but counted in a result: \d/);
    }
  });

  describe.each([0, 4])('with allowedLateness %i, catches each broken window for every seed from 1 to 20, when the arbitrary knows the windows', (lateness) => {
    const inputs = [
      ['boundaries { size: 10, allowedLateness }', disorderedEvents(fc.nat(9), { maxDisorder: 3, lateFraction: 0.3, boundaries: { size: 10, allowedLateness: lateness } })],
      ['boundaryTimestamps(10, { allowedLateness })', disorderedEvents(fc.nat(9), { maxDisorder: 3, lateFraction: 0.3, timestamps: boundaryTimestamps(10, { allowedLateness: lateness }) })],
    ] as const;
    const seeds = Array.from({ length: 20 }, (_, k) => k + 1);
    const caught = (bug: TinyBug, input: (typeof inputs)[number][1]) =>
      seeds.filter((seed) => {
        try {
          assertLateDataHandled({ ...config(lateness, bug), events: input, seed });
          return false;
        } catch (e) {
          if (PropertyFailedError.isPropertyFailedError(e)) return true;
          throw e;
        }
      });

    it.each(inputs)('%s', (_, input) => {
      expect(caught('none', input)).toEqual([]);
      // Accepting an event whose window's end − 1 + lateness equals the watermark: it needs an event
      // at exactly end + lateness + maxDisorder right before one at the end of its window.
      expect(caught('late-off-by-one', input)).toEqual(seeds);
      expect(caught('ignores-end-minus-one', input)).toEqual(seeds);
    });
  });

  it('catches a pipeline that drops late events without routing them, or counts twice', () => {
    const unrouted = { ...config(0), pipeline: { engine: () => tinyTumbling(10) } };
    expect(failureOf(() => assertLateDataHandled(unrouted)).error.message).toMatch(/late but not in the late output/);
    const twice = { ...config(0), counted: (out: readonly Timestamped<{ values: number[]; start: number }>[]) => out.flatMap((e) => e.value.values).concat(lastFiringValues(out as never)) };
    const { error } = failureOf(() => assertLateDataHandled(twice));
    expect(error.message).toMatch(/counted more than once \(or not an input\): \d/);
  });

  it('by default judges an event late when timestamp + allowedLateness <= watermark', () => {
    // A pass-through that routes exactly those events late: the default lateWhen agrees.
    assertLateDataHandled<number, number>({
      pipeline: {
        engine: (ctx) => {
          let out!: Collector<number>;
          let wm = -Infinity;
          return {
            name: 'filterLate',
            open: (o) => void (out = o),
            onEvent: (v, t) => (t + 2 <= wm ? ctx.late({ kind: 'event', value: v, timestamp: t }) : out.event(v, t)),
            onWatermark: (t) => {
              wm = t;
              out.watermark(t);
            },
          };
        },
      },
      events,
      allowedLateness: 2,
      counted: (out) => out.map((e) => e.value),
    });
    expect(() => assertLateDataHandled({ ...config(0), allowedLateness: -1 })).toThrow(InvalidArgumentError);
  });
});
