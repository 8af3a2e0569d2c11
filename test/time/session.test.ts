import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, session } from 'tidemark';
import { errorOf } from '../support/errorOf.js';

describe('session', () => {
  it('describes session windows by their gap', () => {
    expect(session(30)).toEqual({ type: 'session', gap: 30 });
  });

  it('rejects a gap that is not a positive integer (time is integral), naming the fix', () => {
    const integral = 'session: gap must be a positive integer (event time is integral: milliseconds by convention), got';
    for (const [gap, shown] of [[0, '0'], [-1, '-1'], [NaN, 'NaN'], [Infinity, 'Infinity'], [2 ** 53, '9007199254740992']] as const) {
      const thrown = errorOf(() => session(gap));
      expect(InvalidArgumentError.isInvalidArgumentError(thrown)).toBe(true);
      expect(thrown.message).toBe(`${integral} ${shown}`);
    }
    expect(errorOf(() => session(0.5)).message).toBe(`${integral} 0.5; use a smaller time unit, e.g. milliseconds instead of seconds`);
  });
});
