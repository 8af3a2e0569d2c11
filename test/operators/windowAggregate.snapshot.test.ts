import { describe, expect, it } from 'vitest';
import {
  StateError,
  afterWatermark,
  collect,
  count,
  event,
  sum,
  session,
  sliding,
  tumbling,
  watermark as W,
  windowAggregateEngine,
  type Aggregator,
  type OperatorSnapshot,
  type StreamElement,
  type Timestamped,
  type WindowAggregateConfig,
  type WindowAssigner,
  type WindowResult,
} from 'tidemark';
import { OperatorHarness, parseMarbles, type EnginePipeline } from 'tidemark/testing';
import { errorOf } from '../support/errorOf.js';
import { R } from '../support/windowResult.js';

interface Row {
  k: string;
  id: string;
}
type Out = WindowResult<string, unknown>;
const e = (k: string, id: string, t: number) => event<Row>({ k, id }, t);

/** Marbles of rows: `a1@5` is the row `{ k: 'a', id: '1' }` at time 5. */
function rows(marbles: string): StreamElement<Row>[] {
  return parseMarbles(marbles).map((m) => {
    if (m.kind === 'event') return e(m.value[0]!, m.value.slice(1), m.timestamp);
    if (m.kind === 'watermark') return m;
    throw new Error(`rows: unexpected ${m.kind} in ${marbles}`);
  });
}

/** Each scenario makes a config that sends late events to `late`, the harness's late side output, so they are compared too. */
type Scenario = [name: string, config: (late: (e: Timestamped<Row>) => void) => WindowAggregateConfig<Row, string, unknown, unknown>, input: StreamElement<Row>[]];

const ids = collect<Row>();
const byK = (r: Row) => r.k;

/** The engine of a scenario's config, as a harness pipeline. */
const engineOf = (config: Scenario[1]): EnginePipeline<Row, Out> => ({ engine: (ctx) => windowAggregateEngine(config(ctx.late))() });

/** Pushes the elements one by one; for each, what it made the engine emit and route late. */
function steps(h: OperatorHarness<Row, Out>, input: readonly StreamElement<Row>[]) {
  return input.map((element) => {
    const lateBefore = h.late.length;
    h.push(element);
    return { element, out: h.take(), late: h.late.slice(lateBefore) };
  });
}

const scenarios: Scenario[] = [
  [
    'tumbling, keyed, count, allowedLateness',
    (late) => ({ window: tumbling(10), key: byK, aggregate: count(), allowedLateness: 5, late }),
    rows('a1@1 b2@3 a3@12 W5 a4@7 W9 b5@4 a6@15 W14 a7@2 b8@25 W19 b9@18 W+inf'),
  ],
  [
    'sliding, collect, allowedLateness',
    (late) => ({ window: sliding(10, 5), key: byK, aggregate: ids, allowedLateness: 3, late }),
    rows('a1@1 a2@7 W4 a3@3 b4@11 W9 a5@8 W12 a6@2 b7@14 a8@6 W30 a9@29 W+inf'),
  ],
  [
    'session, keyed, collect, allowedLateness, merges and bridges',
    (late) => ({ window: session(3), key: byK, aggregate: ids, allowedLateness: 4, late }),
    rows('a1@1 a2@7 b3@2 W3 a4@4 b5@5 W9 a6@6 a7@20 W14 a8@3 a9@22 W+inf'),
  ],
  [
    'tumbling, early every 2 events, discarding panes, allowedLateness',
    (late) => ({
      window: tumbling(10),
      key: byK,
      aggregate: ids,
      allowedLateness: 5,
      late,
      trigger: afterWatermark({ early: { everyEvents: 2 }, panes: 'discarding' }),
    }),
    rows('a1@1 a2@2 a3@3 b4@4 W9 a5@5 b6@11 b7@12 b8@13 W15 a9@0 W+inf'),
  ],
];

describe('windowAggregateEngine: snapshot and restore', () => {
  for (const [name, config, input] of scenarios) {
    const pipeline = engineOf(config);

    it(`${name}: snapshot at every point, restored into a fresh engine, equals an uninterrupted run`, () => {
      const expected = steps(new OperatorHarness(pipeline), input);
      expect(expected.flatMap((s) => s.out).filter((x) => x.kind === 'event').length).toBeGreaterThan(3);
      expect(expected.flatMap((s) => s.late).length).toBeGreaterThan(0);

      for (let k = 0; k <= input.length; k++) {
        const first = new OperatorHarness(pipeline);
        const before = steps(first, input.slice(0, k));
        const second = new OperatorHarness(pipeline, { snapshot: first.snapshot() }); // plain data: survives a structured clone
        const after = steps(second, input.slice(k));
        expect([...before, ...after], `split at ${k}`).toEqual(expected);
      }
    });

    it(`${name}: taking a snapshot does not disturb the engine, and later changes do not alter the snapshot`, () => {
      const expected = steps(new OperatorHarness(pipeline), input);
      const k = Math.floor(input.length / 2);

      const h = new OperatorHarness(pipeline);
      const before = steps(h, input.slice(0, k));
      const snapshot = h.engine!.snapshot!(); // the engine's own, not the harness's deep copy: it must not alias live state
      const frozen = structuredClone(snapshot);
      const after = steps(h, input.slice(k));
      expect([...before, ...after]).toEqual(expected);
      expect(snapshot).toEqual(frozen);

      // The same snapshot object restores twice to the same continuation (restore must not alias it either).
      const tails = [0, 1].map(() => {
        const restored = new OperatorHarness(pipeline);
        restored.engine!.restore!(snapshot);
        return steps(restored, input.slice(k));
      });
      expect(tails[0]).toEqual(after);
      expect(tails[1]).toEqual(after);
    });
  }

  it('restores the watermark: a restored engine ignores watermarks at or below it and treats late events as late', () => {
    const pipeline = engineOf((late) => ({ window: tumbling(10), key: byK, aggregate: count(), late }));
    const a = new OperatorHarness(pipeline).push(...rows('a1@1 W12'));
    const b = new OperatorHarness(pipeline, { snapshot: a.snapshot() });
    b.push(...rows('W12 W11 a2@5 a3@15 W19'));
    expect(b.output).toEqual([R(10, 20, 1, 'on-time', 'a'), W(19)]);
    expect(b.late).toEqual([e('a', '2', 5)]);
  });

  it('restores pending processing-time early firings and asks to be woken for them', () => {
    const pipeline = engineOf(() => ({ window: tumbling(10), key: byK, aggregate: ids, trigger: afterWatermark({ early: { every: 100 } }) }));
    const a = new OperatorHarness(pipeline).push(...rows('a1@1'));
    expect([a.clock.pending, a.clock.nextTime]).toEqual([1, 100]);

    const b = new OperatorHarness(pipeline, { snapshot: a.snapshot(), startTime: 40 });
    expect([b.clock.pending, b.clock.nextTime]).toEqual([1, 100]);
    b.push(...rows('a2@2'));
    b.advanceTo(99);
    expect(b.output).toEqual([]);
    b.advanceTo(100);
    expect(b.output).toEqual([R(0, 10, [{ k: 'a', id: '1' }, { k: 'a', id: '2' }], 'early', 'a')]);
    b.advanceTo(1_000);
    expect(b.output).toHaveLength(1);
  });

  it('restores the event count of an early pane', () => {
    const pipeline = engineOf(() => ({ window: tumbling(10), key: byK, aggregate: count(), trigger: afterWatermark({ early: { everyEvents: 3 } }) }));
    const a = new OperatorHarness(pipeline).push(...rows('a1@1 a2@2'));
    const b = new OperatorHarness(pipeline, { snapshot: a.snapshot() }).push(...rows('a3@3'));
    expect(b.output).toEqual([R(0, 10, 3, 'early', 'a')]);
  });

  it('refuses a snapshot taken with another window, naming both and the fix', () => {
    const counts = (window: WindowAssigner) => ({ engine: windowAggregateEngine<number>({ window, aggregate: count() }) });
    const snapshot = new OperatorHarness(counts(tumbling(10))).snapshot();
    const thrown = errorOf(() => new OperatorHarness(counts(tumbling(5)), { snapshot }));
    expect(StateError.isStateError(thrown)).toBe(true);
    expect(thrown.message).toBe(
      'windowAggregate: the snapshot was taken with window {"type":"tumbling","size":10,"offset":0} but this operator has ' +
        '{"type":"tumbling","size":5,"offset":0}; restore into an operator with the same window, aggregate, allowedLateness and trigger',
    );
    expect(() => new OperatorHarness(counts(session(10)), { snapshot })).toThrow(StateError);
  });

  it('refuses a snapshot taken with another aggregator, allowedLateness or trigger (windows would never clean up, or read garbage)', () => {
    const engine = (config: Partial<WindowAggregateConfig<number, undefined, unknown, unknown>>) => ({
      engine: windowAggregateEngine<number, undefined, unknown, unknown>({ window: tumbling(10), aggregate: count<number>() as Aggregator<number, unknown, unknown>, ...config }),
    });
    const snapshot = new OperatorHarness(engine({})).pushMarbles('a@1').snapshot();
    const cases: [Partial<WindowAggregateConfig<number, undefined, unknown, unknown>>, string][] = [
      [{ aggregate: sum() as Aggregator<number, unknown, unknown> }, 'the snapshot was taken with aggregate "count" but this operator has "sum"'],
      [{ allowedLateness: 5 }, 'the snapshot was taken with allowedLateness 0 but this operator has 5'],
      [
        { trigger: afterWatermark({ panes: 'discarding' }) },
        'the snapshot was taken with trigger {"everyEvents":null,"every":null,"panes":"accumulating"} but this operator has ' +
          '{"everyEvents":null,"every":null,"panes":"discarding"}',
      ],
    ];
    for (const [config, message] of cases) {
      const thrown = errorOf(() => new OperatorHarness(engine(config), { snapshot }));
      expect(StateError.isStateError(thrown), message).toBe(true);
      expect(thrown.message).toContain(`windowAggregate: ${message}`);
    }
    // The same configuration restores.
    expect(new OperatorHarness(engine({}), { snapshot }).pushMarbles('W9').output).toEqual([R(0, 10, 1), W(9)]);
  });

  it('a snapshot is plain data, independent of the live config (its window is a copy)', () => {
    const window = tumbling(10);
    const engine = windowAggregateEngine<number>({ window, aggregate: count() })();
    const state = engine.snapshot!().state as { config: { window: unknown } };
    expect(state.config.window).toEqual(window);
    expect(state.config.window).not.toBe(window);
    expect(structuredClone(state)).toEqual(state);
  });

  it('refuses a snapshot of another operator or a malformed one', () => {
    const pipeline = { engine: windowAggregateEngine<number>({ window: tumbling(10), aggregate: count() }) };
    const bad: [OperatorSnapshot, string][] = [
      [{ operator: 'intervalJoin', state: {} }, 'windowAggregate: cannot restore a snapshot of "intervalJoin"'],
      [{ operator: 'windowAggregate', state: undefined }, "windowAggregate: the snapshot's state is not in the tidemark-window/2 format (got undefined)"],
      [{ operator: 'windowAggregate', state: {} }, "windowAggregate: the snapshot's state is not in the tidemark-window/2 format (got {})"],
      [null as unknown as OperatorSnapshot, 'windowAggregate: cannot restore null'],
      [5 as unknown as OperatorSnapshot, 'windowAggregate: cannot restore 5'],
    ];
    for (const [snapshot, message] of bad) {
      const thrown = errorOf(() => new OperatorHarness(pipeline, { snapshot }));
      expect(StateError.isStateError(thrown), message).toBe(true);
      expect(thrown.message).toContain(message);
      expect(thrown.message).toContain('pass a snapshot taken by windowAggregate (engine.snapshot())');
      // The engine itself, without a harness: restore(null) is a StateError too, not a TypeError.
      const engine = windowAggregateEngine<number>({ window: tumbling(10), aggregate: count() })();
      expect(StateError.isStateError(errorOf(() => engine.restore!(snapshot)))).toBe(true);
    }
  });
});
