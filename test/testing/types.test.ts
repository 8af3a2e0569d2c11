import * as fc from 'fast-check';
import type { OperatorFunction, SchedulerLike } from 'rxjs';
import { describe, expectTypeOf, it } from 'vitest';
import { count, tumbling, windowAggregateEngine, withEventTime, type OperatorSnapshot, type StreamElement, type Timestamped, type WindowResult } from 'tidemark';
import {
  OperatorHarness,
  ValueHarness,
  VirtualClock,
  boundaryTimestamps,
  disorderedEvents,
  fromMarbles,
  parseMarbles,
  type DisorderedEvents,
  type EnginePipeline,
  type Keyed,
  type Marble,
  type Pipeline,
  type PipelineContext,
  type Recording,
  type ValuePipeline,
} from 'tidemark/testing';

describe('tidemark/testing types', () => {
  it('VirtualClock is an RxJS SchedulerLike', () => {
    expectTypeOf<VirtualClock>().toExtend<SchedulerLike>();
  });

  it('an engine factory such as windowAggregateEngine(config) is an engine pipeline', () => {
    const factory = windowAggregateEngine<string>({ window: tumbling(10), aggregate: count() });
    expectTypeOf({ engine: factory }).toExtend<EnginePipeline<string, WindowResult<undefined, unknown>>>();
    expectTypeOf<Pipeline<string, number>>().toEqualTypeOf<
      | { readonly engine: EnginePipeline<string, number>['engine'] }
      | { readonly operator: (context: PipelineContext<string>) => OperatorFunction<StreamElement<string>, StreamElement<number>> }
    >();
  });

  it('the harness takes its types from the pipeline and is a Recording', () => {
    const h = new OperatorHarness({ engine: windowAggregateEngine<string>({ window: tumbling(10), aggregate: count() }) });
    expectTypeOf(h).toEqualTypeOf<OperatorHarness<string, WindowResult<undefined, unknown>>>();
    expectTypeOf(h.late).toEqualTypeOf<readonly Timestamped<string>[]>();
    expectTypeOf(h.snapshot()).toEqualTypeOf<OperatorSnapshot>();
    expectTypeOf(h).toExtend<Recording<WindowResult<undefined, unknown>>>();
    // @ts-expect-error an event of the wrong type
    h.pushEvent(1, 1);
  });

  it('the value harness takes plain values in and is a Recording with times', () => {
    const h = new ValueHarness<{ at: number }, { at: number }>({ operator: (ctx) => withEventTime({ timestamp: (r) => r.at, scheduler: ctx.clock }) });
    expectTypeOf(h.push).parameters.toEqualTypeOf<{ at: number }[]>();
    expectTypeOf(h.outputAt).toEqualTypeOf<[time: number, element: StreamElement<{ at: number }>][]>();
    expectTypeOf(h.takeLate()).toEqualTypeOf<Timestamped<{ at: number }>[]>();
    expectTypeOf(h).toExtend<Recording<{ at: number }>>();
    expectTypeOf<ValuePipeline<number, string>['operator']>().returns.toEqualTypeOf<OperatorFunction<number, StreamElement<string>>>();
    expectTypeOf(() => {
      // @ts-expect-error a value of the wrong type
      h.push(1);
      // @ts-expect-error the input is values, not event-time elements
      h.pushEvent({ at: 1 }, 1);
    }).toBeFunction(); // type checks only: never called
  });

  it('marbles are strings without a values map, and the map’s type with one', () => {
    expectTypeOf(parseMarbles('a@1')).toEqualTypeOf<Marble<string>[]>();
    expectTypeOf(parseMarbles('a@1', { a: 1 })).toEqualTypeOf<Marble<number>[]>();
    expectTypeOf(fromMarbles('a@1', { a: { n: 1 } })).toEqualTypeOf<import('rxjs').Observable<StreamElement<{ n: number }>>>();
  });

  it('disorderedEvents wraps values in { key, value } when given keys', () => {
    expectTypeOf(disorderedEvents(fc.nat(), { maxDisorder: 1 })).toEqualTypeOf<fc.Arbitrary<DisorderedEvents<number>>>();
    expectTypeOf(disorderedEvents(fc.nat(), { maxDisorder: 1, keys: ['a', 'b'] as const })).toEqualTypeOf<fc.Arbitrary<DisorderedEvents<Keyed<'a' | 'b', number>>>>();
  });

  it('the window geometry options are optional, and boundaries needs a size', () => {
    expectTypeOf(disorderedEvents(fc.nat(), { maxDisorder: 1, boundaries: { size: 10, slide: 5, offset: 1, allowedLateness: 2 } })).toEqualTypeOf<fc.Arbitrary<DisorderedEvents<number>>>();
    expectTypeOf(boundaryTimestamps(10, { slide: 5, maxDisorder: 3, allowedLateness: 2 })).toEqualTypeOf<fc.Arbitrary<number>>();
    expectTypeOf(() => {
      // @ts-expect-error boundaries without a size
      disorderedEvents(fc.nat(), { maxDisorder: 1, boundaries: { slide: 5 } });
    }).toBeFunction(); // type checks only: never called
  });
});
