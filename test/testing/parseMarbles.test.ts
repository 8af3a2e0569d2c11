import { describe, expect, it } from 'vitest';
import { TidemarkError } from 'tidemark';
import { MarbleSyntaxError, parseMarbles } from 'tidemark/testing';
import { errorOf } from '../support/errorOf.js';

describe('parseMarbles', () => {
  it('parses events, watermarks and completion in arrival order', () => {
    expect(parseMarbles('a@1 b@5 W3 c@2 W10 |')).toEqual([
      { kind: 'event', value: 'a', timestamp: 1 },
      { kind: 'event', value: 'b', timestamp: 5 },
      { kind: 'watermark', timestamp: 3 },
      { kind: 'event', value: 'c', timestamp: 2 },
      { kind: 'watermark', timestamp: 10 },
      { kind: 'complete' },
    ]);
  });

  it('reads negative, decimal, separated and exponent timestamps, and infinite watermarks', () => {
    expect(parseMarbles('a@-3 b@1.5 c@1_000 d@2e3 W-7 W+inf Winf W∞ W-inf')).toEqual([
      { kind: 'event', value: 'a', timestamp: -3 },
      { kind: 'event', value: 'b', timestamp: 1.5 },
      { kind: 'event', value: 'c', timestamp: 1000 },
      { kind: 'event', value: 'd', timestamp: 2000 },
      { kind: 'watermark', timestamp: -7 },
      { kind: 'watermark', timestamp: Infinity },
      { kind: 'watermark', timestamp: Infinity },
      { kind: 'watermark', timestamp: Infinity },
      { kind: 'watermark', timestamp: -Infinity },
    ]);
  });

  it('reads numbers up to the largest double, and infinite watermarks only from their names', () => {
    expect(parseMarbles('a@1.7976931348623157e308 b@-1e308 W1e308 ~1e300 B9007199254740991 W+inf')).toEqual([
      { kind: 'event', value: 'a', timestamp: Number.MAX_VALUE },
      { kind: 'event', value: 'b', timestamp: -1e308 },
      { kind: 'watermark', timestamp: 1e308 },
      { kind: 'wait', duration: 1e300 },
      { kind: 'barrier', checkpointId: Number.MAX_SAFE_INTEGER },
      { kind: 'watermark', timestamp: Infinity },
    ]);
  });

  it('looks values up in the map, and uses names as values without one', () => {
    const values = { a: { page: 'home' }, b: 42 };
    expect(parseMarbles<unknown>('a@1 b@2', values)).toEqual([
      { kind: 'event', value: { page: 'home' }, timestamp: 1 },
      { kind: 'event', value: 42, timestamp: 2 },
    ]);
    expect(parseMarbles('click-1@3 x.y@4')).toEqual([
      { kind: 'event', value: 'click-1', timestamp: 3 },
      { kind: 'event', value: 'x.y', timestamp: 4 },
    ]);
  });

  it('parses barriers, status changes, waits, groups and errors', () => {
    const boom = new Error('boom');
    expect(parseMarbles('B1 idle active ~100 (a@1 W1)#', {a: 'A'}, { error: boom })).toEqual([
      { kind: 'barrier', checkpointId: 1 },
      { kind: 'status', idle: true },
      { kind: 'status', idle: false },
      { kind: 'wait', duration: 100 },
      { kind: 'event', value: 'A', timestamp: 1 },
      { kind: 'watermark', timestamp: 1 },
      { kind: 'error', error: boom },
    ]);
    const [m] = parseMarbles('#');
    expect(m).toEqual({ kind: 'error', error: new Error('marble error') });
  });

  it('accepts any whitespace, including newlines, and an empty text', () => {
    expect(parseMarbles('  a@1\n\tW1  \n |')).toHaveLength(3);
    expect(parseMarbles('')).toEqual([]);
    expect(parseMarbles('W5|')).toEqual([{ kind: 'watermark', timestamp: 5 }, { kind: 'complete' }]);
  });

  const cases: [string, number, RegExp][] = [
    ['a@1 b@x', 7, /expected a finite number after "@" in "b@x"/],
    ['a@1 @5', 5, /an event needs a name before "@"/],
    ['a@inf', 3, /events need finite timestamps/],
    ['a@1 Wx', 6, /expected a number or \+inf after "W"/],
    ['a@1 hello', 5, /unexpected "hello": expected an event \(name@time\), a watermark/],
    ['a@1 | b@2', 7, /nothing may follow "\|"/],
    ['# W1', 3, /nothing may follow "#"/],
    ['(a@1 (b@2))', 6, /groups cannot nest/],
    ['a@1 )', 5, /"\)" without a matching "\("/],
    ['W1 (a@1 b@2', 4, /"\(" is never closed/],
    ['(a@1 |)', 6, /"\|" cannot be inside a group/],
    ['(a@1 ~5)', 6, /a wait cannot be inside a group/],
    ['~-5', 2, /expected a duration >= 0 after "~"/],
    ['c@3', 1, /no value for "c" in the values map \(it has "a", "b"\)/],
    // Finite-looking literals that overflow a double (Number('1e400') is Infinity).
    ['a@1 b@1e400', 7, /the timestamp in "b@1e400" overflows to Infinity: event timestamps must be finite numbers \(up to about 1\.8e308 in magnitude\)/],
    ['a@-1e400', 3, /the timestamp in "a@-1e400" overflows to -Infinity: event timestamps must be finite numbers/],
    [`a@${'9'.repeat(400)}`, 3, /overflows to Infinity: event timestamps must be finite numbers/],
    ['W1 W1e400', 5, /the watermark in "W1e400" overflows to Infinity: write W\+inf for an infinite watermark, or a finite number/],
    ['W-1_0e400', 2, /the watermark in "W-1_0e400" overflows to -Infinity: write W-inf for an infinite watermark/],
    ['a@1 ~1e400', 6, /the wait in "~1e400" overflows to Infinity: waits must be finite numbers/],
    ['B99999999999999999999', 2, /the checkpoint id in "B99999999999999999999" is too large: barrier ids must be integers up to 9007199254740991/],
  ];
  it.each(cases)('rejects %j at column %i', (text, column, message) => {
    const error = errorOf(() => parseMarbles(text, { a: 1, b: 2 }));
    expect(MarbleSyntaxError.isMarbleSyntaxError(error)).toBe(true);
    expect(TidemarkError.isTidemarkError(error)).toBe(true);
    const e = error as MarbleSyntaxError;
    expect(e.column).toBe(column);
    expect(e.message).toMatch(message);
    expect(e.message).toContain(`at column ${column}\n  ${text}\n  ${' '.repeat(column - 1)}^`);
    expect(e.name).toBe('MarbleSyntaxError');
  });

  it('points at the line and column in multi-line marbles', () => {
    try {
      parseMarbles('a@1 b@2\nW2 c@?');
      expect.unreachable();
    } catch (e) {
      const err = e as MarbleSyntaxError;
      expect(err.line).toBe(2);
      expect(err.column).toBe(6);
      expect(err.message).toContain('at line 2, column 6\n  W2 c@?\n       ^');
    }
  });
});
