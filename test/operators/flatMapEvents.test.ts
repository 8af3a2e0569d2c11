import { NEVER, Observable, Subject, concat, from, map, of, range, take, tap, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { IDLE, InvalidArgumentError, barrier, event, flatMapEvents, watermark, type StreamElement } from 'tidemark';

function record<T>(source: Observable<T>) {
  const r = { out: [] as T[], completed: false, error: undefined as unknown };
  const subscription = source.subscribe({ next: (x) => r.out.push(x), error: (e) => (r.error = e), complete: () => (r.completed = true) });
  return { get: () => r, subscription };
}

const words = flatMapEvents((line: string) => line.split(' ').filter(Boolean));

describe('flatMapEvents', () => {
  it('empty: completes with nothing', () => {
    const r = record(from<StreamElement<string>[]>([]).pipe(words)).get();
    expect(r).toEqual({ out: [], completed: true, error: undefined });
  });

  it('never: emits nothing and does not complete', () => {
    const h = record((NEVER as Observable<StreamElement<string>>).pipe(words));
    expect(h.get()).toEqual({ out: [], completed: false, error: undefined });
    h.subscription.unsubscribe();
  });

  it('one event: each produced value carries its timestamp', () => {
    expect(record(of(event('a b c', 4)).pipe(words)).get().out).toEqual([event('a', 4), event('b', 4), event('c', 4)]);
  });

  it('many events: zero or more values each, control elements unchanged and in order', () => {
    const w1 = watermark(1);
    const b = barrier(2);
    const input: StreamElement<string>[] = [event('a b', 1), w1, event('', 5), b, IDLE, event('c', 6), watermark(6)];
    const r = record(from(input).pipe(words)).get();
    expect(r.out).toEqual([event('a', 1), event('b', 1), w1, b, IDLE, event('c', 6), watermark(6)]);
    expect(r.out[2]).toBe(w1);
    expect(r.out[3]).toBe(b);
  });

  it('accepts any iterable and passes the timestamp', () => {
    const r = record(of(event(3, 10)).pipe(flatMapEvents((n: number, t) => new Set([n, t])))).get();
    expect(r.out).toEqual([event(3, 10), event(10, 10)]);
  });

  it('propagates an upstream error', () => {
    const boom = new Error('upstream');
    const r = record(concat(of(event('x', 1)), throwError(() => boom)).pipe(words)).get();
    expect(r.out).toEqual([event('x', 1)]);
    expect(r.error).toBe(boom);
  });

  it('a throwing project (or iterator) errors the stream with that error', () => {
    const boom = new Error('project');
    const r1 = record(of(event('a', 1), event('b', 2)).pipe(flatMapEvents((v: string) => {
      if (v === 'b') throw boom;
      return [v];
    }))).get();
    expect(r1.out).toEqual([event('a', 1)]);
    expect(r1.error).toBe(boom);
    const r2 = record(of(event('a', 1)).pipe(flatMapEvents(function* (v: string) {
      yield v;
      throw boom;
    }))).get();
    expect(r2.out).toEqual([event('a', 1)]);
    expect(r2.error).toBe(boom);
  });

  it('stops pulling from an endless iterable once downstream unsubscribes', () => {
    let pulled = 0;
    let finished = false;
    const r = record(of(event(0, 1)).pipe(
      flatMapEvents(function* () {
        try {
          for (;;) yield pulled++;
        } finally {
          finished = true;
        }
      }),
      take(3),
    )).get();
    expect(r.out).toEqual([event(0, 1), event(1, 1), event(2, 1)]);
    expect(r.completed).toBe(true);
    expect(pulled).toBe(3);
    expect(finished).toBe(true);
  });

  it('early unsubscribe unsubscribes the source', () => {
    const source = new Subject<StreamElement<string>>();
    record(source.pipe(words)).subscription.unsubscribe();
    expect(source.observed).toBe(false);
  });

  it('a downstream take(1) stops a synchronous source at once', () => {
    let produced = 0;
    const r = record(range(0, 1e6).pipe(tap(() => produced++), map((i) => event(`w${i}`, i)), words, take(1))).get();
    expect(r.out).toEqual([event('w0', 0)]);
    expect(produced).toBe(1);
  });

  it('rejects a project that is not a function, at creation', () => {
    let thrown: unknown;
    try {
      flatMapEvents('split' as unknown as (v: string) => string[]);
    } catch (e) {
      thrown = e;
    }
    expect(InvalidArgumentError.isInvalidArgumentError(thrown)).toBe(true);
    expect((thrown as Error).message).toBe('flatMapEvents: project must be a function, got "split"');
  });
});
