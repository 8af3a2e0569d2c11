import { Observable, Subject, VirtualTimeScheduler, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  END_OF_TIME,
  afterWatermark,
  collect,
  count,
  event,
  session,
  tumbling,
  watermark,
  windowAggregate,
  type AfterWatermarkOptions,
  type StreamElement,
  type Timestamped,
  type WindowAssigner,
  type WindowResult,
} from 'tidemark';

function R<R, K = undefined>(start: number, end: number, value: R, firing: WindowResult<K, R>['firing'] = 'on-time', key?: K): Timestamped<WindowResult<K, R>> {
  return event({ key: key as K, start, end, value, firing }, end - 1);
}
const W = watermark;

function record<T>(source: Observable<T>) {
  const r = { out: [] as T[], completed: false, error: undefined as unknown };
  const subscription = source.subscribe({ next: (x) => r.out.push(x), error: (e) => (r.error = e), complete: () => (r.completed = true) });
  return { get: () => r, subscription };
}

function advanceTo(s: VirtualTimeScheduler, t: number): void {
  s.maxFrames = t;
  s.flush();
  s.frame = t;
}

/** Runs input synchronously through a collect() window aggregation with the given trigger. */
function fired(input: StreamElement<string>[], trigger: AfterWatermarkOptions, allowedLateness = 0) {
  const r = record(from(input).pipe(windowAggregate({ window: tumbling(10), aggregate: collect<string>(), trigger: afterWatermark(trigger), allowedLateness }))).get();
  if (r.error !== undefined) throw r.error;
  expect(r.completed).toBe(true);
  return r.out;
}

/** A subject-driven window aggregation on a virtual clock; records (clock, element) pairs. */
function onVirtualClock(window: WindowAssigner, trigger: AfterWatermarkOptions) {
  const s = new VirtualTimeScheduler();
  const source = new Subject<StreamElement<string>>();
  const seen: [number, StreamElement<WindowResult<undefined, string[]>>][] = [];
  const errors: unknown[] = [];
  const subscription = source
    .pipe(windowAggregate({ window, aggregate: collect<string>(), trigger: afterWatermark(trigger), scheduler: s }))
    .subscribe({ next: (el) => seen.push([s.now(), el]), error: (e: unknown) => errors.push(e) });
  /** Advances the clock to `t`, then pushes the elements. */
  const at = (t: number, ...els: StreamElement<string>[]) => {
    advanceTo(s, t);
    for (const el of els) source.next(el);
  };
  return { s, source, seen, errors, subscription, at };
}

describe('windowAggregate: early firings every N events', () => {
  it('accumulating panes: each early firing carries everything so far', () => {
    const out = fired([event('a', 1), event('b', 2), event('c', 3), W(9)], { early: { everyEvents: 2 } });
    expect(out).toEqual([R(0, 10, ['a', 'b'], 'early'), R(0, 10, ['a', 'b', 'c']), W(9), END_OF_TIME]);
  });

  it('discarding panes: each firing carries only what arrived since the previous one', () => {
    const out = fired([event('a', 1), event('b', 2), event('c', 3), W(9)], { early: { everyEvents: 2 }, panes: 'discarding' });
    expect(out).toEqual([R(0, 10, ['a', 'b'], 'early'), R(0, 10, ['c']), W(9), END_OF_TIME]);
  });

  it('counts per window', () => {
    const out = fired([event('a', 1), event('x', 11), event('b', 2), event('y', 12), event('c', 3)], { early: { everyEvents: 2 } });
    expect(out).toEqual([
      R(0, 10, ['a', 'b'], 'early'),
      R(10, 20, ['x', 'y'], 'early'),
      R(0, 10, ['a', 'b', 'c']),
      R(10, 20, ['x', 'y']),
      END_OF_TIME,
    ]);
  });

  it('after the on-time firing, events within lateness fire late (not early), accumulated or discarded', () => {
    const input = [event('a', 1), W(9), event('b', 2), event('c', 3)];
    expect(fired(input, { early: { everyEvents: 2 } }, 5)).toEqual([
      R(0, 10, ['a']),
      W(9),
      R(0, 10, ['a', 'b'], 'late'),
      R(0, 10, ['a', 'b', 'c'], 'late'),
      END_OF_TIME,
    ]);
    expect(fired(input, { early: { everyEvents: 2 }, panes: 'discarding' }, 5)).toEqual([
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
    const r = record(
      from([event('a', 1), event('c', 15), event('b', 8), event('d', 9)]).pipe(
        windowAggregate({ window: session(10), aggregate: collect<string>(), trigger: afterWatermark({ early: { everyEvents: 3 } }) }),
      ),
    ).get();
    // a: [1,11) pane 1; c: [15,25) pane 1; b@8 bridges them: pane 1 + 1 + 1 = 3, fires; d: pane 1.
    expect(r.out).toEqual([R(1, 25, ['a', 'b', 'c'], 'early'), R(1, 25, ['a', 'b', 'd', 'c']), END_OF_TIME]);
  });
});

describe('windowAggregate: early firings every T of processing time', () => {
  it('fires T after the first event of a pane; the on-time firing cancels a pending early one', () => {
    const v = onVirtualClock(tumbling(10), { early: { every: 100 } });
    v.at(0, event('a', 1));
    v.at(50, event('b', 2));
    v.at(99);
    expect(v.seen).toEqual([]);
    v.at(100);
    v.at(150, event('c', 3)); // a new pane: early firing due at 250
    v.at(160, W(9)); // on time first: the early firing at 250 is cancelled
    v.at(300);
    v.source.complete();
    expect(v.seen).toEqual([
      [100, R(0, 10, ['a', 'b'], 'early')],
      [160, R(0, 10, ['a', 'b', 'c'])],
      [160, W(9)],
      [300, END_OF_TIME],
    ]);
    expect(v.s.actions).toHaveLength(0);
  });

  it('discarding panes on a processing-time trigger', () => {
    const v = onVirtualClock(tumbling(10), { early: { every: 100 }, panes: 'discarding' });
    v.at(0, event('a', 1));
    v.at(50, event('b', 2));
    v.at(150, event('c', 3));
    v.at(255, event('d', 4));
    v.at(260, W(9));
    v.at(400);
    v.source.complete();
    expect(v.seen).toEqual([
      [100, R(0, 10, ['a', 'b'], 'early')],
      [250, R(0, 10, ['c'], 'early')],
      [260, R(0, 10, ['d'])],
      [260, W(9)],
      [400, END_OF_TIME],
    ]);
  });

  it('an early firing by count resets the pane and its processing-time timer', () => {
    const v = onVirtualClock(tumbling(10), { early: { every: 100, everyEvents: 2 } });
    v.at(0, event('a', 1));
    v.at(10, event('b', 2)); // fires by count; the timer due at 100 is void
    v.at(120, event('c', 3)); // a new pane: due at 220
    v.at(230, W(9));
    expect(v.seen).toEqual([
      [10, R(0, 10, ['a', 'b'], 'early')],
      [220, R(0, 10, ['a', 'b', 'c'], 'early')],
      [230, R(0, 10, ['a', 'b', 'c'])],
      [230, W(9)],
    ]);
  });

  it('unsubscribing cancels the pending processing-time action', () => {
    const v = onVirtualClock(tumbling(10), { early: { every: 100 } });
    expect(v.s.actions).toHaveLength(0);
    v.at(0, event('a', 1));
    expect(v.s.actions).toHaveLength(1);
    v.subscription.unsubscribe();
    expect(v.s.actions).toHaveLength(0);
    expect(v.source.observed).toBe(false);
    v.at(1000);
    expect(v.seen).toEqual([]);
  });

  it('an aggregator throwing during a processing-time firing errors the stream with that error', () => {
    const boom = new Error('result');
    const s = new VirtualTimeScheduler();
    const source = new Subject<StreamElement<number>>();
    const base = count<number>();
    const r = record(
      source.pipe(
        windowAggregate({ window: tumbling(10), aggregate: { ...base, result: () => { throw boom; } }, trigger: afterWatermark({ early: { every: 100 } }), scheduler: s }),
      ),
    ).get();
    source.next(event(1, 1));
    advanceTo(s, 100);
    expect(r.error).toBe(boom);
    expect(r.out).toEqual([]);
    expect(source.observed).toBe(false);
    expect(s.actions).toHaveLength(0);
  });

  it('an error cancels the pending processing-time action', () => {
    const v = onVirtualClock(tumbling(10), { early: { every: 100 } });
    v.at(0, event('a', 1));
    const upstream = new Error('upstream');
    v.source.error(upstream);
    expect(v.errors).toEqual([upstream]);
    expect(v.s.actions).toHaveLength(0);
  });

  it('session windows: panes follow merges', () => {
    const v = onVirtualClock(session(10), { early: { every: 100 } });
    v.at(0, event('a', 1)); // [1,11), due at 100
    v.at(50, event('b', 5)); // [1,15)
    v.at(120, event('c', 30)); // [30,40), due at 220
    v.at(130, event('d', 20)); // [20,40)
    v.at(300);
    v.source.complete();
    expect(v.seen).toEqual([
      [100, R(1, 15, ['a', 'b'], 'early')],
      [220, R(20, 40, ['d', 'c'], 'early')],
      [300, R(1, 15, ['a', 'b'])],
      [300, R(20, 40, ['d', 'c'])],
      [300, END_OF_TIME],
    ]);
  });

  it('session windows: a bridged session\'s pane joins the surviving one', () => {
    const v = onVirtualClock(session(10), { early: { every: 100 } });
    v.at(0, event('a', 1)); // [1,11), due at 100
    v.at(10, event('c', 15)); // [15,25), due at 110
    v.at(20, event('b', 8)); // [8,18) bridges: [1,25)
    v.at(200);
    v.source.complete();
    expect(v.seen).toEqual([
      [100, R(1, 25, ['a', 'b', 'c'], 'early')],
      [200, R(1, 25, ['a', 'b', 'c'])],
      [200, END_OF_TIME],
    ]);
  });

  it('count() with early firings on a processing-time trigger (a non-collect aggregator)', () => {
    const s = new VirtualTimeScheduler();
    const source = new Subject<StreamElement<number>>();
    const seen: [number, StreamElement<WindowResult<undefined, number>>][] = [];
    source
      .pipe(windowAggregate({ window: tumbling(10), aggregate: count(), trigger: afterWatermark({ early: { every: 5 } }), scheduler: s }))
      .subscribe((el) => seen.push([s.now(), el]));
    source.next(event(1, 1));
    source.next(event(2, 2));
    advanceTo(s, 5);
    source.next(W(9));
    expect(seen).toEqual([
      [5, R(0, 10, 2, 'early')],
      [5, R(0, 10, 2)],
      [5, W(9)],
    ]);
  });
});
