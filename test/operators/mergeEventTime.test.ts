import { EMPTY, NEVER, Subject, defer, from, map, merge, of, range, take, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ACTIVE, END_OF_TIME, IDLE, InvalidWatermarkError, StreamContractError, barrier, event, mergeEventTime, watermark, withEventTime, type StreamElement } from 'tidemark';
import { TwoInputHarness, VirtualClock, expectMarbles } from 'tidemark/testing';
import { errorOf } from '../support/errorOf.js';
import { record } from '../support/record.js';
import { recordOnClock } from '../support/recordOnClock.js';

interface Row {
  at: number;
}

/** mergeEventTime of two inputs, driven by a harness. */
const merged = <T>() => new TwoInputHarness<T, T, T>({ operator: (left, right) => mergeEventTime(left, right) });

/** Two inputs through withEventTime on one virtual clock (`a` idle after 100, `b` after `bIdle`), merged; records (clock, element) pairs. */
function idleInputs(bIdle?: number) {
  const clock = new VirtualClock();
  const sa = new Subject<Row>();
  const sb = new Subject<Row>();
  const a = sa.pipe(withEventTime<Row>({ timestamp: (r) => r.at, idleTimeout: 100, scheduler: clock }));
  const b = sb.pipe(withEventTime<Row>({ timestamp: (r) => r.at, idleTimeout: bIdle, scheduler: clock }));
  const h = recordOnClock(mergeEventTime(a, b), clock);
  return { clock, sa, sb, seen: () => h.get().out, subscription: h.subscription };
}

describe('mergeEventTime', () => {
  it('zero sources: the final watermark, then complete', () => {
    expect(record(mergeEventTime<number>()).get()).toEqual({ out: [END_OF_TIME], completed: true, error: undefined });
  });

  it('empty sources: the final watermark once, then complete', () => {
    const r = record(mergeEventTime<number>(EMPTY, from([]))).get();
    expect(r).toEqual({ out: [END_OF_TIME], completed: true, error: undefined });
  });

  it('never: nothing, no completion; a completed input does not end the merge', () => {
    const h = record(mergeEventTime<number>(NEVER, NEVER));
    expect(h.get()).toEqual({ out: [], completed: false, error: undefined });
    h.subscription.unsubscribe();
    const h2 = record(mergeEventTime<number>(of(event(1, 1), watermark(1)), NEVER));
    expect(h2.get()).toEqual({ out: [event(1, 1)], completed: false, error: undefined });
    h2.subscription.unsubscribe();
  });

  it('one source: events and watermarks pass, +Infinity at the end', () => {
    const r = record(mergeEventTime(from<StreamElement<string>[]>([event('a', 1), watermark(1), event('b', 5), watermark(5)]))).get();
    expect(r).toEqual({ out: [event('a', 1), watermark(1), event('b', 5), watermark(5), END_OF_TIME], completed: true, error: undefined });
  });

  it('many: events as they arrive; the watermark is the minimum of the inputs, forwarded only when it advances', () => {
    const h = merged<string>();
    h.left.pushMarbles('x@1 W5');
    h.right.pushMarbles('y@2 W3');
    h.left.pushMarbles('W9');
    h.right.pushMarbles('W3 W7'); // an input repeating its watermark changes nothing
    h.right.complete(); // a completed input counts as +Infinity
    h.left.pushMarbles('W9 z@20');
    expectMarbles(h, 'x@1 y@2 W3 W7 W9 z@20');
    h.left.complete();
    expectMarbles(h, 'x@1 y@2 W3 W7 W9 z@20 W+inf |');
  });

  it('an input that completed before another starts counts as +Infinity', () => {
    const r = record(mergeEventTime(from<StreamElement<number>[]>([event(1, 1), watermark(5)]), from<StreamElement<number>[]>([watermark(3), watermark(8)]))).get();
    expect(r.out).toEqual([event(1, 1), watermark(3), watermark(8), END_OF_TIME]);
    expect(r.completed).toBe(true);
  });

  it('ignores idle inputs, and never goes back when an idle input resumes behind', () => {
    const { clock, sa, sb, seen, subscription } = idleInputs();
    sa.next({ at: 1 });
    sb.next({ at: 50 });
    clock.advanceTo(100); // a is idle: only b holds the watermark back
    sb.next({ at: 60 });
    clock.advanceTo(150);
    sa.next({ at: 5 }); // a resumes with watermark 4 < 59: the output does not go back
    sb.next({ at: 70 });
    expect(seen()).toEqual([
      [0, event({ at: 1 }, 1)],
      [0, event({ at: 50 }, 50)],
      [0, watermark(0)],
      [100, watermark(49)],
      [100, event({ at: 60 }, 60)],
      [100, watermark(59)],
      [150, event({ at: 5 }, 5)],
      [150, event({ at: 70 }, 70)],
    ]);
    sa.next({ at: 65 }); // a now holds the watermark at 64
    expect(seen().slice(8)).toEqual([[150, event({ at: 65 }, 65)], [150, watermark(64)]]);
    subscription.unsubscribe();
    expect(clock.pending).toBe(0);
  });

  it('when every input is idle the output is idle; an event makes it active again', () => {
    const { clock, sa, sb, seen, subscription } = idleInputs(100);
    sa.next({ at: 1 });
    sb.next({ at: 2 });
    clock.advanceTo(100);
    clock.advanceTo(150);
    sa.next({ at: 10 });
    expect(seen()).toEqual([
      [0, event({ at: 1 }, 1)],
      [0, event({ at: 2 }, 2)],
      [0, watermark(0)],
      [100, watermark(1)],
      [100, IDLE],
      [150, ACTIVE],
      [150, event({ at: 10 }, 10)],
      [150, watermark(9)],
    ]);
    expect(clock.pending).toBe(1); // a watches for idleness again (b is still idle)
    subscription.unsubscribe();
    expect(clock.pending).toBe(0);
  });

  it('an event on an idle input that did not announce it is active makes the output active first', () => {
    const a = new Subject<StreamElement<number>>();
    const h = record(mergeEventTime(a));
    a.next(IDLE);
    a.next(event(1, 1));
    expect(h.get().out).toEqual([IDLE, ACTIVE, event(1, 1)]);
  });

  it('an idle input still holds the stream open when the other input completes: no +Infinity until it completes', () => {
    const h = merged<string>();
    h.left.pushMarbles('W5');
    h.right.pushMarbles('W7');
    h.left.pushMarbles('idle'); // b alone holds the watermark now
    expectMarbles(h, 'W5 W7');
    h.right.complete(); // only the idle input a is left running: the output is idle, not at +Infinity
    expectMarbles(h, 'W5 W7 idle');
    h.left.pushMarbles('late-ish@6 W8 |');
    expectMarbles(h, 'W5 W7 idle active late-ish@6 W8 W+inf |');
  });

  it('errors with InvalidWatermarkError on a watermark that is not a number', () => {
    const r = record(mergeEventTime(from<StreamElement<number>[]>([event(1, 1), watermark(Number.NaN)]))).get();
    expect(r.out).toEqual([event(1, 1)]);
    expect(InvalidWatermarkError.isInvalidWatermarkError(r.error)).toBe(true);
    expect((r.error as Error).message).toMatch(/^mergeEventTime: a watermark must be a number.*got NaN/);
  });

  it('forwards a barrier once every running input has delivered it', () => {
    const h = merged<number>();
    h.left.pushMarbles('B1 B2');
    expectMarbles(h, '');
    h.right.pushMarbles('B1');
    expectMarbles(h, 'B1');
    h.right.pushMarbles('B2');
    expectMarbles(h, 'B1 B2');
  });

  it('a completed input no longer holds a barrier back', () => {
    const h = merged<number>();
    h.left.pushMarbles('B1');
    h.right.complete();
    expectMarbles(h, 'B1');
  });

  it('a barrier from an input that then completed does not stand in for a running input', () => {
    const a = new Subject<StreamElement<number>>();
    const b = new Subject<StreamElement<number>>();
    const c = new Subject<StreamElement<number>>();
    const h = record(mergeEventTime(a, b, c));
    a.next(barrier(1));
    a.complete();
    b.next(barrier(1));
    expect(h.get().out).toEqual([]); // c has not delivered barrier 1 yet
    c.next(barrier(1));
    expect(h.get().out).toEqual([barrier(1)]);
  });

  it('propagates an input error and unsubscribes the other inputs', () => {
    const boom = new Error('input');
    const a = new Subject<StreamElement<number>>();
    const b = new Subject<StreamElement<number>>();
    const h = record(mergeEventTime(a, b));
    b.next(event(1, 1));
    a.error(boom);
    expect(h.get()).toEqual({ out: [event(1, 1)], completed: false, error: boom });
    expect(b.observed).toBe(false);
  });

  it('early unsubscribe unsubscribes every input', () => {
    const a = new Subject<StreamElement<number>>();
    const b = new Subject<StreamElement<number>>();
    record(mergeEventTime(a, b)).subscription.unsubscribe();
    expect(a.observed).toBe(false);
    expect(b.observed).toBe(false);
  });

  it('a downstream take(1) stops a synchronous input at once and subscribes no later input', () => {
    let produced = 0;
    let laterSubscribed = 0;
    const first = range(0, 1e6).pipe(tap(() => produced++), map((i) => event(i, i)));
    const later = defer(() => {
      laterSubscribed++;
      return of(event(-1, -1));
    });
    const r = record(mergeEventTime(first, later).pipe(take(1))).get();
    expect(r.out).toEqual([event(0, 0)]);
    expect(produced).toBe(1);
    expect(laterSubscribed).toBe(0);
  });

  it('an input watermark that goes backwards errors with a StreamContractError naming the input', () => {
    const h = merged<string>();
    h.left.pushMarbles('W5');
    const e = errorOf(() => h.right.pushMarbles('W7 W6')) as StreamContractError;
    expect(h.output).toEqual([watermark(5)]);
    expect(StreamContractError.isStreamContractError(e)).toBe(true);
    expect(e.violation).toBe('watermark-regression');
    expect(e.operator).toBe('mergeEventTime (input 2 of 2)');
    expect(e.message).toContain('mergeEventTime (input 2 of 2): the watermark went backwards, from W(7) to W(6)');
  });

  it('an event after an input\'s +Infinity watermark errors (an RxJS merge inside one input)', () => {
    const a = from([{ at: 1 }]).pipe(withEventTime({ timestamp: (r: Row) => r.at }));
    const b = from([{ at: 2 }]).pipe(withEventTime({ timestamp: (r: Row) => r.at }));
    const r = record(mergeEventTime(merge(a, b))).get();
    expect(r.out).toEqual([event({ at: 1 }, 1), watermark(0), END_OF_TIME]);
    expect((r.error as StreamContractError).violation).toBe('event-after-end-of-time');
    expect((r.error as StreamContractError).operator).toBe('mergeEventTime');
  });

  it('plain values (a forgotten withEventTime) error with a StreamContractError instead of passing as control elements', () => {
    for (const plain of [42, { at: 1 }, null]) {
      const r = record(mergeEventTime(of(event(0, 0)), of(plain as unknown as StreamElement<number>))).get();
      expect(r.out).toEqual([event(0, 0)]);
      expect((r.error as StreamContractError).violation).toBe('not-an-element');
      expect((r.error as Error).message).toContain('mergeEventTime (input 2 of 2): expected an event-time stream element');
    }
  });

  it('re-entrancy: an element pushed while another is delivered waits for it; output watermarks stay monotone', () => {
    const a = new Subject<StreamElement<number>>();
    const b = new Subject<StreamElement<number>>();
    const out: StreamElement<number>[] = [];
    mergeEventTime(a, b).subscribe((e) => {
      out.push(e);
      if (e.kind === 'watermark' && e.timestamp === 3) {
        b.next(watermark(20));
        a.next(watermark(30));
        a.next(event(25, 25));
      }
    });
    a.next(watermark(5));
    b.next(watermark(3)); // W3 out; its subscriber pushes into both inputs while it is delivered
    expect(out).toEqual([watermark(3), watermark(5), watermark(20), event(25, 25)]);
  });
});
