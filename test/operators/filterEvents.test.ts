import { from, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { IDLE, InvalidArgumentError, barrier, event, filterEvents, watermark, type StreamElement } from 'tidemark';
import { errorOf } from '../support/errorOf.js';
import { elementwiseStreamContract } from '../support/elementwiseStreamContract.js';
import { record } from '../support/record.js';

const even = filterEvents((v: number) => v % 2 === 0);

describe('filterEvents', () => {
  elementwiseStreamContract({
    operator: even,
    input: (i) => event(2 * i, i),
    output: (i) => event(2 * i, i),
    withCallback: (check) => filterEvents((v: number) => (check(v), v % 2 === 0)),
  });

  it('one event: kept or dropped by the predicate', () => {
    const kept = event(2, 7);
    expect(record(of(kept).pipe(even)).get().out[0]).toEqual(kept);
    expect(record(of(event(1, 7)).pipe(even)).get().out).toEqual([]);
  });

  it('many events: keeps matching events, passes control elements unchanged and in order', () => {
    const w1 = watermark(1);
    const b = barrier(3);
    const input: StreamElement<number>[] = [event(1, 1), w1, event(2, 2), b, IDLE, event(3, 5), event(4, 6), watermark(6)];
    const r = record(from(input).pipe(even)).get();
    expect(r.out).toEqual([w1, event(2, 2), b, IDLE, event(4, 6), watermark(6)]);
    expect(r.out[0]).toEqual(w1);
    expect(r.out[2]).toEqual(b);
    expect(r.completed).toBe(true);
  });

  it('passes the timestamp to the predicate and narrows with a type guard', () => {
    const input: StreamElement<string | number>[] = [event('a', 1), event(2, 2), event('c', 3)];
    const r = record(from(input).pipe(filterEvents((v: string | number, t): v is string => typeof v === 'string' && t > 1))).get();
    const strings: StreamElement<string>[] = r.out;
    expect(strings).toEqual([event('c', 3)]);
  });

  it('rejects a predicate that is not a function, at creation', () => {
    const thrown = errorOf(() => filterEvents(null as unknown as (v: number) => boolean));
    expect(InvalidArgumentError.isInvalidArgumentError(thrown)).toBe(true);
    expect(thrown.message).toBe('filterEvents: predicate must be a function, got null');
  });
});
