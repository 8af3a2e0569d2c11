import { describe, expect, it } from 'vitest';
import { windowStart, windowsMeet } from 'tidemark';

describe('windowStart', () => {
  it('floors to the window of `size` containing t', () => {
    expect([0, 1, 9, 10, 19].map((t) => windowStart(t, 10))).toEqual([0, 0, 0, 10, 10]);
  });

  it('uses a true (floor) modulo for negative timestamps', () => {
    expect([-1, -9, -10, -11, -20, -21].map((t) => windowStart(t, 10))).toEqual([-10, -10, -10, -20, -20, -30]);
    expect(windowStart(-1, 5)).toBe(-5);
  });

  it('aligns to the offset, for positive and negative t', () => {
    expect([2, 3, 12, 13, -7, -8].map((t) => windowStart(t, 10, 3))).toEqual([-7, 3, 3, 13, -7, -17]);
  });

  it('works for fractional times', () => {
    expect(windowStart(2.5, 1)).toBe(2);
    expect(windowStart(-0.5, 1)).toBe(-1);
  });
});

describe('windowsMeet', () => {
  it('is true for overlapping and touching windows, false for disjoint ones', () => {
    expect(windowsMeet(0, 10, 10, 20)).toBe(true);
    expect(windowsMeet(10, 20, 0, 10)).toBe(true);
    expect(windowsMeet(0, 10, 5, 7)).toBe(true);
    expect(windowsMeet(1, 4, 3, 6)).toBe(true);
    expect(windowsMeet(0, 10, 11, 20)).toBe(false);
    expect(windowsMeet(11, 20, 0, 10)).toBe(false);
  });
});
