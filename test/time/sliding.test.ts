import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, sliding } from 'tidemark';
import { errorOf } from '../support/errorOf.js';

describe('sliding', () => {
  it('describes hopping windows, offset 0 by default', () => {
    expect(sliding(10, 5)).toEqual({ type: 'sliding', size: 10, slide: 5, offset: 0 });
    expect(sliding(5, 10)).toEqual({ type: 'sliding', size: 5, slide: 10, offset: 0 });
  });

  it('normalizes the offset into [0, slide)', () => {
    expect(sliding(10, 5, 7).offset).toBe(2);
    expect(sliding(10, 5, -1).offset).toBe(4);
  });

  it('rejects bad arguments at creation, naming the value and what is needed', () => {
    const integral = '(event time is integral: milliseconds by convention)';
    const unit = '; use a smaller time unit, e.g. milliseconds instead of seconds';
    const cases: [make: () => unknown, message: string][] = [
      [() => sliding(0, 5), `sliding: size must be a positive integer ${integral}, got 0`],
      [() => sliding(10, -1), `sliding: slide must be a positive integer ${integral}, got -1`],
      [() => sliding(10, Infinity), `sliding: slide must be a positive integer ${integral}, got Infinity`],
      [() => sliding(10, 5, NaN), `sliding: offset must be an integer ${integral}, got NaN`],
      // Fractions made the same window under two float starts (0.3 − 0.1 − 0.1 − 0.1 !== 0).
      [() => sliding(0.3, 0.1), `sliding: size must be a positive integer ${integral}, got 0.3${unit}`],
      [() => sliding(3, 0.1), `sliding: slide must be a positive integer ${integral}, got 0.1${unit}`],
      [() => sliding(3, 1, 0.5), `sliding: offset must be an integer ${integral}, got 0.5`],
    ];
    for (const [make, message] of cases) {
      const e = errorOf(make);
      expect(InvalidArgumentError.isInvalidArgumentError(e), message).toBe(true);
      expect(e.message).toBe(message);
    }
  });
});
