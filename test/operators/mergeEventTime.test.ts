import { EMPTY, NEVER, Observable, Subject, VirtualTimeScheduler, defer, from, map, of, range, take, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ACTIVE, END_OF_TIME, IDLE, InvalidWatermarkError, barrier, event, mergeEventTime, watermark, withEventTime, type StreamElement } from 'tidemark';

interface Row {
  at: number;
}

function record<T>(source: Observable<T>) {
  const r = { out: [] as T[], completed: false, error: undefined as unknown };
  const subscription = source.subscribe({ next: (x) => r.out.push(x), error: (e) => (r.error = e), complete: () => (r.completed = true) });
  return { get: () => r, subscription };
}

function advanceTo(s: VirtualTimeScheduler, t: number): void {
  s.maxFrames = t;
  s.flush();
  s.frame = t;
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
    const a = new Subject<StreamElement<string>>();
    const b = new Subject<StreamElement<string>>();
    const h = record(mergeEventTime(a, b));
    a.next(event('x', 1));
    a.next(watermark(5));
    b.next(event('y', 2));
    b.next(watermark(3));
    a.next(watermark(9));
    b.next(watermark(3));
    b.next(watermark(2)); // an input going backwards changes nothing
    b.next(watermark(7));
    b.complete(); // a completed input counts as +Infinity
    a.next(watermark(8));
    a.next(event('z', 20));
    expect(h.get().completed).toBe(false);
    a.complete();
    expect(h.get()).toEqual({
      out: [event('x', 1), event('y', 2), watermark(3), watermark(7), watermark(9), event('z', 20), END_OF_TIME],
      completed: true,
      error: undefined,
    });
  });

  it('an input that completed before another starts counts as +Infinity', () => {
    const r = record(mergeEventTime(from<StreamElement<number>[]>([event(1, 1), watermark(5)]), from<StreamElement<number>[]>([watermark(3), watermark(8)]))).get();
    expect(r.out).toEqual([event(1, 1), watermark(3), watermark(8), END_OF_TIME]);
    expect(r.completed).toBe(true);
  });

  it('ignores idle inputs, and never goes back when an idle input resumes behind', () => {
    const s = new VirtualTimeScheduler();
    const sa = new Subject<Row>();
    const sb = new Subject<Row>();
    const a = sa.pipe(withEventTime<Row>({ timestamp: (r) => r.at, idleTimeout: 100, scheduler: s }));
    const b = sb.pipe(withEventTime<Row>({ timestamp: (r) => r.at, scheduler: s }));
    const seen: [number, StreamElement<Row>][] = [];
    mergeEventTime(a, b).subscribe((el) => seen.push([s.now(), el]));
    sa.next({ at: 1 });
    sb.next({ at: 50 });
    advanceTo(s, 100); // a is idle: only b holds the watermark back
    sb.next({ at: 60 });
    advanceTo(s, 150);
    sa.next({ at: 5 }); // a resumes with watermark 4 < 59: the output does not go back
    sb.next({ at: 70 });
    expect(seen).toEqual([
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
    expect(seen.slice(8)).toEqual([[150, event({ at: 65 }, 65)], [150, watermark(64)]]);
  });

  it('when every input is idle the output is idle; an event makes it active again', () => {
    const s = new VirtualTimeScheduler();
    const sa = new Subject<Row>();
    const sb = new Subject<Row>();
    const a = sa.pipe(withEventTime<Row>({ timestamp: (r) => r.at, idleTimeout: 100, scheduler: s }));
    const b = sb.pipe(withEventTime<Row>({ timestamp: (r) => r.at, idleTimeout: 100, scheduler: s }));
    const seen: [number, StreamElement<Row>][] = [];
    const sub = mergeEventTime(a, b).subscribe((el) => seen.push([s.now(), el]));
    sa.next({ at: 1 });
    sb.next({ at: 2 });
    advanceTo(s, 100);
    advanceTo(s, 150);
    sa.next({ at: 10 });
    expect(seen).toEqual([
      [0, event({ at: 1 }, 1)],
      [0, event({ at: 2 }, 2)],
      [0, watermark(0)],
      [100, watermark(1)],
      [100, IDLE],
      [150, ACTIVE],
      [150, event({ at: 10 }, 10)],
      [150, watermark(9)],
    ]);
    sub.unsubscribe();
    expect(s.actions).toHaveLength(0);
  });

  it('an event on an idle input that did not announce it is active makes the output active first', () => {
    const a = new Subject<StreamElement<number>>();
    const h = record(mergeEventTime(a));
    a.next(IDLE);
    a.next(event(1, 1));
    expect(h.get().out).toEqual([IDLE, ACTIVE, event(1, 1)]);
  });

  it('an idle input still holds the stream open when the other input completes: no +Infinity until it completes', () => {
    const a = new Subject<StreamElement<string>>();
    const b = new Subject<StreamElement<string>>();
    const h = record(mergeEventTime(a, b));
    a.next(watermark(5));
    b.next(watermark(7));
    a.next(IDLE); // b alone holds the watermark now
    expect(h.get().out).toEqual([watermark(5), watermark(7)]);
    b.complete(); // only the idle input a is left running: the output is idle, not at +Infinity
    expect(h.get()).toEqual({ out: [watermark(5), watermark(7), IDLE], completed: false, error: undefined });
    a.next(event('late-ish', 6));
    a.next(watermark(8));
    a.complete();
    expect(h.get()).toEqual({ out: [watermark(5), watermark(7), IDLE, ACTIVE, event('late-ish', 6), watermark(8), END_OF_TIME], completed: true, error: undefined });
  });

  it('errors with InvalidWatermarkError on a watermark that is not a number', () => {
    const r = record(mergeEventTime(from<StreamElement<number>[]>([event(1, 1), watermark(Number.NaN)]))).get();
    expect(r.out).toEqual([event(1, 1)]);
    expect(InvalidWatermarkError.isInvalidWatermarkError(r.error)).toBe(true);
    expect((r.error as Error).message).toMatch(/^mergeEventTime: a watermark must be a number.*got NaN/);
  });

  it('forwards a barrier once every running input has delivered it', () => {
    const a = new Subject<StreamElement<number>>();
    const b = new Subject<StreamElement<number>>();
    const h = record(mergeEventTime(a, b));
    a.next(barrier(1));
    a.next(barrier(2));
    expect(h.get().out).toEqual([]);
    b.next(barrier(1));
    expect(h.get().out).toEqual([barrier(1)]);
    b.next(barrier(2));
    expect(h.get().out).toEqual([barrier(1), barrier(2)]);
  });

  it('a completed input no longer holds a barrier back', () => {
    const a = new Subject<StreamElement<number>>();
    const b = new Subject<StreamElement<number>>();
    const h = record(mergeEventTime(a, b));
    a.next(barrier(1));
    b.complete();
    expect(h.get().out).toEqual([barrier(1)]);
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
});
