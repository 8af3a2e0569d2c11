import { NEVER, Subject, from, range, take, tap, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  IDLE,
  InvalidArgumentError,
  InvalidTimestampError,
  MemoryStateBackend,
  TidemarkError,
  barrier,
  emits,
  event,
  keyedProcess,
  keyedProcessEngine,
  valueState,
  withEventTime,
  type DeadLetter,
  type KeyedProcessConfig,
  type KeyedTimerContext,
  type StreamElement,
  type Timestamped,
} from 'tidemark';
import { VirtualClock } from 'tidemark/testing';
import { BACKENDS, currentBackend, runOn } from '../support/backends.js';
import { BAD_TIMESTAMPS } from '../support/badTimestamps.js';
import { errorOf } from '../support/errorOf.js';
import { record } from '../support/record.js';
import { E, W, keyedHarness } from './internal/keyed/keyedHarness.js';

const count = valueState<number>();

/**
 * Counts events per key (a string's first letter); each event sets an event-time timer `after`
 * its timestamp, which emits `<key><count>` (`a2`: key a has seen 2 events).
 */
function counting(after = 5): KeyedProcessConfig<string, string, { n: typeof count }, string> {
  return {
    key: (s) => s[0]!,
    state: { n: count },
    output: emits<string>(),
    onEvent(_s, ctx) {
      ctx.state.n.set((ctx.state.n.get() ?? 0) + 1);
      ctx.timers.registerEventTime(ctx.timestamp + after);
    },
    onTimer(_t, ctx) {
      ctx.emit(`${ctx.key}${ctx.state.n.get()}`);
    },
  };
}

describe.each(BACKENDS)('keyedProcess on the %s', (_backend, backend) => {
  runOn(backend);

  describe('the stream contract', () => {
    it('empty: the final +Infinity watermark, then complete', () => {
      const h = keyedHarness(counting()).complete();
      expect(h.output).toEqual([W(Infinity)]);
      expect(h.completed).toBe(true);
    });

    it('never: nothing, no completion, and unsubscribing leaves no scheduled action', () => {
      const clock = new VirtualClock();
      const r = record((NEVER as Observable<StreamElement<string>>).pipe(keyedProcess({ ...counting(), scheduler: clock, stateBackend: currentBackend() })));
      expect(r.get()).toEqual({ out: [], completed: false, error: undefined });
      r.subscription.unsubscribe();
      expect(clock.pending).toBe(0);
    });

    it('one event: its timer fires with the final watermark, before it', () => {
      const h = keyedHarness(counting()).pushEvent('a', 3).complete();
      expect(h.output).toEqual([E('a1', 8), W(Infinity)]);
    });

    it('many events: state per key, timers fire when the watermark reaches them, before it is forwarded', () => {
      const h = keyedHarness(counting());
      h.pushEvent('a1', 1).pushEvent('b1', 2).pushEvent('a2', 3).pushWatermark(5);
      expect(h.take()).toEqual([W(5)]);
      h.pushWatermark(6); // a's timer at 6 fires
      expect(h.take()).toEqual([E('a2', 6), W(6)]);
      h.pushEvent('b2', 9).pushWatermark(8); // due: b's timer at 7, a's at 8 (b's at 14 is not), in time order
      expect(h.take()).toEqual([E('b2', 7), E('a2', 8), W(8)]);
      h.complete();
      expect(h.take()).toEqual([E('b2', 14), W(Infinity)]);
    });

    it('propagates an upstream error, with nothing after it', () => {
      const boom = new Error('upstream');
      const h = keyedHarness(counting()).pushEvent('a', 1).pushWatermark(0).pushError(boom);
      expect(h.output).toEqual([W(0)]);
      expect([h.failure, h.completed]).toEqual([boom, false]);
    });

    it('unsubscribing early unsubscribes the source and cancels the pending processing-time wake-up', () => {
      const clock = new VirtualClock();
      const source = new Subject<StreamElement<string>>();
      const op = keyedProcess({
        key: (s: string) => s,
        onEvent: (_s, ctx) => ctx.timers.registerProcessingTime(ctx.processingTime + 100),
        onTimer: () => {},
        scheduler: clock,
        stateBackend: currentBackend(),
      });
      const r = record(source.pipe(op));
      source.next(event('a', 1));
      expect(clock.pending).toBe(1);
      r.subscription.unsubscribe();
      expect([source.observed, clock.pending]).toEqual([false, 0]);
    });

    it('a downstream take(1) stops a synchronous source at once', () => {
      let produced = 0;
      const out = record(
        range(0, 1e6).pipe(
          tap(() => produced++),
          withEventTime({ timestamp: (i: number) => i }),
          keyedProcess({ key: (i: number) => i % 2, output: emits<number>(), onEvent: (i, ctx) => ctx.emit(i * 10), stateBackend: currentBackend() }),
          take(1),
        ),
      ).get();
      expect([out.out, produced]).toEqual([[E(0, 0)], 1]);
    });

    it('a throwing callback (key, onEvent, onTimer) errors the stream with that very error', () => {
      const boom = new Error('callback');
      const throwing = {
        key: keyedHarness({ ...counting(), key: (s: string) => (s === 'x' ? (() => { throw boom; })() : s) }),
        onEvent: keyedHarness({ ...counting(), onEvent: (s: string) => { if (s === 'x') throw boom; } }),
        onTimer: keyedHarness({ ...counting(), onTimer: () => { throw boom; } }),
      };
      for (const [what, h] of Object.entries(throwing)) {
        const feed = () => (what === 'onTimer' ? h.pushEvent('a', 1).pushWatermark(6) : h.pushEvent('a', 1).pushEvent('x', 2));
        expect(errorOf(feed), what).toBe(boom);
        expect([h.failed, h.failure], what).toEqual([true, boom]);
      }
    });

    it('passes barriers and status elements through, in order', () => {
      const b = barrier(3);
      const h = keyedHarness(counting()).push(event('a', 1), b, IDLE, W(6)).complete();
      expect(h.output).toEqual([b, IDLE, E('a1', 6), W(6), W(Infinity)]);
    });

    it('is cold: each subscription has its own state and timers', () => {
      const op = keyedProcess({ ...counting(), stateBackend: currentBackend() });
      const run = (input: StreamElement<string>[]) => record(from(input).pipe(op)).get().out;
      expect(run([event('a', 1), event('a', 2)])).toEqual([E('a2', 6), E('a2', 7), W(Infinity)]);
      expect(run([event('a', 1)])).toEqual([E('a1', 6), W(Infinity)]);
    });

    it('drops no event for being behind the watermark: it is processed, and counted in metrics.behindWatermark', () => {
      const op = keyedProcess({ ...counting(), stateBackend: currentBackend() });
      const out = record(from([event('a', 10), W(20), event('a', 3), event('b', 20)]).pipe(op)).get().out;
      // a's timer at 8, registered behind W20, fires with the next watermark, +Infinity, in time order.
      expect(out).toEqual([E('a1', 15), W(20), E('a2', 8), E('b1', 25), W(Infinity)]);
      expect(op.metrics).toEqual({ events: 3, behindWatermark: 2, eventTimeTimers: 3, processingTimeTimers: 0, emitted: 3, expired: 0 });
    });
  });

  describe('event-time timers', () => {
    /** Each event `<key><time>` registers an event-time timer at `<time>` for `<key>`; the timer emits `<key>@<time>`, with the watermark it saw. */
    const timersAt = (extra: Partial<KeyedProcessConfig<string, string, {}, string>> = {}, startTime = 0) =>
      keyedHarness({
        key: (s: string) => s[0]!,
        output: emits<string>(),
        onEvent: (s, ctx) => ctx.timers.registerEventTime(Number(s.slice(1))),
        onTimer: (t, ctx) => ctx.emit(`${ctx.key}@${t} W${ctx.watermark} ${ctx.timeDomain}`),
        ...extra,
      }, 'operator', { startTime });

    it('a watermark exactly at a timer\'s time fires it; one tick below does not', () => {
      const h = timersAt().pushEvent('a10', 1).pushWatermark(9);
      expect(h.take()).toEqual([W(9)]);
      h.pushWatermark(10);
      expect(h.take()).toEqual([E('a@10 W10 event-time', 10), W(10)]);
    });

    it('fires in time order; ties in the order they were registered, across keys', () => {
      const h = timersAt().pushEvent('b7', 1).pushEvent('a5', 1).pushEvent('c7', 1).pushEvent('a7', 1).pushEvent('b5', 1).pushWatermark(100);
      expect(h.values()).toEqual(['a@5 W100 event-time', 'b@5 W100 event-time', 'b@7 W100 event-time', 'c@7 W100 event-time', 'a@7 W100 event-time']);
    });

    it('are unique per key and time: registering one again keeps one timer, in its first place', () => {
      const h = timersAt().pushEvent('a5', 1).pushEvent('b5', 1).pushEvent('a5', 2).pushEvent('a5', 3).pushWatermark(5);
      expect(h.values()).toEqual(['a@5 W5 event-time', 'b@5 W5 event-time']);
      expect(h.engine).toBeUndefined(); // an operator pipeline: metrics are on the operator
    });

    it('deleteEventTime deletes the current key\'s timer only; deleting one that is not there does nothing', () => {
      const h = timersAt({
        onEvent: (s, ctx) => (s.startsWith('-') ? ctx.timers.deleteEventTime(Number(s.slice(2))) : ctx.timers.registerEventTime(Number(s.slice(1)))),
        key: (s: string) => (s.startsWith('-') ? s[1]! : s[0]!),
      });
      h.pushEvent('a5', 1).pushEvent('b5', 1).pushEvent('a6', 1).pushEvent('-a5', 2).pushEvent('-a9', 2).pushEvent('-c5', 2).pushWatermark(10);
      expect(h.values()).toEqual(['b@5 W10 event-time', 'a@6 W10 event-time']);
    });

    it('a timer registered from onEvent at or below the current watermark fires with the next watermark', () => {
      const h = timersAt().pushWatermark(10).pushEvent('a3', 11).pushEvent('b10', 12);
      expect(h.take()).toEqual([W(10)]);
      h.pushWatermark(11);
      expect(h.take()).toEqual([E('a@3 W11 event-time', 3), E('b@10 W11 event-time', 10), W(11)]);
    });

    it('a timer registered from onTimer at or below the watermark being processed fires in the same watermark; the final one runs them all', () => {
      // Each timer of a key registers the next one, 1 later, until 4: one watermark fires the chain.
      const chain = timersAt({ onTimer: (t, ctx) => {
        ctx.emit(`${ctx.key}@${t}`);
        if (t < 4) ctx.timers.registerEventTime(t + 1);
      } });
      chain.pushEvent('a1', 0).pushEvent('b2', 0).pushWatermark(3);
      // Ties in registration order: b's timer at 2 was registered (from onEvent) before a's (from a's timer at 1).
      expect(chain.take()).toEqual([E('a@1', 1), E('b@2', 2), E('a@2', 2), E('b@3', 3), E('a@3', 3), W(3)]);
      chain.complete();
      expect(chain.take()).toEqual([E('b@4', 4), E('a@4', 4), W(Infinity)]);
      // A timer in the past, registered from onTimer, fires right after the one that registered it.
      const past = timersAt({ onTimer: (t, ctx) => {
        ctx.emit(`${ctx.key}@${t}`);
        if (t === 8) ctx.timers.registerEventTime(2);
      } });
      past.pushEvent('a8', 0).pushEvent('a9', 0).pushWatermark(10);
      expect(past.values()).toEqual(['a@8', 'a@2', 'a@9']);
    });

    it('ctx in onTimer: the timer\'s key, its time as ctx.timestamp, the watermark that fired it', () => {
      const seen: unknown[] = [];
      const h = timersAt({ onTimer: (t, ctx) => void seen.push([t, ctx.key, ctx.timestamp, ctx.watermark, ctx.timeDomain, ctx.processingTime]) }, 42);
      h.pushEvent('k4', 1).pushWatermark(7);
      expect(seen).toEqual([[4, 'k', 4, 7, 'event-time', 42]]);
    });
  });

  describe("Flink's KeyedProcessOperatorTest cases", () => {
    /** TriggeringFlatMapFunction: emits each element, registers a timer 5 after the current time; the timer emits 1777. */
    const triggering = (domain: 'event-time' | 'processing-time') =>
      keyedHarness({
        key: (n: number) => n,
        output: emits<number>(),
        onEvent(n, ctx) {
          ctx.emit(n);
          if (domain === 'event-time') ctx.timers.registerEventTime(ctx.watermark + 5);
          else ctx.timers.registerProcessingTime(ctx.processingTime + 5);
        },
        onTimer(_t, ctx) {
          expect(ctx.timeDomain).toBe(domain);
          ctx.emit(1777);
        },
      });

    it('testEventTimeTimers', () => {
      const h = triggering('event-time').pushWatermark(0).pushEvent(17, 42).pushWatermark(5);
      expect(h.output).toEqual([W(0), E(17, 42), E(1777, 5), W(5)]);
    });

    it('testProcessingTimeTimers', () => {
      const h = triggering('processing-time').pushEvent(17, 0).advanceTo(5);
      expect(h.output).toEqual([E(17, 0), E(1777, 5)]);
    });

    /**
     * TriggeringStatefulFlatMapFunction: the first element of a key emits INPUT:<v>, stores v and
     * registers a timer 5 after the current time; the next one clears the state and deletes the
     * timer (now 4 after the current time, which has moved on by 1). The timer emits STATE:<v>.
     */
    const stateful = (domain: 'event-time' | 'processing-time') =>
      keyedHarness({
        key: (n: number) => n,
        state: { seen: valueState<number>() },
        output: emits<string>(),
        onEvent(n, ctx) {
          const now = domain === 'event-time' ? ctx.watermark : ctx.processingTime;
          const { seen } = ctx.state;
          if (seen.get() === undefined) {
            ctx.emit(`INPUT:${n}`);
            seen.set(n);
            if (domain === 'event-time') ctx.timers.registerEventTime(now + 5);
            else ctx.timers.registerProcessingTime(now + 5);
          } else {
            seen.clear();
            if (domain === 'event-time') ctx.timers.deleteEventTime(now + 4);
            else ctx.timers.deleteProcessingTime(now + 4);
          }
        },
        onTimer(_t, ctx) {
          expect(ctx.timeDomain).toBe(domain);
          ctx.emit(`STATE:${ctx.state.seen.get()}`);
        },
      });

    it('testEventTimeTimerWithState: no leakage between keys; a deleted timer does not fire', () => {
      const h = stateful('event-time');
      h.pushWatermark(1).pushEvent(17, 0).pushEvent(13, 0); // timers at 6 for 17 and 13
      h.pushWatermark(2).pushEvent(42, 1).pushEvent(13, 1); // a timer at 7 for 42; 13's is deleted
      h.pushWatermark(6).pushWatermark(7);
      expect(h.output).toEqual([W(1), E('INPUT:17', 0), E('INPUT:13', 0), W(2), E('INPUT:42', 1), E('STATE:17', 6), W(6), E('STATE:42', 7), W(7)]);
    });

    it('testProcessingTimeTimerWithState', () => {
      const h = stateful('processing-time');
      h.advanceTo(1).pushEvent(17, 0).advanceTo(2).pushEvent(42, 0).advanceTo(6).advanceTo(7);
      expect(h.output).toEqual([E('INPUT:17', 0), E('INPUT:42', 0), E('STATE:17', 6), E('STATE:42', 7)]);
    });
  });

  describe('processing-time timers', () => {
    const pinging = () =>
      keyedHarness({
        key: (s: string) => s[0]!,
        output: emits<string>(),
        onEvent: (s, ctx) => ctx.timers.registerProcessingTime(ctx.processingTime + Number(s.slice(1))),
        onTimer: (t, ctx) => ctx.emit(`${ctx.key}@${t} ${ctx.timeDomain} now ${ctx.processingTime} W${ctx.watermark}`, 1_000),
      });

    it('fire through the scheduler when processing time reaches them, in time order, ties in registration order', () => {
      const h = pinging();
      h.pushEvent('b30', 5).pushEvent('a10', 5).pushEvent('c30', 6).pushWatermark(6);
      expect(h.clock.pending).toBe(1); // one wake-up: the earliest
      h.advanceTo(9);
      expect(h.values()).toEqual([]);
      h.advanceTo(10);
      expect(h.take()).toEqual([W(6), E('a@10 processing-time now 10 W6', 1_000)]);
      h.advanceBy(100);
      expect(h.values()).toEqual(['b@30 processing-time now 30 W6', 'c@30 processing-time now 30 W6']);
      expect(h.outputAt.map(([at]) => at)).toEqual([30, 30]);
      expect(h.clock.pending).toBe(0);
    });

    it('are unique per key and time, and can be deleted; one in the past fires at once', () => {
      const h = keyedHarness({
        key: (s: string) => s[0]!,
        output: emits<string>(),
        onEvent: (s, ctx) => (s[1] === '-' ? ctx.timers.deleteProcessingTime(Number(s.slice(2))) : ctx.timers.registerProcessingTime(Number(s.slice(1)))),
        onTimer: (t, ctx) => ctx.emit(`${ctx.key}@${t}`, 0),
      }, 'operator', { startTime: 50 });
      h.pushEvent('a60', 1).pushEvent('a60', 2).pushEvent('b60', 3).pushEvent('b-60', 4).pushEvent('c70', 5).pushEvent('c-99', 6);
      h.advanceTo(100);
      expect(h.values()).toEqual(['a@60', 'c@70']);
      h.take();
      h.pushEvent('d20', 7); // 20 is in the past
      h.advanceBy(0);
      expect(h.values()).toEqual(['d@20']);
    });

    it('pending ones do not fire when the input completes (as in Flink); completing cancels the wake-up', () => {
      const h = pinging().pushEvent('a10', 1).complete();
      expect([h.output, h.clock.pending]).toEqual([[W(Infinity)], 0]);
    });

    it('emit defaults to the timer\'s time: for a processing-time timer, a processing time', () => {
      const h = keyedHarness({ key: (s: string) => s, onEvent: (_s, ctx) => ctx.timers.registerProcessingTime(25), onTimer: (_t, ctx) => ctx.emit('late ping') });
      h.pushEvent('a', 1).advanceTo(30);
      expect(h.events()).toEqual([E('late ping', 25)]);
    });
  });

  describe('emit', () => {
    it('defaults to the event\'s timestamp, or the event-time timer\'s time; any finite timestamp may be given', () => {
      const h = keyedHarness({
        key: (s: string) => s,
        output: emits<string>(),
        onEvent: (s, ctx) => {
          ctx.emit(`${s} at its time`);
          ctx.emit(`${s} earlier`, ctx.timestamp - 100);
          ctx.emit(`${s} explicit undefined`, undefined);
          ctx.timers.registerEventTime(ctx.timestamp + 1);
        },
        onTimer: (_t, ctx) => ctx.emit(`${ctx.key} timer`),
      });
      h.pushEvent('a', 5).complete();
      expect(h.events()).toEqual([E('a at its time', 5), E('a earlier', -95), E('a explicit undefined', 5), E('a timer', 6)]);
    });

    it('a non-finite timestamp errors the stream with an InvalidArgumentError that names it', () => {
      for (const [bad, shown] of [[NaN, 'NaN'], [Infinity, 'Infinity'], ['5', '"5"'], [null, 'null']] as const) {
        const h = keyedHarness({ key: (s: string) => s, onEvent: (s, ctx) => ctx.emit({ s }, bad as number) });
        const e = errorOf(() => h.pushEvent('a', 1));
        expect(InvalidArgumentError.isInvalidArgumentError(e)).toBe(true);
        expect(e.message).toBe(
          `keyedProcess: ctx.emit(value, timestamp): timestamp must be a finite number, got ${shown} (emitting { s: "a" }); ` +
            "give the output's event time, or leave it out for the event's (or the timer's) time",
        );
      }
    });
  });

  describe('misuse inside callbacks errors the stream', () => {
    it('a timer time that is not a finite number', () => {
      for (const call of ['registerEventTime', 'deleteEventTime', 'registerProcessingTime', 'deleteProcessingTime'] as const) {
        const h = keyedHarness({ key: (s: string) => s, onEvent: (_s, ctx) => ctx.timers[call](NaN), onTimer: () => {} });
        const e = errorOf(() => h.pushEvent('a', 1));
        expect([InvalidArgumentError.isInvalidArgumentError(e), e.message]).toEqual([true, `keyedProcess: ctx.timers.${call}(time): time must be a finite number, got NaN`]);
      }
    });

    it('registering a timer without onTimer', () => {
      const h = keyedHarness({ key: (s: string) => s, onEvent: (_s, ctx) => ctx.timers.registerEventTime(5) });
      expect(errorOf(() => h.pushEvent('a', 1)).message).toBe(
        'keyedProcess: ctx.timers.registerEventTime(5) registers a timer, but there is no onTimer to call when it fires; add onTimer(timestamp, ctx) to the keyedProcess config',
      );
    });

    it('ctx kept and used after the callback returned (state, timers, emit)', () => {
      let kept: KeyedTimerContext<string, { n: typeof count }, unknown> | undefined;
      const h = keyedHarness({ key: (s: string) => s, state: { n: count }, onEvent: (_s, ctx) => void (kept = ctx as never), onTimer: () => {} });
      h.pushEvent('a', 1);
      for (const [use, what] of [
        [() => kept!.state.n.get(), 'state.n.get()'],
        [() => kept!.timers.registerEventTime(3), 'timers.registerEventTime()'],
        [() => kept!.emit('x'), 'emit()'],
      ] as const) {
        const e = errorOf(use);
        expect(TidemarkError.isTidemarkError(e)).toBe(true);
        expect(e.message).toBe(
          `keyedProcess: ctx.${what} was used outside onEvent and onTimer; ctx belongs to the event or timer being processed: use it only while the callback runs (not later, in a promise or a timeout)`,
        );
      }
    });
  });

  describe('bad input timestamps', () => {
    it.each(BAD_TIMESTAMPS)('%s errors the stream with an InvalidTimestampError, or goes to deadLetter', (bad, shown) => {
      const r = record(from([event('a', 1), { kind: 'event', value: 'b', timestamp: bad } as StreamElement<string>]).pipe(keyedProcess({ ...counting(), stateBackend: currentBackend() }))).get();
      expect(InvalidTimestampError.isInvalidTimestampError(r.error)).toBe(true);
      expect((r.error as Error).message).toContain(`keyedProcess: timestamp must be a finite number, ${shown}`);

      const letters: DeadLetter<Timestamped<string>>[] = [];
      const ok = record(
        from([event('a', 1), { kind: 'event', value: 'b', timestamp: bad } as StreamElement<string>, event('a', 2)]).pipe(
          keyedProcess({ ...counting(), deadLetter: (d) => letters.push(d), stateBackend: currentBackend() }),
        ),
      ).get();
      expect(ok.out).toEqual([E('a2', 6), E('a2', 7), W(Infinity)]);
      expect(letters.map((d) => [d.operator, d.input.value, d.error.name])).toEqual([['keyedProcess', 'b', 'InvalidTimestampError']]);
    });
  });
});

describe('keyedProcess refuses bad options at creation, naming the option, the value and the fix', () => {
  const ok = { key: (s: string) => s, onEvent() {} };
  const shared = valueState<number>();
  it.each([
    [() => keyedProcess(null as never), 'keyedProcess: expected a config object { key, state, onEvent, onTimer }, got null'],
    [() => keyedProcess({ ...ok, key: 'card' as never }), 'keyedProcess: key must be a function, got "card"'],
    [() => keyedProcess({ ...ok, onEvent: undefined as never }), 'keyedProcess: onEvent must be a function, got undefined'],
    [() => keyedProcess({ ...ok, onTimer: {} as never }), 'keyedProcess: onTimer must be a function, got {}'],
    [() => keyedProcess({ ...ok, state: { a: shared, b: shared } }), 'keyedProcess: state.a and state.b are the same declaration; each name needs its own: b: valueState() (a state lives under one name)'],
    [() => keyedProcess({ ...ok, state: { count: 0 } as never }), 'keyedProcess: state.count must be declared with valueState(), listState() or mapState(), got 0'],
    [() => keyedProcess({ ...ok, state: { count: valueState } as never }), 'keyedProcess: state.count must be declared with valueState(), listState() or mapState(), got function valueState (call the factory: valueState(), not valueState)'],
    [() => keyedProcess({ ...ok, state: { count: { kind: 'set' } } as never }), 'keyedProcess: state.count must be declared with valueState(), listState() or mapState(), got { kind: "set" }'],
    [() => keyedProcess({ ...ok, state: [valueState()] as never }), 'keyedProcess: state must be an object of named declarations, e.g. { count: valueState<number>() }, got [{ kind: "value", ttl: undefined }]'],
    [() => keyedProcess({ ...ok, state: { recent: { kind: 'list', ttl: { eventTime: -1 } } } as never }), 'keyedProcess: state.recent.ttl.eventTime must be a positive integer (event time is integral: milliseconds by convention), got -1'],
    [() => keyedProcess({ ...ok, output: 'string' as never }), 'keyedProcess: output must be made by emits<T>(), got "string"'],
    [() => keyedProcess({ ...ok, id: '' }), 'keyedProcess: id must be a non-empty string, got ""'],
    [() => keyedProcess({ ...ok, stateBackend: {} as never }), 'keyedProcess: stateBackend must be a function that makes a backend, e.g. () => new MemoryStateBackend(), got {}'],
    [() => keyedProcess({ ...ok, scheduler: {} as never }), "keyedProcess: scheduler must be an RxJS SchedulerLike with now() and schedule(), got {}; pass e.g. asyncScheduler from 'rxjs', or a VirtualClock from 'tidemark/testing'"],
    [() => keyedProcess({ ...ok, deadLetter: 5 as never }), 'keyedProcess: deadLetter must be a function or an observer with a next method, got 5; pass e.g. (e) => list.push(e), or a Subject'],
    [() => keyedProcessEngine({ ...ok, key: undefined as never }), 'keyedProcess: key must be a function, got undefined'],
  ])('%#', (make, message) => {
    const e = errorOf(make);
    expect(InvalidArgumentError.isInvalidArgumentError(e)).toBe(true);
    expect(e.message).toBe(message);
  });

  it('a backend instance instead of a function that makes one', () => {
    expect(errorOf(() => keyedProcess({ ...ok, stateBackend: new MemoryStateBackend() as never })).message).toMatch(
      /^keyedProcess: stateBackend must be a function that makes a backend, e\.g\. \(\) => new MemoryStateBackend\(\), got MemoryStateBackend \{/,
    );
  });

  it('hand-made declarations are checked like those of the factories; a state may be named anything', () => {
    const h = keyedHarness({
      key: (s: string) => s,
      state: { ['__proto__']: { kind: 'value', ttl: undefined } as ReturnType<typeof valueState<number>>, 'with space': valueState<number>() },
      output: emits<number | undefined>(),
      onEvent(_s, ctx) {
        ctx.state['__proto__'].set(1);
        ctx.emit(ctx.state['__proto__'].get());
        ctx.emit(ctx.state['with space'].get());
      },
    });
    expect(h.pushEvent('a', 1).values()).toEqual([1, undefined]);
  });
});
