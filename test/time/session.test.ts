import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, session } from 'tidemark';
import { errorOf } from '../support/errorOf.js';

describe('session', () => {
  it('describes session windows by their gap', () => {
    expect(session(30)).toEqual({ type: 'session', gap: 30 });
  });

  it('rejects a gap that is not positive and finite', () => {
    for (const [gap, shown] of [[0, '0'], [-1, '-1'], [NaN, 'NaN'], [Infinity, 'Infinity']] as const) {
      const thrown = errorOf(() => session(gap));
      expect(InvalidArgumentError.isInvalidArgumentError(thrown)).toBe(true);
      expect(thrown.message).toBe(`session: gap must be a positive finite number, got ${shown}`);
    }
  });
});
