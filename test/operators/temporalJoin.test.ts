import { Subject, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  IDLE,
  MemoryStateBackend,
  StateError,
  boundedOutOfOrderness,
  temporalJoin,
  temporalJoinEngine,
  values,
  withEventTime,
  type StateBackend,
  type StreamElement,
  type TemporalJoinConfig,
  type Timestamped,
} from 'tidemark';
import { TwoInputHarness } from 'tidemark/testing';
import { BACKENDS, currentBackend, runOn } from '../support/backends.js';
import { errorOf } from '../support/errorOf.js';
import { record } from '../support/record.js';
import { E, W, joined, row, twoInputContract, type Row, expectCreationError, expectRestoreContinues } from './internal/join/joinOperators.js';

/** A table row: a key, a time, and `del` for a delete. */
type TableRow = Row & { readonly del?: boolean };
const text = (e: Row, r: Row | undefined) => `${e.k}${e.at}:${r === undefined ? '-' : `${r.k}${r.at}`}`;
type Config = Partial<TemporalJoinConfig<Row, TableRow, string, string, 'left' | undefined>>;

function rowJoin(extra: Config = {}) {
  return (table: Parameters<typeof temporalJoin<Row, TableRow, string, string>>[0], more: object = {}) =>
    temporalJoin<Row, TableRow, string, string, 'left' | undefined>(table, { key: (e) => e.k, tableKey: (r) => r.k, select: text, isDelete: (r) => r.del === true, state: currentBackend(), ...extra, ...more });
}

const engine = (extra: Config = {}) =>
  temporalJoinEngine<Row, TableRow, string, string, 'left' | undefined>({ key: (e) => e.k, tableKey: (r) => r.k, select: text, isDelete: (r) => r.del === true, state: currentBackend(), ...extra });

const ev = (s: Subject<StreamElement<Row>>, ...rows: string[]) => {
  for (const r of rows) s.next(E(row(r), row(r).at));
};
const del = (s: Subject<StreamElement<Row>>, r: string) => s.next(E({ ...row(r), del: true }, row(r).at));
const eventsOf = (out: readonly StreamElement<string>[]) => out.filter((e) => e.kind === 'event').map((e) => `${(e as Timestamped<string>).value}@${(e as Timestamped<string>).timestamp}`);

describe.each(BACKENDS)('temporalJoin on the %s', (_backend, backend) => {
  runOn(backend);

  describe('the stream contract of a two-input operator', () => {
    twoInputContract(rowJoin(), E('a1:a1', 1));
  });

  describe('the as-of rule', () => {
    it("the doc comment's diagram: each event gets its key's version as of its own time, at its own time", () => {
      const rates = from([{ cur: 'eur', rate: 1.1, at: 0 }, { cur: 'eur', rate: 1.2, at: 10 }]).pipe(withEventTime({ timestamp: (r) => r.at }));
      const orders = from([{ id: 'o1', cur: 'eur', at: 5 }, { id: 'o2', cur: 'eur', at: 12 }, { id: 'o3', cur: 'eur', at: 9 }]);
      const r = record(
        orders.pipe(
          withEventTime({ timestamp: (o) => o.at, watermark: boundedOutOfOrderness(5) }),
          temporalJoin(rates, { key: (o) => o.cur, tableKey: (x) => x.cur, select: (o, x) => `${o.id}·${x.rate}` }),
          values(),
        ),
      );
      expect(r.get().out).toEqual(['o1·1.1', 'o2·1.2', 'o3·1.1']);
    });

    it('an event waits until the table watermark reaches its time; then it is answered, before that watermark goes on', () => {
      const j = joined(rowJoin());
      ev(j.right, 'a@0');
      ev(j.left, 'a@7');
      j.left.next(W(7));
      j.right.next(W(6));
      expect(j.get().out).toEqual([W(6)]);
      ev(j.right, 'a@7'); // the version at exactly the event's time is the one it gets
      j.right.next(W(7));
      expect(j.get().out).toEqual([W(6), E('a7:a7', 7), W(7)]);
    });

    it('boundary timestamps: the version at event.ts counts, one at event.ts + 1 does not', () => {
      const j = joined(rowJoin());
      ev(j.right, 'a@4', 'a@5', 'a@6');
      ev(j.left, 'a@5');
      j.right.next(W(5));
      expect(eventsOf(j.get().out)).toEqual(['a5:a5@5']);
    });

    it('events that wait are released in timestamp order, ties in arrival order, across keys', () => {
      const j = joined(rowJoin({ outer: 'left' }));
      ev(j.left, 'b@5', 'a@3', 'c@5', 'a@5');
      ev(j.right, 'a@1', 'b@2');
      j.right.next(W(10));
      expect(eventsOf(j.get().out)).toEqual(['a3:a1@3', 'b5:b2@5', 'c5:-@5', 'a5:a1@5']);
    });

    it('out of order within the bound: the same answers whichever input and row comes first', () => {
      const rows = { events: ['a@6', 'a@2', 'b@4', 'a@9'], table: ['a@5', 'a@1', 'b@4', 'a@8'] };
      const run = (eventsFirst: boolean, reverse: boolean) => {
        const j = joined(rowJoin({ outer: 'left' }));
        const order = (xs: string[]) => (reverse ? [...xs].reverse() : xs);
        if (eventsFirst) (ev(j.left, ...order(rows.events)), ev(j.right, ...order(rows.table)));
        else (ev(j.right, ...order(rows.table)), ev(j.left, ...order(rows.events)));
        j.left.complete();
        j.right.complete();
        return eventsOf(j.get().out).sort();
      };
      const expected = ['a2:a1@2', 'a6:a5@6', 'a9:a8@9', 'b4:b4@4'];
      for (const eventsFirst of [true, false]) for (const reverse of [true, false]) expect(run(eventsFirst, reverse)).toEqual(expected);
    });

    it("an idle table does not hold events back: the join's watermark (the events') decides", () => {
      const j = joined(rowJoin());
      ev(j.right, 'a@1');
      j.right.next(W(2));
      ev(j.left, 'a@5');
      j.right.next(IDLE);
      expect(j.get().out).toEqual([]); // the left's watermark is still −∞
      j.left.next(W(5));
      expect(j.get().out).toEqual([E('a5:a1', 5), W(5)]);
    });

    it('two rows of a key with the same timestamp: the later arrival wins', () => {
      const seen: unknown[] = [];
      const k = joined(rowJoin({ select: (e, x) => (seen.push(x), `${e.k}`) }));
      k.right.next(E({ k: 'a', at: 3, v: 'first' } as TableRow, 3));
      k.right.next(E({ k: 'a', at: 3, v: 'second' } as TableRow, 3));
      ev(k.left, 'a@4');
      k.right.next(W(4));
      expect(seen).toEqual([{ k: 'a', at: 3, v: 'second' }]);
    });
  });

  describe("outer: 'left' and deletes", () => {
    it("inner: an event with no version is dropped; outer 'left': emitted as select(event, undefined)", () => {
      for (const outer of [undefined, 'left'] as const) {
        const j = joined(rowJoin({ outer }));
        ev(j.right, 'a@5');
        ev(j.left, 'a@4', 'b@6', 'a@6');
        j.right.next(W(10));
        expect(eventsOf(j.get().out)).toEqual(outer === undefined ? ['a6:a5@6'] : ['a4:-@4', 'b6:-@6', 'a6:a5@6']); // ties in arrival order
      }
    });

    it('a delete removes the key as of its time; an upsert after it brings it back', () => {
      const j = joined(rowJoin({ outer: 'left' }));
      ev(j.right, 'a@1');
      del(j.right, 'a@4');
      ev(j.right, 'a@8');
      ev(j.left, 'a@3', 'a@4', 'a@7', 'a@8');
      j.right.next(W(10));
      expect(eventsOf(j.get().out)).toEqual(['a3:a1@3', 'a4:-@4', 'a7:-@7', 'a8:a8@8']);
    });
  });

  describe('late rows and bounded state', () => {
    it("events and table rows below the join's watermark are late: routed to lateLeft/lateRight", () => {
      const lateLeft: Timestamped<Row>[] = [];
      const lateRight: Timestamped<Row>[] = [];
      const j = joined(rowJoin({ lateLeft: (e) => lateLeft.push(e), lateRight: (e) => lateRight.push(e) }));
      ev(j.right, 'a@1');
      j.left.next(W(5));
      j.right.next(W(5));
      ev(j.left, 'a@4', 'a@5');
      ev(j.right, 'a@3');
      expect(j.get().out).toEqual([W(5), E('a5:a1', 5)]);
      expect(lateLeft).toEqual([E(row('a@4'), 4)]);
      expect(lateRight).toEqual([E(row('a@3'), 3)]);
    });

    it('without late routes, late rows are dropped and counted in metrics', () => {
      const table = new Subject<StreamElement<Row>>();
      const op = rowJoin()(table);
      const left = new Subject<StreamElement<Row>>();
      record(left.pipe(op));
      left.next(W(5));
      table.next(W(5));
      ev(left, 'a@1');
      ev(table, 'a@2');
      expect(op.metrics).toEqual({ lateLeft: 1, lateRight: 1, droppedLateLeft: 1, droppedLateRight: 1 });
    });

    it('old versions are dropped once the watermark passes a newer one, and a delete once the watermark passes it', () => {
      const state: StateBackend = currentBackend()?.() ?? new MemoryStateBackend();
      const h = new TwoInputHarness<Row, TableRow, string>({ engine: () => engine({ state: () => state })() });
      const versions = (k: string) => [...state.ordered<string, unknown>('versions').positions(k, -Infinity, Infinity)];
      for (const t of [1, 3, 6]) h.right.pushEvent(row(`a@${t}`), t);
      h.right.pushEvent({ k: 'b', at: 2, del: false }, 2).pushEvent({ k: 'b', at: 4, del: true }, 4);
      expect([versions('a'), versions('b')]).toEqual([[1, 3, 6], [2, 4]]);
      h.left.pushWatermark(4);
      h.right.pushWatermark(4);
      // a: 3 is the newest at or below 4 (1 can no longer be asked for); b: deleted as of 4, nothing left.
      expect([versions('a'), versions('b')]).toEqual([[3, 6], []]);
      h.left.pushWatermark(100);
      h.right.pushWatermark(100);
      expect(versions('a')).toEqual([6]);
      expect([...state.ordered<number, unknown>('waiting').keys()]).toEqual([]);
    });
  });

  describe('errors', () => {
    it.each([
      ['key', { key: () => { throw new Error('key boom'); } }],
      ['tableKey', { tableKey: () => { throw new Error('tableKey boom'); } }],
      ['isDelete', { isDelete: () => { throw new Error('isDelete boom'); } }],
      ['select', { select: () => { throw new Error('select boom'); } }],
    ] as const)('a throwing %s errors the stream with that very error and unsubscribes both inputs', (name, extra) => {
      const j = joined(rowJoin(extra as never));
      ev(j.right, 'a@1');
      ev(j.left, 'a@2');
      j.right.next(W(3));
      expect((j.get().error as Error).message).toBe(`${name} boom`);
      expect([j.left.observed, j.right.observed]).toEqual([false, false]);
    });

    const valid = { key: (e: Row) => e.k, tableKey: (r: Row) => r.k, select: text };
    it.each([
      ['a key that is not a function', { key: 'k' }, 'temporalJoin: key must be a function', '"k"'],
      ['a tableKey that is not a function', { tableKey: null }, 'temporalJoin: tableKey must be a function', 'null'],
      ['a select that is not a function', { select: 1 }, 'temporalJoin: select must be a function', '1'],
      ['an isDelete that is not a function', { isDelete: true }, 'temporalJoin: isDelete must be a function', 'true'],
      ["outer 'right'", { outer: 'right' }, "temporalJoin: outer must be 'left'", 'a temporal join answers events'],
      ['an unknown outer', { outer: 'inner' }, "temporalJoin: outer must be 'left'", '"inner"'],
      ['a state that is not a function', { state: new MemoryStateBackend() }, 'temporalJoin: state', 'function'],
    ])('%s fails at creation with an InvalidArgumentError naming the operator, the value and the fix', (_what, bad, start, detail) => {
      const config = { ...valid, ...(bad as object) } as never;
      expectCreationError(() => temporalJoin(new Subject<StreamElement<Row>>(), config), () => temporalJoinEngine(config), start, detail);
    });

    it('a restore into another outer is refused with a StateError', () => {
      const h = new TwoInputHarness<Row, TableRow, string>({ engine: () => engine()() });
      h.right.pushEvent(row('a@1'), 1);
      const error = errorOf(() => new TwoInputHarness<Row, TableRow, string>({ engine: () => engine({ outer: 'left' })() }, { snapshot: h.snapshot() }));
      expect(error).toBeInstanceOf(StateError);
      expect(error.message).toContain('outer');
    });
  });

  describe('snapshots', () => {
    it('snapshot → restore with waiting events, versions and deletes equals an uninterrupted run', () => {
      const make = engine({ outer: 'left' });
      const feed = (h: TwoInputHarness<Row, TableRow, string>, part: 0 | 1) => {
        if (part === 0) {
          h.right.pushEvent(row('a@1'), 1).pushEvent({ k: 'b', at: 2 }, 2).pushWatermark(3);
          h.left.pushEvent(row('a@2'), 2).pushEvent(row('b@5'), 5).pushEvent(row('a@6'), 6).pushWatermark(4);
        } else {
          h.right.pushEvent({ k: 'b', at: 4, del: true }, 4).pushEvent(row('a@5'), 5).pushWatermark(7);
          h.left.pushEvent(row('a@7'), 7).complete();
          h.right.complete();
        }
      };
      const whole = expectRestoreContinues(make, feed);
      expect(eventsOf(whole.output)).toEqual(['a2:a1@2', 'b5:-@5', 'a6:a5@6', 'a7:a5@7']);
    });
  });
});
