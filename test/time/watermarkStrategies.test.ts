import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, boundedOutOfOrderness, monotonousTimestamps } from 'tidemark';
import { errorOf } from '../support/errorOf.js';

describe('boundedOutOfOrderness', () => {
  it('trails the largest timestamp seen by bound + 1', () => {
    const g = boundedOutOfOrderness(3).create();
    expect([10, 7, 14, 2, 14].map((t) => g.onEvent(t, undefined))).toEqual([6, 6, 10, 10, 10]);
  });

  it('gives each create() fresh state', () => {
    const s = boundedOutOfOrderness(0);
    const a = s.create();
    a.onEvent(100, undefined);
    expect(s.create().onEvent(5, undefined)).toBe(4);
  });

  it('handles negative timestamps', () => {
    const g = boundedOutOfOrderness(2).create();
    expect(g.onEvent(-10, undefined)).toBe(-13);
  });

  it('rejects a negative or non-finite bound at creation', () => {
    for (const [bound, shown] of [[-1, '-1'], [NaN, 'NaN'], [Infinity, 'Infinity']] as const) {
      const thrown = errorOf(() => boundedOutOfOrderness(bound));
      expect(InvalidArgumentError.isInvalidArgumentError(thrown)).toBe(true);
      expect(thrown.message).toBe(`boundedOutOfOrderness: bound must be a finite number >= 0, got ${shown}`);
    }
  });
});

describe('monotonousTimestamps', () => {
  it('is the largest timestamp seen minus one', () => {
    const g = monotonousTimestamps().create();
    expect([1, 5, 5, 3].map((t) => g.onEvent(t, undefined))).toEqual([0, 4, 4, 4]);
  });
});
