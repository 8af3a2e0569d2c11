import { NEVER, Observable, Subject, concat, from, of, range, take, tap, throwError, type SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ACTIVE,
  END_OF_TIME,
  IDLE,
  InvalidArgumentError,
  InvalidTimestampError,
  InvalidWatermarkError,
  boundedOutOfOrderness,
  event,
  watermark,
  withEventTime,
  type WatermarkGenerator,
  type DeadLetter,
  type WatermarkStrategy,
} from 'tidemark';
import { VirtualClock } from 'tidemark/testing';
import { BAD_TIMESTAMPS } from '../support/badTimestamps.js';
import { errorOf } from '../support/errorOf.js';
import { record } from '../support/record.js';
import { recordOnClock } from '../support/recordOnClock.js';

interface Row {
  at: number;
  id?: string;
}

/** A strategy whose generator returns the given watermarks, one per event. */
function scripted(...marks: unknown[]): WatermarkStrategy {
  return { create: () => ({ onEvent: () => marks.shift() as number }) };
}

const byAt = withEventTime<Row>({ timestamp: (r) => r.at });

describe('withEventTime', () => {
  it('empty: a final +Infinity watermark, then complete', () => {
    const r = record(from<Row[]>([]).pipe(byAt)).get();
    expect(r.out).toEqual([END_OF_TIME]);
    expect(r.completed).toBe(true);
  });

  it('never: nothing, no completion', () => {
    const h = record((NEVER as Observable<Row>).pipe(byAt));
    expect(h.get()).toEqual({ out: [], completed: false, error: undefined });
    h.subscription.unsubscribe();
  });

  it('never, with idleTimeout: only the idle status when due, then nothing; no timer left behind', () => {
    const clock = new VirtualClock();
    const h = record((NEVER as Observable<Row>).pipe(withEventTime<Row>({ timestamp: (r) => r.at, idleTimeout: 100, scheduler: clock })));
    clock.advanceTo(99);
    expect(h.get().out).toEqual([]);
    clock.advanceTo(100);
    expect(h.get().out).toEqual([IDLE]);
    expect(clock.pending).toBe(0);
    clock.advanceTo(10_000);
    expect(h.get().out).toEqual([IDLE]);
    expect(h.get().completed).toBe(false);
    h.subscription.unsubscribe();
    expect(clock.pending).toBe(0);
  });

  it('unsubscribing cancels the pending idleness check', () => {
    const clock = new VirtualClock();
    const source = new Subject<Row>();
    const h = record(source.pipe(withEventTime<Row>({ timestamp: (r) => r.at, idleTimeout: 100, scheduler: clock })));
    source.next({ at: 1 });
    clock.advanceTo(50);
    expect(clock.pending).toBe(1);
    h.subscription.unsubscribe();
    expect(clock.pending).toBe(0);
    expect(source.observed).toBe(false);
    clock.advanceTo(1000);
    expect(h.get().out).toEqual([event({ at: 1 }, 1), watermark(0)]);
  });

  it('completion cancels the pending idleness check', () => {
    const clock = new VirtualClock();
    const source = new Subject<Row>();
    const h = record(source.pipe(withEventTime<Row>({ timestamp: (r) => r.at, idleTimeout: 100, scheduler: clock })));
    source.next({ at: 1 });
    expect(clock.pending).toBe(1);
    source.complete();
    expect(clock.pending).toBe(0);
    expect(h.get().out).toEqual([event({ at: 1 }, 1), watermark(0), END_OF_TIME]);
    expect(h.get().completed).toBe(true);
  });

  it('one event: the event, its watermark (monotonous by default: t − 1), then +Infinity', () => {
    const r = record(of({ at: 3 }).pipe(byAt)).get();
    expect(r.out).toEqual([event({ at: 3 }, 3), watermark(2), END_OF_TIME]);
    expect(r.completed).toBe(true);
  });

  it('many events, bounded out of orderness: a watermark right after each event that advances it', () => {
    const input = [{ at: 3 }, { at: 1 }, { at: 8 }, { at: 8 }, { at: -2 }, { at: 9.5 }];
    const r = record(from(input).pipe(withEventTime({ timestamp: (x) => x.at, watermark: boundedOutOfOrderness(1) }))).get();
    expect(r.out).toEqual([
      event({ at: 3 }, 3),
      watermark(1),
      event({ at: 1 }, 1),
      event({ at: 8 }, 8),
      watermark(6),
      event({ at: 8 }, 8),
      event({ at: -2 }, -2),
      event({ at: 9.5 }, 9.5),
      watermark(7.5),
      END_OF_TIME,
    ]);
  });

  it('never emits a watermark that goes backwards or repeats', () => {
    const input = [1, 2, 3, 4, 5].map((at) => ({ at }));
    const r = record(from(input).pipe(withEventTime({ timestamp: (x: Row) => x.at, watermark: scripted(5, 3, 5, -Infinity, 7) }))).get();
    const marks = r.out.filter((e) => e.kind === 'watermark').map((e) => (e as { timestamp: number }).timestamp);
    expect(marks).toEqual([5, 7, Infinity]);
  });

  it('a strategy that already reached +Infinity is not followed by a second +Infinity at completion', () => {
    const r = record(of({ at: 1 }, { at: 2 }).pipe(withEventTime({ timestamp: (x: Row) => x.at, watermark: scripted(Infinity, 5) }))).get();
    expect(r.out).toEqual([event({ at: 1 }, 1), END_OF_TIME, event({ at: 2 }, 2)]);
    expect(r.completed).toBe(true);
  });

  it('a strategy answering -Infinity emits no watermark', () => {
    const r = record(of({ at: 1 }).pipe(withEventTime({ timestamp: (x: Row) => x.at, watermark: scripted(-Infinity) }))).get();
    expect(r.out).toEqual([event({ at: 1 }, 1), END_OF_TIME]);
  });

  it('watermarkStep coarsens watermarks to steps of at least the interval', () => {
    const input = [1, 5, 11, 15, 21, 40].map((at) => ({ at }));
    const r = record(from(input).pipe(withEventTime({ timestamp: (x: Row) => x.at, watermarkStep: 10 }))).get();
    const marks = r.out.filter((e) => e.kind === 'watermark').map((e) => (e as { timestamp: number }).timestamp);
    expect(marks).toEqual([0, 10, 20, 39, Infinity]);
  });

  it('a stream that goes idle announces it, and is active again before its next event', () => {
    const clock = new VirtualClock();
    const source = new Subject<Row>();
    const h = recordOnClock(source.pipe(withEventTime<Row>({ timestamp: (r) => r.at, idleTimeout: 100, scheduler: clock })), clock);
    source.next({ at: 1 });
    clock.advanceTo(60);
    source.next({ at: 2 }); // resets the idleness clock: idle at 160, not 100
    clock.advanceTo(159);
    expect(h.get().out.map(([t]) => t)).toEqual([0, 0, 60, 60]);
    clock.advanceTo(200);
    source.next({ at: 3 });
    clock.advanceTo(300);
    source.complete();
    expect(h.get().out).toEqual([
      [0, event({ at: 1 }, 1)],
      [0, watermark(0)],
      [60, event({ at: 2 }, 2)],
      [60, watermark(1)],
      [160, IDLE],
      [200, ACTIVE],
      [200, event({ at: 3 }, 3)],
      [200, watermark(2)],
      [300, IDLE],
      [300, END_OF_TIME],
    ]);
    expect(h.get().completed).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('propagates an upstream error, without the final watermark', () => {
    const boom = new Error('upstream');
    const r = record(concat(of({ at: 1 }), throwError(() => boom)).pipe(byAt)).get();
    expect(r.out).toEqual([event({ at: 1 }, 1), watermark(0)]);
    expect(r.error).toBe(boom);
  });

  it('a throwing timestamp extractor errors the stream with that error', () => {
    const boom = new Error('extractor');
    const source = new Subject<Row>();
    const r = record(source.pipe(withEventTime<Row>({ timestamp: (x) => {
      if (x.at === 2) throw boom;
      return x.at;
    } }))).get();
    source.next({ at: 1 });
    source.next({ at: 2 });
    source.next({ at: 3 });
    expect(r.out).toEqual([event({ at: 1 }, 1), watermark(0)]);
    expect(r.error).toBe(boom);
    expect(source.observed).toBe(false);
  });

  it('a throwing watermark strategy errors the stream with that error', () => {
    const boom = new Error('strategy');
    const throwing: WatermarkStrategy = { create: () => ({ onEvent: () => { throw boom; } }) };
    const r = record(of({ at: 1 }).pipe(withEventTime({ timestamp: (x: Row) => x.at, watermark: throwing }))).get();
    expect(r.out).toEqual([event({ at: 1 }, 1)]);
    expect(r.error).toBe(boom);
    const failingCreate: WatermarkStrategy = { create: () => { throw boom; } };
    const r2 = record(of({ at: 1 }).pipe(withEventTime({ timestamp: (x: Row) => x.at, watermark: failingCreate }))).get();
    expect(r2.out).toEqual([]);
    expect(r2.error).toBe(boom);
  });

  it('a strategy returning a non-number errors the stream with InvalidWatermarkError', () => {
    for (const bad of [NaN, '5', undefined, null, {}]) {
      const r = record(of({ at: 1 }).pipe(withEventTime({ timestamp: (x: Row) => x.at, watermark: scripted(bad) }))).get();
      expect(InvalidWatermarkError.isInvalidWatermarkError(r.error)).toBe(true);
      expect((r.error as InvalidWatermarkError).operator).toBe('withEventTime');
      expect((r.error as Error).message).toContain('withEventTime: a watermark must be a number');
      expect(r.out.filter((e) => e.kind === 'watermark')).toEqual([]);
      expect(r.completed).toBe(false);
    }
  });

  it("a strategy whose create() returns no generator (a forgotten return, or {}) errors at subscribe with InvalidArgumentError", () => {
    const cases: [WatermarkStrategy, string][] = [
      [
        { create: () => undefined as unknown as WatermarkGenerator },
        "withEventTime: the watermark strategy's create() must return a generator { onEvent(timestamp, value) { return watermark } }, " +
          'got undefined (does create() forget to return it?)',
      ],
      [
        { create: () => ({}) as WatermarkGenerator },
        "withEventTime: the watermark strategy's create() must return a generator { onEvent(timestamp, value) { return watermark } }, got {}",
      ],
    ];
    for (const [strategy, message] of cases) {
      const r = record(of({ at: 1 }).pipe(withEventTime({ timestamp: (x: Row) => x.at, watermark: strategy }))).get();
      expect(r.out).toEqual([]);
      expect(InvalidArgumentError.isInvalidArgumentError(r.error)).toBe(true);
      expect((r.error as Error).message).toBe(message);
    }
  });

  it('metrics.behindWatermark counts the events that arrive at or below the watermark already emitted, over all subscriptions', () => {
    const op = withEventTime({ timestamp: (r: Row) => r.at });
    expect(op.metrics).toEqual({ behindWatermark: 0 });
    // monotonous: W(4) after 5, so 4 and 3 are behind it, 5 (a repeat, above W(4)) is not.
    const r = record(from([5, 4, 5, 3, 9].map((at) => ({ at }))).pipe(op)).get();
    expect(r.out.filter((e) => e.kind === 'event')).toHaveLength(5);
    expect(op.metrics.behindWatermark).toBe(2);
    record(from([{ at: 2 }, { at: 1 }]).pipe(op));
    expect(op.metrics.behindWatermark).toBe(3);
    const bounded = withEventTime({ timestamp: (r: Row) => r.at, watermark: boundedOutOfOrderness(2) });
    record(from([5, 3, 2, 9, 6].map((at) => ({ at }))).pipe(bounded));
    expect(bounded.metrics.behindWatermark).toBe(2); // 2 (W 2), 6 (W 6)
  });

  it('bad timestamps (NaN, ±Infinity, a string, undefined, null, a symbol, a bigint) error the stream with InvalidTimestampError', () => {
    for (const [bad, shown, inValue] of BAD_TIMESTAMPS) {
      const r = record(of({ at: 1 }, { at: bad as number, id: 'bad' }, { at: 2 }).pipe(byAt)).get();
      expect(r.out).toEqual([event({ at: 1 }, 1), watermark(0)]);
      expect(InvalidTimestampError.isInvalidTimestampError(r.error)).toBe(true);
      const e = r.error as InvalidTimestampError;
      expect(e.operator).toBe('withEventTime');
      expect(e.value).toEqual({ at: bad, id: 'bad' });
      expect(e.message).toContain(`withEventTime: timestamp must be a finite number, ${shown}`);
      expect(e.message).toContain(`for value { at: ${inValue}, id: "bad" }`);
      expect(e.message).toContain('deadLetter');
    }
  });

  it('bad timestamps go to deadLetter when given (function or observer), and the stream goes on', () => {
    const letters: DeadLetter<Row>[] = [];
    const bad = { at: NaN, id: 'x' };
    const input = [{ at: 1 }, bad, { at: 2 }];
    const r = record(from(input).pipe(withEventTime<Row>({ timestamp: (x) => x.at, deadLetter: (d) => letters.push(d) }))).get();
    expect(r.out).toEqual([event({ at: 1 }, 1), watermark(0), event({ at: 2 }, 2), watermark(1), END_OF_TIME]);
    expect(r.completed).toBe(true);
    expect(letters).toHaveLength(1);
    expect(letters[0]!.operator).toBe('withEventTime');
    expect(letters[0]!.input).toBe(bad);
    expect(InvalidTimestampError.isInvalidTimestampError(letters[0]!.error)).toBe(true);

    const observed: unknown[] = [];
    const r2 = record(from(input).pipe(withEventTime<Row>({ timestamp: (x) => x.at, deadLetter: { next: (d) => observed.push(d.input) } }))).get();
    expect(r2.completed).toBe(true);
    expect(observed).toEqual([bad]);
  });

  it('a downstream take(1) stops a synchronous source at once', () => {
    let produced = 0;
    const r = record(range(0, 1e6).pipe(tap(() => produced++), withEventTime({ timestamp: (i: number) => i }), take(1))).get();
    expect(r.out).toEqual([event(0, 0)]);
    expect(produced).toBe(1);
    let produced2 = 0;
    const r2 = record(range(0, 1e6).pipe(tap(() => produced2++), withEventTime({ timestamp: (i: number) => i }), take(2))).get();
    expect(r2.out).toEqual([event(0, 0), watermark(-1)]);
    expect(produced2).toBe(1);
  });

  it('early unsubscribe unsubscribes the source', () => {
    const source = new Subject<Row>();
    record(source.pipe(byAt)).subscription.unsubscribe();
    expect(source.observed).toBe(false);
  });

  it('is cold: every subscription has its own watermark state', () => {
    const op = withEventTime({ timestamp: (x: Row) => x.at, watermark: boundedOutOfOrderness(0) });
    const first = record(of({ at: 100 }).pipe(op)).get().out;
    const second = record(of({ at: 5 }).pipe(op)).get().out;
    expect(first).toEqual([event({ at: 100 }, 100), watermark(99), END_OF_TIME]);
    expect(second).toEqual([event({ at: 5 }, 5), watermark(4), END_OF_TIME]);
  });

  it('rejects bad options at creation, naming the operator, the value and what is needed', () => {
    const cases: [() => unknown, string][] = [
      [() => withEventTime(null as unknown as { timestamp: (r: Row) => number }), 'withEventTime: expected a config object, got null'],
      [() => withEventTime({} as { timestamp: (r: Row) => number }), 'withEventTime: timestamp must be a function, got undefined'],
      [() => withEventTime({ timestamp: 'at' as unknown as (r: Row) => number }), 'withEventTime: timestamp must be a function, got "at"'],
      [
        () => withEventTime({ timestamp: (r: Row) => r.at, watermark: {} as WatermarkStrategy }),
        'withEventTime: watermark must be a WatermarkStrategy such as boundedOutOfOrderness(ms), got {}',
      ],
      [
        () => withEventTime({ timestamp: (r: Row) => r.at, watermark: boundedOutOfOrderness as unknown as WatermarkStrategy }),
        'withEventTime: watermark must be a WatermarkStrategy such as boundedOutOfOrderness(ms), got function boundedOutOfOrderness ' +
          '(call the factory: boundedOutOfOrderness(ms), not boundedOutOfOrderness)',
      ],
      [() => withEventTime(5 as unknown as { timestamp: (r: Row) => number }), 'withEventTime: expected a config object, got 5'],
      [() => withEventTime({ timestamp: (r: Row) => r.at, watermarkStep: -1 }), 'withEventTime: watermarkStep must be a finite number >= 0, got -1'],
      [() => withEventTime({ timestamp: (r: Row) => r.at, idleTimeout: 0 }), 'withEventTime: idleTimeout must be a positive finite number, got 0'],
      [
        () => withEventTime({ timestamp: (r: Row) => r.at, scheduler: {} as SchedulerLike }),
        "withEventTime: scheduler must be an RxJS SchedulerLike with now() and schedule(), got {}; pass e.g. asyncScheduler from 'rxjs', or a VirtualClock from 'tidemark/testing'",
      ],
      [
        () => withEventTime({ timestamp: (r: Row) => r.at, scheduler: null as unknown as SchedulerLike }),
        "withEventTime: scheduler must be an RxJS SchedulerLike with now() and schedule(), got null; pass e.g. asyncScheduler from 'rxjs', or a VirtualClock from 'tidemark/testing'",
      ],
      [() => withEventTime({ timestamp: (r: Row) => r.at, idleTimeout: NaN }), 'withEventTime: idleTimeout must be a positive finite number, got NaN'],
    ];
    for (const [make, message] of cases) {
      const e = errorOf(make);
      expect(InvalidArgumentError.isInvalidArgumentError(e)).toBe(true);
      expect(e.message).toBe(message);
    }
  });
});
