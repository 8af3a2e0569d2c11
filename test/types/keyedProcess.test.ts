import { from, type Observable } from 'rxjs';
import { describe, expectTypeOf, it } from 'vitest';
import {
  emits,
  keyedProcess,
  keyedProcessEngine,
  listState,
  mapState,
  valueState,
  values,
  withEventTime,
  type Engine,
  type KeyedProcessContext,
  type KeyedProcessMetrics,
  type KeyedStates,
  type KeyedTimerContext,
  type ListState,
  type MapState,
  type MeteredOperator,
  type StreamElement,
  type ValueState,
} from 'tidemark';

interface Txn {
  card: string;
  amount: number;
  at: number;
}
interface Alert {
  card: string;
  reason: string;
}
const txns: Txn[] = [];

describe('keyedProcess types', () => {
  it('infers T from the pipe, K from key, the state from its declarations: no type arguments', () => {
    const out = from(txns).pipe(
      withEventTime({ timestamp: (t) => t.at }),
      keyedProcess({
        key: (t) => t.card,
        state: { count: valueState<number>(), last: valueState<number>(), recent: listState<number>(), spent: mapState<string, number>() },
        onEvent(t, ctx) {
          expectTypeOf(t).toEqualTypeOf<Txn>();
          expectTypeOf(ctx.key).toEqualTypeOf<string>();
          expectTypeOf(ctx.timestamp).toEqualTypeOf<number>();
          expectTypeOf(ctx.state.count.get()).toEqualTypeOf<number | undefined>();
          expectTypeOf(ctx.state.count).toEqualTypeOf<ValueState<number>>();
          expectTypeOf(ctx.state.recent).toEqualTypeOf<ListState<number>>();
          expectTypeOf(ctx.state.recent.get()).toEqualTypeOf<number[]>();
          expectTypeOf(ctx.state.spent).toEqualTypeOf<MapState<string, number>>();
          expectTypeOf(ctx.state.spent.get('x')).toEqualTypeOf<number | undefined>();
          expectTypeOf([...ctx.state.spent]).toEqualTypeOf<[string, number][]>();
          ctx.emit({ anything: true }); // without `output`, the output is unknown
        },
      }),
    );
    expectTypeOf(out).toEqualTypeOf<Observable<StreamElement<unknown>>>();
  });

  it('O comes from `output: emits<O>()`; everything else is still inferred', () => {
    const alerts = from(txns).pipe(
      withEventTime({ timestamp: (t) => t.at }),
      keyedProcess({
        key: (t) => t.card,
        state: { count: valueState<number>() },
        output: emits<Alert>(),
        onEvent(t, ctx) {
          ctx.emit({ card: ctx.key, reason: `${t.amount}` });
          // @ts-expect-error an Alert needs a reason
          ctx.emit({ card: ctx.key });
          // @ts-expect-error the timestamp is a number
          ctx.emit({ card: ctx.key, reason: 'x' }, '5');
        },
        onTimer(timestamp, ctx) {
          expectTypeOf(timestamp).toEqualTypeOf<number>();
          expectTypeOf(ctx.timeDomain).toEqualTypeOf<'event-time' | 'processing-time'>();
          expectTypeOf(ctx.state.count.get()).toEqualTypeOf<number | undefined>();
          ctx.emit({ card: ctx.key, reason: 'timer' }, timestamp);
        },
      }),
      values(),
    );
    expectTypeOf(alerts).toEqualTypeOf<Observable<Alert>>();
  });

  it('standalone: T from an annotated key; the operator is metered', () => {
    const op = keyedProcess({ key: (t: Txn) => t.amount > 100, output: emits<number>(), onEvent: (t, ctx) => ctx.emit(t.amount) });
    expectTypeOf(op).toEqualTypeOf<MeteredOperator<StreamElement<Txn>, StreamElement<number>, KeyedProcessMetrics>>();
    expectTypeOf(op.metrics).toEqualTypeOf<Readonly<KeyedProcessMetrics>>();
  });

  it('without state, ctx.state has no names', () => {
    keyedProcess({
      key: (t: Txn) => t.card,
      onEvent(_t, ctx) {
        // @ts-expect-error nothing was declared
        ctx.state.count.get();
      },
    });
  });

  it('each state has only its own verbs, with its own types', () => {
    keyedProcess({
      key: (t: Txn) => t.card,
      state: { count: valueState<number>(), recent: listState<number>(), spent: mapState<string, number>() },
      onEvent(t, ctx) {
        // @ts-expect-error a value state has no add
        ctx.state.count.add(1);
        // @ts-expect-error a value state holds numbers here
        ctx.state.count.set('1');
        // @ts-expect-error a list state takes its element type
        ctx.state.recent.add('x');
        ctx.state.recent.set([1, 2]);
        expectTypeOf(ctx.state.spent.set('books', t.amount)).toEqualTypeOf<MapState<string, number>>();
        expectTypeOf(ctx.state.spent.delete('books')).toEqualTypeOf<boolean>();
        expectTypeOf(ctx.state.spent.size).toEqualTypeOf<number>();
        // @ts-expect-error map keys are strings here
        ctx.state.spent.get(1);
        // @ts-expect-error not a declared name
        ctx.state.other.get();
      },
    });
  });

  it('a name cannot be declared twice (TypeScript refuses duplicate properties)', () => {
    keyedProcess({
      key: (t: Txn) => t.card,
      // @ts-expect-error An object literal cannot have multiple properties with the same name
      state: { count: valueState<number>(), count: listState<number>() },
      onEvent() {},
    });
  });

  it('the contexts and KeyedStates are usable as types', () => {
    const state = { count: valueState<number>(), seen: mapState<string, boolean>() };
    expectTypeOf<KeyedStates<typeof state>>().toEqualTypeOf<{ readonly count: ValueState<number>; readonly seen: MapState<string, boolean> }>();
    expectTypeOf<KeyedTimerContext<string, typeof state, Alert>>().toExtend<KeyedProcessContext<string, typeof state, Alert>>();
  });

  it('keyedProcessEngine makes engines of the same types', () => {
    const make = keyedProcessEngine({ key: (t: Txn) => t.card, output: emits<Alert>(), onEvent() {} });
    expectTypeOf(make).toEqualTypeOf<() => Engine<Txn, Alert>>();
  });

  it('rejects a key function of another input type, and TTLs in a wrong shape', () => {
    const stamped = from(txns).pipe(withEventTime({ timestamp: (t) => t.at }));
    // @ts-expect-error the key function takes the event type
    stamped.pipe(keyedProcess({ key: (s: string) => s.length, onEvent() {} }));
    // Type errors only: at run time these throw (InvalidArgumentError), so they are not called.
    const badTtls = () => {
      // @ts-expect-error one time domain per TTL
      valueState<number>({ ttl: { eventTime: 1, processingTime: 1 } });
      // @ts-expect-error a TTL gives a domain
      listState<number>({ ttl: {} });
    };
    expectTypeOf(badTtls).toBeFunction();
  });
});
