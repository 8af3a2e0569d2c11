import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, MemoryStateBackend, StateError, TidemarkError, type StateSnapshot } from 'tidemark';
import { errorOf } from '../support/errorOf.js';

describe('StateError', () => {
  it('has its name, extends TidemarkError and Error', () => {
    const e = new StateError('windowAggregate: snapshot is of kind "intervalJoin"');
    expect(e.name).toBe('StateError');
    expect(e.message).toBe('windowAggregate: snapshot is of kind "intervalJoin"');
    expect(e).toBeInstanceOf(StateError);
    expect(e).toBeInstanceOf(TidemarkError);
    expect(e).toBeInstanceOf(Error);
  });

  it('isStateError works on instances, on a second copy, and rejects others', () => {
    const thrown = errorOf(() => new MemoryStateBackend().restore({ format: 'other' } as unknown as StateSnapshot));
    expect(StateError.isStateError(thrown)).toBe(true);
    expect(StateError.isStateError({ [Symbol.for('tidemark.StateError')]: true })).toBe(true);
    expect(StateError.isStateError(new InvalidArgumentError('x'))).toBe(false);
    expect(StateError.isStateError(new Error('x'))).toBe(false);
    expect(StateError.isStateError(null)).toBe(false);
  });
});
