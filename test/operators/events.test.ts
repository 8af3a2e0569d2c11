import { NEVER, Observable, Subject, concat, from, map, of, range, take, tap, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { IDLE, barrier, event, events, watermark, type StreamElement } from 'tidemark';

function record<T>(source: Observable<T>) {
  const r = { out: [] as T[], completed: false, error: undefined as unknown };
  const subscription = source.subscribe({ next: (x) => r.out.push(x), error: (e) => (r.error = e), complete: () => (r.completed = true) });
  return { get: () => r, subscription };
}

describe('events', () => {
  it('empty: completes with nothing', () => {
    expect(record(from<StreamElement<number>[]>([]).pipe(events())).get()).toEqual({ out: [], completed: true, error: undefined });
  });

  it('never: emits nothing and does not complete', () => {
    const h = record((NEVER as Observable<StreamElement<number>>).pipe(events()));
    expect(h.get()).toEqual({ out: [], completed: false, error: undefined });
    h.subscription.unsubscribe();
  });

  it('one event: the same element', () => {
    const e = event('a', 3);
    expect(record(of(e).pipe(events())).get().out[0]).toBe(e);
  });

  it('many: events in order with their timestamps, control elements dropped', () => {
    const input: StreamElement<string>[] = [event('a', 5), watermark(1), barrier(1), IDLE, event('b', 1), watermark(Infinity)];
    expect(record(from(input).pipe(events())).get()).toEqual({ out: [event('a', 5), event('b', 1)], completed: true, error: undefined });
  });

  it('propagates an upstream error', () => {
    const boom = new Error('upstream');
    const r = record(concat(of(event('a', 1)), throwError(() => boom)).pipe(events())).get();
    expect(r.out).toEqual([event('a', 1)]);
    expect(r.error).toBe(boom);
  });

  it('early unsubscribe unsubscribes the source', () => {
    const source = new Subject<StreamElement<number>>();
    record(source.pipe(events())).subscription.unsubscribe();
    expect(source.observed).toBe(false);
  });

  it('a downstream take(1) stops a synchronous source at once', () => {
    let produced = 0;
    const r = record(range(0, 1e6).pipe(tap(() => produced++), map((i) => event(i, i)), events(), take(1))).get();
    expect(r.out).toEqual([event(0, 0)]);
    expect(produced).toBe(1);
  });
});
