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
});
