import { from, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { IDLE, barrier, event, events, watermark, type StreamElement } from 'tidemark';
import { elementwiseStreamContract } from '../support/elementwiseStreamContract.js';
import { record } from '../support/record.js';

describe('events', () => {
  elementwiseStreamContract({ operator: events<number>(), input: (i) => event(i, i), output: (i) => event(i, i) });

  it('one event: an equal element', () => {
    const e = event('a', 3);
    expect(record(of(e).pipe(events())).get().out[0]).toEqual(e);
  });

  it('many: events in order with their timestamps, control elements dropped', () => {
    const input: StreamElement<string>[] = [event('a', 5), watermark(1), barrier(1), IDLE, event('b', 1), watermark(Infinity)];
    expect(record(from(input).pipe(events())).get()).toEqual({ out: [event('a', 5), event('b', 1)], completed: true, error: undefined });
  });
});
