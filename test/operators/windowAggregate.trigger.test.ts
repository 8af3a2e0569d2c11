import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  END_OF_TIME,
  afterWatermark,
  collect,
  MemoryStateBackend,
  count,
  event,
  session,
  tumbling,
  watermark as W,
  windowAggregate,
  type AfterWatermarkOptions,
  type StreamElement,
  type WindowAggregateConfig,
  type WindowAssigner,
} from 'tidemark';
import { VirtualClock } from 'tidemark/testing';
import { recordOnClock } from '../support/recordOnClock.js';
import { BACKENDS, currentBackend, runOn } from '../support/backends.js';
import { windowAggregateHarness } from '../support/windowAggregateHarness.js';
import { R } from '../support/windowResult.js';

/** Runs marbles to completion through a collect() window aggregation (tumbling(10) unless told) with the given trigger. */
function fired(marbles: string, trigger: AfterWatermarkOptions, { allowedLateness = 0, window = tumbling(10) as WindowAssigner } = {}) {
  const h = windowAggregateHarness(() => ({ window, aggregate: collect<string>(), trigger: afterWatermark(trigger), allowedLateness }));
  h.pushMarbles(marbles).complete();
  expect(h.completed).toBe(true);
  return h.output;
}

/** A subject-driven window aggregation on a virtual clock; records (clock, element) pairs. */
function onVirtualClock<T, A, R>(config: WindowAggregateConfig<T, undefined, A, R>) {
  const clock = new VirtualClock();
  const source = new Subject<StreamElement<T>>();
  const recorded = recordOnClock(source.pipe(windowAggregate({ state: currentBackend(), ...config, scheduler: clock })), clock);
  /** Advances the clock to `t`, then pushes the elements. */
  const at = (t: number, ...els: StreamElement<T>[]) => {
    clock.advanceTo(t);
    for (const el of els) source.next(el);
  };
  return { clock, source, at, seen: () => recorded.get().out, error: () => recorded.get().error, subscription: recorded.subscription };
}

/** {@link onVirtualClock} for collect() of strings with an afterWatermark trigger. */
const collectOnClock = (window: WindowAssigner, trigger: AfterWatermarkOptions) =>
  onVirtualClock({ window, aggregate: collect<string>(), trigger: afterWatermark(trigger) });

describe.each(BACKENDS)('on the %s', (_backend, backend) => {
  runOn(backend);

  describe('windowAggregate: early firings every N events', () => {
    it('accumulating panes: each early firing carries everything so far', () => {
      expect(fired('a@1 b@2 c@3 W9', { early: { everyEvents: 2 } })).toEqual([R(0, 10, ['a', 'b'], 'early'), R(0, 10, ['a', 'b', 'c']), W(9), END_OF_TIME]);
    });

    it('discarding panes: each firing carries only what arrived since the previous one', () => {
      const out = fired('a@1 b@2 c@3 W9', { early: { everyEvents: 2 }, panes: 'discarding' });
      expect(out).toEqual([R(0, 10, ['a', 'b'], 'early'), R(0, 10, ['c']), W(9), END_OF_TIME]);
    });

    it('counts per window', () => {
      expect(fired('a@1 x@11 b@2 y@12 c@3', { early: { everyEvents: 2 } })).toEqual([
        R(0, 10, ['a', 'b'], 'early'),
        R(10, 20, ['x', 'y'], 'early'),
        R(0, 10, ['a', 'b', 'c']),
        R(10, 20, ['x', 'y']),
        END_OF_TIME,
      ]);
    });

    it('after the on-time firing, events within lateness fire late (not early), accumulated or discarded', () => {
      const input = 'a@1 W9 b@2 c@3';
      expect(fired(input, { early: { everyEvents: 2 } }, { allowedLateness: 5 })).toEqual([
        R(0, 10, ['a']),
        W(9),
        R(0, 10, ['a', 'b'], 'late'),
        R(0, 10, ['a', 'b', 'c'], 'late'),
        END_OF_TIME,
      ]);
      expect(fired(input, { early: { everyEvents: 2 }, panes: 'discarding' }, { allowedLateness: 5 })).toEqual([
        R(0, 10, ['a']),
        W(9),
        R(0, 10, ['b'], 'late'),
        R(0, 10, ['c'], 'late'),
        END_OF_TIME,
      ]);
    });
  });

  describe('windowAggregate: early firings every N events in session windows', () => {
    it('merging sessions adds up their pane counts (as Flink\'s CountTrigger merges its count)', () => {
      const out = fired('a@1 c@15 b@8 d@9', { early: { everyEvents: 3 } }, { window: session(10) });
      // a: [1,11) pane 1; c: [15,25) pane 1; b@8 bridges them: pane 1 + 1 + 1 = 3, fires; d: pane 1.
      expect(out).toEqual([R(1, 25, ['a', 'b', 'c'], 'early'), R(1, 25, ['a', 'b', 'd', 'c']), END_OF_TIME]);
    });
  });

  describe('windowAggregate: early firings every T of processing time', () => {
    it('fires T after the first event of a pane; the on-time firing cancels a pending early one', () => {
      const v = collectOnClock(tumbling(10), { early: { every: 100 } });
      v.at(0, event('a', 1));
      v.at(50, event('b', 2));
      v.at(99);
      expect(v.seen()).toEqual([]);
      v.at(100);
      v.at(150, event('c', 3)); // a new pane: early firing due at 250
      expect(v.clock.nextTime).toBe(250);
      v.at(160, W(9)); // on time first: the early firing at 250 is cancelled
      v.at(300);
      v.source.complete();
      expect(v.seen()).toEqual([
        [100, R(0, 10, ['a', 'b'], 'early')],
        [160, R(0, 10, ['a', 'b', 'c'])],
        [160, W(9)],
        [300, END_OF_TIME],
      ]);
      expect(v.clock.pending).toBe(0);
    });

    it('discarding panes on a processing-time trigger', () => {
      const v = collectOnClock(tumbling(10), { early: { every: 100 }, panes: 'discarding' });
      v.at(0, event('a', 1));
      v.at(50, event('b', 2));
      v.at(150, event('c', 3));
      v.at(255, event('d', 4));
      v.at(260, W(9));
      v.at(400);
      v.source.complete();
      expect(v.seen()).toEqual([
        [100, R(0, 10, ['a', 'b'], 'early')],
        [250, R(0, 10, ['c'], 'early')],
        [260, R(0, 10, ['d'])],
        [260, W(9)],
        [400, END_OF_TIME],
      ]);
    });

    it('an early firing by count resets the pane and its processing-time timer', () => {
      const v = collectOnClock(tumbling(10), { early: { every: 100, everyEvents: 2 } });
      v.at(0, event('a', 1));
      v.at(10, event('b', 2)); // fires by count; the timer due at 100 is void
      v.at(120, event('c', 3)); // a new pane: due at 220
      v.at(230, W(9));
      expect(v.seen()).toEqual([
        [10, R(0, 10, ['a', 'b'], 'early')],
        [220, R(0, 10, ['a', 'b', 'c'], 'early')],
        [230, R(0, 10, ['a', 'b', 'c'])],
        [230, W(9)],
      ]);
    });

    it('unsubscribing cancels the pending processing-time action', () => {
      const v = collectOnClock(tumbling(10), { early: { every: 100 } });
      expect(v.clock.pending).toBe(0);
      v.at(0, event('a', 1));
      expect(v.clock.pending).toBe(1);
      v.subscription.unsubscribe();
      expect(v.clock.pending).toBe(0);
      expect(v.source.observed).toBe(false);
      v.at(1000);
      expect(v.seen()).toEqual([]);
    });

    it('an aggregator throwing during a processing-time firing errors the stream with that error', () => {
      const boom = new Error('result');
      const base = count<number>();
      const v = onVirtualClock({ window: tumbling(10), aggregate: { ...base, result: () => { throw boom; } }, trigger: afterWatermark({ early: { every: 100 } }) });
      v.at(0, event(1, 1));
      v.at(100);
      expect(v.error()).toBe(boom);
      expect(v.seen()).toEqual([]);
      expect(v.source.observed).toBe(false);
      expect(v.clock.pending).toBe(0);
    });

    it('an error cancels the pending processing-time action', () => {
      const v = collectOnClock(tumbling(10), { early: { every: 100 } });
      v.at(0, event('a', 1));
      expect(v.clock.pending).toBe(1);
      const upstream = new Error('upstream');
      v.source.error(upstream);
      expect(v.error()).toBe(upstream);
      expect(v.clock.pending).toBe(0);
    });

    it("a session merge keeps the merged pane's countdown from its first event, not from the merge", () => {
      const v = collectOnClock(session(10), { early: { every: 100 } });
      v.at(0, event('a', 20)); // [20,30): due at 100
      v.at(50, event('b', 5)); // [5,15): due at 150
      v.at(60, event('c', 14)); // bridges both into [5,30): its pane began with a, at 0
      v.at(300);
      v.source.complete();
      expect(v.seen()).toEqual([
        [100, R(5, 30, ['b', 'c', 'a'], 'early')],
        [300, R(5, 30, ['b', 'c', 'a'])],
        [300, END_OF_TIME],
      ]);
      expect(v.clock.pending).toBe(0);
    });

    it('discarding panes of sessions: a firing resets the stored session (the reset is written back)', () => {
      expect(fired('a@1 b@2 c@3 W20', { early: { everyEvents: 2 }, panes: 'discarding' }, { window: session(5) })).toEqual([
        R(1, 7, ['a', 'b'], 'early'),
        R(1, 8, ['c']),
        W(20),
        END_OF_TIME,
      ]);
    });

    it('cancelled processing-time timers are freed at once: a replay on a clock that never advances keeps the timer queue small', () => {
      const backend = new MemoryStateBackend();
      const clock = new VirtualClock();
      const source = new Subject<StreamElement<string>>();
      source.pipe(windowAggregate({ window: tumbling(10), aggregate: count(), trigger: afterWatermark({ early: { every: 1_000 } }), scheduler: clock, state: () => backend })).subscribe();
      const footprint = () => (backend.timers('early-timers') as unknown as { footprint: number }).footprint;
      // 2,000 windows, each opened (an early timer) and fired on time (which cancels it), all at processing time 0
      // but each pane at its own due time (the clock is not advanced): every cancelled timer must be gone.
      for (let w = 0; w < 2_000; w++) {
        clock.advanceTo(w / 1_000); // distinct due times without reaching any of them
        source.next(event('x', w * 10 + 1));
        source.next(W(w * 10 + 9));
      }
      expect(backend.timers('early-timers').size).toBe(0);
      expect(footprint()).toBeLessThan(100);
    });

    it('session windows: panes follow merges', () => {
      const v = collectOnClock(session(10), { early: { every: 100 } });
      v.at(0, event('a', 1)); // [1,11), due at 100
      v.at(50, event('b', 5)); // [1,15)
      v.at(120, event('c', 30)); // [30,40), due at 220
      v.at(130, event('d', 20)); // [20,40)
      v.at(300);
      v.source.complete();
      expect(v.seen()).toEqual([
        [100, R(1, 15, ['a', 'b'], 'early')],
        [220, R(20, 40, ['d', 'c'], 'early')],
        [300, R(1, 15, ['a', 'b'])],
        [300, R(20, 40, ['d', 'c'])],
        [300, END_OF_TIME],
      ]);
    });

    it('session windows: a bridged session\'s pane joins the surviving one', () => {
      const v = collectOnClock(session(10), { early: { every: 100 } });
      v.at(0, event('a', 1)); // [1,11), due at 100
      v.at(10, event('c', 15)); // [15,25), due at 110
      v.at(20, event('b', 8)); // [8,18) bridges: [1,25)
      v.at(200);
      v.source.complete();
      expect(v.seen()).toEqual([
        [100, R(1, 25, ['a', 'b', 'c'], 'early')],
        [200, R(1, 25, ['a', 'b', 'c'])],
        [200, END_OF_TIME],
      ]);
    });

    it('count() with early firings on a processing-time trigger (a non-collect aggregator)', () => {
      const v = onVirtualClock({ window: tumbling(10), aggregate: count<number>(), trigger: afterWatermark({ early: { every: 5 } }) });
      v.at(0, event(1, 1), event(2, 2));
      v.at(5, W(9));
      expect(v.seen()).toEqual([
        [5, R(0, 10, 2, 'early')],
        [5, R(0, 10, 2)],
        [5, W(9)],
      ]);
    });
  });
});
