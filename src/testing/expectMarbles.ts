import { canonical, multisetDiff } from './canonical.js';
import { formatMarble, namer, toMarbleList, toTimedMarbleList, type Recording } from './formatMarbles.js';
import { parseMarbleTokens, type Marble } from './parseMarbles.js';

/**
 * Asserts that a recorded stream matches expected event-time marbles (the grammar of
 * {@link parseMarbles}); throws a plain `Error` showing both as marbles and the first
 * difference otherwise. Values compare structurally. A group `( … )` in `expected` matches its
 * elements in any order; `#` matches any error. Works in any test runner (it imports none).
 *
 * Processing time is compared only when `expected` has waits: `~N` then says that N of
 * processing time passed between the elements around it (the first counts from the recording's
 * `outputSince`: the harness's start, or its last `take()`). `actual` must then carry times
 * (a harness, or a list of marbles with waits); adjacent waits add up, `~0` is no wait, and the
 * end (`|`, `#`) carries no time. Without waits in `expected`, waits in `actual` are ignored.
 *
 * ```
 * early: { every: 100 }, input a@1 ~250 b@2 ~100   →   output ~100 r@9 ~250 s@9   (r: 1 event, s: 2)
 * ```
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
 *
 * @example
 * ```ts
 * import { afterWatermark, count, tumbling, windowAggregateEngine } from 'tidemark';
 * import { OperatorHarness, expectMarbles } from 'tidemark/testing';
 *
 * const early = (value: number) => ({ key: undefined, start: 0, end: 10, value, firing: 'early' as const });
 * const h = new OperatorHarness({ engine: windowAggregateEngine<string>({ window: tumbling(10), aggregate: count(), trigger: afterWatermark({ early: { every: 100 } }) }) });
 * h.pushMarbles('a@1 ~250 b@2 ~100');
 * expectMarbles(h, '~100 r@9 ~250 s@9', { r: early(1), s: early(2) }); // each pane fires 100 after it opened
 * ```
 * @throws Error when the stream does not match; MarbleSyntaxError when `expected` is not valid marbles;
 *   InvalidArgumentError when `expected` has waits and `actual` is a recording without times.
 */
export function expectMarbles<T>(actual: readonly Marble<T>[] | Recording<T>, expected: string, values?: Readonly<Record<string, T>>): void {
  const parsed = parseMarbleTokens(expected, values);
  const timed = parsed.some((t) => t.marble.kind === 'wait');
  const tokens = timed ? mergeWaits(parsed, (t) => t.marble, (t, duration) => ({ ...t, marble: { kind: 'wait' as const, duration } })) : parsed;
  const got = timed
    ? mergeWaits(toTimedMarbleList(actual, 'expectMarbles'), (m) => m, (_, duration): Marble<T> => ({ kind: 'wait', duration }))
    : toMarbleList(actual).filter((m) => m.kind !== 'wait');
  const name = namer(values);
  const fmt = (ms: readonly Marble<T>[]) => ms.map((m) => formatMarble(m, name)).join(' ');
  const problem = firstDifference(tokens.map((t) => ({ marble: t.marble, group: t.group })), got, fmt);
  if (problem === undefined) return;
  throw new Error(`expectMarbles: the output does not match\n  expected: ${expected.trim().replace(/\s+/g, ' ')}\n  actual:   ${fmt(got)}\n  ${problem}`);
}

/** Adds up adjacent waits and drops waits of 0, so that `~50 ~50` and `~100` compare equal. */
function mergeWaits<X, T>(items: readonly X[], marbleOf: (x: X) => Marble<T>, wait: (x: X, duration: number) => X): X[] {
  const out: X[] = [];
  let pending: X | undefined;
  let total = 0;
  for (const x of items) {
    const m = marbleOf(x);
    if (m.kind === 'wait') {
      pending ??= x;
      total += m.duration;
      continue;
    }
    if (pending !== undefined && total > 0) out.push(wait(pending, total));
    pending = undefined;
    total = 0;
    out.push(x);
  }
  if (pending !== undefined && total > 0) out.push(wait(pending, total));
  return out;
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
