import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundaryTimestamps } from 'tidemark/testing';

describe('boundaryTimestamps', () => {
  it('gives k*size + offset - 1, k*size + offset and k*size + offset + 1, all of them', () => {
    const seen = new Set(fc.sample(boundaryTimestamps(10, { windows: { min: 1, max: 2 } }), { seed: 1, numRuns: 300 }));
    expect([...seen].sort((a, b) => a - b)).toEqual([9, 10, 11, 19, 20, 21]);
    const offset = new Set(fc.sample(boundaryTimestamps(5, { offset: 2, windows: { min: -1, max: -1 } }), { seed: 1, numRuns: 100 }));
    expect([...offset].sort((a, b) => a - b)).toEqual([-4, -3, -2]);
  });

  it('defaults to boundaries 0 to 10', () => {
    for (const t of fc.sample(boundaryTimestamps(7), { seed: 3, numRuns: 200 })) {
      expect(t).toBeGreaterThanOrEqual(-1);
      expect(t).toBeLessThanOrEqual(71);
      expect([0, 1, 6]).toContain(((t % 7) + 7) % 7);
    }
  });

  const values = (arbitrary: fc.Arbitrary<number>) => [...new Set(fc.sample(arbitrary, { seed: 1, numRuns: 500 }))].sort((a, b) => a - b);

  it('with maxDisorder, adds the timestamps that move the watermark to one tick before, at and after end − 1', () => {
    // Watermark max − 3 − 1: 12 puts it at 8 (the window [0, 10) would fire one tick early), 13 at 9, 14 at 10.
    expect(values(boundaryTimestamps(10, { maxDisorder: 3, windows: { min: 1, max: 1 } }))).toEqual([9, 10, 11, 12, 13, 14]);
    expect(values(boundaryTimestamps(10, { maxDisorder: 0, windows: { min: 1, max: 1 } }))).toEqual([9, 10, 11]);
  });

  it('with allowedLateness, adds the lateness edges too: end − 1 + allowedLateness ± 1, and what moves the watermark around it', () => {
    // allowedLateness 5: 13 to 15 around 9 + 5; with maxDisorder 0 (watermark max − 1), 14 to 16 move it there.
    expect(values(boundaryTimestamps(10, { allowedLateness: 5, windows: { min: 1, max: 1 } }))).toEqual([9, 10, 11, 13, 14, 15, 16]);
    expect(values(boundaryTimestamps(100, { maxDisorder: 2, allowedLateness: 20, windows: { min: 1, max: 1 } }))).toEqual([99, 100, 101, 102, 103, 118, 119, 120, 121, 122, 123]);
  });

  it('with slide, puts boundaries every slide, and window ends off that grid too', () => {
    expect(values(boundaryTimestamps(10, { slide: 5, windows: { min: 1, max: 2 } }))).toEqual([4, 5, 6, 9, 10, 11]);
    // sliding(3, 5, 1): windows [5k + 1, 5k + 4).
    expect(values(boundaryTimestamps(3, { slide: 5, offset: 1, windows: { min: 0, max: 1 } }))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(values(boundaryTimestamps(3, { slide: 5, offset: 1, windows: { min: 0, max: 0 } }))).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('validates its arguments', () => {
    expect(() => boundaryTimestamps(0)).toThrow(/boundaryTimestamps: size must be a positive finite number, got 0/);
    expect(() => boundaryTimestamps(10, { offset: NaN })).toThrow(/offset must be a finite number/);
    expect(() => boundaryTimestamps(10, { windows: { min: 2, max: 1 } })).toThrow(/windows must be/);
    expect(() => boundaryTimestamps(10, { slide: 0 })).toThrow(/boundaryTimestamps: slide must be a positive finite number, got 0/);
    expect(() => boundaryTimestamps(10, { maxDisorder: -1 })).toThrow(/boundaryTimestamps: maxDisorder must be a finite number >= 0, got -1/);
    expect(() => boundaryTimestamps(10, { allowedLateness: Infinity })).toThrow(/boundaryTimestamps: allowedLateness must be a finite number >= 0, got Infinity/);
  });
});
