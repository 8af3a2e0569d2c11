import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, StateError, TidemarkError, tumbling } from 'tidemark';
import { errorOf } from '../support/errorOf.js';

describe('InvalidArgumentError', () => {
  it('has its name, extends TidemarkError and Error', () => {
    const e = new InvalidArgumentError('tumbling: size must be a positive finite number, got -5');
    expect(e.name).toBe('InvalidArgumentError');
    expect(e.message).toBe('tumbling: size must be a positive finite number, got -5');
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e).toBeInstanceOf(TidemarkError);
    expect(e).toBeInstanceOf(Error);
  });

  it('isInvalidArgumentError works on instances, on a second copy, and rejects others', () => {
    expect(InvalidArgumentError.isInvalidArgumentError(new InvalidArgumentError('x'))).toBe(true);
    const thrown = errorOf(() => tumbling(-5));
    expect(InvalidArgumentError.isInvalidArgumentError(thrown)).toBe(true);
    const secondCopy = Object.assign(new Error('x'), {
      [Symbol.for('tidemark.TidemarkError')]: true,
      [Symbol.for('tidemark.InvalidArgumentError')]: true,
    });
    expect(InvalidArgumentError.isInvalidArgumentError(secondCopy)).toBe(true);
    expect(InvalidArgumentError.isInvalidArgumentError(new StateError('x'))).toBe(false);
    expect(InvalidArgumentError.isInvalidArgumentError(new TidemarkError('x'))).toBe(false);
    expect(InvalidArgumentError.isInvalidArgumentError(new TypeError('x'))).toBe(false);
    expect(InvalidArgumentError.isInvalidArgumentError(undefined)).toBe(false);
  });
});
