import { from, type Observable, type OperatorFunction } from 'rxjs';
import { describe, expectTypeOf, it } from 'vitest';
import {
  avg,
  collect,
  count,
  max,
  reduce,
  session,
  sum,
  tumbling,
  windowAggregate,
  windowAggregateEngine,
  withEventTime,
  type Aggregator,
  type Engine,
  type MeteredOperator,
  type StreamElement,
  type WindowAggregateMetrics,
  type WindowResult,
} from 'tidemark';

interface Click {
  page: string;
  at: number;
  ms: number;
}

describe('windowAggregate types', () => {
  it('infers K from `key` and R from the aggregator', () => {
    const op = windowAggregate({ window: tumbling(10), key: (c: Click) => c.page, aggregate: avg((c: Click) => c.ms) });
    expectTypeOf(op).toEqualTypeOf<MeteredOperator<StreamElement<Click>, StreamElement<WindowResult<string, number>>, WindowAggregateMetrics>>();
  });

  it('the operator is an OperatorFunction with always-there metrics', () => {
    const op = windowAggregate({ window: tumbling(10), aggregate: count<string>() });
    expectTypeOf(op).toExtend<OperatorFunction<StreamElement<string>, StreamElement<WindowResult<undefined, number>>>>();
    expectTypeOf(op.metrics).toEqualTypeOf<Readonly<WindowAggregateMetrics>>();
  });

  it('without `key`, K is undefined', () => {
    const op = windowAggregate({ window: tumbling(10), aggregate: sum((c: Click) => c.ms) });
    expectTypeOf(op).toEqualTypeOf<MeteredOperator<StreamElement<Click>, StreamElement<WindowResult<undefined, number>>, WindowAggregateMetrics>>();
  });

  it('R follows the aggregator: collect, reduce, a user-defined one', () => {
    const collected = windowAggregate({ window: session(5), key: (c: Click) => c.at > 0, aggregate: collect<Click>() });
    expectTypeOf(collected).toEqualTypeOf<MeteredOperator<StreamElement<Click>, StreamElement<WindowResult<boolean, Click[]>>, WindowAggregateMetrics>>();

    const longest = windowAggregate({ window: tumbling(10), aggregate: reduce((a: string, b: string) => (b.length > a.length ? b : a)) });
    expectTypeOf(longest).toEqualTypeOf<MeteredOperator<StreamElement<string>, StreamElement<WindowResult<undefined, string>>, WindowAggregateMetrics>>();

    const pages: Aggregator<Click, Set<string>, readonly string[]> = {
      create: () => new Set(),
      add: (acc, c) => acc.add(c.page),
      result: (acc) => [...acc],
    };
    const custom = windowAggregate({ window: tumbling(10), key: (c: Click) => c.ms, aggregate: pages });
    expectTypeOf(custom).toEqualTypeOf<MeteredOperator<StreamElement<Click>, StreamElement<WindowResult<number, readonly string[]>>, WindowAggregateMetrics>>();
  });

  it('infers the event type from the pipe', () => {
    const clicks: Click[] = [];
    const out = from(clicks).pipe(
      withEventTime({ timestamp: (c) => c.at }),
      windowAggregate({ window: tumbling(60_000), key: (c) => c.page, aggregate: count() }),
    );
    expectTypeOf(out).toEqualTypeOf<Observable<StreamElement<WindowResult<string, number>>>>();

    const maxMs = from(clicks).pipe(
      withEventTime({ timestamp: (c) => c.at }),
      windowAggregate({ window: tumbling(60_000), aggregate: max((c: Click) => c.ms) }),
    );
    expectTypeOf(maxMs).toEqualTypeOf<Observable<StreamElement<WindowResult<undefined, number>>>>();
  });

  it('infers T from a typed aggregator, with no explicit type arguments', () => {
    const op = windowAggregate({ window: tumbling(10), aggregate: count<string>() });
    expectTypeOf(op).toEqualTypeOf<MeteredOperator<StreamElement<string>, StreamElement<WindowResult<undefined, number>>, WindowAggregateMetrics>>();
  });

  it('types the results', () => {
    expectTypeOf<WindowResult<string, number>>().toEqualTypeOf<{
      readonly key: string;
      readonly start: number;
      readonly end: number;
      readonly value: number;
      readonly firing: 'early' | 'on-time' | 'late';
    }>();
  });

  it('windowAggregateEngine makes engines of the same types', () => {
    const make = windowAggregateEngine({ window: tumbling(10), key: (c: Click) => c.page, aggregate: count() });
    expectTypeOf(make).toEqualTypeOf<() => Engine<Click, WindowResult<string, number>>>();
  });

  it('rejects an aggregator of another input type', () => {
    // @ts-expect-error sum() aggregates numbers, not strings
    windowAggregate<string, undefined, number, number>({ window: tumbling(10), aggregate: sum() });
    // @ts-expect-error the key function takes the event type
    windowAggregate({ window: tumbling(10), key: (s: string) => s.length, aggregate: sum((c: Click) => c.ms) });
  });
});
