import { from, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { IDLE, barrier, event, values, watermark, type StreamElement } from 'tidemark';
import { elementwiseStreamContract } from '../support/elementwiseStreamContract.js';
import { record } from '../support/record.js';

describe('values', () => {
  elementwiseStreamContract({ operator: values<string>(), input: (i) => event(`v${i}`, i), output: (i) => `v${i}` });

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
});
