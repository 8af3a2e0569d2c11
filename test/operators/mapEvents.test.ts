import { NEVER, Observable, Subject, concat, from, map, of, range, take, tap, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { IDLE, InvalidArgumentError, barrier, event, mapEvents, watermark, type StreamElement } from 'tidemark';

function record<T>(source: Observable<T>) {
  const r = { out: [] as T[], completed: false, error: undefined as unknown };
  const subscription = source.subscribe({ next: (x) => r.out.push(x), error: (e) => (r.error = e), complete: () => (r.completed = true) });
  return { ...r, get: () => r, subscription };
}

const times10 = mapEvents((v: number) => v * 10);

describe('mapEvents', () => {
  it('empty: completes with nothing', () => {
    const r = record(from<StreamElement<number>[]>([]).pipe(times10)).get();
    expect(r.out).toEqual([]);
    expect(r.completed).toBe(true);
  });

  it('never: emits nothing and does not complete', () => {
    const h = record((NEVER as Observable<StreamElement<number>>).pipe(times10));
    expect(h.get().out).toEqual([]);
    expect(h.get().completed).toBe(false);
    h.subscription.unsubscribe();
  });

  it('one event: maps its value, keeps its timestamp', () => {
    expect(record(of(event(2, 7)).pipe(times10)).get().out).toEqual([event(20, 7)]);
  });

  it('many events: maps each, passes control elements unchanged and in order', () => {
    const w1 = watermark(1);
    const b = barrier(3);
    const w5 = watermark(5);
    const input: StreamElement<number>[] = [event(1, 1), w1, b, IDLE, event(2, 5), w5, event(3, -4)];
    const r = record(from(input).pipe(times10)).get();
    expect(r.out).toEqual([event(10, 1), w1, b, IDLE, event(20, 5), w5, event(30, -4)]);
    expect(r.out[1]).toBe(w1);
    expect(r.out[2]).toBe(b);
    expect(r.out[5]).toBe(w5);
    expect(r.completed).toBe(true);
  });

  it('passes the timestamp to project', () => {
    const seen: [string, number][] = [];
    const r = record(from([event('a', 3), event('b', 9)]).pipe(mapEvents((v: string, t) => (seen.push([v, t]), `${v}${t}`)))).get();
    expect(seen).toEqual([['a', 3], ['b', 9]]);
    expect(r.out).toEqual([event('a3', 3), event('b9', 9)]);
  });

  it('propagates an upstream error', () => {
    const boom = new Error('upstream');
    const r = record(concat(of(event(1, 1)), throwError(() => boom)).pipe(times10)).get();
    expect(r.out).toEqual([event(10, 1)]);
    expect(r.error).toBe(boom);
    expect(r.completed).toBe(false);
  });

  it('a throwing project errors the stream with that error and unsubscribes the source', () => {
    const boom = new Error('project');
    const source = new Subject<StreamElement<number>>();
    const r = record(source.pipe(mapEvents((v: number) => {
      if (v === 2) throw boom;
      return v;
    }))).get();
    source.next(event(1, 1));
    source.next(event(2, 2));
    source.next(event(3, 3));
    expect(r.out).toEqual([event(1, 1)]);
    expect(r.error).toBe(boom);
    expect(source.observed).toBe(false);
  });

  it('early unsubscribe unsubscribes the source', () => {
    const source = new Subject<StreamElement<number>>();
    const h = record(source.pipe(times10));
    source.next(event(1, 1));
    h.subscription.unsubscribe();
    expect(source.observed).toBe(false);
    expect(h.get().out).toEqual([event(10, 1)]);
  });

  it('a downstream take(1) stops a synchronous source at once', () => {
    let produced = 0;
    const r = record(range(0, 1e6).pipe(tap(() => produced++), map((i) => event(i, i)), times10, take(1))).get();
    expect(r.out).toEqual([event(0, 0)]);
    expect(produced).toBe(1);
  });

  it('rejects a project that is not a function, at creation', () => {
    let thrown: unknown;
    try {
      mapEvents(5 as unknown as (v: number) => number);
    } catch (e) {
      thrown = e;
    }
    expect(InvalidArgumentError.isInvalidArgumentError(thrown)).toBe(true);
    expect((thrown as Error).message).toBe('mapEvents: project must be a function, got 5');
  });
});
