/**
 * Property tests of the real keyedProcess with tidemark/testing's helpers. The process under
 * test counts each key's events with timers; the oracle computes the same by brute force from
 * the whole input (no state, no timers, no watermarks). Each property also has a deliberately
 * broken engine it must catch at the default number of runs.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emits,
  keyedProcessEngine,
  listState,
  mapState,
  valueState,
  type Engine,
  type OperatorSnapshot,
  type StateSnapshot,
  type Timestamped,
} from 'tidemark';
import {
  assertCheckpointRoundTrip,
  assertMatchesOracle,
  assertOrderInsensitive,
  disorderedEvents,
  type DisorderedEvents,
  type EnginePipeline,
  type Keyed,
} from 'tidemark/testing';
import { BACKENDS, currentBackend, runOn } from '../support/backends.js';
import { failureOf } from '../testing/fixtures/failureOf.js';

type V = Keyed<string, number>;
/** What the counting process emits at a timer's time `upTo`: how many events of `key` have a timestamp <= upTo. */
interface Count {
  readonly key: string;
  readonly upTo: number;
  readonly count: number;
}

const KEYS = ['a', 'b', 'c'];

/**
 * Per key: each event of timestamp `t` is buffered in a map state by timestamp and sets an
 * event-time timer at `t + lag`; a timer at `T` moves the buffered events with timestamps <= T
 * into a running total (a value state) and emits the total. Timers are unique per key and time,
 * so equal `t + lag` give one timer and one output. Nothing here depends on arrival order within
 * the bound: when the watermark reaches T, every on-time event with a timestamp <= T has arrived.
 */
function counting(lag: number): EnginePipeline<V, Count> {
  return {
    engine: () =>
      keyedProcessEngine({
        key: (v: V) => v.key,
        state: { buffered: mapState<number, number>(), total: valueState<number>() },
        output: emits<Count>(),
        onEvent(_v, ctx) {
          const { buffered } = ctx.state;
          buffered.set(ctx.timestamp, (buffered.get(ctx.timestamp) ?? 0) + 1);
          ctx.timers.registerEventTime(ctx.timestamp + lag);
        },
        onTimer(t, ctx) {
          const { buffered, total } = ctx.state;
          let n = total.get() ?? 0;
          for (const [at, k] of buffered) {
            if (at > t) continue;
            n += k;
            buffered.delete(at);
          }
          total.set(n);
          ctx.emit({ key: ctx.key, upTo: t, count: n });
        },
        stateBackend: currentBackend(),
      })(),
  };
}

/** Brute force: for each key and each distinct `t + lag` of its events, the number of its events with a timestamp <= it. */
function countOracle(lag: number) {
  return (events: readonly Timestamped<V>[]): Timestamped<Count>[] => {
    const out: Timestamped<Count>[] = [];
    for (const key of KEYS) {
      const mine = events.filter((e) => e.value.key === key);
      for (const upTo of new Set(mine.map((e) => e.timestamp + lag))) {
        out.push({ kind: 'event', value: { key, upTo, count: mine.filter((e) => e.timestamp <= upTo).length }, timestamp: upTo });
      }
    }
    return out;
  };
}

/** A broken engine: the real one, fed every watermark one tick ahead, so that a timer at T fires when the watermark reaches T − 1. */
function firesOneTickEarly(pipeline: EnginePipeline<V, Count>): EnginePipeline<V, Count> {
  return {
    engine: (ctx) => {
      const inner = pipeline.engine(ctx);
      return { ...delegate(inner), onWatermark: (t) => inner.onWatermark(t + 1) };
    },
  };
}

/** A broken engine: its snapshots lose the pending event-time timers. */
function restoreForgetsTimers<I, O>(pipeline: EnginePipeline<I, O>): EnginePipeline<I, O> {
  return {
    engine: (ctx) => {
      const inner = pipeline.engine(ctx);
      return {
        ...delegate(inner),
        snapshot: () => {
          const s = inner.snapshot!() as OperatorSnapshot & { state: { backend: StateSnapshot } };
          const timers = { ...s.state.backend.timers, 'event-time-timers': [] };
          return { ...s, state: { ...s.state, backend: { ...s.state.backend, timers } } };
        },
      };
    },
  };
}

function delegate<I, O>(inner: Engine<I, O>): Engine<I, O> {
  return {
    name: inner.name,
    open: (out, time) => inner.open(out, time),
    onEvent: (v, t, e) => inner.onEvent(v, t, e),
    onWatermark: (t) => inner.onWatermark(t),
    onProcessingTime: (now) => inner.onProcessingTime!(now),
    snapshot: () => inner.snapshot!(),
    restore: (s) => inner.restore!(s),
  };
}

const values = fc.integer({ min: 0, max: 9 });
const onTime = (maxDisorder: number) => disorderedEvents(values, { maxDisorder, keys: KEYS, count: { min: 0, max: 30 }, timeRange: { min: -10, max: 30 } });
const withLate = (maxDisorder: number) => disorderedEvents(values, { maxDisorder, keys: KEYS, lateFraction: 0.3, timeRange: { min: -10, max: 30 } });

describe.each(BACKENDS)('keyedProcess properties on the %s', (_backend, backend) => {
  runOn(backend);

  describe('a per-key count with timers equals a brute-force count, for any arrival order within the bound', () => {
    it.each([0, 2, 5])('timers %i after each event', (lag) => {
      assertMatchesOracle({ pipeline: counting(lag), events: onTime(3), oracle: countOracle(lag) });
    });

    it('the output does not depend on the arrival order within the bound', () => {
      assertOrderInsensitive({ pipeline: counting(1), events: onTime(4) });
    });

    it('catches an engine whose timers fire one tick early', () => {
      const { error, events } = failureOf(() => assertMatchesOracle({ pipeline: firesOneTickEarly(counting(0)), events: onTime(3), oracle: countOracle(0) }));
      expect(error.message).toMatch(/the output differs from the oracle's/);
      expect(events.length).toBeGreaterThan(1);
    });
  });

  it('drops no event behind the watermark: with late events, each key\'s last count is all of its events', () => {
    fc.assert(
      fc.property(withLate(2), (input: DisorderedEvents<V>) => {
        const h = counting(0).engine({ clock: undefined as never, late: () => {} });
        const out: Count[] = [];
        h.open({ event: (v) => out.push(v), watermark: () => {}, control: () => {} }, { now: () => 0, wakeAt: () => {} });
        let max = -Infinity;
        for (const e of input.events) {
          h.onEvent(e.value, e.timestamp);
          max = Math.max(max, e.timestamp);
          h.onWatermark(max - input.maxDisorder - 1);
        }
        h.onWatermark(Infinity);
        const last = new Map(out.map((c) => [c.key, c.count]));
        for (const key of KEYS) expect(last.get(key) ?? 0).toBe(input.events.filter((e) => e.value.key === key).length);
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  describe('survives a checkpoint anywhere', () => {
    /**
     * Every kind of state, both TTLs, both kinds of timers: per key, a list of recent values
     * (event-time TTL 6), a map of value → count (processing-time TTL 7), a value of the last
     * value seen; an event-time timer 2 after each event and a processing-time timer 3 after it.
     */
    const everything: EnginePipeline<V, string> = {
      engine: () =>
        keyedProcessEngine({
          key: (v: V) => v.key,
          state: { recent: listState<number>({ ttl: { eventTime: 6 } }), counts: mapState<number, number>({ ttl: { processingTime: 7 } }), last: valueState<number>() },
          output: emits<string>(),
          onEvent(v, ctx) {
            const { recent, counts, last } = ctx.state;
            recent.add(v.value);
            counts.set(v.value, (counts.get(v.value) ?? 0) + 1);
            last.set(v.value);
            ctx.timers.registerEventTime(ctx.timestamp + 2);
            ctx.timers.registerProcessingTime(ctx.processingTime + 3);
          },
          onTimer(t, ctx) {
            const { recent, counts, last } = ctx.state;
            ctx.emit(`${ctx.timeDomain} ${t} ${ctx.key} [${recent.get().join(',')}] ${[...counts].join(';')} ${last.get()}`, ctx.timeDomain === 'event-time' ? t : 0);
          },
          stateBackend: currentBackend(),
        })(),
    };

    it('with every kind of state, TTLs and both kinds of timers', () => {
      assertCheckpointRoundTrip({ pipeline: everything, events: withLate(3), maxProcessingTimeStep: 4 });
    });

    it('catches an engine whose snapshots lose the event-time timers', () => {
      const { error } = failureOf(() => assertCheckpointRoundTrip({ pipeline: restoreForgetsTimers(counting(2)), events: onTime(2) }));
      expect(error.message).toMatch(/differs from the uninterrupted run/);
    });
  });
});
