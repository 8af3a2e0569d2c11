import { describe, expect, it } from 'vitest';
import {
  StateError,
  afterWatermark,
  collect,
  count,
  event,
  session,
  sliding,
  tumbling,
  watermark,
  windowAggregateEngine,
  type Collector,
  type ControlElement,
  type Engine,
  type OperatorSnapshot,
  type StreamElement,
  type Timestamped,
  type WindowAggregateConfig,
  type WindowResult,
} from 'tidemark';

type Emitted = ['event', unknown, number] | ['watermark', number] | ['control', ControlElement] | ['late', unknown, number];

/** A hand-written engine host: records what the engine emits, and a settable processing-time clock. */
class Host implements Collector<WindowResult<unknown, unknown>> {
  readonly out: Emitted[];
  clock = 0;
  readonly wakes: number[] = [];
  constructor(out: Emitted[] = []) {
    this.out = out;
  }
  event(value: WindowResult<unknown, unknown>, timestamp: number): void {
    this.out.push(['event', value, timestamp]);
  }
  watermark(timestamp: number): void {
    this.out.push(['watermark', timestamp]);
  }
  control(element: ControlElement): void {
    this.out.push(['control', element]);
  }
  readonly time = { now: () => this.clock, wakeAt: (t: number) => void this.wakes.push(t) };
}

function open<T>(make: () => Engine<T, WindowResult<unknown, unknown>>, host: Host): Engine<T, WindowResult<unknown, unknown>> {
  const engine = make();
  engine.open(host, host.time);
  return engine;
}

function feed<T>(engine: Engine<T, WindowResult<unknown, unknown>>, input: readonly StreamElement<T>[]): void {
  for (const el of input) {
    if (el.kind === 'event') engine.onEvent(el.value, el.timestamp, el);
    else if (el.kind === 'watermark') engine.onWatermark(el.timestamp);
  }
}

interface Row {
  k: string;
  id: string;
}
const e = (k: string, id: string, t: number) => event<Row>({ k, id }, t);
const W = watermark;

/** Each scenario makes a config that sends late events into `out`, so they are compared too. */
type Scenario = [name: string, config: (out: Emitted[]) => WindowAggregateConfig<Row, string, unknown, unknown>, input: StreamElement<Row>[]];

const lateInto = (out: Emitted[]) => (l: Timestamped<Row>) => void out.push(['late', l.value, l.timestamp]);
const ids = collect<Row>();
const byK = (r: Row) => r.k;

const scenarios: Scenario[] = [
  [
    'tumbling, keyed, count, allowedLateness',
    (out) => ({ window: tumbling(10), key: byK, aggregate: count(), allowedLateness: 5, late: lateInto(out) }),
    [
      e('a', '1', 1), e('b', '2', 3), e('a', '3', 12), W(5), e('a', '4', 7), W(9), e('b', '5', 4), e('a', '6', 15), W(14),
      e('a', '7', 2), e('b', '8', 25), W(19), e('b', '9', 18), W(Infinity),
    ],
  ],
  [
    'sliding, collect, allowedLateness',
    (out) => ({ window: sliding(10, 5), key: byK, aggregate: ids, allowedLateness: 3, late: lateInto(out) }),
    [
      e('a', '1', 1), e('a', '2', 7), W(4), e('a', '3', 3), e('b', '4', 11), W(9), e('a', '5', 8), W(12), e('a', '6', 2),
      e('b', '7', 14), e('a', '8', 6), W(30), e('a', '9', 29), W(Infinity),
    ],
  ],
  [
    'session, keyed, collect, allowedLateness, merges and bridges',
    (out) => ({ window: session(3), key: byK, aggregate: ids, allowedLateness: 4, late: lateInto(out) }),
    [
      e('a', '1', 1), e('a', '2', 7), e('b', '3', 2), W(3), e('a', '4', 4), e('b', '5', 5), W(9), e('a', '6', 6), e('a', '7', 20),
      W(14), e('a', '8', 3), e('a', '9', 22), W(Infinity),
    ],
  ],
  [
    'tumbling, early every 2 events, discarding panes, allowedLateness',
    (out) => ({
      window: tumbling(10),
      key: byK,
      aggregate: ids,
      allowedLateness: 5,
      late: lateInto(out),
      trigger: afterWatermark({ early: { everyEvents: 2 }, panes: 'discarding' }),
    }),
    [
      e('a', '1', 1), e('a', '2', 2), e('a', '3', 3), e('b', '4', 4), W(9), e('a', '5', 5), e('b', '6', 11), e('b', '7', 12),
      e('b', '8', 13), W(15), e('a', '9', 0), W(Infinity),
    ],
  ],
];

describe('windowAggregateEngine: snapshot and restore', () => {
  for (const [name, config, input] of scenarios) {
    it(`${name}: snapshot at every point, restored into a fresh engine, equals an uninterrupted run`, () => {
      const expected: Emitted[] = [];
      feed(open(windowAggregateEngine(config(expected)), new Host(expected)), input);
      expect(expected.filter((x) => x[0] === 'event').length).toBeGreaterThan(3);
      expect(expected.filter((x) => x[0] === 'late').length).toBeGreaterThan(0);

      for (let k = 0; k <= input.length; k++) {
        const out: Emitted[] = [];
        const make = windowAggregateEngine(config(out));
        const first = open(make, new Host(out));
        feed(first, input.slice(0, k));
        const snapshot = structuredClone(first.snapshot!()); // plain data: survives a structured clone
        const second = open(make, new Host(out));
        second.restore!(snapshot);
        feed(second, input.slice(k));
        expect(out, `split at ${k}`).toEqual(expected);
      }
    });

    it(`${name}: taking a snapshot does not disturb the engine, and later changes do not alter the snapshot`, () => {
      const expected: Emitted[] = [];
      feed(open(windowAggregateEngine(config(expected)), new Host(expected)), input);
      const k = Math.floor(input.length / 2);

      const out: Emitted[] = [];
      const make = windowAggregateEngine(config(out));
      const engine = open(make, new Host(out));
      feed(engine, input.slice(0, k));
      const snapshot = engine.snapshot!();
      const frozen = structuredClone(snapshot);
      feed(engine, input.slice(k));
      expect(out).toEqual(expected);
      expect(snapshot).toEqual(frozen);

      // The same snapshot restores twice to the same continuation.
      const tails: Emitted[][] = [];
      for (let i = 0; i < 2; i++) {
        const tail: Emitted[] = [];
        const restored = open(windowAggregateEngine(config(tail)), new Host(tail));
        restored.restore!(snapshot);
        feed(restored, input.slice(k));
        tails.push(tail);
      }
      expect(tails[0]).toEqual(tails[1]);
      expect(out.slice(out.length - tails[0]!.length)).toEqual(tails[0]);
    });
  }

  it('restores the watermark: a restored engine ignores watermarks at or below it and treats late events as late', () => {
    const late: Emitted[] = [];
    const make = windowAggregateEngine<Row, string, unknown, unknown>({ window: tumbling(10), key: byK, aggregate: count(), late: lateInto(late) });
    const a = open(make, new Host());
    feed(a, [e('a', '1', 1), W(12)]);
    const host = new Host();
    const b = open(make, host);
    b.restore!(a.snapshot!());
    feed(b, [W(12), W(11), e('a', '2', 5), e('a', '3', 15), W(19)]);
    expect(host.out).toEqual([['event', { key: 'a', start: 10, end: 20, value: 1, firing: 'on-time' }, 19], ['watermark', 19]]);
    expect(late).toEqual([['late', { k: 'a', id: '2' }, 5]]);
  });

  it('restores pending processing-time early firings and asks to be woken for them', () => {
    const make = windowAggregateEngine<Row, string, unknown, unknown>({
      window: tumbling(10),
      key: byK,
      aggregate: ids,
      trigger: afterWatermark({ early: { every: 100 } }),
    });
    const h1 = new Host();
    const a = open(make, h1);
    h1.clock = 0;
    feed(a, [e('a', '1', 1)]);
    expect(h1.wakes).toEqual([100]);
    const snapshot = a.snapshot!();

    const h2 = new Host();
    h2.clock = 40;
    const b = open(make, h2);
    b.restore!(snapshot);
    expect(h2.wakes).toEqual([100]);
    feed(b, [e('a', '2', 2)]);
    h2.clock = 100;
    b.onProcessingTime!(100);
    expect(h2.out).toEqual([['event', { key: 'a', start: 0, end: 10, value: [{ k: 'a', id: '1' }, { k: 'a', id: '2' }], firing: 'early' }, 9]]);
  });

  it('restores the event count of an early pane', () => {
    const make = windowAggregateEngine<Row, string, unknown, unknown>({ window: tumbling(10), key: byK, aggregate: count(), trigger: afterWatermark({ early: { everyEvents: 3 } }) });
    const a = open(make, new Host());
    feed(a, [e('a', '1', 1), e('a', '2', 2)]);
    const host = new Host();
    const b = open(make, host);
    b.restore!(a.snapshot!());
    feed(b, [e('a', '3', 3)]);
    expect(host.out).toEqual([['event', { key: 'a', start: 0, end: 10, value: 3, firing: 'early' }, 9]]);
  });

  it('refuses a snapshot taken with another window, naming both and the fix', () => {
    const snapshot = open(windowAggregateEngine<number>({ window: tumbling(10), aggregate: count() }), new Host()).snapshot!();
    const other = open(windowAggregateEngine<number>({ window: tumbling(5), aggregate: count() }), new Host());
    let thrown: unknown;
    try {
      other.restore!(snapshot);
    } catch (err) {
      thrown = err;
    }
    expect(StateError.isStateError(thrown)).toBe(true);
    expect((thrown as Error).message).toBe(
      'windowAggregate: the snapshot was taken with window {"type":"tumbling","size":10,"offset":0} but this operator uses ' +
        '{"type":"tumbling","size":5,"offset":0}; restore into an operator with the same window',
    );
    const sessions = open(windowAggregateEngine<number>({ window: session(10), aggregate: count() }), new Host());
    expect(() => sessions.restore!(snapshot)).toThrow(StateError);
  });

  it('refuses a snapshot of another operator or a malformed one', () => {
    const engine = open(windowAggregateEngine<number>({ window: tumbling(10), aggregate: count() }), new Host());
    const bad: OperatorSnapshot[] = [{ operator: 'intervalJoin', state: {} }, { operator: 'windowAggregate', state: undefined }, { operator: 'windowAggregate', state: {} }];
    for (const snapshot of bad) {
      let thrown: unknown;
      try {
        engine.restore!(snapshot);
      } catch (err) {
        thrown = err;
      }
      expect(StateError.isStateError(thrown)).toBe(true);
      expect((thrown as Error).message).toContain(`windowAggregate: cannot restore a snapshot of ${JSON.stringify(snapshot.operator)}`);
    }
  });
});
