import { map, pipe } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  InvalidTimestampError,
  InvalidWatermarkError,
  StateError,
  TidemarkError,
  afterWatermark,
  barrier,
  count,
  mapEvents,
  sum,
  tumbling,
  windowAggregate,
  windowAggregateEngine,
  type Collector,
  type Engine,
  type ProcessingTime,
  type WindowResult,
} from 'tidemark';
import { OperatorHarness, VirtualClock, expectMarbles, type Pipeline } from 'tidemark/testing';

const result = (start: number, end: number, value: number, firing: WindowResult<undefined, number>['firing'] = 'on-time') => ({
  key: undefined,
  start,
  end,
  value,
  firing,
});

const countEngine: Pipeline<string, WindowResult<undefined, number>> = {
  engine: (ctx) => windowAggregateEngine<string>({ window: tumbling(10), aggregate: count(), late: ctx.late })(),
};
const countOperator: Pipeline<string, WindowResult<undefined, number>> = {
  operator: (ctx) => windowAggregate<string, undefined, number, number>({ window: tumbling(10), aggregate: count(), late: ctx.late, scheduler: ctx.clock }),
};

describe('OperatorHarness', () => {
  describe.each([
    ['engine', countEngine],
    ['operator', countOperator],
  ] as const)('over an %s pipeline', (_, pipeline) => {
    /** The same count and kind of pipeline, with an early firing every 100 ms of processing time. */
    const early: Pipeline<string, WindowResult<undefined, number>> =
      'engine' in pipeline
        ? { engine: windowAggregateEngine<string>({ window: tumbling(10), aggregate: count(), trigger: afterWatermark({ early: { every: 100 } }) }) }
        : { operator: (ctx) => windowAggregate<string, undefined, number, number>({ window: tumbling(10), aggregate: count(), trigger: afterWatermark({ early: { every: 100 } }), scheduler: ctx.clock }) };

    it('records events and watermarks in order', () => {
      const h = new OperatorHarness(pipeline);
      h.pushEvent('a', 1).pushEvent('b', 4).pushEvent('c', 12).pushWatermark(9);
      expect(h.output).toEqual([{ kind: 'event', value: result(0, 10, 2), timestamp: 9 }, { kind: 'watermark', timestamp: 9 }]);
      expect(h.values()).toEqual([result(0, 10, 2)]);
      expect(h.watermarks()).toEqual([9]);
      expect(h.completed).toBe(false);
      h.complete();
      expect(h.completed).toBe(true);
      expect(h.toMarbles({ r: result(0, 10, 2), s: result(10, 20, 1) })).toBe('r@9 W9 s@19 W+inf |');
    });

    it('routes late events to the late side output', () => {
      const h = new OperatorHarness(pipeline);
      h.pushMarbles('a@12 W10 b@3 c@11 |');
      expect(h.late).toEqual([{ kind: 'event', value: 'b', timestamp: 3 }]);
      expect(h.values()).toEqual([result(10, 20, 2)]);
    });

    it('take() returns and clears the output', () => {
      const h = new OperatorHarness(pipeline);
      h.pushMarbles('a@1 W9');
      expect(h.take()).toHaveLength(2);
      expect(h.output).toEqual([]);
      h.pushWatermark(19);
      expect(h.output).toEqual([{ kind: 'watermark', timestamp: 19 }]);
    });

    it('takeLate() returns and clears the late side output, as take() does the output', () => {
      const h = new OperatorHarness(pipeline);
      h.pushMarbles('a@12 W10 b@3');
      const before = h.late;
      expect(h.takeLate()).toEqual([{ kind: 'event', value: 'b', timestamp: 3 }]);
      expect(before).toEqual([{ kind: 'event', value: 'b', timestamp: 3 }]);
      expect(h.late).toEqual([]);
      h.pushMarbles('c@11 d@9 e@0');
      expect(h.takeLate()).toEqual([
        { kind: 'event', value: 'd', timestamp: 9 },
        { kind: 'event', value: 'e', timestamp: 0 },
      ]);
      expect(h.takeLate()).toEqual([]);
      expect(h.output).toHaveLength(1); // W10: the output is not taken with it
    });

    it('passes barriers and status changes through', () => {
      const h = new OperatorHarness(pipeline);
      h.push(barrier(3), { kind: 'status', idle: true });
      expect(h.output).toEqual([barrier(3), { kind: 'status', idle: true }]);
    });

    it('refuses input after completion', () => {
      const h = new OperatorHarness(pipeline);
      h.complete();
      expect(() => h.pushEvent('a', 1)).toThrow(/OperatorHarness.push: the output already completed/);
      expect(() => h.complete()).toThrow(TidemarkError);
    });

    it('fails with an upstream error passed on', () => {
      const h = new OperatorHarness(pipeline);
      const boom = new Error('boom');
      h.pushEvent('a', 1).pushError(boom);
      expect(h.failed).toBe(true);
      expect(h.failure).toBe(boom);
      expect(h.toMarbles()).toBe('#');
      expect(() => h.pushEvent('b', 2)).toThrow(/the operator already failed with Error: boom; start a new harness/);
    });

    it('pushMarbles fails the input at # with options.error, as parseMarbles and fromMarbles do', () => {
      const lost = new Error('connection lost');
      const h = new OperatorHarness(pipeline);
      h.pushMarbles('a@1 #', undefined, { error: lost });
      expect(h.failure).toBe(lost);
      const withValues = new OperatorHarness(pipeline);
      withValues.pushMarbles('x@1 W9 #', { x: 'a' }, { error: 'as a string' });
      expect(withValues.values()).toEqual([result(0, 10, 1)]);
      expect(withValues.failure).toBe('as a string');
      const byDefault = new OperatorHarness(pipeline).pushMarbles('#');
      expect(byDefault.failure).toEqual(new Error('marble error'));
    });

    it('rejects a non-finite event timestamp as the adapter does, and fails', () => {
      for (const bad of [NaN, Infinity, -Infinity]) {
        const h = new OperatorHarness(pipeline);
        expect(() => h.pushEvent('a', bad)).toThrow(InvalidTimestampError);
        expect(h.failed).toBe(true);
        expect(InvalidTimestampError.isInvalidTimestampError(h.failure)).toBe(true);
      }
      const h = new OperatorHarness(pipeline);
      expect(() => h.pushWatermark(NaN)).toThrow(InvalidWatermarkError);
    });

    it('throws what a user callback throws, from the call that caused it', () => {
      const throwing: Pipeline<number, unknown> =
        'engine' in pipeline
          ? { engine: windowAggregateEngine<number>({ window: tumbling(10), aggregate: sum((v: number) => (v < 0 ? thrower() : v)) }) }
          : { operator: () => windowAggregate<number>({ window: tumbling(10), aggregate: sum((v: number) => (v < 0 ? thrower() : v)) }) };
      const h = new OperatorHarness(throwing);
      h.pushEvent(1, 1);
      expect(() => h.pushEvent(-1, 2)).toThrow('negative');
      expect(h.failed).toBe(true);
    });

    it('delivers processing-time timers when the clock advances, and close() leaves none', () => {
      const h = new OperatorHarness(early, { startTime: 1_000 });
      h.pushEvent('a', 1).pushEvent('b', 2);
      expect(h.clock.pending).toBe(1);
      h.advanceBy(99);
      expect(h.output).toEqual([]);
      h.advanceBy(1);
      expect(h.values()).toEqual([result(0, 10, 2, 'early')]);
      h.pushEvent('c', 3);
      expect(h.clock.pending).toBe(1);
      h.close();
      expect(h.clock.pending).toBe(0);
      expect(() => h.pushEvent('d', 4)).toThrow(/the harness is closed/);
    });

    it('records when each output came out (outputAt) and shows it as waits in marbles', () => {
      const h = new OperatorHarness(early, { startTime: 1_000 });
      expect(h.outputSince).toBe(1_000);
      h.pushMarbles('a@1 ~250 b@2 ~100 W9');
      expect(h.outputAt).toEqual([
        [1_100, { kind: 'event', value: result(0, 10, 1, 'early'), timestamp: 9 }],
        [1_350, { kind: 'event', value: result(0, 10, 2, 'early'), timestamp: 9 }],
        [1_350, { kind: 'event', value: result(0, 10, 2), timestamp: 9 }],
        [1_350, { kind: 'watermark', timestamp: 9 }],
      ]);
      const values = { e1: result(0, 10, 1, 'early'), e2: result(0, 10, 2, 'early'), r: result(0, 10, 2) };
      expectMarbles(h, '~100 e1@9 ~250 e2@9 r@9 W9', values);
      expect(() => expectMarbles(h, '~100 e1@9 ~249 e2@9 r@9 W9', values)).toThrow('difference at element 2: expected ~249, got ~250');
      expectMarbles(h, 'e1@9 e2@9 r@9 W9', values); // no waits: time is not compared
      expect(h.toMarbles(values, { times: true })).toBe('~100 e1@9 ~250 e2@9 r@9 W9');
      expect(h.toMarbles(values)).toBe('e1@9 e2@9 r@9 W9');

      // take() clears the times too, and later waits count from the take.
      h.advanceBy(30).take();
      expect(h.outputSince).toBe(1_380);
      expect(h.outputAt).toEqual([]);
      h.pushMarbles('c@12 ~150 W30 |');
      expectMarbles(h, '~100 f@19 ~50 s@19 W30 W+inf |', { f: result(10, 20, 1, 'early'), s: result(10, 20, 1) });
    });

    it('can share a clock given in the options', () => {
      const clock = new VirtualClock(500);
      const h = new OperatorHarness(pipeline, { clock });
      expect(h.clock).toBe(clock);
      expect(h.clock.now()).toBe(500);
    });
  });

  describe('snapshot and restore (engines)', () => {
    it('restores into a fresh engine and continues as an uninterrupted run', () => {
      const whole = new OperatorHarness(countEngine);
      whole.pushMarbles('a@1 b@12 W9 c@15 d@3 W19 |');

      const first = new OperatorHarness(countEngine);
      first.pushMarbles('a@1 b@12 W9');
      const snapshot = first.snapshot();
      const second = new OperatorHarness(countEngine, { snapshot });
      second.pushMarbles('c@15 d@3 W19 |');
      expect([...first.output, ...second.output]).toEqual(whole.output);
      expect(second.late).toEqual(whole.late);
      expect(second.late).toEqual([{ kind: 'event', value: 'd', timestamp: 3 }]);
    });

    it('deep-copies snapshots: later input does not change one already taken', () => {
      const h = new OperatorHarness(countEngine);
      h.pushEvent('a', 1);
      const snapshot = h.snapshot();
      const before = JSON.stringify(snapshot);
      h.pushEvent('b', 2).pushEvent('c', 3);
      expect(JSON.stringify(snapshot)).toBe(before);
      const restored = new OperatorHarness(countEngine, { snapshot });
      restored.complete();
      expect(restored.values()).toEqual([result(0, 10, 1)]);
    });

    it('cloneSnapshots: false hands the engine’s own objects through, so aliasing shows', () => {
      // snapshot() hands out its live state; restore() keeps the object it is given.
      const aliasing = (): Engine<string, string> => {
        let state = { seen: [] as string[] };
        return {
          name: 'aliasing',
          open: () => {},
          onEvent: (v) => void state.seen.push(v),
          onWatermark: () => {},
          snapshot: () => ({ operator: 'aliasing', state }),
          restore: (s) => void (state = s.state as typeof state),
        };
      };
      const copied = new OperatorHarness({ engine: aliasing });
      const hidden = copied.pushEvent('a', 1).snapshot();
      copied.pushEvent('b', 2);
      expect(hidden.state).toEqual({ seen: ['a'] }); // the deep copy hides the bug

      const raw = new OperatorHarness({ engine: aliasing }, { cloneSnapshots: false });
      const shown = raw.pushEvent('a', 1).snapshot();
      raw.pushEvent('b', 2);
      expect(shown.state).toEqual({ seen: ['a', 'b'] }); // the snapshot moved with the run

      const given = { operator: 'aliasing', state: { seen: ['a'] } };
      new OperatorHarness({ engine: aliasing }, { snapshot: given, cloneSnapshots: false }).pushEvent('c', 3);
      expect(given.state).toEqual({ seen: ['a', 'c'] }); // restore() kept the caller's object
      new OperatorHarness({ engine: aliasing }, { snapshot: given }).pushEvent('d', 4);
      expect(given.state).toEqual({ seen: ['a', 'c'] }); // by default it gets a copy
    });

    it('cloneSnapshots: false also skips the plain-data check of structuredClone', () => {
      const withFunction: Engine<string, string> = {
        name: 'withFunction',
        open: () => {},
        onEvent: () => {},
        onWatermark: () => {},
        snapshot: () => ({ operator: 'withFunction', state: { f: () => 1 } }),
      };
      expect(() => new OperatorHarness({ engine: () => withFunction }).snapshot()).toThrow(/could not be cloned/);
      expect(new OperatorHarness({ engine: () => withFunction }, { cloneSnapshots: false }).snapshot().state).toEqual({ f: expect.any(Function) });
    });

    it('windowAggregateEngine snapshots and restores without aliasing (checked without the harness’s copies)', () => {
      const raw = { cloneSnapshots: false } as const;
      const h = new OperatorHarness(countEngine, raw);
      const snapshot = h.pushMarbles('a@1 b@12').snapshot();
      const taken = JSON.stringify(snapshot);
      h.pushMarbles('c@2 d@13 W9');
      expect(JSON.stringify(snapshot)).toBe(taken);
      const restored = new OperatorHarness(countEngine, { ...raw, snapshot });
      restored.pushMarbles('e@3 f@14 |');
      expect(JSON.stringify(snapshot)).toBe(taken);
      expect(restored.values()).toEqual([result(0, 10, 2), result(10, 20, 2)]);
    });

    it('gives the restored engine processing time from the snapshot point on', () => {
      const early: Pipeline<string, WindowResult<undefined, number>> = {
        engine: windowAggregateEngine<string>({ window: tumbling(10), aggregate: count(), trigger: afterWatermark({ early: { every: 100 } }) }),
      };
      const h = new OperatorHarness(early);
      h.advanceBy(50).pushEvent('a', 1);
      const restored = new OperatorHarness(early, { snapshot: h.snapshot(), startTime: h.clock.now() });
      expect(restored.clock.pending).toBe(1);
      restored.advanceBy(100);
      expect(restored.values()).toEqual([result(0, 10, 1, 'early')]);
      expect(restored.clock.now()).toBe(150);
    });

    it('refuses what cannot be snapshot or restored', () => {
      expect(() => new OperatorHarness(countOperator).snapshot()).toThrow(/only engine pipelines \(\{ engine \}\) can be snapshot/);
      const snapshot = new OperatorHarness(countEngine).snapshot();
      expect(() => new OperatorHarness(countOperator, { snapshot })).toThrow(/only engine pipelines/);
      expect(() => new OperatorHarness({ engine: () => passThrough() }).snapshot()).toThrow(/engine passThrough has no snapshot\(\)/);
      expect(() => new OperatorHarness({ engine: () => passThrough() }, { snapshot })).toThrow(/has no restore\(\)/);
      const sums: Pipeline<number, unknown> = { engine: windowAggregateEngine<number>({ window: tumbling(5), aggregate: sum() }) };
      expect(() => new OperatorHarness(sums, { snapshot })).toThrow(StateError);
    });
  });

  describe('with a hand-written engine', () => {
    it('opens the engine once, before input, with the harness as collector and clock', () => {
      const calls: string[] = [];
      const engine = passThrough(calls);
      const h = new OperatorHarness({ engine: () => engine });
      expect(calls).toEqual(['open']);
      expect(h.engine).toBe(engine);
      h.pushMarbles('a@1 W1');
      expect(calls).toEqual(['open', 'event a@1', 'watermark 1']);
      h.complete();
      expect(calls).toEqual(['open', 'event a@1', 'watermark 1', 'watermark Infinity']);
    });

    it('keeps one wake-up, the earliest, as the adapter does', () => {
      const wakes: number[] = [];
      let time!: ProcessingTime;
      const engine: Engine<number, number> = {
        name: 'waker',
        open: (_out, t) => void (time = t),
        onEvent: (delay) => time.wakeAt(time.now() + delay),
        onWatermark: () => {},
        onProcessingTime: (now) => void wakes.push(now),
      };
      const h = new OperatorHarness({ engine: () => engine });
      h.pushEvent(50, 0).pushEvent(20, 0).pushEvent(80, 0);
      expect(h.clock.pending).toBe(1);
      h.advanceBy(100);
      expect(wakes).toEqual([20]);
    });

    it('throws and fails when onProcessingTime throws', () => {
      let time!: ProcessingTime;
      const engine: Engine<number, number> = {
        name: 'bad-timer',
        open: (_out, t) => void (time = t),
        onEvent: () => time.wakeAt(10),
        onWatermark: () => {},
        onProcessingTime: () => {
          throw new Error('timer failed');
        },
      };
      const h = new OperatorHarness({ engine: () => engine });
      h.pushEvent(1, 1);
      expect(() => h.advanceBy(20)).toThrow('timer failed');
      expect(h.failed).toBe(true);
      expect(h.clock.pending).toBe(0);
    });

    it('rejects a string timestamp that would slip through `t - t === 0`', () => {
      const h = new OperatorHarness({ engine: () => passThrough() });
      expect(() => h.push({ kind: 'event', value: 'a', timestamp: '5' as unknown as number })).toThrow(InvalidTimestampError);
    });
  });

  it('drives a whole RxJS pipeline', () => {
    const pipeline: Pipeline<number, number> = {
      operator: (ctx) =>
        pipe(
          mapEvents((n: number) => n * 2),
          windowAggregate({ window: tumbling(10), aggregate: sum(), scheduler: ctx.clock }),
          map((e) => (e.kind === 'event' ? { ...e, value: e.value.value } : e)),
        ),
    };
    const h = new OperatorHarness(pipeline);
    h.pushMarbles('a@1 b@2 W9 |', { a: 1, b: 2 });
    expectMarbles(h, 'r@9 W9 W+inf |', { r: 6 });
  });
});

function thrower(): never {
  throw new Error('negative');
}

function passThrough(calls: string[] = []): Engine<string, string> {
  let out!: Collector<string>;
  return {
    name: 'passThrough',
    open: (o) => {
      out = o;
      calls.push('open');
    },
    onEvent: (v, t) => {
      calls.push(`event ${v}@${t}`);
      out.event(v, t);
    },
    onWatermark: (t) => {
      calls.push(`watermark ${t}`);
      out.watermark(t);
    },
  };
}
