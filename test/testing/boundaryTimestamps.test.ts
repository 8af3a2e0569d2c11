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

  it('validates its arguments', () => {
    expect(() => boundaryTimestamps(0)).toThrow(/boundaryTimestamps: size must be a positive finite number, got 0/);
    expect(() => boundaryTimestamps(10, { offset: NaN })).toThrow(/offset must be a finite number/);
    expect(() => boundaryTimestamps(10, { windows: { min: 2, max: 1 } })).toThrow(/windows must be/);
  });
});
