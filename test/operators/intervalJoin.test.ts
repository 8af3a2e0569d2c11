import { Subject, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  InvalidTimestampError,
  MemoryStateBackend,
  StateError,
  intervalJoin,
  intervalJoinEngine,
  type IntervalJoinConfig,
  type OuterJoin,
  type StateBackend,
  type StreamElement,
  type Timestamped,
} from 'tidemark';
import { TwoInputHarness } from 'tidemark/testing';
import { BACKENDS, currentBackend, runOn } from '../support/backends.js';
import { errorOf } from '../support/errorOf.js';
import { record } from '../support/record.js';
import { E, W, joined, row, stamped, twoInputContract, type Row, expectCreationError, expectRestoreContinues } from './internal/join/joinOperators.js';

/** Flink's test element: a time and the side it came from; every element has the same key. */
interface TestElem {
  readonly ts: number;
  readonly source: 'lhs' | 'rhs';
}
type Pair = readonly [number | undefined, number | undefined];

const API_FIELDS = { leftKey: (l: Row) => l.k, rightKey: (r: Row) => r.k };
const pairText = (l: Row | undefined, r: Row | undefined) => `${l === undefined ? '-' : `${l.k}${l.at}`}+${r === undefined ? '-' : `${r.k}${r.at}`}`;

/** `intervalJoin` over {@link Row}s, outputs `a1+a2` (a left row a@1 with a right row a@2; `-` for none). */
function rowJoin(bounds: { lowerBound: number; upperBound: number; outer?: OuterJoin }, extra: Partial<IntervalJoinConfig<Row, Row, string, string, OuterJoin | undefined>> = {}) {
  return (right: Parameters<typeof intervalJoin<Row, Row, string, string>>[0], more: object = {}) =>
    intervalJoin<Row, Row, string, string, OuterJoin | undefined>(right, { ...API_FIELDS, ...bounds, select: pairText, state: currentBackend(), ...extra, ...more });
}

/** A harness of the engine as Flink's tests set it up: `(lower, lowerInclusive, upper, upperInclusive)`, late rows recorded. */
function flinkHarness(lower: number, lowerInclusive: boolean, upper: number, upperInclusive: boolean, backend: StateBackend = currentBackend()?.() ?? new MemoryStateBackend(), snapshot?: ReturnType<TwoInputHarness<TestElem, TestElem, Pair>['snapshot']>) {
  const h = new TwoInputHarness<TestElem, TestElem, Pair>(
    {
      engine: (ctx) =>
        intervalJoinEngine<TestElem, TestElem, string, Pair>({
          leftKey: () => 'key',
          rightKey: () => 'key',
          lowerBound: lower,
          upperBound: upper,
          lowerBoundExclusive: !lowerInclusive,
          upperBoundExclusive: !upperInclusive,
          select: (l, r) => [l.ts, r.ts],
          lateLeft: ctx.lateLeft,
          lateRight: ctx.lateRight,
          state: () => backend,
        })(),
    },
    snapshot === undefined ? {} : { snapshot },
  );
  // The inputs' watermarks: the buffers hold rows whose cleanup time the combined one has reached until they are swept.
  let wm1 = -Infinity;
  let wm2 = -Infinity;
  const builder = {
    h,
    backend,
    e1: (ts: number) => (h.left.pushEvent({ ts, source: 'lhs' }, ts), builder),
    e2: (ts: number) => (h.right.pushEvent({ ts, source: 'rhs' }, ts), builder),
    w1: (ts: number) => (h.left.pushWatermark(ts), (wm1 = ts), builder),
    w2: (ts: number) => (h.right.pushWatermark(ts), (wm2 = ts), builder),
    /** Flink's processElementsAndWatermarks: each side's elements with a watermark after each, one side first. */
    elementsAndWatermarks: (first: number, last: number, lhsFaster: boolean) => {
      const sides = lhsFaster ? [builder.e1, builder.e2] : [builder.e2, builder.e1];
      const marks = lhsFaster ? [builder.w1, builder.w2] : [builder.w2, builder.w1];
      for (const s of [0, 1]) for (let i = first; i <= last; i++) (sides[s]!(i), marks[s]!(i));
      return builder;
    },
    /**
     * The timestamps in the left (right) buffer: the rows after the slot's head, less those an
     * inner join has not dropped yet although cleaned (their cleanup time, Flink's `l + max(upper, 0)`
     * and `r + max(−lower, 0)`, reached by the watermark before the slot was last touched).
     */
    buffer: (side: 'left' | 'right') => {
      const slot = backend.table<string, number, { lt: number[]; lh: number; rt: number[]; rh: number; at: number }>('rows').get('key', 0);
      if (slot === undefined) return [];
      const wm = Math.min(wm1, wm2);
      const [times, head, life] = side === 'left' ? [slot.lt, slot.lh, Math.max(upper, 0)] : [slot.rt, slot.rh, Math.max(-lower, 0)];
      return [...new Set(times.slice(head).filter((t) => slot.at === wm || t + life > wm))];
    },
  };
  return builder;
}

/** Flink's `streamRecordOf(l, r)`: the pair, at the later of the two times. */
const rec = (l: number, r: number): Timestamped<Pair> => E([l, r] as const, Math.max(l, r));
const sortedEvents = (output: readonly StreamElement<Pair>[]) =>
  output.filter((e): e is Timestamped<Pair> => e.kind === 'event').sort((a, b) => a.value[0]! - b.value[0]! || a.value[1]! - b.value[1]!);
const expectRecords = (output: readonly StreamElement<Pair>[], ...expected: Timestamped<Pair>[]) => expect(sortedEvents(output)).toEqual(sortedEvents(expected));

describe.each(BACKENDS)('intervalJoin on the %s', (_backend, backend) => {
  runOn(backend);

  describe('the stream contract of a two-input operator', () => {
    twoInputContract(rowJoin({ lowerBound: 0, upperBound: 0 }), E('a1+a1', 1));
  });

  describe('pairs', () => {
    it('many rows: each pair as soon as its second row arrives, at max(l.ts, r.ts), partners in ascending time', () => {
      // The doc comment's diagram: lowerBound −1, upperBound 2.
      const j = joined(rowJoin({ lowerBound: -1, upperBound: 2 }));
      j.left.next(E(row('a@5'), 5));
      for (const r of ['a@3', 'a@4', 'a@7', 'a@8']) j.right.next(E(row(r), row(r).at));
      j.left.next(W(9));
      j.right.next(W(9));
      expect(j.get().out).toEqual([E('a5+a4', 5), E('a5+a7', 7), W(9)]);
    });

    it('a new row meets the buffered partners in ascending time, ties in arrival order; other keys never pair', () => {
      const j = joined(rowJoin({ lowerBound: -5, upperBound: 5 }));
      for (const r of ['a@4', 'b@3', 'a@2', 'a@4']) j.right.next(E({ ...row(r), k: r[0]! }, row(r).at));
      j.left.next(E(row('a@3'), 3));
      expect(j.get().out).toEqual([E('a3+a2', 3), E('a3+a4', 4), E('a3+a4', 4)]);
    });

    it('out of order within the bound: the same pairs whichever input and row comes first', () => {
      const rows = { left: ['a@6', 'a@2', 'a@4'], right: ['a@5', 'a@1', 'a@3'] };
      const run = (leftFirst: boolean, reverse: boolean) => {
        const j = joined(rowJoin({ lowerBound: -1, upperBound: 1 }));
        const order = (xs: string[]) => (reverse ? [...xs].reverse() : xs);
        const feed = (s: Subject<StreamElement<Row>>, xs: string[]) => order(xs).forEach((x) => s.next(E(row(x), row(x).at)));
        if (leftFirst) (feed(j.left, rows.left), feed(j.right, rows.right));
        else (feed(j.right, rows.right), feed(j.left, rows.left));
        j.left.complete();
        j.right.complete();
        return j.get().out.map((e) => (e.kind === 'event' ? `${e.value}@${e.timestamp}` : 'W')).sort();
      };
      const expected = ['W', 'a2+a1@2', 'a2+a3@3', 'a4+a3@4', 'a4+a5@5', 'a6+a5@6'];
      for (const leftFirst of [true, false]) for (const reverse of [true, false]) expect(run(leftFirst, reverse)).toEqual(expected);
    });

    it('boundary timestamps: inclusive bounds pair at exactly l + lowerBound and l + upperBound, exclusive ones do not', () => {
      const pairs = (lowerBoundExclusive: boolean, upperBoundExclusive: boolean) => {
        const j = joined(rowJoin({ lowerBound: -2, upperBound: 3 }, { lowerBoundExclusive, upperBoundExclusive }));
        j.left.next(E(row('a@10'), 10));
        for (const t of [7, 8, 9, 12, 13, 14]) j.right.next(E(row(`a@${t}`), t));
        return j.get().out.map((e) => (e.kind === 'event' ? e.value : ''));
      };
      expect(pairs(false, false)).toEqual(['a10+a8', 'a10+a9', 'a10+a12', 'a10+a13']);
      expect(pairs(true, false)).toEqual(['a10+a9', 'a10+a12', 'a10+a13']);
      expect(pairs(false, true)).toEqual(['a10+a8', 'a10+a9', 'a10+a12']);
      expect(pairs(true, true)).toEqual(['a10+a9', 'a10+a12']);
    });

    it('exclusive bounds are strict inequalities in any unit, not an integer shift: fractional times', () => {
      const j = joined(rowJoin({ lowerBound: 0, upperBound: 1 }, { lowerBoundExclusive: true, upperBoundExclusive: true }));
      j.left.next(E(row('a@1'), 1));
      for (const t of [1, 1.001, 1.5, 1.999, 2]) j.right.next(E({ k: 'a', at: t }, t));
      expect(j.get().out.map((e) => (e.kind === 'event' ? e.timestamp : NaN))).toEqual([1.001, 1.5, 1.999]);
    });
  });

  describe('late rows', () => {
    it('a row below the combined watermark is late: routed to lateLeft/lateRight, never joined; one at the watermark is not', () => {
      const lateLeft: Timestamped<Row>[] = [];
      const lateRight: Timestamped<Row>[] = [];
      const join = rowJoin({ lowerBound: -10, upperBound: 10 }, { lateLeft: (e) => lateLeft.push(e), lateRight: { next: (e) => lateRight.push(e) } });
      const j = joined(join);
      j.left.next(E(row('a@5'), 5));
      j.left.next(W(6));
      j.right.next(W(6));
      const late = E(row('a@5'), 5);
      j.left.next(late);
      j.right.next(E(row('a@4'), 4));
      j.right.next(E(row('a@6'), 6)); // at the watermark: not late (Flink's ts < watermark)
      expect(j.get().out).toEqual([W(6), E('a5+a6', 6)]);
      expect(lateLeft).toEqual([late]);
      expect(lateRight).toEqual([E(row('a@4'), 4)]);
    });

    it('without late routes, late rows are dropped and counted in metrics', () => {
      const op = rowJoin({ lowerBound: 0, upperBound: 1 })(stamped(from([row('a@1'), row('a@9'), row('a@2')])));
      const r = record(stamped(from([row('a@8'), row('a@0'), row('a@9')])).pipe(op));
      expect(r.get().out.filter((e) => e.kind === 'event')).toEqual([E('a8+a9', 9), E('a9+a9', 9)]);
      // The right input (subscribed first) runs to its end before the left starts: its rows are
      // buffered, none late. Then the left's watermark is the join's: a@0 comes after W7, late.
      expect(op.metrics).toEqual({ lateLeft: 1, lateRight: 0, droppedLateLeft: 1, droppedLateRight: 0 });
    });
  });

  describe('outer joins', () => {
    it("an unmatched row is emitted when it is cleaned up, at its cleanup time, before the watermark that cleaned it — never earlier", () => {
      const j = joined(rowJoin({ lowerBound: -1, upperBound: 2, outer: 'full' }));
      j.left.next(E(row('a@5'), 5)); // cleanup at 5 + 2 = 7
      j.right.next(E(row('b@3'), 3)); // cleanup at 3 + 1 = 4
      j.right.next(W(6));
      j.left.next(W(6));
      expect(j.get().out).toEqual([E('-+b3', 4), W(6)]);
      j.left.next(W(7));
      j.right.next(W(6.5));
      expect(j.get().out.slice(2)).toEqual([W(6.5)]); // a@5 could still meet a right row at 6.5..7
      j.right.next(E(row('a@7'), 7));
      j.right.next(W(7));
      expect(j.get().out.slice(3)).toEqual([E('a5+a7', 7), W(7)]);
      j.right.next(W(8));
      j.left.next(W(8)); // a@7 (right) matched: nothing at its cleanup time 8
      expect(j.get().out.slice(5)).toEqual([W(8)]);
    });

    it.each([
      ['left', ['a1+-@4']],
      ['right', ['-+b2@3']],
      ['full', ['-+b2@3', 'a1+-@4']],
    ] as const)("outer '%s' emits the unmatched rows of that side, select(l, undefined) / select(undefined, r)", (outer, expected) => {
      const r = record(stamped(from([row('a@1')])).pipe(rowJoin({ lowerBound: -1, upperBound: 3, outer })(stamped(from([row('b@2')])))));
      expect(r.get().out.map((e) => (e.kind === 'event' ? `${e.value}@${e.timestamp}` : `W${e.kind === 'watermark' ? e.timestamp : ''}`))).toEqual(['W0', ...expected, 'WInfinity']);
    });

    it('an outer row at the same cleanup time on both sides: the left row first', () => {
      const j = joined(rowJoin({ lowerBound: -2, upperBound: 2, outer: 'full' }));
      j.left.next(E(row('a@3'), 3));
      j.right.next(E(row('b@3'), 3));
      j.left.next(W(5));
      j.right.next(W(5));
      expect(j.get().out).toEqual([E('a3+-', 5), E('-+b3', 5), W(5)]);
    });
  });

  describe('errors', () => {
    it.each([
      ['leftKey', { leftKey: () => { throw new Error('leftKey boom'); } }, 'left'],
      ['rightKey', { rightKey: () => { throw new Error('rightKey boom'); } }, 'right'],
      ['select', { select: () => { throw new Error('select boom'); } }, 'right'],
    ] as const)('a throwing %s errors the stream with that very error and unsubscribes both inputs', (name, extra, side) => {
      const j = joined(rowJoin({ lowerBound: 0, upperBound: 5 }, extra as never));
      j.left.next(E(row('a@1'), 1));
      if (side === 'right') j.right.next(E(row('a@2'), 2));
      expect((j.get().error as Error).message).toBe(`${name} boom`);
      expect([j.left.observed, j.right.observed]).toEqual([false, false]);
    });

    const valid = { leftKey: (l: Row) => l.k, rightKey: (r: Row) => r.k, lowerBound: 0, upperBound: 5, select: pairText };
    it.each([
      ['lowerBound above upperBound', { lowerBound: 3, upperBound: 1 }, 'intervalJoin: lowerBound 3 is above upperBound 1', 'swap them'],
      ['an empty interval with an exclusive bound', { lowerBound: 2, upperBound: 2, upperBoundExclusive: true }, 'intervalJoin: lowerBound and upperBound are both 2', 'make both bounds inclusive'],
      ['a non-finite lowerBound', { lowerBound: -Infinity }, 'intervalJoin: lowerBound', 'Infinity'],
      ['a NaN upperBound', { upperBound: NaN }, 'intervalJoin: upperBound', 'NaN'],
      ['a string bound', { upperBound: '5' }, 'intervalJoin: upperBound', '"5"'],
      ['a leftKey that is not a function', { leftKey: 'id' }, 'intervalJoin: leftKey must be a function', '"id"'],
      ['a rightKey that is not a function', { rightKey: undefined }, 'intervalJoin: rightKey must be a function', 'undefined'],
      ['a select that is not a function', { select: null }, 'intervalJoin: select must be a function', 'null'],
      ['an unknown outer', { outer: 'outer' }, "intervalJoin: outer must be 'left', 'right' or 'full'", '"outer"'],
      ['a non-boolean exclusivity', { lowerBoundExclusive: 'yes' }, 'intervalJoin: lowerBoundExclusive must be true or false', '"yes"'],
      ['an empty id', { id: '' }, 'intervalJoin: id must be a non-empty string', '""'],
      ['a late route that is neither observer nor function', { lateLeft: 5 }, 'intervalJoin: lateLeft', '5'],
    ])('%s fails at creation with an InvalidArgumentError naming the operator, the value and the fix', (_what, bad, start, detail) => {
      const config = { ...valid, ...(bad as object) } as never;
      expectCreationError(() => intervalJoin(new Subject<StreamElement<Row>>(), config), () => intervalJoinEngine(config), start, detail);
    });

    it('a config given where the right input belongs is refused with the usage', () => {
      const error = errorOf(() => intervalJoin(valid as never, valid as never));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error.message).toContain('left$.pipe(intervalJoin(right$, config))');
    });

    it('a restore into another configuration or operator is refused with a StateError', () => {
      const h = flinkHarness(-1, true, 1, true).e1(1).h;
      const snapshot = h.snapshot();
      expect(errorOf(() => flinkHarness(-1, true, 2, true, undefined, snapshot))).toBeInstanceOf(StateError);
      expect(errorOf(() => flinkHarness(-1, true, 2, true, undefined, snapshot)).message).toContain('upperBound 1 but this operator has 2');
      expect(errorOf(() => flinkHarness(-1, true, 1, true, undefined, { operator: 'windowJoin', state: {} })).message).toContain('cannot restore a snapshot of "windowJoin"');
    });
  });

  describe("Flink's IntervalJoinOperatorTest cases", () => {
    describe.each([true, false])('lhs faster than rhs: %s', (lhsFaster) => {
      it('testImplementationMirrorsCorrectly', () => {
        expectRecords(flinkHarness(1, true, 3, false).elementsAndWatermarks(1, 4, lhsFaster).h.output, rec(1, 2), rec(1, 3), rec(2, 3), rec(2, 4), rec(3, 4));
        expectRecords(flinkHarness(-3, false, -1, true).elementsAndWatermarks(1, 4, lhsFaster).h.output, rec(2, 1), rec(3, 1), rec(3, 2), rec(4, 2), rec(4, 3));
      });

      it.each([
        ['testNegativeInclusiveAndNegativeInclusive', -2, true, -1, true, [[2, 1], [3, 1], [3, 2], [4, 2], [4, 3]]],
        ['testNegativeInclusiveAndPositiveInclusive', -1, true, 1, true, [[1, 1], [1, 2], [2, 1], [2, 2], [2, 3], [3, 2], [3, 3], [3, 4], [4, 3], [4, 4]]],
        ['testPositiveInclusiveAndPositiveInclusive', 1, true, 2, true, [[1, 2], [1, 3], [2, 3], [2, 4], [3, 4]]],
        ['testNegativeExclusiveAndNegativeExlusive', -3, false, -1, false, [[3, 1], [4, 2]]],
        ['testNegativeExclusiveAndPositiveExlusive', -1, false, 1, false, [[1, 1], [2, 2], [3, 3], [4, 4]]],
        ['testPositiveExclusiveAndPositiveExlusive', 1, false, 3, false, [[1, 3], [2, 4]]],
      ] as const)('%s', (_name, lower, lowerInclusive, upper, upperInclusive, expected) => {
        const b = flinkHarness(lower, lowerInclusive, upper, upperInclusive).elementsAndWatermarks(1, 4, lhsFaster);
        expectRecords(b.h.output, ...expected.map(([l, r]) => rec(l, r)));
        expect([b.h.lateLeft, b.h.lateRight]).toEqual([[], []]); // noLateRecords
      });

      it('testReturnsCorrectTimestamp: every pair at max(l.ts, r.ts)', () => {
        const out = flinkHarness(-1, true, 1, true).elementsAndWatermarks(1, 4, lhsFaster).h.events();
        expect(out.length).toBe(10);
        for (const e of out) expect(e.timestamp).toBe(Math.max(e.value[0]!, e.value[1]!));
      });

      it('testFailsWithNoTimestampsLeft / Right: an element without a timestamp fails', () => {
        const b = flinkHarness(0, true, 0, true);
        expect(errorOf(() => b.h.left.push({ kind: 'event', value: { ts: 0, source: 'lhs' }, timestamp: undefined as never }))).toBeInstanceOf(InvalidTimestampError);
        const c = flinkHarness(0, true, 0, true);
        expect(errorOf(() => c.h.right.push({ kind: 'event', value: { ts: 0, source: 'rhs' }, timestamp: undefined as never }))).toBeInstanceOf(InvalidTimestampError);
      });

      it('testDiscardsLateData: a late element is not joined again, and without a late output it is dropped', () => {
        const backend = currentBackend()?.() ?? new MemoryStateBackend();
        const metricsOp = intervalJoinEngine<TestElem, TestElem, string, Pair>({ leftKey: () => 'key', rightKey: () => 'key', lowerBound: -1, upperBound: 1, select: (l, r) => [l.ts, r.ts], state: () => backend });
        const h = new TwoInputHarness<TestElem, TestElem, Pair>({ engine: () => metricsOp() });
        const e = (side: 'left' | 'right', ts: number) => (side === 'left' ? h.left : h.right).pushEvent({ ts, source: side === 'left' ? 'lhs' : 'rhs' }, ts);
        for (const ts of [1, 2, 3]) (e('left', ts), e('right', ts));
        h.left.pushWatermark(3);
        h.right.pushWatermark(3);
        e('left', 1); // late: not joined again
        for (const ts of [4, 5]) (e('left', ts), e('right', ts));
        expectRecords(h.output, rec(1, 1), rec(1, 2), rec(2, 1), rec(2, 2), rec(2, 3), rec(3, 2), rec(3, 3), rec(3, 4), rec(4, 3), rec(4, 4), rec(4, 5), rec(5, 4), rec(5, 5));
        expect([h.lateLeft, h.lateRight]).toEqual([[], []]);
      });

      it('testLateData: late elements of each side go to its late output', () => {
        const b = flinkHarness(-1, true, 1, true).e1(3).e2(3).w1(3).w2(3).e1(4).e2(4).e1(1).e2(2).e1(5).e2(5);
        expectRecords(b.h.output, rec(3, 3), rec(3, 4), rec(4, 3), rec(4, 4), rec(4, 5), rec(5, 4), rec(5, 5));
        expect(b.h.lateLeft).toEqual([E({ ts: 1, source: 'lhs' }, 1)]);
        expect(b.h.lateRight).toEqual([E({ ts: 2, source: 'rhs' }, 2)]);
      });
    });

    /** Fills both buffers with 1..5, then sets the common watermark to 1, 4 and 6, returning the buffers after each. */
    const cleanup = (lower: number, lowerInclusive: boolean, upper: number, upperInclusive: boolean) => {
      const b = flinkHarness(lower, lowerInclusive, upper, upperInclusive);
      for (const t of [1, 2, 3, 4, 5]) b.e1(t);
      for (const t of [1, 2, 3, 4, 5]) b.e2(t);
      return [1, 4, 6].map((w) => (b.w1(w).w2(w), [b.buffer('left'), b.buffer('right')]));
    };

    it.each([
      ['testStateCleanupNegativeInclusiveNegativeInclusive', -1, true, 0, true],
      ['testStateCleanupPositiveInclusivePositiveInclusive', 0, true, 1, true],
    ] as const)('%s: buffers cleaned at the watermark exactly as Flink', (_name, lower, li, upper, ui) => {
      const expected =
        lower === -1
          ? [[[2, 3, 4, 5], [1, 2, 3, 4, 5]], [[5], [4, 5]], [[], []]]
          : [[[1, 2, 3, 4, 5], [2, 3, 4, 5]], [[4, 5], [5]], [[], []]];
      expect(cleanup(lower, li, upper, ui)).toEqual(expected);
    });

    it('an inner join whose keys each see one row per side does not keep their slots: the sweep drops them, the state stays bounded', () => {
      // Every key a new one (an order and its shipment): no key is touched again, so only the
      // sweep can drop the cleaned slots. It once paced itself by the slots held, and never ran.
      const backend = currentBackend()?.() ?? new MemoryStateBackend();
      const h = new TwoInputHarness<Row, Row, string>({
        engine: () => intervalJoinEngine<Row, Row, string, string>({ ...API_FIELDS, lowerBound: 0, upperBound: 2, select: pairText, state: () => backend })(),
      });
      const held: number[] = [];
      for (let t = 0; t < 20_000; t++) {
        h.left.pushEvent({ k: `k${t}`, at: t }, t).pushWatermark(t);
        h.right.pushEvent({ k: `k${t}`, at: t }, t).pushWatermark(t);
        if (t % 1_000 === 999) held.push(backend.snapshot().tables['rows']?.[0]?.[1].length ?? 0);
      }
      expect(h.output.filter((e) => e.kind === 'event')).toHaveLength(20_000);
      // At most the live slots (rows of the last 2 ms) and the 64 rows' worth before a sweep.
      expect(Math.max(...held)).toBeLessThanOrEqual(2 + 64);
    });

    it('a cleaned row never pairs, though an inner join drops it only when its key is next touched', () => {
      // Bounds [−1, 0]: a left row's cleanup time is its own, a right row's one later. At W4 the
      // left rows 1–4 are cleaned (the buffer above: [5]); a right row at 4, not late, meets only 5.
      const b = flinkHarness(-1, true, 0, true);
      for (const t of [1, 2, 3, 4, 5]) b.e1(t);
      b.w1(4).w2(4).e2(4);
      expect(sortedEvents(b.h.output)).toEqual([rec(5, 4)]);
      // A left row at the watermark, buffered after it advanced, lives until the next advance (as a
      // Flink timer registered at the current watermark fires at the next one): it meets the right
      // row at 4 (cleaned at 5), and so does the next right row at 4.
      b.e1(4).e2(4);
      expect(sortedEvents(b.h.output)).toEqual(sortedEvents([rec(5, 4), rec(4, 4), rec(4, 4), rec(5, 4)]));
      // At W5 the left row 5 is cleaned too: a right row at 5 meets nothing; a left row at 5 meets
      // that right row only (the right rows at 4 are cleaned at 5).
      const before = b.h.output.length;
      b.w1(5).w2(5).e2(5);
      expect(sortedEvents(b.h.output.slice(before))).toEqual([]);
      b.e1(5);
      expect(sortedEvents(b.h.output.slice(before))).toEqual([rec(5, 5)]);
    });

    // Flink turns an exclusive integer bound into an inclusive one shifted by 1 (−2 exclusive is −1
    // inclusive) and cleans up by the shifted bound. tidemark's exclusive bounds are strict
    // inequalities in any unit, so rows stay until the unshifted cleanup time (DESIGN §4): here
    // one tick longer than in Flink's expectations, and each of them could still pair.
    it('testStateCleanupNegativePositiveNegativeExlusive (-2 exclusive, 1 exclusive): cleaned at the unshifted cleanup times', () => {
      // left at l + 1, right at r + 2
      expect(cleanup(-2, false, 1, false)).toEqual([
        [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5]],
        [[4, 5], [3, 4, 5]],
        [[], [5]], // a left row at 6 (not late at W6) still pairs with the right row at 5: 6 − 2 < 5 < 6 + 1
      ]);
    });

    it('testStateCleanupPositiveExlusivePositiveExclusive (-1 exclusive, 2 exclusive): cleaned at the unshifted cleanup times', () => {
      // left at l + 2, right at r + 1
      expect(cleanup(-1, false, 2, false)).toEqual([
        [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5]],
        [[3, 4, 5], [4, 5]],
        [[5], []],
      ]);
    });

    it('testRestoreFromSnapshot: a restored engine goes on joining with the buffered rows', () => {
      const first = flinkHarness(-1, true, 1, true);
      first.e1(1).w1(1).e2(1).w2(1).e1(2).w1(2).e2(2).w2(2).e1(3).w1(3).e2(3).w2(3);
      const snapshot = first.h.snapshot();
      expectRecords(first.h.output, rec(1, 1), rec(1, 2), rec(2, 1), rec(2, 2), rec(2, 3), rec(3, 2), rec(3, 3));
      expect([first.h.lateLeft, first.h.lateRight]).toEqual([[], []]);
      const second = flinkHarness(-1, true, 1, true, undefined, snapshot);
      second.e1(4).w1(4).e2(4).w2(4);
      expectRecords(second.h.output, rec(3, 4), rec(4, 3), rec(4, 4));
      expect([second.h.lateLeft, second.h.lateRight]).toEqual([[], []]);
      // And the rest equals an uninterrupted run.
      const whole = flinkHarness(-1, true, 1, true);
      whole.e1(1).w1(1).e2(1).w2(1).e1(2).w1(2).e2(2).w2(2).e1(3).w1(3).e2(3).w2(3).e1(4).w1(4).e2(4).w2(4);
      expect([...first.h.output, ...second.h.output]).toEqual(whole.h.output);
    });
  });

  describe('snapshots', () => {
    it('snapshot → restore mid-stream, outer rows and late state included, equals an uninterrupted run', () => {
      const make = intervalJoinEngine<Row, Row, string, string, 'full'>({ ...API_FIELDS, lowerBound: -2, upperBound: 3, outer: 'full', select: pairText, state: currentBackend() });
      const feed = (h: TwoInputHarness<Row, Row, string>, part: 0 | 1) => {
        if (part === 0) {
          h.left.pushEvent(row('a@1'), 1).pushEvent(row('b@4'), 4).pushWatermark(3);
          h.right.pushEvent(row('a@2'), 2).pushEvent(row('c@3'), 3).pushWatermark(2);
        } else {
          h.right.pushEvent(row('b@6'), 6).pushWatermark(6);
          h.left.pushEvent(row('a@3'), 3).pushWatermark(9).complete();
          h.right.complete();
        }
      };
      const whole = expectRestoreContinues(make, feed);
      expect(whole.events().length).toBeGreaterThan(3);
      expect(whole.completed).toBe(true);
    });
  });
});
