import { describe, expect, it } from 'vitest';
import { END_OF_TIME, MemoryStateBackend, collect, count, event, session, watermark as W, windowAggregateEngine } from 'tidemark';
import { BACKENDS, currentBackend, runOn } from '../support/backends.js';
import { windowAggregateHarness } from '../support/windowAggregateHarness.js';
import { R } from '../support/windowResult.js';

/** The output of session windows with the given gap collecting the events of the marbles, run to completion. */
function sessions(gap: number, marbles: string) {
  const h = windowAggregateHarness(() => ({ window: session(gap), aggregate: collect<string>() })).pushMarbles(`${marbles} |`);
  expect(h.completed).toBe(true);
  return h.output;
}

function sizes(backend: MemoryStateBackend): [contents: number, sessions: number, timers: number] {
  return [backend.table('contents').size, backend.ordered('sessions').size, backend.timers('timers').size];
}

describe.each(BACKENDS)('on the %s', (_backend, backend) => {
  runOn(backend);

  describe('windowAggregate: session windows', () => {
    it('one event: the window [t, t + gap)', () => {
      expect(sessions(3, 'a@1')).toEqual([R(1, 4, ['a']), END_OF_TIME]);
    });

    it('events more than a gap apart stay in separate sessions', () => {
      expect(sessions(3, 'a@1 b@5')).toEqual([R(1, 4, ['a']), R(5, 8, ['b']), END_OF_TIME]);
    });

    it('overlapping windows merge', () => {
      expect(sessions(3, 'a@1 b@3')).toEqual([R(1, 6, ['a', 'b']), END_OF_TIME]);
    });

    it('touching windows merge: [1,4) and [4,7) are one session', () => {
      expect(sessions(3, 'a@1 b@4')).toEqual([R(1, 7, ['a', 'b']), END_OF_TIME]);
      expect(sessions(3, 'b@4 a@1')).toEqual([R(1, 7, ['a', 'b']), END_OF_TIME]);
    });

    it('an event bridging two sessions merges all three into one, whatever the arrival order', () => {
      const expected = [R(1, 10, ['a', 'b', 'c']), END_OF_TIME];
      expect(sessions(3, 'a@1 c@7 b@4')).toEqual(expected);
      expect(sessions(3, 'c@7 a@1 b@4')).toEqual(expected);
      expect(sessions(3, 'b@4 c@7 a@1')).toEqual(expected);
    });

    it('bridging many sessions at once', () => {
      const out = sessions(2, 'a@0 c@4 e@8 d@6 b@2');
      expect(out).toEqual([R(0, 10, ['a', 'b', 'c', 'd', 'e']), END_OF_TIME]);
    });

    it('a merged session fires when the watermark reaches its new end − 1, not the old one', () => {
      const backend = new MemoryStateBackend();
      const h = windowAggregateHarness(() => ({ window: session(3), aggregate: count(), state: () => backend }));
      h.pushMarbles('a@1 b@3'); // [1,4) becomes [1,6)
      // The session and its accumulator are one entry; the timer armed at 3 stays there and re-arms at 5.
      expect(sizes(backend)).toEqual([0, 1, 1]);
      h.pushMarbles('W3 W4');
      expect(h.output).toEqual([W(3), W(4)]);
      h.pushMarbles('W5');
      expect(h.output).toEqual([W(3), W(4), R(1, 6, 2), W(5)]);
      expect(sizes(backend)).toEqual([0, 0, 0]);
    });

    it('keeps sessions per key; results fire in time order', () => {
      const h = windowAggregateHarness(() => ({ window: session(3), key: (v: string) => v, aggregate: count() })).pushMarbles('a@1 b@2 a@3 b@10 |');
      expect(h.output).toEqual([R(2, 5, 1, 'on-time', 'b'), R(1, 6, 2, 'on-time', 'a'), R(10, 13, 1, 'on-time', 'b'), END_OF_TIME]);
    });

    it('an event for a session past its lateness starts no new session: it is late', () => {
      const metrics = { lateEvents: 0 };
      const h = windowAggregateHarness((ctx) => ({ window: session(3), aggregate: collect<string>(), late: ctx.late, metrics })).pushMarbles('a@10 W20 old@1 b@19 |');
      // old@1 → [1,4): 3 <= 20, late. b@19 → [19,22): 21 > 20, on time.
      expect(h.output).toEqual([R(10, 13, ['a']), W(20), R(19, 22, ['b']), END_OF_TIME]);
      expect(h.late).toEqual([event('old', 1)]);
      expect(metrics.lateEvents).toBe(1);
    });

    it('merging with allowedLateness after a session fired: the merged session fires at its end; later ones re-fire late; then cleanup', () => {
      const backend = new MemoryStateBackend();
      const metrics = { lateEvents: 0 };
      const h = windowAggregateHarness((ctx) => ({ window: session(3), aggregate: collect<string>(), allowedLateness: 10, late: ctx.late, metrics, state: () => backend }));
      h.pushMarbles('a@1'); // [1,4)
      h.pushMarbles('W3'); // fires [1,4) on time
      h.pushMarbles('b@5'); // [5,8): a new session
      expect(sizes(backend)).toEqual([0, 2, 2]); // sessions [1,4) and [5,8); purge of [1,4) at 13; [5,8) armed at 7 (its purge is armed when it fires)
      h.pushMarbles('c@3'); // [3,6) bridges [1,4) and [5,8): [1,8), not yet due
      // [1,8) had fired as [1,4) and is due again: armed at 7. The timers at 13 (re-arms) and of the absorbed [5,8) (finds nothing) stay.
      expect(sizes(backend)).toEqual([0, 1, 3]);
      h.pushMarbles('W7'); // fires [1,8) on time
      h.pushMarbles('d@2'); // within [1,8), within lateness: re-fires late
      h.pushMarbles('W16');
      expect(sizes(backend)).toEqual([0, 1, 1]); // only the purge of [1,8) at 17 is left
      h.pushMarbles('W17'); // 7 + 10: cleaned up
      expect(sizes(backend)).toEqual([0, 0, 0]);
      h.pushMarbles('e@4 |'); // [4,7): 6 + 10 <= 17, late
      expect(h.output).toEqual([
        R(1, 4, ['a']),
        W(3),
        R(1, 8, ['a', 'c', 'b']),
        W(7),
        R(1, 8, ['a', 'd', 'c', 'b'], 'late'),
        W(16),
        W(17),
        END_OF_TIME,
      ]);
      expect(h.late).toEqual([event('e', 4)]);
      expect(metrics.lateEvents).toBe(1);
    });

    it('a late event within allowedLateness that extends a fired session past the watermark waits for the new end', () => {
      const h = windowAggregateHarness(() => ({ window: session(3), aggregate: count(), allowedLateness: 10 })).pushMarbles('a@1 W3 b@3 W4 W5 |');
      expect(h.output).toEqual([R(1, 4, 1), W(3), W(4), R(1, 6, 2), W(5), END_OF_TIME]);
    });

    it('without lateness, a fired session is cleaned up at once', () => {
      const backend = new MemoryStateBackend();
      const h = windowAggregateHarness(() => ({ window: session(3), key: (v: string) => v, aggregate: count(), state: () => backend }));
      h.pushMarbles('x@1 y@2 x@20');
      expect(sizes(backend)).toEqual([0, 3, 3]); // x: [1,4) and [20,23); y: [2,5)
      h.pushMarbles('W4');
      expect(h.output).toEqual([R(1, 4, 1, 'on-time', 'x'), R(2, 5, 1, 'on-time', 'y'), W(4)]);
      expect(sizes(backend)).toEqual([0, 1, 1]);
    });
  });
});

describe('windowAggregate: many live sessions of one key', () => {
  /** A memory backend that counts the calls to its ordered tables (where sessions live). */
  function countingBackend() {
    const backend = new MemoryStateBackend();
    const calls = { n: 0 };
    const ordered = backend.ordered.bind(backend);
    backend.ordered = <K, V>(name: string) => {
      const t = ordered<K, V>(name);
      return new Proxy(t, {
        get(target, prop, receiver) {
          const v: unknown = Reflect.get(target, prop, receiver);
          return typeof v === 'function' ? (...args: unknown[]) => (calls.n++, (v as (...a: unknown[]) => unknown).apply(target, args)) : v;
        },
      });
    };
    return { backend, calls };
  }

  /** State calls for one event that joins a session in the middle of `n` live sessions of one key (opened in a scrambled order). */
  function callsPerEvent(n: number): number {
    const { backend, calls } = countingBackend();
    const engine = windowAggregateEngine<number>({ window: session(3), aggregate: count(), state: () => backend })();
    engine.open({ event: () => {}, watermark: () => {}, control: () => {} }, { now: () => 0, wakeAt: () => {} });
    for (let i = 0; i < n; i++) engine.onEvent(0, ((i * 7919) % n) * 10); // disjoint sessions [10k, 10k + 3)
    expect(backend.ordered('sessions').size).toBe(n);
    calls.n = 0;
    engine.onEvent(0, Math.floor(n / 2) * 10 + 1); // joins one session
    return calls.n;
  }

  it('an event costs the same few state calls with 100 or 20,000 live sessions (binary search, not a scan)', () => {
    const small = callsPerEvent(100);
    expect(small).toBeLessThanOrEqual(5);
    expect(callsPerEvent(20_000)).toBe(small);
  });
});
