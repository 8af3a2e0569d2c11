import { NEVER, Observable, Subject, concat, from, map, of, range, take, tap, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { IDLE, barrier, event, values, watermark, type StreamElement } from 'tidemark';

function record<T>(source: Observable<T>) {
  const r = { out: [] as T[], completed: false, error: undefined as unknown };
  const subscription = source.subscribe({ next: (x) => r.out.push(x), error: (e) => (r.error = e), complete: () => (r.completed = true) });
  return { get: () => r, subscription };
}

describe('values', () => {
  it('empty: completes with nothing', () => {
    expect(record(from<StreamElement<number>[]>([]).pipe(values())).get()).toEqual({ out: [], completed: true, error: undefined });
  });

  it('never: emits nothing and does not complete', () => {
    const h = record((NEVER as Observable<StreamElement<number>>).pipe(values()));
    expect(h.get()).toEqual({ out: [], completed: false, error: undefined });
    h.subscription.unsubscribe();
  });

  it('one event: its value', () => {
    const v = { id: 1 };
    const r = record(of(event(v, 3)).pipe(values())).get();
    expect(r.out).toEqual([v]);
    expect(r.out[0]).toBe(v);
  });

  it('many: event values in order, control elements dropped', () => {
    const input: StreamElement<string>[] = [event('a', 5), watermark(1), barrier(1), IDLE, event('b', 1), watermark(Infinity)];
    expect(record(from(input).pipe(values())).get()).toEqual({ out: ['a', 'b'], completed: true, error: undefined });
  });

  it('propagates an upstream error', () => {
    const boom = new Error('upstream');
    const r = record(concat(of(event('a', 1)), throwError(() => boom)).pipe(values())).get();
    expect(r.out).toEqual(['a']);
    expect(r.error).toBe(boom);
  });

  it('early unsubscribe unsubscribes the source', () => {
    const source = new Subject<StreamElement<number>>();
    record(source.pipe(values())).subscription.unsubscribe();
    expect(source.observed).toBe(false);
  });

  it('a downstream take(1) stops a synchronous source at once', () => {
    let produced = 0;
    const r = record(range(0, 1e6).pipe(tap(() => produced++), map((i) => event(i, i)), values(), take(1))).get();
    expect(r.out).toEqual([0]);
    expect(produced).toBe(1);
  });
});
