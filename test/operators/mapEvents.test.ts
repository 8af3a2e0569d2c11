import { from, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { IDLE, InvalidArgumentError, barrier, event, mapEvents, watermark, type StreamElement } from 'tidemark';
import { errorOf } from '../support/errorOf.js';
import { elementwiseStreamContract } from '../support/elementwiseStreamContract.js';
import { record } from '../support/record.js';

const times10 = mapEvents((v: number) => v * 10);

describe('mapEvents', () => {
  elementwiseStreamContract({
    operator: times10,
    input: (i) => event(i, i),
    output: (i) => event(i * 10, i),
    withCallback: (check) => mapEvents((v: number) => (check(v), v * 10)),
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
    expect(r.out[1]).toEqual(w1);
    expect(r.out[2]).toEqual(b);
    expect(r.out[5]).toEqual(w5);
    expect(r.completed).toBe(true);
  });

  it('passes the timestamp to project', () => {
    const seen: [string, number][] = [];
    const r = record(from([event('a', 3), event('b', 9)]).pipe(mapEvents((v: string, t) => (seen.push([v, t]), `${v}${t}`)))).get();
    expect(seen).toEqual([['a', 3], ['b', 9]]);
    expect(r.out).toEqual([event('a3', 3), event('b9', 9)]);
  });

  it('rejects a project that is not a function, at creation', () => {
    const thrown = errorOf(() => mapEvents(5 as unknown as (v: number) => number));
    expect(InvalidArgumentError.isInvalidArgumentError(thrown)).toBe(true);
    expect(thrown.message).toBe('mapEvents: project must be a function, got 5');
  });
});
