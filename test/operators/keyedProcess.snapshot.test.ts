import { describe, expect, it } from 'vitest';
import {
  StateError,
  count,
  emits,
  keyedProcessEngine,
  listState,
  mapState,
  tumbling,
  valueState,
  windowAggregateEngine,
  type KeyedProcessConfig,
  type OperatorSnapshot,
  type StateDescriptors,
  type StreamElement,
} from 'tidemark';
import { OperatorHarness, parseMarbles, type EnginePipeline } from 'tidemark/testing';
import { BACKENDS, currentBackend, runOn } from '../support/backends.js';
import { errorOf } from '../support/errorOf.js';
import { E, W } from './internal/keyed/keyedHarness.js';

/** An engine pipeline of `config`, on the current test backend. */
function engineOf<T, K, S extends StateDescriptors, O>(config: KeyedProcessConfig<T, K, S, O>): EnginePipeline<T, O> {
  return { engine: () => keyedProcessEngine({ stateBackend: currentBackend(), ...config })() };
}

/** One input step: an element, or processing time advancing by `~n`. */
type Step = StreamElement<string> | number;

/** Pushes the steps one by one; for each, what it made the engine emit. */
function steps<O>(h: OperatorHarness<string, O>, input: readonly Step[]) {
  return input.map((step) => {
    if (typeof step === 'number') h.advanceBy(step);
    else h.push(step);
    return { step, out: h.take() };
  });
}

/** Marbles, with `~n` as processing-time steps. */
function input(marbles: string): Step[] {
  return parseMarbles(marbles).map((m) => {
    if (m.kind === 'wait') return m.duration;
    if (m.kind === 'event' || m.kind === 'watermark') return m;
    throw new Error(`unexpected ${m.kind} in ${marbles}`);
  });
}

const declared = {
  seen: valueState<number>(),
  recent: listState<string>({ ttl: { eventTime: 6 } }),
  perLetter: mapState<string, number>({ ttl: { processingTime: 25 } }),
};

/**
 * Uses every kind of state, both TTLs and both kinds of timers: a key is a word's first letter;
 * each event counts (value), remembers the word for 6 of event time (list), counts the word's
 * letters for 25 of processing time (map), sets an event-time timer 3 later and a processing-time
 * timer 10 later; the timers report what they see.
 */
const everything: KeyedProcessConfig<string, string, typeof declared, string> = {
  key: (w) => w[0]!,
  state: declared,
  output: emits<string>(),
  onEvent(w, ctx) {
    const { seen, recent, perLetter } = ctx.state;
    seen.set((seen.get() ?? 0) + 1);
    recent.add(w);
    for (const c of w) perLetter.set(c, (perLetter.get(c) ?? 0) + 1);
    ctx.timers.registerEventTime(ctx.timestamp + 3);
    ctx.timers.registerProcessingTime(ctx.processingTime + 10);
  },
  onTimer(t, ctx) {
    const { seen, recent, perLetter } = ctx.state;
    const letters = [...perLetter].map(([c, n]) => `${c}${n}`).join('');
    ctx.emit(`${ctx.timeDomain[0]}${t} ${ctx.key}:${seen.get()} [${recent.get().join(',')}] ${letters}`, ctx.timeDomain === 'event-time' ? t : ctx.watermark);
    if (ctx.timeDomain === 'processing-time' && perLetter.size > 2) perLetter.clear();
  },
};

describe.each(BACKENDS)('keyedProcess snapshots on the %s', (_backend, backend) => {
  runOn(backend);

  const scenario = input('ab@1 ax@2 ~4 bc@2 W1 ~7 aa@6 W4 ~10 by@5 bz@9 W7 ~3 ab@12 ~20 W10 c@11 ~30 W30 ~5 W40 ~40');

  it('snapshot at every point, restored into a fresh engine, equals an uninterrupted run', () => {
    const pipeline = engineOf(everything);
    const expected = steps(new OperatorHarness(pipeline), scenario);
    const out = expected.flatMap((s) => s.out);
    expect(out.filter((e) => e.kind === 'event' && e.value.startsWith('e')).length).toBeGreaterThan(3);
    expect(out.filter((e) => e.kind === 'event' && e.value.startsWith('p')).length).toBeGreaterThan(3);

    for (let k = 0; k <= scenario.length; k++) {
      const first = new OperatorHarness(pipeline);
      const before = steps(first, scenario.slice(0, k));
      const second = new OperatorHarness(pipeline, { snapshot: first.snapshot(), startTime: first.clock.now() });
      const after = steps(second, scenario.slice(k));
      expect([...before, ...after], `split at ${k}`).toEqual(expected);
    }
  });

  it('taking a snapshot does not disturb the engine; the snapshot does not follow it, and restores twice', () => {
    const pipeline = engineOf(everything);
    const expected = steps(new OperatorHarness(pipeline), scenario);
    const k = Math.floor(scenario.length / 2);
    const h = new OperatorHarness(pipeline);
    const before = steps(h, scenario.slice(0, k));
    const snapshot = h.engine!.snapshot!();
    const frozen = structuredClone(snapshot);
    const after = steps(h, scenario.slice(k));
    expect([...before, ...after]).toEqual(expected);
    expect(snapshot).toEqual(frozen);
    for (let i = 0; i < 2; i++) {
      const restored = new OperatorHarness(pipeline, { cloneSnapshots: false, startTime: h.clock.now() - scenario.slice(k).reduce<number>((s, x) => s + (typeof x === 'number' ? x : 0), 0) });
      restored.engine!.restore!(snapshot);
      expect(steps(restored, scenario.slice(k))).toEqual(after);
    }
    expect(snapshot).toEqual(frozen);
  });

  it("Flink's KeyedProcessOperatorTest#testSnapshotAndRestore: processing-time and event-time timers survive", () => {
    // BothTriggeringFlatMapFunction: every element registers a processing-time timer at 5 and an event-time timer at 6.
    const both = engineOf({
      key: (n: number) => n,
      output: emits<string>(),
      onEvent(_n, ctx) {
        ctx.timers.registerProcessingTime(5);
        ctx.timers.registerEventTime(6);
      },
      onTimer: (_t, ctx) => ctx.emit(ctx.timeDomain === 'event-time' ? 'EVENT:1777' : 'PROC:1777'),
    });
    const first = new OperatorHarness(both);
    first.pushEvent(5, 12);
    const snapshot = first.snapshot();
    first.close();
    const restored = new OperatorHarness(both, { snapshot });
    expect(restored.clock.pending).toBe(1); // the restored engine asked to be woken for its processing-time timer
    restored.advanceTo(5).pushWatermark(6);
    expect(restored.output).toEqual([E('PROC:1777', 5), E('EVENT:1777', 6), W(6)]);
  });

  it('restores the watermark: older watermarks are ignored, a timer at or below it waits for the next one', () => {
    const pipeline = engineOf({
      key: (s: string) => s,
      output: emits<string>(),
      onEvent: (s, ctx) => ctx.timers.registerEventTime(ctx.timestamp),
      onTimer: (t, ctx) => ctx.emit(`${ctx.key}@${t}`),
    });
    const a = new OperatorHarness(pipeline).pushWatermark(10);
    const b = new OperatorHarness(pipeline, { snapshot: a.snapshot() });
    b.pushWatermark(10).pushWatermark(9).pushEvent('x', 4).pushWatermark(11);
    expect(b.output).toEqual([E('x@4', 4), W(11)]);
  });

  it('a snapshot holds only plain data', () => {
    const h = new OperatorHarness(engineOf(everything));
    steps(h, scenario.slice(0, 6));
    const snapshot = h.engine!.snapshot!();
    expect(structuredClone(snapshot)).toEqual(snapshot);
    expect(JSON.parse(JSON.stringify(snapshot.operator))).toBe('keyedProcess');
  });
});

describe('keyedProcess restores refuse what is not theirs, with a StateError', () => {
  const taken = (config: KeyedProcessConfig<string, string, StateDescriptors, unknown>, feed = true): OperatorSnapshot => {
    const h = new OperatorHarness({ engine: () => keyedProcessEngine(config)() });
    if (feed) h.pushEvent('a', 1);
    return h.snapshot();
  };
  const restoreInto = (config: KeyedProcessConfig<string, string, StateDescriptors, unknown>, snapshot: unknown) =>
    errorOf(() => keyedProcessEngine(config)().restore!(snapshot as OperatorSnapshot));
  const base: KeyedProcessConfig<string, string, StateDescriptors, unknown> = {
    key: (s) => s,
    state: { count: valueState<number>(), recent: listState<number>({ ttl: { eventTime: 10 } }) },
    onEvent() {},
  };

  it('different declared state: names, kinds or TTLs', () => {
    const snapshot = taken(base);
    for (const [state, declares] of [
      [{ count: valueState<number>(), last: listState<number>({ ttl: { eventTime: 10 } }) }, '{ count: valueState(), last: listState({ ttl: { eventTime: 10 } }) }'],
      [{ count: mapState<string, number>(), recent: listState<number>({ ttl: { eventTime: 10 } }) }, '{ count: mapState(), recent: listState({ ttl: { eventTime: 10 } }) }'],
      [{ count: valueState<number>(), recent: listState<number>({ ttl: { processingTime: 10 } }) }, '{ count: valueState(), recent: listState({ ttl: { processingTime: 10 } }) }'],
      [{ count: valueState<number>(), recent: listState<number>() }, '{ count: valueState(), recent: listState() }'],
      [{}, '{}'],
    ] as const) {
      const e = restoreInto({ ...base, state }, snapshot);
      expect(StateError.isStateError(e)).toBe(true);
      expect(e.message).toBe(
        'keyedProcess: the snapshot was taken with state { count: valueState(), recent: listState({ ttl: { eventTime: 10 } }) } ' +
          `but this operator declares ${declares}; restore into an operator that declares the same state: the same names, kinds and TTLs`,
      );
    }
    // The same state declared in another order is the same state.
    const same = keyedProcessEngine({ ...base, state: { recent: listState<number>({ ttl: { eventTime: 10 } }), count: valueState<number>() } })();
    same.restore!(snapshot);
  });

  it('another id, another operator, null, or a malformed state', () => {
    const withId = taken({ ...base, id: 'fraud' });
    expect(restoreInto({ ...base, id: 'other' }, withId).message).toBe('keyedProcess: the snapshot was taken by the operator with id "fraud", this one has id "other"; restore each operator from its own state');
    expect(restoreInto(base, withId).message).toBe('keyedProcess: the snapshot was taken by the operator with id "fraud", this one has id null; restore each operator from its own state');
    const window = new OperatorHarness({ engine: windowAggregateEngine<string>({ window: tumbling(10), aggregate: count() }) }).snapshot();
    expect(restoreInto(base, window).message).toBe('keyedProcess: cannot restore a snapshot of "windowAggregate"; pass a snapshot taken by keyedProcess (engine.snapshot())');
    expect(restoreInto(base, null).message).toBe('keyedProcess: cannot restore null; pass a snapshot taken by keyedProcess (engine.snapshot())');
    expect(restoreInto(base, { operator: 'keyedProcess', state: { format: 'x' } }).message).toBe(
      'keyedProcess: the snapshot\'s state is not in the tidemark-keyed/1 format (got { format: "x" }); pass a snapshot taken by keyedProcess (engine.snapshot())',
    );
    for (const bad of [null, withId, window, { operator: 'keyedProcess', state: 1 }]) expect(StateError.isStateError(restoreInto(base, bad))).toBe(true);
  });

  it('pending timers into an operator without onTimer', () => {
    const timers = { ...base, state: {}, onEvent: (_s: string, ctx: { timers: { registerEventTime(t: number): void } }) => ctx.timers.registerEventTime(5), onTimer: () => {} };
    const e = restoreInto({ ...base, state: {} }, taken(timers));
    expect([StateError.isStateError(e), e.message]).toEqual([true, 'keyedProcess: the snapshot has 1 pending timer(s), but this operator has no onTimer to run them; add onTimer(timestamp, ctx)']);
  });
});
