import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { boundedOutOfOrderness, count, session, sliding, tumbling, values, windowAggregate, withEventTime } from 'tidemark';

describe('smoke', () => {
  it('tumbling count', async () => {
    const input = [1, 4, 12, 3, 25].map((at, i) => ({ at, id: i }));
    const out = await lastValueFrom(
      from(input).pipe(
        withEventTime({ timestamp: (r) => r.at, watermark: boundedOutOfOrderness(10) }),
        windowAggregate({ window: tumbling(10), aggregate: count() }),
        values(),
        toArray(),
      ),
    );
    expect(out).toEqual([
      { key: undefined, start: 0, end: 10, value: 3, firing: 'on-time' },
      { key: undefined, start: 10, end: 20, value: 1, firing: 'on-time' },
      { key: undefined, start: 20, end: 30, value: 1, firing: 'on-time' },
    ]);
  });
  it('session + sliding', async () => {
    const input = [1, 3, 20, 2].map((at) => ({ at }));
    const s = await lastValueFrom(
      from(input).pipe(withEventTime({ timestamp: (r) => r.at, watermark: boundedOutOfOrderness(100) }), windowAggregate({ window: session(3), aggregate: count() }), values(), toArray()),
    );
    expect(s.map((r) => [r.start, r.end, r.value])).toEqual([[1, 6, 3], [20, 23, 1]]);
    const sl = await lastValueFrom(
      from(input).pipe(withEventTime({ timestamp: (r) => r.at, watermark: boundedOutOfOrderness(100) }), windowAggregate({ window: sliding(10, 5), aggregate: count() }), values(), toArray()),
    );
    expect(sl.map((r) => [r.start, r.end, r.value])).toEqual([[-5, 5, 3], [0, 10, 3], [15, 25, 1], [20, 30, 1]]);
  });
});
