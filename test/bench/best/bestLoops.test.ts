import fc from 'fast-check';
import { from, lastValueFrom, toArray } from 'rxjs';
import { boundedOutOfOrderness, count, session, sliding, tumbling, values, windowAggregate, withEventTime, type WindowAssigner, type WindowResult } from 'tidemark';
import { describe, expect, it } from 'vitest';
import { SessionCounts } from '../../../bench/best/sessionCounts.js';
import { SlidingCounts } from '../../../bench/best/slidingCounts.js';
import { TumblingCounts } from '../../../bench/best/tumblingCounts.js';
import { byWindow } from '../../../bench/query.js';

/**
 * The best loops against the library on arbitrary streams: disorder within and beyond the
 * bound (late events), time jumps (gaps with no window), negative times, few and many keys.
 */

interface Ev {
  readonly key: number;
  readonly t: number;
}

/** Timestamps: a walk that mostly advances, sometimes jumps ahead or goes back (by up to 3 × the bound). */
const streams = (bound: number) =>
  fc
    .array(
      fc.record({
        key: fc.integer({ min: 0, max: 5 }),
        step: fc.oneof(
          { weight: 6, arbitrary: fc.integer({ min: 0, max: 4 }) },
          { weight: 2, arbitrary: fc.integer({ min: -3 * bound - 3, max: -1 }) },
          { weight: 1, arbitrary: fc.integer({ min: 20, max: 200 }) },
        ),
      }),
      { maxLength: 300 },
    )
    .chain((steps) =>
      fc.integer({ min: -100, max: 100 }).map((t0) => {
        let max = t0;
        return steps.map(({ key, step }): Ev => {
          const t = step >= 0 ? (max += step) : max + step;
          return { key, t };
        });
      }),
    );

async function viaTidemark(events: readonly Ev[], window: WindowAssigner, bound: number): Promise<{ results: WindowResult<number, number>[]; late: number }> {
  const metrics = { lateEvents: 0 };
  const results = await lastValueFrom(
    from(events).pipe(
      withEventTime({ timestamp: (e: Ev) => e.t, watermark: boundedOutOfOrderness(bound) }),
      windowAggregate({ window, key: (e: Ev) => e.key, aggregate: count(), metrics }),
      values(),
      toArray(),
    ),
  );
  return { results, late: metrics.lateEvents };
}

interface Loop {
  add(key: number, t: number): void;
  advance(t: number): void;
  end(): void;
  readonly lateEvents: number;
}

function viaLoop(events: readonly Ev[], loop: Loop): number {
  for (const e of events) {
    loop.add(e.key, e.t);
    loop.advance(e.t);
  }
  loop.end();
  return loop.lateEvents;
}

const canonical = (rs: WindowResult<number, number>[]): WindowResult<number, number>[] => [...rs].sort(byWindow);
const params = fc.record({ bound: fc.integer({ min: 0, max: 20 }) });

describe('best loops equal the library on arbitrary streams', () => {
  it('TumblingCounts', async () => {
    await fc.assert(
      fc.asyncProperty(params.chain(({ bound }) => fc.tuple(fc.constant(bound), fc.integer({ min: 1, max: 30 }), streams(bound))), async ([bound, size, events]) => {
        const expected = await viaTidemark(events, tumbling(size), bound);
        const got: WindowResult<number, number>[] = [];
        const late = viaLoop(events, new TumblingCounts<number>(size, bound, (r) => got.push({ ...r })));
        expect(canonical(got)).toEqual(canonical(expected.results));
        expect(late).toBe(expected.late);
      }),
      { numRuns: 200 },
    );
  });

  it('SlidingCounts (pane slicing)', async () => {
    const config = params.chain(({ bound }) => fc.tuple(fc.constant(bound), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 6 }), streams(bound)));
    await fc.assert(
      fc.asyncProperty(config, async ([bound, slide, panes, events]) => {
        const size = slide * panes;
        const expected = await viaTidemark(events, sliding(size, slide), bound);
        const got: WindowResult<number, number>[] = [];
        const loop = new SlidingCounts<number>(size, slide, bound, (start, end, counts) => {
          for (const [key, value] of counts) got.push({ key, start, end, value, firing: 'on-time' });
        });
        const late = viaLoop(events, loop);
        expect(canonical(got)).toEqual(canonical(expected.results));
        expect(late).toBe(expected.late);
      }),
      { numRuns: 200 },
    );
  });

  it('SessionCounts (in place, lazy timers)', async () => {
    await fc.assert(
      fc.asyncProperty(params.chain(({ bound }) => fc.tuple(fc.constant(bound), fc.integer({ min: 1, max: 30 }), streams(bound))), async ([bound, gap, events]) => {
        const expected = await viaTidemark(events, session(gap), bound);
        const got: WindowResult<number, number>[] = [];
        const loop = new SessionCounts<number>(gap, bound, (r) => got.push(r));
        const late = viaLoop(events, loop);
        expect(canonical(got)).toEqual(canonical(expected.results));
        expect(late).toBe(expected.late);
        expect(loop.liveSessions).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
