import { from, of, type Observable, type OperatorFunction } from 'rxjs';
import { describe, expectTypeOf, it } from 'vitest';
import { boundedOutOfOrderness, withEventTime, type MeteredOperator, type StreamElement, type WatermarkStrategy, type WithEventTimeMetrics } from 'tidemark';

interface Reading {
  at: number;
  celsius: number;
}

describe('withEventTime types', () => {
  it('T → StreamElement<T>', () => {
    const op = withEventTime({ timestamp: (r: Reading) => r.at });
    expectTypeOf(op).toEqualTypeOf<MeteredOperator<Reading, StreamElement<Reading>, WithEventTimeMetrics>>();
    expectTypeOf(op).toExtend<OperatorFunction<Reading, StreamElement<Reading>>>();
    expectTypeOf(op.metrics.behindWatermark).toEqualTypeOf<number>();
  });

  it('infers T from the pipe, also with a watermark strategy', () => {
    const readings: Reading[] = [];
    const out = from(readings).pipe(withEventTime({ timestamp: (r) => r.at, watermark: boundedOutOfOrderness(5) }));
    expectTypeOf(out).toEqualTypeOf<Observable<StreamElement<Reading>>>();
  });

  it('the timestamp extractor must return a number', () => {
    // @ts-expect-error a string timestamp is not accepted
    of({ at: '1' }).pipe(withEventTime({ timestamp: (r) => r.at }));
  });

  it('accepts a custom strategy typed by the events', () => {
    const byCelsius: WatermarkStrategy<Reading> = { create: () => ({ onEvent: (t, r) => t - r.celsius }) };
    const op = withEventTime({ timestamp: (r: Reading) => r.at, watermark: byCelsius });
    expectTypeOf(op).toExtend<OperatorFunction<Reading, StreamElement<Reading>>>();
  });
});
