import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, session } from 'tidemark';

describe('session', () => {
  it('describes session windows by their gap', () => {
    expect(session(30)).toEqual({ type: 'session', gap: 30 });
  });

  it('rejects a gap that is not positive and finite', () => {
    for (const [gap, shown] of [[0, '0'], [-1, '-1'], [NaN, 'NaN'], [Infinity, 'Infinity']] as const) {
      let thrown: unknown;
      try {
        session(gap);
      } catch (e) {
        thrown = e;
      }
      expect(InvalidArgumentError.isInvalidArgumentError(thrown)).toBe(true);
      expect((thrown as Error).message).toBe(`session: gap must be a positive finite number, got ${shown}`);
    }
  });
});
