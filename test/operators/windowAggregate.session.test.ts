import { Observable, Subject, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  END_OF_TIME,
  MemoryStateBackend,
  collect,
  count,
  event,
  session,
  watermark,
  windowAggregate,
  type StreamElement,
  type Timestamped,
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

function sessions(gap: number, input: StreamElement<string>[]) {
  const r = record(from(input).pipe(windowAggregate({ window: session(gap), aggregate: collect<string>() }))).get();
  if (r.error !== undefined) throw r.error;
  expect(r.completed).toBe(true);
  return r.out;
}

function sizes(backend: MemoryStateBackend): [contents: number, sessions: number, timers: number] {
  return [backend.table('contents').size, backend.table('sessions').size, backend.timers('timers').size];
}

describe('windowAggregate: session windows', () => {
  it('one event: the window [t, t + gap)', () => {
    expect(sessions(3, [event('a', 1)])).toEqual([R(1, 4, ['a']), END_OF_TIME]);
  });

  it('events more than a gap apart stay in separate sessions', () => {
    expect(sessions(3, [event('a', 1), event('b', 5)])).toEqual([R(1, 4, ['a']), R(5, 8, ['b']), END_OF_TIME]);
  });

  it('overlapping windows merge', () => {
    expect(sessions(3, [event('a', 1), event('b', 3)])).toEqual([R(1, 6, ['a', 'b']), END_OF_TIME]);
  });

  it('touching windows merge: [1,4) and [4,7) are one session', () => {
    expect(sessions(3, [event('a', 1), event('b', 4)])).toEqual([R(1, 7, ['a', 'b']), END_OF_TIME]);
    expect(sessions(3, [event('b', 4), event('a', 1)])).toEqual([R(1, 7, ['a', 'b']), END_OF_TIME]);
  });

  it('an event bridging two sessions merges all three into one, whatever the arrival order', () => {
    const expected = [R(1, 10, ['a', 'b', 'c']), END_OF_TIME];
    expect(sessions(3, [event('a', 1), event('c', 7), event('b', 4)])).toEqual(expected);
    expect(sessions(3, [event('c', 7), event('a', 1), event('b', 4)])).toEqual(expected);
    expect(sessions(3, [event('b', 4), event('c', 7), event('a', 1)])).toEqual(expected);
  });

  it('bridging many sessions at once', () => {
    const out = sessions(2, [event('a', 0), event('c', 4), event('e', 8), event('d', 6), event('b', 2)]);
    expect(out).toEqual([R(0, 10, ['a', 'b', 'c', 'd', 'e']), END_OF_TIME]);
  });

  it('a merged session fires when the watermark reaches its new end − 1, not the old one', () => {
    const backend = new MemoryStateBackend();
    const source = new Subject<StreamElement<string>>();
    const h = record(source.pipe(windowAggregate({ window: session(3), aggregate: count(), state: () => backend })));
    source.next(event('a', 1));
    source.next(event('b', 3)); // [1,4) becomes [1,6)
    expect(sizes(backend)).toEqual([1, 1, 1]);
    source.next(W(3));
    source.next(W(4));
    expect(h.get().out).toEqual([W(3), W(4)]);
    source.next(W(5));
    expect(h.get().out).toEqual([W(3), W(4), R(1, 6, 2), W(5)]);
    expect(sizes(backend)).toEqual([0, 0, 0]);
  });

  it('keeps sessions per key; results fire in time order', () => {
    const input = [event({ k: 'a' }, 1), event({ k: 'b' }, 2), event({ k: 'a' }, 3), event({ k: 'b' }, 10)];
    const r = record(from(input).pipe(windowAggregate({ window: session(3), key: (v: { k: string }) => v.k, aggregate: count() }))).get();
    expect(r.out).toEqual([R(2, 5, 1, 'on-time', 'b'), R(1, 6, 2, 'on-time', 'a'), R(10, 13, 1, 'on-time', 'b'), END_OF_TIME]);
  });

  it('an event for a session past its lateness starts no new session: it is late', () => {
    const late: Timestamped<string>[] = [];
    const metrics = { lateEvents: 0 };
    const r = record(
      from([event('a', 10), W(20), event('old', 1), event('b', 19)]).pipe(
        windowAggregate({ window: session(3), aggregate: collect<string>(), late: (e) => late.push(e), metrics }),
      ),
    ).get();
    // old@1 → [1,4): 3 <= 20, late. b@19 → [19,22): 21 > 20, on time.
    expect(r.out).toEqual([R(10, 13, ['a']), W(20), R(19, 22, ['b']), END_OF_TIME]);
    expect(late).toEqual([event('old', 1)]);
    expect(metrics.lateEvents).toBe(1);
  });

  it('merging with allowedLateness after a session fired: the merged session fires at its end; later ones re-fire late; then cleanup', () => {
    const backend = new MemoryStateBackend();
    const late: Timestamped<string>[] = [];
    const metrics = { lateEvents: 0 };
    const source = new Subject<StreamElement<string>>();
    const h = record(
      source.pipe(
        windowAggregate({ window: session(3), aggregate: collect<string>(), allowedLateness: 10, late: (e) => late.push(e), metrics, state: () => backend }),
      ),
    );
    source.next(event('a', 1)); // [1,4)
    source.next(W(3)); // fires [1,4) on time
    source.next(event('b', 5)); // [5,8): a new session
    expect(sizes(backend)).toEqual([2, 1, 3]); // purge of [1,4) at 13; fire and purge of [5,8) at 7 and 17
    source.next(event('c', 3)); // [3,6) bridges [1,4) and [5,8): [1,8), not yet due
    expect(sizes(backend)).toEqual([1, 1, 2]); // [1,8): fire at 7, purge at 17
    source.next(W(7)); // fires [1,8) on time
    source.next(event('d', 2)); // within [1,8), within lateness: re-fires late
    source.next(W(16));
    expect(sizes(backend)).toEqual([1, 1, 1]);
    source.next(W(17)); // 7 + 10: cleaned up
    expect(sizes(backend)).toEqual([0, 0, 0]);
    source.next(event('e', 4)); // [4,7): 6 + 10 <= 17, late
    source.complete();
    expect(h.get().out).toEqual([
      R(1, 4, ['a']),
      W(3),
      R(1, 8, ['a', 'c', 'b']),
      W(7),
      R(1, 8, ['a', 'd', 'c', 'b'], 'late'),
      W(16),
      W(17),
      END_OF_TIME,
    ]);
    expect(late).toEqual([event('e', 4)]);
    expect(metrics.lateEvents).toBe(1);
  });

  it('a late event within allowedLateness that extends a fired session past the watermark waits for the new end', () => {
    const r = record(
      from([event('a', 1), W(3), event('b', 3), W(4), W(5)]).pipe(windowAggregate({ window: session(3), aggregate: count(), allowedLateness: 10 })),
    ).get();
    expect(r.out).toEqual([R(1, 4, 1), W(3), W(4), R(1, 6, 2), W(5), END_OF_TIME]);
  });

  it('without lateness, a fired session is cleaned up at once', () => {
    const backend = new MemoryStateBackend();
    const source = new Subject<StreamElement<string>>();
    const h = record(source.pipe(windowAggregate({ window: session(3), key: (v: string) => v, aggregate: count(), state: () => backend })));
    source.next(event('x', 1));
    source.next(event('y', 2));
    source.next(event('x', 20));
    expect(sizes(backend)).toEqual([3, 2, 3]);
    source.next(W(4));
    expect(h.get().out).toEqual([R(1, 4, 1, 'on-time', 'x'), R(2, 5, 1, 'on-time', 'y'), W(4)]);
    expect(sizes(backend)).toEqual([1, 1, 1]);
  });
});
