import { from, of, take } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { IDLE, InvalidArgumentError, barrier, event, flatMapEvents, watermark, type StreamElement } from 'tidemark';
import { errorOf } from '../support/errorOf.js';
import { elementwiseStreamContract } from '../support/elementwiseStreamContract.js';
import { record } from '../support/record.js';

const words = flatMapEvents((line: string) => line.split(' ').filter(Boolean));

describe('flatMapEvents', () => {
  elementwiseStreamContract({
    operator: words,
    input: (i) => event(`w${i}`, i),
    output: (i) => event(`w${i}`, i),
    withCallback: (check) => flatMapEvents((line: string) => (check(line), line.split(' ').filter(Boolean))),
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
    expect(r.out[2]).toEqual(w1);
    expect(r.out[3]).toEqual(b);
  });

  it('accepts any iterable and passes the timestamp', () => {
    const r = record(of(event(3, 10)).pipe(flatMapEvents((n: number, t) => new Set([n, t])))).get();
    expect(r.out).toEqual([event(3, 10), event(10, 10)]);
  });

  it('an iterator that throws midway errors the stream with that error, after the values it yielded', () => {
    const boom = new Error('iterator');
    const r = record(of(event('a', 1), event('b', 2)).pipe(flatMapEvents(function* (v: string) {
      yield v;
      throw boom;
    }))).get();
    expect(r.out).toEqual([event('a', 1)]);
    expect(r.error).toBe(boom);
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

  it('rejects a project that is not a function, at creation', () => {
    const thrown = errorOf(() => flatMapEvents('split' as unknown as (v: string) => string[]));
    expect(InvalidArgumentError.isInvalidArgumentError(thrown)).toBe(true);
    expect(thrown.message).toBe('flatMapEvents: project must be a function, got "split"');
  });
});
