import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, sliding } from 'tidemark';

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(InvalidArgumentError.isInvalidArgumentError(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected an InvalidArgumentError');
}

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
    expect(messageOf(() => sliding(0, 5))).toBe('sliding: size must be a positive finite number, got 0');
    expect(messageOf(() => sliding(10, -1))).toBe('sliding: slide must be a positive finite number, got -1');
    expect(messageOf(() => sliding(10, Infinity))).toBe('sliding: slide must be a positive finite number, got Infinity');
    expect(messageOf(() => sliding(10, 5, NaN))).toBe('sliding: offset must be a finite number, got NaN');
  });
});
