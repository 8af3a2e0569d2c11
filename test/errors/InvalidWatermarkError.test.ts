import { describe, expect, it } from 'vitest';
import { InvalidTimestampError, InvalidWatermarkError, TidemarkError } from 'tidemark';

describe('InvalidWatermarkError', () => {
  it('has its name, fields, and extends TidemarkError and Error', () => {
    const e = new InvalidWatermarkError('withEventTime', '7');
    expect(e.name).toBe('InvalidWatermarkError');
    expect(e.operator).toBe('withEventTime');
    expect(e.watermark).toBe('7');
    expect(e).toBeInstanceOf(InvalidWatermarkError);
    expect(e).toBeInstanceOf(TidemarkError);
    expect(e).toBeInstanceOf(Error);
  });

  it('names the operator, the value and the fix', () => {
    expect(new InvalidWatermarkError('withEventTime', NaN).message).toBe(
      'withEventTime: a watermark must be a number (finite, -Infinity or +Infinity), got NaN. ' +
        'Fix the watermark strategy so that it returns the largest timestamp it promises no more events at or below.',
    );
    expect(new InvalidWatermarkError('windowAggregate', '7').message).toContain('windowAggregate: a watermark must be a number');
    expect(new InvalidWatermarkError('windowAggregate', '7').message).toContain('got "7"');
  });

  it('isInvalidWatermarkError works on instances, on a second copy, and rejects others', () => {
    expect(InvalidWatermarkError.isInvalidWatermarkError(new InvalidWatermarkError('op', NaN))).toBe(true);
    expect(InvalidWatermarkError.isInvalidWatermarkError({ [Symbol.for('tidemark.InvalidWatermarkError')]: true })).toBe(true);
    expect(InvalidWatermarkError.isInvalidWatermarkError(new InvalidTimestampError('op', NaN))).toBe(false);
    expect(InvalidWatermarkError.isInvalidWatermarkError(new Error('x'))).toBe(false);
    expect(InvalidWatermarkError.isInvalidWatermarkError(0)).toBe(false);
  });
});
