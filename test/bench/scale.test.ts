import { describe, expect, it } from 'vitest';
import { gcAvailable } from '../../bench/measure.js';
import { runScaleJob, type ScaleDimension } from '../../bench/scaleJobs.js';

const measure = { runs: 1, warmupRuns: 1, warmupEvents: 5_000, minSampleSeconds: 0, settleMs: 0, rewarmRuns: 1, rewarmEvents: 1_000 };

describe('scale jobs (tiny, no timing asserted)', () => {
  const cases: [ScaleDimension, number, number][] = [
    ['keys', 1_000, 200_000],
    ['sliding', 5, 120_000],
    ['sessions', 1_000, 20_000],
  ];
  for (const [dimension, value, events] of cases) {
    it(`${dimension} ${value}: tidemark equals the best loop, and both hold state`, async () => {
      const r = await runScaleJob({ kind: 'scale', dimension, value, measure, events });
      expect(r.events).toBe(events);
      expect(r.outputs).toBeGreaterThan(0); // measureSides verified the outputs equal
      expect(r.units).toBeGreaterThanOrEqual(value);
      // Heap figures mean something only after a full GC (the bench workers run with --expose-gc).
      if (gcAvailable()) {
        expect(r.tidemarkHeapBytes).toBeGreaterThan(0);
        expect(r.bestHeapBytes).toBeGreaterThan(0);
      }
    });
  }
});
