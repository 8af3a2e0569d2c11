import { requireFunction } from './validate.js';

/**
 * An incremental aggregation (Flink's `AggregateFunction`). `add` may mutate the
 * accumulator and return it. Accumulators are state: keep them structured-cloneable
 * (numbers, arrays, plain objects) and never `undefined`.
 *
 * @example
 * ```ts
 * import type { Aggregator } from 'tidemark';
 * const distinct: Aggregator<string, string[], number> = {
 *   name: 'distinct',
 *   create: () => [],
 *   add: (acc, v) => (acc.includes(v) ? acc : [...acc, v]),
 *   merge: (a, b) => [...new Set([...a, ...b])],
 *   result: (acc) => acc.length,
 * };
 * ```
 */
export interface Aggregator<T, A, R> {
  /**
   * Names the aggregation in snapshots: a restore into an operator whose aggregator has
   * another name is refused (state of `sum` read as `collect` would be garbage). The
   * built-in aggregators have one; give yours one too.
   */
  readonly name?: string | undefined;
  /** Makes an empty accumulator (plain, structured-cloneable data: it is state). */
  create(): A;
  /** Adds one event and returns the accumulator: the same one, mutated, or a new one. */
  add(acc: A, value: T, timestamp: number): A;
  /**
   * Combines two accumulators; required for session windows, which merge, and used to
   * assemble sliding windows from shared panes. It may change and return `a`, but must leave
   * `b` unchanged.
   */
  merge?(a: A, b: A): A;
  /** The output of a window; a fresh value, not the accumulator (a window can fire again). */
  result(acc: A): R;
}

/**
 * Counts events.
 * @example
 * ```ts
 * import { count, tumbling, windowAggregate } from 'tidemark';
 * const perMinute = windowAggregate({ window: tumbling(60_000), aggregate: count<string>() });
 * ```
 */
export function count<T = unknown>(): Aggregator<T, number, number> {
  return { name: 'count', create: () => 0, add: (n) => n + 1, merge: (a, b) => a + b, result: (n) => n };
}

/**
 * Sums a number taken from each event (the event itself by default).
 * @example
 * ```ts
 * import { sum } from 'tidemark';
 * const revenue = sum((o: { price: number }) => o.price);
 * const total = sum();
 * ```
 */
export function sum(): Aggregator<number, number, number>;
export function sum<T>(of: (value: T) => number): Aggregator<T, number, number>;
export function sum<T>(of?: (value: T) => number): Aggregator<T, number, number> {
  const f = numberOf('sum', of);
  return { name: 'sum', create: () => 0, add: (s, v) => s + f(v), merge: (a, b) => a + b, result: (s) => s };
}

/**
 * The smallest number taken from each event.
 * @example
 * ```ts
 * import { min } from 'tidemark';
 * const coldest = min((r: { celsius: number }) => r.celsius);
 * ```
 */
export function min(): Aggregator<number, number, number>;
export function min<T>(of: (value: T) => number): Aggregator<T, number, number>;
export function min<T>(of?: (value: T) => number): Aggregator<T, number, number> {
  const f = numberOf('min', of);
  return { name: 'min', create: () => Infinity, add: (m, v) => Math.min(m, f(v)), merge: Math.min, result: (m) => m };
}

/**
 * The largest number taken from each event.
 * @example
 * ```ts
 * import { max } from 'tidemark';
 * const hottest = max((r: { celsius: number }) => r.celsius);
 * ```
 */
export function max(): Aggregator<number, number, number>;
export function max<T>(of: (value: T) => number): Aggregator<T, number, number>;
export function max<T>(of?: (value: T) => number): Aggregator<T, number, number> {
  const f = numberOf('max', of);
  return { name: 'max', create: () => -Infinity, add: (m, v) => Math.max(m, f(v)), merge: Math.max, result: (m) => m };
}

/**
 * The arithmetic mean of a number taken from each event.
 * @example
 * ```ts
 * import { avg } from 'tidemark';
 * const meanLatency = avg((r: { ms: number }) => r.ms);
 * ```
 */
export function avg(): Aggregator<number, [sum: number, count: number], number>;
export function avg<T>(of: (value: T) => number): Aggregator<T, [sum: number, count: number], number>;
export function avg<T>(of?: (value: T) => number): Aggregator<T, [sum: number, count: number], number> {
  const f = numberOf('avg', of);
  return {
    name: 'avg',
    create: () => [0, 0],
    add: (acc, v) => {
      acc[0] += f(v);
      acc[1] += 1;
      return acc;
    },
    merge: (a, b) => [a[0] + b[0], a[1] + b[1]],
    result: ([s, n]) => s / n,
  };
}

/**
 * Collects the events' values in timestamp order (ties in arrival order).
 * @example
 * ```ts
 * import { collect } from 'tidemark';
 * const all = collect<string>();
 * ```
 */
export function collect<T>(): Aggregator<T, [timestamp: number, value: T][], T[]> {
  return {
    name: 'collect',
    create: () => [],
    add: (acc, v, t) => {
      acc.push([t, v]);
      return acc;
    },
    merge: (a, b) => a.concat(b),
    // Array.prototype.sort is stable: equal timestamps keep arrival order.
    result: (acc) => acc.slice().sort((x, y) => x[0] - y[0]).map((e) => e[1]),
  };
}

/**
 * Folds the events' values with `f`, which should be associative and commutative
 * (arrival order within a window is not event-time order).
 * @example
 * ```ts
 * import { reduce } from 'tidemark';
 * const longest = reduce((a: string, b: string) => (b.length > a.length ? b : a));
 * ```
 */
export function reduce<T>(f: (a: T, b: T) => T): Aggregator<T, [] | [T], T> {
  requireFunction('reduce', 'f', f);
  return {
    name: 'reduce',
    create: () => [],
    add: (acc, v) => (acc.length === 0 ? [v] : [f(acc[0], v)]),
    merge: (a, b) => (a.length === 0 ? b : b.length === 0 ? a : [f(a[0], b[0])]),
    result: (acc) => acc[0] as T,
  };
}

function numberOf<T>(api: string, of: ((value: T) => number) | undefined): (value: T) => number {
  if (of === undefined) return (v) => v as unknown as number;
  requireFunction(api, 'the number selector', of);
  return of;
}
