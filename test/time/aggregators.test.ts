import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, avg, collect, count, max, min, reduce, sum, type Aggregator } from 'tidemark';
import { errorOf } from '../support/errorOf.js';

/** Feeds [value, timestamp] pairs into a fresh accumulator and returns the result. */
function fold<T, A, R>(agg: Aggregator<T, A, R>, input: [T, number][]): R {
  let acc = agg.create();
  for (const [v, t] of input) acc = agg.add(acc, v, t);
  return agg.result(acc);
}

/** Splits the input in two, folds each half, merges the accumulators. */
function foldMerged<T, A, R>(agg: Aggregator<T, A, R>, left: [T, number][], right: [T, number][]): R {
  let a = agg.create();
  for (const [v, t] of left) a = agg.add(a, v, t);
  let b = agg.create();
  for (const [v, t] of right) b = agg.add(b, v, t);
  return agg.result(agg.merge!(a, b));
}

describe('built-in aggregators', () => {
  it('count', () => {
    expect(fold(count(), [])).toBe(0);
    expect(fold(count(), [['a', 1], ['b', 2], ['c', 3]])).toBe(3);
    expect(foldMerged(count(), [['a', 1]], [['b', 2], ['c', 3]])).toBe(3);
  });

  it('sum, of the values or of a selector', () => {
    expect(fold(sum(), [])).toBe(0);
    expect(fold(sum(), [[1, 0], [2, 0], [4, 0]])).toBe(7);
    expect(fold(sum((o: { p: number }) => o.p), [[{ p: 3 }, 0], [{ p: -1 }, 0]])).toBe(2);
    expect(foldMerged(sum(), [[1, 0]], [[2, 0]])).toBe(3);
  });

  it('min and max', () => {
    expect(fold(min(), [])).toBe(Infinity);
    expect(fold(max(), [])).toBe(-Infinity);
    expect(fold(min(), [[3, 0], [-2, 0], [5, 0]])).toBe(-2);
    expect(fold(max(), [[3, 0], [-2, 0], [5, 0]])).toBe(5);
    expect(fold(min((r: { c: number }) => r.c), [[{ c: 4 }, 0], [{ c: 1 }, 0]])).toBe(1);
    expect(foldMerged(max(), [[9, 0]], [[2, 0]])).toBe(9);
    expect(foldMerged(min(), [[9, 0]], [[2, 0]])).toBe(2);
  });

  it('avg', () => {
    expect(fold(avg(), [])).toBeNaN();
    expect(fold(avg(), [[1, 0], [2, 0], [6, 0]])).toBe(3);
    expect(fold(avg((r: { ms: number }) => r.ms), [[{ ms: 10 }, 0], [{ ms: 20 }, 0]])).toBe(15);
    expect(foldMerged(avg(), [[1, 0]], [[2, 0], [6, 0]])).toBe(3);
  });

  it('collect keeps timestamp order, ties in arrival order, across merges too', () => {
    expect(fold(collect<string>(), [])).toEqual([]);
    expect(fold(collect<string>(), [['c', 5], ['a', 2], ['d', 8], ['b', 2]])).toEqual(['a', 'b', 'c', 'd']);
    expect(foldMerged(collect<string>(), [['c', 5], ['a', 2]], [['d', 8], ['b', 3]])).toEqual(['a', 'b', 'c', 'd']);
  });

  it('collect results are not aliased to the accumulator', () => {
    const agg = collect<number>();
    let acc = agg.add(agg.create(), 1, 1);
    const first = agg.result(acc);
    acc = agg.add(acc, 2, 2);
    expect(first).toEqual([1]);
    expect(agg.result(acc)).toEqual([1, 2]);
  });

  it('reduce', () => {
    const longest = reduce((a: string, b: string) => (b.length > a.length ? b : a));
    expect(fold(longest, [])).toBeUndefined();
    expect(fold(longest, [['ab', 0], ['abcd', 0], ['abc', 0]])).toBe('abcd');
    expect(foldMerged(longest, [['ab', 0]], [['abc', 0]])).toBe('abc');
    expect(foldMerged(longest, [], [['abc', 0]])).toBe('abc');
    expect(foldMerged(longest, [['ab', 0]], [])).toBe('ab');
  });

  it('reject a selector that is not a function, at creation', () => {
    const cases: [() => unknown, string][] = [
      [() => sum(5 as unknown as (v: number) => number), 'sum: the number selector must be a function, got 5'],
      [() => min('x' as unknown as (v: number) => number), 'min: the number selector must be a function, got "x"'],
      [() => max(null as unknown as (v: number) => number), 'max: the number selector must be a function, got null'],
      [() => avg({} as unknown as (v: number) => number), 'avg: the number selector must be a function, got {}'],
      [() => reduce(undefined as unknown as (a: number, b: number) => number), 'reduce: f must be a function, got undefined'],
    ];
    for (const [make, message] of cases) {
      const thrown = errorOf(() => make());
      expect(InvalidArgumentError.isInvalidArgumentError(thrown)).toBe(true);
      expect(thrown.message).toBe(message);
    }
  });
});
