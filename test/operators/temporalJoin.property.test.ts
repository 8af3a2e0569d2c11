/**
 * Property tests of temporalJoin against a brute-force as-of lookup over the same rows: for each
 * event, every table row of its key at or before its time, the latest one (of those at the
 * latest time, the last to arrive), a delete meaning "no row" — nothing from src/. Table rows
 * whose value is a multiple of 5 are deletes; inner and outer 'left' are part of each case.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connect } from 'rxjs';
import { filterEvents, mapEvents, temporalJoin, temporalJoinEngine, type Timestamped, type TwoInputEngine } from 'tidemark';
import { assertMatchesOracle, assertOrderInsensitive, disorderedEvents, type Keyed, type OperatorPipeline, type TwoInputPipeline } from 'tidemark/testing';
import { BACKENDS, currentBackend, runOn } from '../support/backends.js';
import { combinedWatermarks, continuesAfterRestore, holds, inputWatermarks, matchesBatch, matchesSimulation, propertyParameters, twoInputs, withCut, wrapEngine, type Arrival, type TwoInputCase } from './internal/join/twoInputs.js';

type V = Keyed<string, number>;
interface Out {
  readonly e: V;
  readonly row: V | undefined;
}
type Outer = 'left' | undefined;
type Case = [Outer, TwoInputCase<V, V>];

const KEYS = ['a', 'b'];
const isDelete = (r: V) => r.value % 5 === 0;
const side = (lateFraction: number) =>
  fc.integer({ min: 0, max: 4 }).chain((maxDisorder) => disorderedEvents(fc.nat(99), { maxDisorder, keys: KEYS, lateFraction, timeRange: { min: 0, max: 25 } }));
const cases = (lateFraction: number): fc.Arbitrary<Case> => fc.tuple(fc.constantFrom<Outer>(undefined, 'left'), twoInputs(side(lateFraction), side(lateFraction)));

function config(outer: Outer, late?: { left: (e: Timestamped<V>) => void; right: (e: Timestamped<V>) => void }) {
  return {
    key: (e: V) => e.key,
    tableKey: (r: V) => r.key,
    select: (e: V, row: V | undefined): Out => ({ e, row }),
    outer,
    isDelete,
    lateLeft: late?.left,
    lateRight: late?.right,
    state: currentBackend(),
  };
}

const engine = (outer: Outer): TwoInputPipeline<V, V, Out> => ({ engine: (ctx) => temporalJoinEngine(config(outer, { left: ctx.lateLeft, right: ctx.lateRight }))() });
const operator = (outer: Outer): TwoInputPipeline<V, V, Out> => ({ operator: (left, right, ctx) => left.pipe(temporalJoin(right, config(outer, { left: ctx.lateLeft, right: ctx.lateRight }))) });

// --- the oracles ------------------------------------------------------------------------

/** The as-of lookup: of `table` (in arrival order), the key's latest row at or before `t`, the last to arrive among equals; a delete is none. */
function asOf(table: readonly Timestamped<V>[], key: string, t: number): V | undefined {
  let best: Timestamped<V> | undefined;
  for (const r of table) if (r.value.key === key && r.timestamp <= t && (best === undefined || r.timestamp >= best.timestamp)) best = r;
  return best === undefined || isDelete(best.value) ? undefined : best.value;
}

function answer(outer: Outer, e: Timestamped<V>, row: V | undefined): Timestamped<Out>[] {
  return row === undefined && outer === undefined ? [] : [{ kind: 'event', value: { e: e.value, row }, timestamp: e.timestamp }];
}

const eventsOf = (arrivals: readonly Arrival<V, V>[], s: 'left' | 'right') => arrivals.filter((a) => a.side === s && a.element.kind === 'event').map((a) => a.element as Timestamped<V>);

/** The batch as-of join: each event with its key's row as of its time. */
function batchJoin(outer: Outer, arrivals: readonly Arrival<V, V>[]): Timestamped<Out>[] {
  const table = eventsOf(arrivals, 'right');
  return eventsOf(arrivals, 'left').flatMap((e) => answer(outer, e, asOf(table, e.value.key, e.timestamp)));
}

/**
 * With late rows, by simulation of the watermarks only: an event or table row below the combined
 * watermark at its arrival is late; an event is answered, from the table rows not late that
 * arrived so far, once the table's watermark has reached its time (at its arrival, or at the
 * table watermark that reaches it, or at the end).
 */
function joinWithLateness(outer: Outer, arrivals: readonly Arrival<V, V>[]) {
  const wms = combinedWatermarks(arrivals);
  const own = inputWatermarks(arrivals);
  const table: Timestamped<V>[] = [];
  let waiting: Timestamped<V>[] = [];
  const out: Timestamped<Out>[] = [];
  const late = { left: [] as Timestamped<V>[], right: [] as Timestamped<V>[] };
  const release = (upTo: number) => {
    for (const e of waiting.filter((x) => x.timestamp <= upTo)) out.push(...answer(outer, e, asOf(table, e.value.key, e.timestamp)));
    waiting = waiting.filter((x) => x.timestamp > upTo);
  };
  arrivals.forEach((a, i) => {
    const el = a.element;
    if (el.kind === 'watermark' && a.side === 'right') return release(el.timestamp);
    if (el.kind !== 'event') return;
    if (el.timestamp < wms[i]!) return void late[a.side].push(el);
    if (a.side === 'right') table.push(el);
    else if (el.timestamp <= own[i]![1]) out.push(...answer(outer, el, asOf(table, el.value.key, el.timestamp)));
    else waiting.push(el);
  });
  release(Infinity);
  return { out, late };
}

// --- the properties, as functions (so that the broken engines below can be run through them) ---

const matchesBatchJoin = (pipeline: (outer: Outer) => TwoInputPipeline<V, V, Out>) => matchesBatch(pipeline, (outer, c: TwoInputCase<V, V>) => batchJoin(outer, c.arrivals));
const matchesWithLateness = (pipeline: (outer: Outer) => TwoInputPipeline<V, V, Out>) => matchesSimulation(pipeline, joinWithLateness);

describe.each(BACKENDS)('temporalJoin on the %s', (_backend, backend) => {
  runOn(backend);

  it('equals the brute-force as-of lookup (inner and outer left, with deletes) for every arrival order within the bounds', () => {
    fc.assert(fc.property(cases(0), matchesBatchJoin(engine)), propertyParameters());
  });

  it('as a pipe() operator too', () => {
    fc.assert(fc.property(cases(0), matchesBatchJoin(operator)), propertyParameters(50));
  });

  it('with late rows: exactly the events and table rows behind the combined watermark go to the late outputs; the rest are answered as of their time', () => {
    fc.assert(fc.property(cases(0.25), matchesWithLateness(engine)), propertyParameters());
  });

  it('a snapshot taken anywhere and restored into a fresh engine continues exactly as the uninterrupted run', () => {
    fc.assert(fc.property(withCut(cases(0.25)), continuesAfterRestore(engine)), propertyParameters());
  });
});

// --- tidemark/testing's one-input property helpers, on a join -------------------------------

/** One stream of tagged rows: an event or a table row (`del`: a delete) of a key. */
interface Tagged {
  readonly side: 'event' | 'row';
  readonly key: string;
  readonly del: boolean;
}
const tagged = disorderedEvents(fc.record({ side: fc.constantFrom<'event' | 'row'>('event', 'row'), key: fc.constantFrom('a', 'b'), del: fc.boolean() }), {
  maxDisorder: 3,
  timeRange: { min: 0, max: 20 },
});
const withTime = mapEvents((x: Tagged, t: number) => ({ ...x, at: t }));

/** The join over one tagged stream: events on the left, rows on the right, watermarks on both; the output names the version by its time. */
const splitJoin: OperatorPipeline<Tagged, string> = {
  operator: () => (source) =>
    source.pipe(
      connect((shared) =>
        shared.pipe(
          filterEvents((x: Tagged) => x.side === 'event'),
          withTime,
          temporalJoin(shared.pipe(filterEvents((x: Tagged) => x.side === 'row'), withTime), {
            key: (e) => e.key,
            tableKey: (r) => r.key,
            isDelete: (r) => r.del,
            outer: 'left',
            select: (e, r) => `${e.key}@${e.at} as of ${r === undefined ? 'nothing' : r.at}`,
            state: currentBackend(),
          }),
        ),
      ),
    ),
};

/** The as-of lookup over tagged rows, without regard to arrival (a delete and an upsert of a key at one time make the output order-dependent: the property skips such inputs). */
function taggedOracle(events: readonly Timestamped<Tagged>[]): Timestamped<string>[] {
  const rows = events.filter((e) => e.value.side === 'row');
  return events
    .filter((e) => e.value.side === 'event')
    .map((e) => {
      const before = rows.filter((r) => r.value.key === e.value.key && r.timestamp <= e.timestamp);
      const at = Math.max(...before.map((r) => r.timestamp));
      const live = before.length > 0 && before.some((r) => r.timestamp === at && !r.value.del);
      return { kind: 'event', value: `${e.value.key}@${e.timestamp} as of ${live ? at : 'nothing'}`, timestamp: e.timestamp } as const;
    });
}

/** No key has both a delete and an upsert at one time (then the later arrival decides). */
const unambiguous = tagged.filter((d) => {
  const seen = new Map<string, boolean>();
  for (const e of d.events) {
    if (e.value.side !== 'row') continue;
    const id = `${e.value.key}@${e.timestamp}`;
    if (seen.has(id) && seen.get(id) !== e.value.del) return false;
    seen.set(id, e.value.del);
  }
  return true;
});

describe.each(BACKENDS)("tidemark/testing's property helpers on temporalJoin, on the %s", (_backend, backend) => {
  runOn(backend);

  it('assertOrderInsensitive: the same answers for every arrival order within the bound', () => {
    assertOrderInsensitive({ pipeline: splitJoin, events: unambiguous });
  });

  it('assertMatchesOracle: the answers of the brute-force as-of lookup', () => {
    assertMatchesOracle({ pipeline: splitJoin, events: unambiguous, oracle: taggedOracle });
  });
});

// --- the properties catch broken engines ----------------------------------------------------

const real = (outer: Outer) => temporalJoinEngine(config(outer))();
const broken = (make: (outer: Outer) => TwoInputEngine<V, V, Out>) => (outer: Outer): TwoInputPipeline<V, V, Out> => ({ engine: () => make(outer) });

/** The real engine with some of its inputs rewritten. */
const feeding = (outer: Outer, change: (inner: TwoInputEngine<V, V, Out>) => Partial<TwoInputEngine<V, V, Out>>) => wrapEngine(real(outer), { in: change });

describe('the temporalJoin properties catch broken engines', () => {
  it('the real engine passes', () => {
    expect(holds(cases(0), matchesBatchJoin(broken(real)))).toBe(true);
  });

  it('answering an event at once from the rows that arrived so far (withLatestFrom by arrival, no waiting for the table)', () => {
    const eager = (outer: Outer) => {
      let tableWm = -Infinity;
      return feeding(outer, (inner) => ({
        onWatermark2: (t) => ((tableWm = Math.max(tableWm, t)), inner.onWatermark2(t)),
        // The table's watermark pushed to the event's time: the engine answers it now.
        onEvent1: (v, t, e) => (t > tableWm && inner.onWatermark2((tableWm = t)), inner.onEvent1(v, t, e)),
      }));
    };
    expect(holds(cases(0), matchesBatchJoin(broken(eager)))).toBe(false);
  });

  it('a strict as-of (the version at exactly the event time not used)', () => {
    const strict = (outer: Outer) => feeding(outer, (inner) => ({ onEvent2: (v, t, e) => inner.onEvent2(v, t + 0.5, e), onWatermark2: (t) => inner.onWatermark2(t + 0.5) }));
    expect(holds(cases(0), matchesBatchJoin(broken(strict)))).toBe(false);
  });

  it('deletes ignored (a tombstone taken for an upsert)', () => {
    const noDeletes = (outer: Outer) => temporalJoinEngine({ ...config(outer), isDelete: undefined })();
    expect(holds(cases(0), matchesBatchJoin(broken(noDeletes)))).toBe(false);
  });

  it("outer 'left' rows dropped", () => {
    const innerOnly = () => temporalJoinEngine(config(undefined))();
    expect(holds(cases(0).filter(([o]) => o === 'left'), matchesBatchJoin(broken(innerOnly)))).toBe(false);
  });
});
