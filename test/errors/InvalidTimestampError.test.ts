import { describe, expect, it } from 'vitest';
import { InvalidTimestampError, InvalidWatermarkError, TidemarkError } from 'tidemark';

describe('InvalidTimestampError', () => {
  it('has its name, fields, and extends TidemarkError and Error', () => {
    const e = new InvalidTimestampError('withEventTime', NaN, { id: 1 });
    expect(e.name).toBe('InvalidTimestampError');
    expect(e.operator).toBe('withEventTime');
    expect(e.timestamp).toBeNaN();
    expect(e.value).toEqual({ id: 1 });
    expect(e).toBeInstanceOf(InvalidTimestampError);
    expect(e).toBeInstanceOf(TidemarkError);
    expect(e).toBeInstanceOf(Error);
  });

  it('names the operator, the timestamp, the value and the fix', () => {
    expect(new InvalidTimestampError('withEventTime', NaN, { id: 1 }).message).toBe(
      'withEventTime: timestamp must be a finite number, got NaN for value { id: 1 }. ' +
        'Fix the timestamp extractor, or pass `deadLetter` to route such events aside.',
    );
    const s = new InvalidTimestampError('windowAggregate', '5').message;
    expect(s).toContain('windowAggregate: timestamp must be a finite number, got string "5".');
    expect(s).not.toContain('for value');
    expect(new InvalidTimestampError('windowAggregate', Infinity, 'a').message).toContain('got Infinity for value "a"');
    expect(new InvalidTimestampError('withEventTime', undefined, 3).message).toContain('got undefined for value 3');
  });

  it('isInvalidTimestampError works on instances, on a second copy, and rejects others', () => {
    expect(InvalidTimestampError.isInvalidTimestampError(new InvalidTimestampError('op', NaN))).toBe(true);
    expect(InvalidTimestampError.isInvalidTimestampError({ [Symbol.for('tidemark.InvalidTimestampError')]: true })).toBe(true);
    expect(InvalidTimestampError.isInvalidTimestampError(new InvalidWatermarkError('op', NaN))).toBe(false);
    expect(InvalidTimestampError.isInvalidTimestampError(new Error('x'))).toBe(false);
    expect(InvalidTimestampError.isInvalidTimestampError(undefined)).toBe(false);
  });
});
