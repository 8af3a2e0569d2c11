import { describe, expect, it } from 'vitest';
import { END_OF_TIME, event, watermark } from 'tidemark';
import { expectMarbles, type Marble } from 'tidemark/testing';

const r = { start: 0, end: 10, value: 2 };
const s = { start: 10, end: 20, value: 1 };

function failure(f: () => void): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    return (e as Error).message;
  }
  throw new Error('expected a failure');
}

describe('expectMarbles', () => {
  it('passes on a structural match, with or without a values map', () => {
    expectMarbles([event('a', 1), watermark(1), { kind: 'complete' }], 'a@1 W1 |');
    expectMarbles<unknown>({ output: [event({ end: 10, value: 2, start: 0 }, 9), watermark(9), END_OF_TIME], completed: true, failed: false }, 'r@9 W9 W+inf |', { r });
  });

  it('matches a group in any order', () => {
    const out: Marble<unknown>[] = [event(s, 19), event(r, 9), watermark(19)];
    expectMarbles(out, '(r@9 s@19) W19', { r, s });
    expect(failure(() => expectMarbles(out, 'r@9 s@19 W19', { r, s }))).toContain('difference at element 0: expected r@9, got s@19');
  });

  it('reports the first difference with both sides as marbles', () => {
    const msg = failure(() => expectMarbles<unknown>([event(r, 9), watermark(9)], 'r@9 s@19 W19', { r, s }));
    expect(msg).toBe(
      'expectMarbles: the output does not match\n  expected: r@9 s@19 W19\n  actual:   r@9 W9\n  difference at element 1: expected s@19, got W9',
    );
  });

  it('reports a missing end, an extra tail, and a group that does not match', () => {
    expect(failure(() => expectMarbles([event('a', 1)], 'a@1 |'))).toContain('difference at element 1: expected |, but the output ends there');
    expect(failure(() => expectMarbles([event('a', 1), watermark(2)], 'a@1'))).toContain('difference at element 1: expected the end, got W2');
    expect(failure(() => expectMarbles([event('a', 1), event('c', 1)], '(a@1 b@1)'))).toContain(
      'expected the group (a@1 b@1) in any order, got a@1 c@1',
    );
    expect(failure(() => expectMarbles([event('a', 1)], 'a@1 (b@1 c@2)'))).toContain('got the end of the output');
  });

  it('compares timestamps and values exactly', () => {
    expect(failure(() => expectMarbles([event('a', 2)], 'a@1'))).toContain('expected a@1, got a@2');
    expect(failure(() => expectMarbles<unknown>([event({ ...r, value: 3 }, 9)], 'r@9', { r }))).toContain('expected r@9, got {"end":10,"start":0,"value":3}@9');
  });

  it('matches # against any failure', () => {
    expectMarbles({ output: [event('a', 1)], completed: false, failed: true }, 'a@1 #');
    expect(failure(() => expectMarbles({ output: [], completed: true, failed: false }, '#'))).toContain('expected #, got |');
  });

  describe('with waits: processing time', () => {
    const [a, w, b] = [event('a', 1), watermark(1), event('b', 2)];
    const timed = { output: [a, w, b], outputAt: [[100, a], [100, w], [250, b]] as const, outputSince: 0, completed: false, failed: false };

    it('compares the time between elements when expected has waits', () => {
      expectMarbles(timed, '~100 a@1 W1 ~150 b@2');
      expectMarbles(timed, '~50 ~50 a@1 ~0 W1 ~100 ~50 b@2'); // waits add up; ~0 is none
      expect(failure(() => expectMarbles(timed, '~100 a@1 W1 ~100 b@2'))).toBe(
        'expectMarbles: the output does not match\n  expected: ~100 a@1 W1 ~100 b@2\n  actual:   ~100 a@1 W1 ~150 b@2\n  difference at element 3: expected ~100, got ~150',
      );
      expect(failure(() => expectMarbles(timed, 'a@1 W1 ~150 b@2'))).toContain('difference at element 0: expected a@1, got ~100');
      expect(failure(() => expectMarbles(timed, '~100 a@1 ~150 W1 b@2'))).toContain('difference at element 2: expected ~150, got W1');
    });

    it('counts the first wait from outputSince', () => {
      expectMarbles({ ...timed, outputSince: 60 }, '~40 a@1 W1 ~150 b@2');
      expectMarbles({ ...timed, outputSince: 100 }, 'a@1 W1 ~150 b@2 ~0');
    });

    it('ignores time when expected has no waits, also waits in a list of marbles', () => {
      expectMarbles(timed, 'a@1 W1 b@2');
      expectMarbles([a, { kind: 'wait', duration: 5 }, b], 'a@1 b@2');
      expectMarbles([a, { kind: 'wait', duration: 2 }, { kind: 'wait', duration: 3 }, b], 'a@1 ~5 b@2');
    });

    it('gives the end no time: a trailing wait is never matched', () => {
      expect(failure(() => expectMarbles({ ...timed, completed: true }, '~100 a@1 W1 ~150 b@2 ~10 |'))).toContain(
        'difference at element 5: expected ~10, got |',
      );
    });

    it('refuses expected marbles whose numbers overflow to Infinity', () => {
      expect(() => expectMarbles(timed, '~1e400 a@1')).toThrow(/parseMarbles: the wait in "~1e400" overflows to Infinity: waits must be finite numbers .* at column 2/);
      expect(() => expectMarbles([a], 'a@1e400')).toThrow(/parseMarbles: the timestamp in "a@1e400" overflows to Infinity: .* at column 3/);
      expectMarbles([watermark(Infinity)], 'W+inf');
    });

    it('refuses waits against a recording without times', () => {
      expect(() => expectMarbles({ output: [a], completed: false, failed: false }, '~1 a@1')).toThrow(
        /expectMarbles: processing time \(~N\) needs a recording with outputAt/,
      );
    });
  });
});
