import { of, type Observable, type OperatorFunction } from 'rxjs';
import { describe, expectTypeOf, it } from 'vitest';
import {
  event,
  events,
  filterEvents,
  flatMapEvents,
  mapEvents,
  mergeEventTime,
  values,
  watermark,
  type StreamElement,
  type Timestamped,
} from 'tidemark';

const numbers: Observable<StreamElement<number>> = of(event(1, 1), watermark(1));

describe('element operator types', () => {
  it('values(): StreamElement<T> → T', () => {
    expectTypeOf(values<number>()).toEqualTypeOf<OperatorFunction<StreamElement<number>, number>>();
    expectTypeOf(numbers.pipe(values())).toEqualTypeOf<Observable<number>>();
    // @ts-expect-error values() only applies to event-time streams
    of(1, 2).pipe(values());
  });

  it('events(): StreamElement<T> → Timestamped<T>', () => {
    expectTypeOf(numbers.pipe(events())).toEqualTypeOf<Observable<Timestamped<number>>>();
  });

  it('mapEvents, filterEvents and flatMapEvents keep the element wrapper', () => {
    expectTypeOf(numbers.pipe(mapEvents((n) => `${n}`))).toEqualTypeOf<Observable<StreamElement<string>>>();
    expectTypeOf(numbers.pipe(filterEvents((n) => n > 0))).toEqualTypeOf<Observable<StreamElement<number>>>();
    expectTypeOf(numbers.pipe(flatMapEvents((n) => [n, n * 2]))).toEqualTypeOf<Observable<StreamElement<number>>>();
    expectTypeOf(numbers.pipe(flatMapEvents((n) => new Set([`${n}`])))).toEqualTypeOf<Observable<StreamElement<string>>>();
  });

  it('filterEvents narrows with a type guard', () => {
    const mixed: Observable<StreamElement<string | number>> = of(event<string | number>('a', 1));
    expectTypeOf(mixed.pipe(filterEvents((v): v is string => typeof v === 'string'))).toEqualTypeOf<Observable<StreamElement<string>>>();
  });

  it('mergeEventTime merges streams of one element type', () => {
    expectTypeOf(mergeEventTime(numbers, numbers)).toEqualTypeOf<Observable<StreamElement<number>>>();
  });
});
