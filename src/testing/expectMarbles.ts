import { canonical, multisetDiff } from './canonical.js';
import { formatMarble, namer, toMarbleList, type Recording } from './formatMarbles.js';
import { parseMarbleTokens, type Marble } from './parseMarbles.js';

/**
 * Asserts that a recorded stream matches expected event-time marbles (the grammar of
 * {@link parseMarbles}); throws a plain `Error` showing both as marbles and the first
 * difference otherwise. Values compare structurally. A group `( … )` in `expected` matches its
 * elements in any order; `#` matches any error. Works in any test runner (it imports none).
 *
 * @example
 * ```ts
 * import { count, tumbling, windowAggregateEngine } from 'tidemark';
 * import { OperatorHarness, expectMarbles } from 'tidemark/testing';
 *
 * const h = new OperatorHarness({ engine: windowAggregateEngine<string>({ window: tumbling(10), aggregate: count() }) });
 * h.pushMarbles('a@1 b@5 W9 |');
 * expectMarbles(h, 'r@9 W9 W+inf |', { r: { key: undefined, start: 0, end: 10, value: 2, firing: 'on-time' } });
 * ```
 * @throws Error when the stream does not match; MarbleSyntaxError when `expected` is not valid marbles.
 */
export function expectMarbles<T>(actual: readonly Marble<T>[] | Recording<T>, expected: string, values?: Readonly<Record<string, T>>): void {
  const tokens = parseMarbleTokens(expected, values);
  const got = toMarbleList(actual);
  const name = namer(values);
  const fmt = (ms: readonly Marble<T>[]) => ms.map((m) => formatMarble(m, name)).join(' ');
  const problem = firstDifference(tokens.map((t) => ({ marble: t.marble, group: t.group })), got, fmt);
  if (problem === undefined) return;
  throw new Error(`expectMarbles: the output does not match\n  expected: ${expected.trim().replace(/\s+/g, ' ')}\n  actual:   ${fmt(got)}\n  ${problem}`);
}

function same<T>(a: Marble<T>, b: Marble<T>): boolean {
  if (a.kind === 'error' || b.kind === 'error') return a.kind === b.kind;
  return canonical(a) === canonical(b);
}

function firstDifference<T>(
  expected: readonly { marble: Marble<T>; group: number }[],
  got: readonly Marble<T>[],
  fmt: (ms: readonly Marble<T>[]) => string,
): string | undefined {
  let i = 0; // in got
  let e = 0; // in expected
  while (e < expected.length) {
    const g = expected[e]!.group;
    let unit = [expected[e]!.marble];
    e++;
    if (g >= 0) {
      while (e < expected.length && expected[e]!.group === g) unit.push(expected[e++]!.marble);
      const slice = got.slice(i, i + unit.length);
      const diff = multisetDiff(unit.map(canonicalOf), slice.map(canonicalOf));
      if (diff.onlyLeft.length > 0 || diff.onlyRight.length > 0) {
        return `difference at element ${i}: expected the group (${fmt(unit)}) in any order, got ${slice.length === 0 ? 'the end of the output' : fmt(slice)}`;
      }
      i += unit.length;
      unit = [];
      continue;
    }
    const want = unit[0]!;
    const have = got[i];
    if (have === undefined) return `difference at element ${i}: expected ${fmt([want])}, but the output ends there`;
    if (!same(want, have)) return `difference at element ${i}: expected ${fmt([want])}, got ${fmt([have])}`;
    i++;
  }
  if (i < got.length) return `difference at element ${i}: expected the end, got ${fmt(got.slice(i))}`;
  return undefined;
}

function canonicalOf<T>(m: Marble<T>): string {
  return m.kind === 'error' ? 'error' : canonical(m);
}
