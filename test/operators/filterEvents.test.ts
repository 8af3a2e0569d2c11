import { NEVER, Observable, Subject, concat, from, map, of, range, take, tap, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { IDLE, InvalidArgumentError, barrier, event, filterEvents, watermark, type StreamElement } from 'tidemark';

function record<T>(source: Observable<T>) {
  const r = { out: [] as T[], completed: false, error: undefined as unknown };
  const subscription = source.subscribe({ next: (x) => r.out.push(x), error: (e) => (r.error = e), complete: () => (r.completed = true) });
  return { get: () => r, subscription };
}

const even = filterEvents((v: number) => v % 2 === 0);

describe('filterEvents', () => {
  it('empty: completes with nothing', () => {
    const r = record(from<StreamElement<number>[]>([]).pipe(even)).get();
    expect(r.out).toEqual([]);
    expect(r.completed).toBe(true);
  });

  it('never: emits nothing and does not complete', () => {
    const h = record((NEVER as Observable<StreamElement<number>>).pipe(even));
    expect(h.get()).toEqual({ out: [], completed: false, error: undefined });
    h.subscription.unsubscribe();
  });

  it('one event: kept or dropped by the predicate', () => {
    const kept = event(2, 7);
    expect(record(of(kept).pipe(even)).get().out[0]).toBe(kept);
    expect(record(of(event(1, 7)).pipe(even)).get().out).toEqual([]);
  });

  it('many events: keeps matching events, passes control elements unchanged and in order', () => {
    const w1 = watermark(1);
    const b = barrier(3);
    const input: StreamElement<number>[] = [event(1, 1), w1, event(2, 2), b, IDLE, event(3, 5), event(4, 6), watermark(6)];
    const r = record(from(input).pipe(even)).get();
    expect(r.out).toEqual([w1, event(2, 2), b, IDLE, event(4, 6), watermark(6)]);
    expect(r.out[0]).toBe(w1);
    expect(r.out[2]).toBe(b);
    expect(r.completed).toBe(true);
  });

  it('passes the timestamp to the predicate and narrows with a type guard', () => {
    const input: StreamElement<string | number>[] = [event('a', 1), event(2, 2), event('c', 3)];
    const r = record(from(input).pipe(filterEvents((v: string | number, t): v is string => typeof v === 'string' && t > 1))).get();
    const strings: StreamElement<string>[] = r.out;
    expect(strings).toEqual([event('c', 3)]);
  });

  it('propagates an upstream error', () => {
    const boom = new Error('upstream');
    const r = record(concat(of(event(2, 1)), throwError(() => boom)).pipe(even)).get();
    expect(r.out).toEqual([event(2, 1)]);
    expect(r.error).toBe(boom);
  });

  it('a throwing predicate errors the stream with that error and unsubscribes the source', () => {
    const boom = new Error('predicate');
    const source = new Subject<StreamElement<number>>();
    const r = record(source.pipe(filterEvents((v: number) => {
      if (v === 3) throw boom;
      return true;
    }))).get();
    source.next(event(1, 1));
    source.next(event(3, 3));
    source.next(event(5, 5));
    expect(r.out).toEqual([event(1, 1)]);
    expect(r.error).toBe(boom);
    expect(source.observed).toBe(false);
  });

  it('early unsubscribe unsubscribes the source', () => {
    const source = new Subject<StreamElement<number>>();
    const h = record(source.pipe(even));
    h.subscription.unsubscribe();
    expect(source.observed).toBe(false);
  });

  it('a downstream take(1) stops a synchronous source at once', () => {
    let produced = 0;
    const r = record(range(0, 1e6).pipe(tap(() => produced++), map((i) => event(i, i)), even, take(1))).get();
    expect(r.out).toEqual([event(0, 0)]);
    expect(produced).toBe(1);
  });

  it('rejects a predicate that is not a function, at creation', () => {
    let thrown: unknown;
    try {
      filterEvents(null as unknown as (v: number) => boolean);
    } catch (e) {
      thrown = e;
    }
    expect(InvalidArgumentError.isInvalidArgumentError(thrown)).toBe(true);
    expect((thrown as Error).message).toBe('filterEvents: predicate must be a function, got null');
  });
});
