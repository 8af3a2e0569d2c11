import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidTimestampError, InvalidWatermarkError, StateError, TidemarkError } from 'tidemark';
import { brandOf, hasBrand } from '../../src/errors/TidemarkError.js';

describe('TidemarkError', () => {
  it('is an Error with its name and message', () => {
    const e = new TidemarkError('windowAggregate: boom');
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(TidemarkError);
    expect(e.name).toBe('TidemarkError');
    expect(e.message).toBe('windowAggregate: boom');
    expect(String(e)).toBe('TidemarkError: windowAggregate: boom');
  });

  it('isTidemarkError recognizes every subclass and a second copy, and nothing else', () => {
    const subclasses = [
      new InvalidArgumentError('x'),
      new InvalidTimestampError('op', NaN),
      new InvalidWatermarkError('op', NaN),
      new StateError('x'),
    ];
    for (const e of subclasses) {
      expect(e).toBeInstanceOf(TidemarkError);
      expect(TidemarkError.isTidemarkError(e)).toBe(true);
    }
    // An instance made by another installed copy of tidemark: a different class, the same Symbol.for brand.
    const secondCopy = Object.assign(new Error('other copy'), { [Symbol.for('tidemark.TidemarkError')]: true });
    expect(secondCopy).not.toBeInstanceOf(TidemarkError);
    expect(TidemarkError.isTidemarkError(secondCopy)).toBe(true);

    for (const x of [new Error('plain'), null, undefined, 'TidemarkError', 0, {}, { name: 'TidemarkError' }]) {
      expect(TidemarkError.isTidemarkError(x)).toBe(false);
    }
    // A brand that is not exactly `true` does not count.
    expect(TidemarkError.isTidemarkError({ [Symbol.for('tidemark.TidemarkError')]: 'yes' })).toBe(false);
  });
});

describe('brandOf / hasBrand', () => {
  it('uses the global symbol registry, so two copies agree', () => {
    expect(brandOf('StateError')).toBe(Symbol.for('tidemark.StateError'));
    expect(hasBrand({ [Symbol.for('tidemark.StateError')]: true }, brandOf('StateError'))).toBe(true);
    expect(hasBrand({ [Symbol.for('tidemark.StateError')]: true }, brandOf('InvalidArgumentError'))).toBe(false);
    expect(hasBrand(null, brandOf('StateError'))).toBe(false);
    expect(hasBrand('StateError', brandOf('StateError'))).toBe(false);
  });
});
