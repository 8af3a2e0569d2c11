import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  emits,
  keyedProcess,
  keyedProcessEngine,
  listState,
  mapState,
  valueState,
  type KeyedProcessMetrics,
  type StateSnapshot,
  type StateTtl,
} from 'tidemark';
import { OperatorHarness } from 'tidemark/testing';
import { BACKENDS, currentBackend, runOn } from '../support/backends.js';
import { errorOf } from '../support/errorOf.js';
import { keyedHarness } from './internal/keyed/keyedHarness.js';

/** A command for the state under test: `<key> <verb> <args…>`, e.g. `a add 5`. */
type Cmd = string;

/** What the backend holds, by primitive, leaving out the timer queues' and watermark's bookkeeping. */
function held(snapshot: StateSnapshot) {
  const count = (rows: ReadonlyArray<readonly [unknown, ReadonlyArray<unknown>]> | undefined) => (rows ?? []).reduce((n, [, entries]) => n + entries.length, 0);
  const sizes: Record<string, number> = {};
  for (const [name, rows] of Object.entries(snapshot.tables)) sizes[name] = count(rows);
  for (const [name, rows] of Object.entries(snapshot.ordered ?? {})) sizes[name] = count(rows);
  for (const [name, rows] of Object.entries(snapshot.maps ?? {})) sizes[name] = count(rows);
  for (const [name, rows] of Object.entries(snapshot.timers)) sizes[name] = rows.length;
  return sizes;
}

const backendOf = (h: { engine: unknown }) => ((h.engine as { snapshot(): { state: { backend: StateSnapshot } } }).snapshot().state.backend);

describe.each(BACKENDS)('keyedProcess state on the %s', (_backend, backend) => {
  runOn(backend);

  /** Runs commands against one state of each kind; each command emits what the verb returned. */
  const commands = (ttl?: StateTtl) =>
    keyedHarness(
      {
        key: (c: Cmd) => c.split(' ')[0]!,
        state: { v: valueState<number>({ ttl }), l: listState<number>({ ttl }), m: mapState<string, number>({ ttl }) },
        output: emits<unknown>(),
        onEvent(c, ctx) {
          const [, verb, x, y] = c.split(' ') as [string, string, string, string];
          const { v, l, m } = ctx.state;
          const out = (() => {
            switch (verb) {
              case 'vget': return v.get();
              case 'vset': return v.set(Number(x));
              case 'vclear': return v.clear();
              case 'ladd': return l.add(Number(x));
              case 'lget': return l.get();
              case 'lset': return l.set(x === '' ? [] : x.split(',').map(Number));
              case 'lclear': return l.clear();
              case 'mset': return m.set(x, Number(y)) === m;
              case 'mget': return m.get(x);
              case 'mhas': return m.has(x);
              case 'mdelete': return m.delete(x);
              case 'mkeys': return [...m.keys()];
              case 'mvalues': return [...m.values()];
              case 'mentries': return [...m.entries()];
              case 'miterate': return [...m];
              case 'msize': return m.size;
              case 'mclear': return m.clear();
              default: throw new Error(`unknown verb ${verb}`);
            }
          })();
          ctx.emit(out === undefined ? null : out);
        },
      },
      'engine',
    );

  const run = (cmds: Cmd[], ttl?: StateTtl) => {
    const h = commands(ttl);
    cmds.forEach((c, i) => h.pushEvent(c, i));
    return h.values();
  };

  it('value state: get, set, clear; absent is undefined', () => {
    expect(run(['a vget', 'a vset 5', 'a vget', 'a vset 6', 'a vget', 'a vclear', 'a vget'])).toEqual([null, null, 5, null, 6, null, null]);
  });

  it('list state: add, get (an array in insertion order), set, clear', () => {
    expect(run(['a lget', 'a ladd 3', 'a ladd 1', 'a ladd 3', 'a lget', 'a lset 9,8', 'a lget', 'a ladd 7', 'a lget', 'a lset ', 'a lget', 'a ladd 2', 'a lclear', 'a lget'])).toEqual([
      [], null, null, null, [3, 1, 3], null, [9, 8], null, [9, 8, 7], null, [], null, null, [],
    ]);
  });

  it('map state: the Map verbs, iteration in insertion order, set returns the map state', () => {
    expect(
      run(['a mset x 1', 'a mset y 2', 'a mset x 3', 'a mget x', 'a mget z', 'a mhas y', 'a mhas z', 'a mkeys', 'a mvalues', 'a mentries', 'a miterate', 'a msize', 'a mdelete y', 'a mdelete y', 'a msize', 'a mclear', 'a msize', 'a mkeys']),
    ).toEqual([true, true, true, 3, null, true, false, ['x', 'y'], [3, 2], [['x', 3], ['y', 2]], [['x', 3], ['y', 2]], 2, true, false, 1, null, 0, []]);
  });

  it('each key has its own state', () => {
    expect(run(['a vset 1', 'b vset 2', 'a ladd 1', 'b mset k 2', 'a vget', 'b vget', 'b lget', 'a mkeys', 'b mkeys'])).toEqual([null, null, null, true, 1, 2, [], [], ['k']]);
  });

  it('a map state may change while it is iterated: iteration is over the entries when it started', () => {
    const h = keyedHarness(
      {
        key: (s: string) => s,
        state: { m: mapState<number, number>() },
        output: emits<number[]>(),
        onEvent(_s, ctx) {
          for (let i = 0; i < 4; i++) ctx.state.m.set(i, i);
          const seen: number[] = [];
          for (const [k] of ctx.state.m) {
            seen.push(k);
            ctx.state.m.delete(k + 1);
            ctx.state.m.set(k + 10, 0);
          }
          ctx.emit(seen);
          ctx.emit([...ctx.state.m.keys()]);
        },
      },
      'engine',
    );
    expect(h.pushEvent('a', 1).values()).toEqual([[0, 1, 2, 3], [0, 10, 11, 12, 13]]);
  });

  it('undefined is refused as a value (it means "no value"), with the fix', () => {
    for (const [verb, message] of [
      ['v', 'keyedProcess: ctx.state.v.set(value) got undefined'],
      ['l', 'keyedProcess: ctx.state.l.add(value) got undefined'],
      ['ls', 'keyedProcess: ctx.state.l.set(values) got undefined'],
      ['m', 'keyedProcess: ctx.state.m.set(key, value) got undefined'],
    ] as const) {
      const h = keyedHarness({
        key: (s: string) => s,
        state: { v: valueState<unknown>(), l: listState<unknown>(), m: mapState<string, unknown>() },
        onEvent(s, ctx) {
          if (s === 'v') ctx.state.v.set(undefined);
          if (s === 'l') ctx.state.l.add(undefined);
          if (s === 'ls') ctx.state.l.set([1, undefined]);
          if (s === 'm') ctx.state.m.set('k', undefined);
        },
      });
      const e = errorOf(() => h.pushEvent(verb, 1));
      expect(InvalidArgumentError.isInvalidArgumentError(e)).toBe(true);
      expect(e.message).toBe(`${message}; a state value cannot be undefined (it means "no value"): store null, or remove it (clear(), delete())`);
    }
    const h = keyedHarness({ key: (s: string) => s, state: { l: listState<number>() }, onEvent: (_s, ctx) => ctx.state.l.set(5 as never) });
    expect(errorOf(() => h.pushEvent('a', 1)).message).toBe('keyedProcess: ctx.state.l.set(values) takes an array of values, got 5; use add(value) to append one');
  });

  it('a value changed in place without set is stored on the memory backend, lost on a copying one: write changes back', () => {
    const h = keyedHarness(
      {
        key: (s: string) => s,
        state: { o: valueState<{ n: number }>() },
        output: emits<number>(),
        onEvent(_s, ctx) {
          const o = ctx.state.o.get();
          if (o === undefined) ctx.state.o.set({ n: 1 });
          else o.n++; // not written back
          ctx.emit(ctx.state.o.get()!.n);
        },
      },
      'engine',
    );
    expect(h.pushEvent('a', 1).pushEvent('a', 2).values()).toEqual(backend === undefined ? [1, 2] : [1, 1]);
  });

  it('state lives in the backend: a snapshot holds each kind in its own primitive', () => {
    const h = commands();
    for (const c of ['a vset 1', 'b vset 2', 'a ladd 1', 'a ladd 2', 'b mset k 1']) h.pushEvent(c, 0);
    const sizes = held(backendOf(h));
    expect([sizes['value:v'], sizes['list:l'], sizes['map:m']]).toEqual([2, 2, 1]);
  });

  describe('TTL in event time', () => {
    const ttl = { eventTime: 10 } as const;
    /** Events `<key> <verb> …` at given times; watermarks `W<t>`. */
    const drive = (steps: [Cmd | `W${number}`, number?][]) => {
      const h = commands(ttl);
      for (const [c, t] of steps) {
        if (c.startsWith('W')) h.pushWatermark(Number(c.slice(1)));
        else h.pushEvent(c, t!);
      }
      return h;
    };

    it('a value written at t reads until t + ttl − 1 and is absent from t + ttl, by the element\'s time', () => {
      const h = drive([['a vset 1', 3], ['a vget', 12], ['a vget', 13], ['a vget', 5]]);
      expect(h.values()).toEqual([null, 1, null, 1]); // an element at 5 (out of order) still sees it: its time is before 13
    });

    it('is restarted by a write, not by a read (OnCreateAndWrite)', () => {
      const h = drive([['a vset 1', 0], ['a vget', 9], ['a vset 2', 5], ['a vget', 14], ['a vget', 15]]);
      expect(h.values()).toEqual([null, 1, null, 2, null]);
    });

    it('expired state is deleted when the watermark reaches its expiry, after that watermark\'s timers', () => {
      const h = drive([['a vset 1', 3], ['b vset 1', 8], ['W12']]);
      expect(held(backendOf(h))['value:v']).toBe(2);
      h.pushWatermark(13); // a's value expires at 13
      expect(held(backendOf(h))['value:v']).toBe(1);
      h.pushWatermark(18);
      const sizes = held(backendOf(h));
      expect([sizes['value:v'], sizes['ttl:next'], sizes['ttl:event-time']]).toEqual([0, 0, 0]);
    });

    it('a list expires element by element; a map entry by entry', () => {
      const h = drive([['a ladd 1', 1], ['a ladd 2', 5], ['a mset x 1', 2], ['a mset y 2', 6], ['a lget', 10], ['a lget', 11], ['a mentries', 12], ['a msize', 16], ['a lget', 15]]);
      expect(h.values().slice(4)).toEqual([[1, 2], [2], [['y', 2]], 0, []]);
      h.pushWatermark(11);
      expect([held(backendOf(h))['list:l'], held(backendOf(h))['map:m']]).toEqual([1, 2]);
      h.pushWatermark(100);
      expect([held(backendOf(h))['list:l'], held(backendOf(h))['map:m']]).toEqual([0, 0]);
    });

    it('an event-time timer at the expiry no longer sees the value; one before it does', () => {
      const h = keyedHarness(
        {
          key: (s: string) => s,
          state: { v: valueState<string>({ ttl }) },
          output: emits<string>(),
          onEvent(s, ctx) {
            ctx.state.v.set(s);
            ctx.timers.registerEventTime(ctx.timestamp + 9);
            ctx.timers.registerEventTime(ctx.timestamp + 10);
          },
          onTimer: (t, ctx) => ctx.emit(`${t}: ${ctx.state.v.get()}`),
        },
        'engine',
      );
      h.pushEvent('a', 0).complete();
      expect(h.values()).toEqual(['9: a', '10: undefined']);
    });

    it('state stays bounded: a stream of new keys each written once holds only the last ttl of them', () => {
      const h = commands(ttl);
      for (let t = 0; t < 1_000; t++) {
        h.pushEvent(`k${t} vset ${t}`, t).pushEvent(`k${t} ladd ${t}`, t).pushEvent(`k${t} mset x ${t}`, t);
        h.pushWatermark(t);
      }
      const sizes = held(backendOf(h));
      // Written at t expires at t + 10: at W999 the values written at 990 … 999 are alive.
      expect([sizes['value:v'], sizes['list:l'], sizes['map:m'], sizes['ttl:next'], sizes['ttl:event-time']]).toEqual([10, 10, 10, 30, 30]);
      expect(h.engine).toBeDefined();
    });

    it('a key written over and over keeps one cleanup timer per state', () => {
      const h = commands(ttl);
      for (let t = 0; t < 500; t++) h.pushEvent(`a vset ${t}`, t).pushEvent(`a mset x ${t}`, t).pushEvent(`a mset y ${t}`, t);
      const sizes = held(backendOf(h));
      expect([sizes['value:v'], sizes['map:m'], sizes['ttl:event-time']]).toEqual([1, 2, 2]);
      h.pushWatermark(10_000);
      expect(held(backendOf(h))['ttl:event-time']).toBe(0);
    });

    it('in a processing-time timer, event time is the watermark', () => {
      const h = keyedHarness(
        {
          key: (s: string) => s,
          state: { v: valueState<string>({ ttl }) },
          output: emits<string>(),
          onEvent(s, ctx) {
            ctx.state.v.set(s);
            ctx.timers.registerProcessingTime(ctx.processingTime + 10);
          },
          onTimer: (_t, ctx) => ctx.emit(`W${ctx.watermark}: ${ctx.state.v.get()}`, 0),
        },
        'engine',
      );
      h.pushEvent('a', 5).pushWatermark(14).advanceTo(10); // a expires at 15: W14 is before
      h.pushEvent('b', 6).pushWatermark(16).advanceTo(20); // b expires at 16: W16 is not
      expect(h.values()).toEqual(['W14: a', 'W16: undefined']);
    });

    it('metrics.expired counts what cleanup deleted', () => {
      const op = keyedProcess({ key: (s: string) => s, state: { l: listState<number>({ ttl }) }, onEvent: (_s, ctx) => ctx.state.l.add(1), stateBackend: currentBackend() });
      const h = new OperatorHarness<string, unknown>({ operator: () => op });
      h.pushEvent('a', 1).pushEvent('a', 2).pushEvent('b', 3).pushWatermark(11);
      expect(op.metrics.expired).toBe(1);
      h.pushWatermark(13);
      expect(op.metrics).toEqual({ events: 3, behindWatermark: 0, eventTimeTimers: 0, processingTimeTimers: 0, emitted: 0, expired: 3 });
    });
  });

  describe('TTL in processing time', () => {
    const ttl = { processingTime: 100 } as const;

    it('a value written at p reads until p + ttl and is absent from then; a write restarts it', () => {
      const h = commands(ttl);
      h.advanceTo(1_000).pushEvent('a vset 1', 0).advanceTo(1_099).pushEvent('a vget', 0).advanceTo(1_100).pushEvent('a vget', 0);
      h.pushEvent('a vset 2', 0).advanceTo(1_150).pushEvent('a vset 3', 0).advanceTo(1_249).pushEvent('a vget', 0).advanceTo(1_250).pushEvent('a vget', 0);
      expect(h.values()).toEqual([null, 1, null, null, null, 3, null]);
    });

    it('expired state is deleted on the wake-up at its expiry: no timer of the user needed', () => {
      const h = commands(ttl);
      h.pushEvent('a vset 1', 0).pushEvent('a ladd 1', 0).advanceTo(50).pushEvent('a ladd 2', 0).pushEvent('b mset k 1', 0);
      expect(h.clock.pending).toBe(1);
      h.advanceTo(100);
      let sizes = held(backendOf(h));
      expect([sizes['value:v'], sizes['list:l'], sizes['map:m']]).toEqual([0, 1, 1]);
      h.advanceTo(150);
      sizes = held(backendOf(h));
      expect([sizes['value:v'], sizes['list:l'], sizes['map:m'], sizes['ttl:next'], sizes['ttl:processing-time'], h.clock.pending]).toEqual([0, 0, 0, 0, 0, 0]);
    });

    it('the operator counts expired entries in metrics.expired; a wake-up without due timers calls no callback', () => {
      let op: { readonly metrics: Readonly<KeyedProcessMetrics> } | undefined;
      let timers = 0;
      const h = new OperatorHarness<string, unknown>({
        operator: (ctx) =>
          (op = keyedProcess({
            key: (s: string) => s,
            state: { l: listState<number>({ ttl }) },
            onEvent: (_s, c) => c.state.l.add(1),
            onTimer: () => void timers++,
            scheduler: ctx.clock,
            stateBackend: currentBackend(),
          })),
      });
      h.pushEvent('a', 1).pushEvent('a', 2).advanceTo(60).pushEvent('b', 3).advanceTo(100);
      expect([op!.metrics.expired, timers]).toEqual([2, 0]);
      h.advanceTo(160);
      expect([op!.metrics.expired, h.output, h.clock.pending]).toEqual([3, [], 0]);
    });
  });
});

describe('keyedProcess state declarations refuse bad options at creation', () => {
  it.each([
    [() => valueState<number>({ ttl: { eventTime: 0 } }), 'valueState: ttl.eventTime must be a positive integer (event time is integral: milliseconds by convention), got 0'],
    [() => listState<number>({ ttl: { eventTime: 1.5 } }), 'listState: ttl.eventTime must be a positive integer (event time is integral: milliseconds by convention), got 1.5'],
    [() => mapState<string, number>({ ttl: { processingTime: -1 } }), 'mapState: ttl.processingTime must be a positive finite number of ms, got -1'],
    [() => valueState<number>({ ttl: { eventTime: 1, processingTime: 1 } as never }), 'valueState: ttl has both eventTime and processingTime in { eventTime: 1, processingTime: 1 }; a state expires in one time domain: use { eventTime: ms } or { processingTime: ms }'],
    [() => valueState<number>({ ttl: { seconds: 1 } as never }), 'valueState: ttl has an unknown field "seconds" in { seconds: 1 }; use { eventTime: ms } or { processingTime: ms }'],
    [() => valueState<number>({ ttl: {} as never }), 'valueState: ttl must give eventTime or processingTime, got {}; use { eventTime: ms } or { processingTime: ms }'],
    [() => valueState<number>({ ttl: 10 as never }), 'valueState: ttl must be an object, got 10; use { eventTime: ms } or { processingTime: ms }'],
    [() => listState<number>(null as never), 'listState: expected an options object such as { ttl: { eventTime: 60_000 } }, or nothing, got null'],
  ])('%#', (make, message) => {
    const e = errorOf(make);
    expect(InvalidArgumentError.isInvalidArgumentError(e)).toBe(true);
    expect(e.message).toBe(message);
  });

  it('declarations are frozen plain data', () => {
    const d = valueState<number>({ ttl: { eventTime: 5 } });
    expect(d).toEqual({ kind: 'value', ttl: { eventTime: 5 } });
    expect(Object.isFrozen(d)).toBe(true);
    expect(structuredClone(mapState())).toEqual({ kind: 'map', ttl: undefined });
  });

});
