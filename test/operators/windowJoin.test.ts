import { Subject, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  StateError,
  session,
  sliding,
  tumbling,
  windowJoin,
  windowJoinEngine,
  type JoinWindow,
  type StreamElement,
  type Timestamped,
  type WindowAssigner,
  type WindowJoinConfig,
} from 'tidemark';
import { TwoInputHarness } from 'tidemark/testing';
import { BACKENDS, currentBackend, runOn } from '../support/backends.js';
import { errorOf } from '../support/errorOf.js';
import { record } from '../support/record.js';
import { E, W, joined, row, stamped, twoInputContract, type Row, expectCreationError, expectRestoreContinues } from './internal/join/joinOperators.js';

const text = (l: Row, r: Row, w: JoinWindow) => `${l.k}${l.at}+${r.k}${r.at}[${w.start},${w.end})`;

function rowJoin(window: WindowAssigner, extra: Partial<WindowJoinConfig<Row, Row, string, string>> = {}) {
  return (right: Parameters<typeof windowJoin<Row, Row, string, string>>[0], more: object = {}) =>
    windowJoin<Row, Row, string, string>(right, { window, leftKey: (l) => l.k, rightKey: (r) => r.k, select: text, state: currentBackend(), ...extra, ...more });
}

const engine = (window: WindowAssigner, extra: Partial<WindowJoinConfig<Row, Row, string, string>> = {}) =>
  windowJoinEngine<Row, Row, string, string>({ window, leftKey: (l) => l.k, rightKey: (r) => r.k, select: text, state: currentBackend(), ...extra });

const ev = (j: { left: Subject<StreamElement<Row>>; right: Subject<StreamElement<Row>> }, side: 'left' | 'right', ...rows: string[]) => {
  for (const r of rows) j[side].next(E(row(r), row(r).at));
};
const both = (j: { left: Subject<StreamElement<Row>>; right: Subject<StreamElement<Row>> }, w: number) => (j.left.next(W(w)), j.right.next(W(w)));

describe.each(BACKENDS)('windowJoin on the %s', (_backend, backend) => {
  runOn(backend);

  describe('the stream contract of a two-input operator', () => {
    twoInputContract(rowJoin(tumbling(10)), E('a1+a1[0,10)', 9));
  });

  describe('pairs per window', () => {
    it("the doc comment's diagram: every pair of a key's rows in a window, at end − 1, before the watermark that fired it", () => {
      const j = joined(rowJoin(tumbling(10)));
      ev(j, 'left', 'a@1', 'a@7');
      ev(j, 'right', 'a@3', 'a@9');
      both(j, 9);
      ev(j, 'right', 'a@11');
      ev(j, 'left', 'a@12');
      both(j, 19);
      expect(j.get().out).toEqual([
        E('a1+a3[0,10)', 9),
        E('a1+a9[0,10)', 9),
        E('a7+a3[0,10)', 9),
        E('a7+a9[0,10)', 9),
        W(9),
        E('a12+a11[10,20)', 19),
        W(19),
      ]);
    });

    it('fires windows in order of end; keys in the order they first appeared in the window; other keys never pair', () => {
      const j = joined(rowJoin(tumbling(10)));
      ev(j, 'right', 'b@14', 'a@2', 'b@3');
      ev(j, 'left', 'b@1', 'a@5', 'b@12', 'c@4');
      both(j, 25);
      expect(j.get().out).toEqual([E('a5+a2[0,10)', 9), E('b1+b3[0,10)', 9), E('b12+b14[10,20)', 19), W(25)]); // a before b in [0,10): a@2 came before b@3
    });

    it('sliding windows: a pair is emitted in every window that holds both rows', () => {
      const j = joined(rowJoin(sliding(10, 5)));
      ev(j, 'left', 'a@6');
      ev(j, 'right', 'a@8', 'a@12');
      both(j, 30);
      expect(j.get().out).toEqual([E('a6+a8[0,10)', 9), E('a6+a8[5,15)', 14), E('a6+a12[5,15)', 14), W(30)]);
    });

    it('a slide larger than the size: a row in a gap between windows joins nothing and is not late', () => {
      const op = rowJoin(sliding(5, 10))(stamped(from([row('a@2'), row('a@7')])));
      const r = record(stamped(from([row('a@3'), row('a@8')])).pipe(op)); // a@7 and a@8 fall between [0,5) and [10,15)
      expect(r.get().out.filter((e) => e.kind === 'event')).toEqual([E('a3+a2[0,5)', 4)]);
      expect(op.metrics.lateLeft + op.metrics.lateRight).toBe(0);
    });

    it('negative times and an offset: windows start at t − ((t − offset) mod size), a true modulo', () => {
      const j = joined(rowJoin(tumbling(10, 3)));
      ev(j, 'left', 'a@-8', 'a@-6'); // in [-17,-7) and [-7,3)
      ev(j, 'right', 'a@-17', 'a@-7', 'a@2', 'a@3'); // [-17,-7), [-7,3) twice, [3,13)
      both(j, 20);
      expect(j.get().out).toEqual([E('a-8+a-17[-17,-7)', -8), E('a-6+a-7[-7,3)', 2), E('a-6+a2[-7,3)', 2), W(20)]);
    });

    it('boundary timestamps: a row at end − 1 is in the window, one at end in the next; the window fires at W(end − 1), not W(end − 2)', () => {
      const j = joined(rowJoin(tumbling(10)));
      ev(j, 'left', 'a@9', 'a@10');
      ev(j, 'right', 'a@0', 'a@10');
      both(j, 8);
      expect(j.get().out).toEqual([W(8)]);
      both(j, 9);
      expect(j.get().out).toEqual([W(8), E('a9+a0[0,10)', 9), W(9)]);
      both(j, 19);
      expect(j.get().out.slice(3)).toEqual([E('a10+a10[10,20)', 19), W(19)]);
    });

    it('out of order within the bound: the same output for any arrival order before the window fires', () => {
      const rows = { left: ['a@1', 'a@6', 'b@4'], right: ['b@9', 'a@3', 'a@8'] };
      const run = (perm: (xs: string[]) => string[], leftFirst: boolean) => {
        const j = joined(rowJoin(tumbling(10)));
        if (leftFirst) (ev(j, 'left', ...perm(rows.left)), ev(j, 'right', ...perm(rows.right)));
        else (ev(j, 'right', ...perm(rows.right)), ev(j, 'left', ...perm(rows.left)));
        both(j, 9);
        return j.get().out.map((e) => (e.kind === 'event' ? e.value : 'W')).sort();
      };
      const expected = run((xs) => xs, true);
      expect(expected).toHaveLength(6);
      for (const leftFirst of [true, false]) for (const perm of [(xs: string[]) => [...xs].reverse(), (xs: string[]) => [xs[1]!, xs[2]!, xs[0]!]]) expect(run(perm, leftFirst)).toEqual(expected);
    });
  });

  describe('late rows and allowed lateness', () => {
    it('a row whose every window has fired is late: routed to lateLeft/lateRight; a row with one open window still joins', () => {
      const lateLeft: Timestamped<Row>[] = [];
      const lateRight: Timestamped<Row>[] = [];
      const j = joined(rowJoin(sliding(10, 5), { lateLeft: (e) => lateLeft.push(e), lateRight: (e) => lateRight.push(e) }));
      both(j, 9); // [0,10) fired; [5,15) open
      ev(j, 'left', 'a@3', 'a@7'); // a@3: only in [-5,5) and [0,10): late; a@7 in [5,15)
      ev(j, 'right', 'a@4', 'a@8');
      both(j, 14);
      expect(j.get().out).toEqual([W(9), E('a7+a8[5,15)', 14), W(14)]);
      expect(lateLeft).toEqual([E(row('a@3'), 3)]);
      expect(lateRight).toEqual([E(row('a@4'), 4)]);
    });

    it('without late routes, late rows are dropped and counted in metrics', () => {
      const right = new Subject<StreamElement<Row>>();
      const op = rowJoin(tumbling(10))(right);
      const left = new Subject<StreamElement<Row>>();
      const r = record(left.pipe(op));
      left.next(W(20));
      right.next(W(20));
      left.next(E(row('a@19'), 19));
      right.next(E(row('a@12'), 12));
      expect(r.get().out).toEqual([W(20)]);
      expect(op.metrics).toEqual({ lateLeft: 1, lateRight: 1, droppedLateLeft: 1, droppedLateRight: 1 });
    });

    it('within allowedLateness a row joins the rows of its fired window at once (each pair once); past it the window is gone', () => {
      const j = joined(rowJoin(tumbling(10), { allowedLateness: 5 }));
      ev(j, 'left', 'a@1');
      ev(j, 'right', 'a@2');
      both(j, 9);
      ev(j, 'right', 'a@3'); // late firing: its pair with a@1 only
      ev(j, 'left', 'a@4'); // its pairs with a@2 and a@3
      expect(j.get().out).toEqual([E('a1+a2[0,10)', 9), W(9), E('a1+a3[0,10)', 9), E('a4+a2[0,10)', 9), E('a4+a3[0,10)', 9)]);
      both(j, 13);
      ev(j, 'left', 'a@5'); // 9 + 5 > 13: still within the lateness
      expect(j.get().out.slice(5)).toEqual([W(13), E('a5+a2[0,10)', 9), E('a5+a3[0,10)', 9)]);
      both(j, 14); // 9 + 5 <= 14: purged
      ev(j, 'right', 'a@6');
      expect(j.get().out.slice(8)).toEqual([W(14)]);
    });
  });

  describe('errors', () => {
    it.each([
      ['leftKey', { leftKey: () => { throw new Error('leftKey boom'); } }, 'left'],
      ['rightKey', { rightKey: () => { throw new Error('rightKey boom'); } }, 'right'],
      ['select', { select: () => { throw new Error('select boom'); } }, 'fire'],
    ] as const)('a throwing %s errors the stream with that very error and unsubscribes both inputs', (name, extra, when) => {
      const j = joined(rowJoin(tumbling(10), extra as never));
      if (when === 'left') ev(j, 'left', 'a@1');
      if (when === 'right') ev(j, 'right', 'a@1');
      if (when === 'fire') (ev(j, 'left', 'a@1'), ev(j, 'right', 'a@1'), both(j, 9));
      expect((j.get().error as Error).message).toBe(`${name} boom`);
      expect([j.left.observed, j.right.observed]).toEqual([false, false]);
    });

    const valid = { window: tumbling(10), leftKey: (l: Row) => l.k, rightKey: (r: Row) => r.k, select: text };
    it.each([
      ['session windows', { window: session(5) }, 'windowJoin: session windows are not supported', 'intervalJoin'],
      ['no window', { window: undefined }, 'windowJoin: window', 'undefined'],
      ['a leftKey that is not a function', { leftKey: 'k' }, 'windowJoin: leftKey must be a function', '"k"'],
      ['a rightKey that is not a function', { rightKey: 3 }, 'windowJoin: rightKey must be a function', '3'],
      ['a select that is not a function', { select: {} }, 'windowJoin: select must be a function', '(left, right, window)'],
      ['a negative allowedLateness', { allowedLateness: -1 }, 'windowJoin: allowedLateness', '-1'],
      ['a non-finite allowedLateness', { allowedLateness: NaN }, 'windowJoin: allowedLateness', 'NaN'],
      ['an id that is not a string', { id: 7 }, 'windowJoin: id must be a non-empty string', '7'],
    ])('%s fails at creation with an InvalidArgumentError naming the operator, the value and the fix', (_what, bad, start, detail) => {
      const config = { ...valid, ...(bad as object) } as never;
      expectCreationError(() => windowJoin(new Subject<StreamElement<Row>>(), config), () => windowJoinEngine(config), start, detail);
    });

    it('a restore into another window is refused with a StateError', () => {
      const h = new TwoInputHarness<Row, Row, string>({ engine: () => engine(tumbling(10))() });
      h.left.pushEvent(row('a@1'), 1);
      const snapshot = h.snapshot();
      const error = errorOf(() => new TwoInputHarness<Row, Row, string>({ engine: () => engine(tumbling(20))() }, { snapshot }));
      expect(error).toBeInstanceOf(StateError);
      expect(error.message).toContain('windowJoin: the snapshot was taken with window');
    });
  });

  describe('snapshots', () => {
    it('snapshot → restore with open, fired-within-lateness and late state equals an uninterrupted run', () => {
      const make = engine(sliding(10, 5), { allowedLateness: 3 });
      const feed = (h: TwoInputHarness<Row, Row, string>, part: 0 | 1) => {
        if (part === 0) {
          h.left.pushEvent(row('a@1'), 1).pushEvent(row('b@7'), 7).pushWatermark(9);
          h.right.pushEvent(row('a@4'), 4).pushEvent(row('b@12'), 12).pushWatermark(9);
        } else {
          h.right.pushEvent(row('a@8'), 8).pushEvent(row('b@9'), 9).pushWatermark(16);
          h.left.pushEvent(row('b@13'), 13).pushEvent(row('a@2'), 2).complete();
          h.right.complete();
        }
      };
      const whole = expectRestoreContinues(make, feed);
      expect(whole.events().length).toBeGreaterThan(4);
    });
  });
});
