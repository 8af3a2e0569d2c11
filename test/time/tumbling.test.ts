import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, tumbling } from 'tidemark';

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(InvalidArgumentError.isInvalidArgumentError(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('tumbling', () => {
  it('describes fixed windows, offset 0 by default', () => {
    expect(tumbling(10)).toEqual({ type: 'tumbling', size: 10, offset: 0 });
  });

  it('normalizes the offset into [0, size)', () => {
    expect(tumbling(10, 3).offset).toBe(3);
    expect(tumbling(10, 13).offset).toBe(3);
    expect(tumbling(10, -7).offset).toBe(3);
    expect(tumbling(10, 10).offset).toBe(0);
  });

  it('rejects a bad size or offset at creation, naming the value and what is needed', () => {
    expect(messageOf(() => tumbling(0))).toBe('tumbling: size must be a positive finite number, got 0');
    expect(messageOf(() => tumbling(-5))).toBe('tumbling: size must be a positive finite number, got -5');
    expect(messageOf(() => tumbling(NaN))).toBe('tumbling: size must be a positive finite number, got NaN');
    expect(messageOf(() => tumbling(Infinity))).toBe('tumbling: size must be a positive finite number, got Infinity');
    expect(messageOf(() => tumbling('10' as unknown as number))).toBe('tumbling: size must be a positive finite number, got "10"');
    expect(messageOf(() => tumbling(10, NaN))).toBe('tumbling: offset must be a finite number, got NaN');
    expect(messageOf(() => tumbling(10, Infinity))).toBe('tumbling: offset must be a finite number, got Infinity');
  });
});
