import { pipe } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ACTIVE,
  END_OF_TIME,
  IDLE,
  InvalidArgumentError,
  InvalidTimestampError,
  afterWatermark,
  boundedOutOfOrderness,
  count,
  event,
  tumbling,
  watermark,
  windowAggregate,
  withEventTime,
  type WindowResult,
} from 'tidemark';
import { ValueHarness, expectMarbles, type ValuePipeline } from 'tidemark/testing';

interface Row {
  at: number;
  id?: string;
}

const stamped = (config: { idleTimeout?: number; bound?: number } = {}): ValuePipeline<Row, Row> => ({
  operator: (ctx) =>
    withEventTime<Row>({
      timestamp: (r) => r.at,
      scheduler: ctx.clock,
      ...(config.idleTimeout === undefined ? {} : { idleTimeout: config.idleTimeout }),
      ...(config.bound === undefined ? {} : { watermark: boundedOutOfOrderness(config.bound) }),
    }),
});

const rows = { a: { at: 1 }, b: { at: 2 }, c: { at: 3 } };

describe('ValueHarness', () => {
  it('drives withEventTime from plain values: idleness on the clock, as [time, element] pairs and as marbles', () => {
    const h = new ValueHarness(stamped({ idleTimeout: 100 }));
    h.push({ at: 1 }).advanceBy(60).push({ at: 2 }).advanceBy(150).push({ at: 3 }).advanceBy(100).complete();
    expect(h.outputAt).toEqual([
      [0, event({ at: 1 }, 1)],
      [0, watermark(0)],
      [60, event({ at: 2 }, 2)],
      [60, watermark(1)],
      [160, IDLE],
      [210, ACTIVE],
      [210, event({ at: 3 }, 3)],
      [210, watermark(2)],
      [310, IDLE],
      [310, END_OF_TIME],
    ]);
    expectMarbles(h, 'a@1 W0 ~60 b@2 W1 ~100 idle ~50 active c@3 W2 ~100 idle W+inf |', rows);
    expect(() => expectMarbles(h, 'a@1 W0 ~60 b@2 W1 ~99 idle ~51 active c@3 W2 ~100 idle W+inf |', rows)).toThrow(
      'difference at element 5: expected ~99, got ~100',
    );
    expect(h.completed).toBe(true);
    expect(h.clock.pending).toBe(0);
  });

  it('shows watermark emission: a watermark right after each event that advances it', () => {
    const h = new ValueHarness(stamped({ bound: 2 }));
    h.push({ at: 5 }, { at: 3 }, { at: 9 }, { at: 9 }, { at: 1 });
    expectMarbles(h, 'e@5 W2 c@3 i@9 W6 i@9 a@1', { e: { at: 5 }, c: { at: 3 }, i: { at: 9 }, a: { at: 1 } });
    expect(h.take()).toHaveLength(7);
    h.complete();
    expect(h.output).toEqual([END_OF_TIME]);
  });

  it('drives a whole pipeline after withEventTime: early firings on the clock, late events taken incrementally', () => {
    const pipeline: ValuePipeline<Row, WindowResult<undefined, number>> = {
      operator: (ctx) =>
        pipe(
          withEventTime<Row>({ timestamp: (r) => r.at, watermark: boundedOutOfOrderness(0), scheduler: ctx.clock }),
          windowAggregate({ window: tumbling(10), aggregate: count(), trigger: afterWatermark({ early: { every: 100 } }), late: ctx.late, scheduler: ctx.clock }),
        ),
    };
    const h = new ValueHarness(pipeline, { startTime: 5_000 });
    const r = (value: number, firing: 'early' | 'on-time', start = 0) => ({ key: undefined, start, end: start + 10, value, firing });
    h.push({ at: 1 }, { at: 2 }).advanceBy(100);
    h.push({ at: 12 }, { at: 4, id: 'late' });
    expectMarbles(h, 'W0 W1 ~100 e@9 o@9 W11', { e: r(2, 'early'), o: r(2, 'on-time') });
    expect(h.takeLate()).toEqual([event({ at: 4, id: 'late' }, 4)]);
    expect(h.late).toEqual([]);
    h.take();
    h.push({ at: 3 }).advanceBy(100);
    expect(h.takeLate()).toEqual([event({ at: 3 }, 3)]);
    expectMarbles(h, '~100 f@19', { f: r(1, 'early', 10) });
  });

  it('throws what the pipeline fails with, from the call that caused it, and refuses input afterwards', () => {
    const h = new ValueHarness(stamped());
    h.push({ at: 1 });
    expect(() => h.push({ at: NaN })).toThrow(InvalidTimestampError);
    expect(h.failed).toBe(true);
    expect(InvalidTimestampError.isInvalidTimestampError(h.failure)).toBe(true);
    expectMarbles(h, 'a@1 W0 #', rows);
    expect(() => h.push({ at: 2 })).toThrow(/ValueHarness.push: the operator already failed with InvalidTimestampError/);
  });

  it('passes an upstream error on, without the final watermark', () => {
    const boom = new Error('upstream');
    const h = new ValueHarness(stamped({ idleTimeout: 100 }));
    h.push({ at: 1 }).pushError(boom);
    expect(h.failure).toBe(boom);
    expectMarbles(h, 'a@1 W0 #', rows);
    expect(h.clock.pending).toBe(0);
  });

  it('refuses input after completion; close() cancels the pipeline’s timers', () => {
    const done = new ValueHarness(stamped()).complete();
    expect(() => done.push({ at: 1 })).toThrow(/ValueHarness.push: the output already completed/);
    const h = new ValueHarness(stamped({ idleTimeout: 100 })).push({ at: 1 });
    expect(h.clock.pending).toBe(1);
    h.close();
    expect(h.clock.pending).toBe(0);
    expect(() => h.push({ at: 2 })).toThrow(/ValueHarness.push: the harness is closed/);
  });

  it('refuses a pipeline that is not { operator }', () => {
    const engine = { engine: () => ({}) } as unknown as ValuePipeline<Row, Row>;
    expect(() => new ValueHarness(engine)).toThrow(InvalidArgumentError);
    expect(() => new ValueHarness(engine)).toThrow(/ValueHarness: the pipeline must be \{ operator: .*use OperatorHarness/);
  });
});
