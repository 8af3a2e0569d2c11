import { from, type Observable } from 'rxjs';
import { describe, expectTypeOf, it } from 'vitest';
import {
  intervalJoin,
  intervalJoinEngine,
  temporalJoin,
  temporalJoinEngine,
  tumbling,
  windowJoin,
  withEventTime,
  type JoinMetrics,
  type JoinWindow,
  type MeteredOperator,
  type StreamElement,
  type TwoInputEngine,
} from 'tidemark';

interface View {
  ad: string;
  at: number;
}
interface Click {
  ad: string;
  x: number;
  at: number;
}
const views: Observable<StreamElement<View>> = from([{ ad: 'a', at: 1 }]).pipe(withEventTime({ timestamp: (v) => v.at }));
const clicks: Observable<StreamElement<Click>> = from([{ ad: 'a', x: 3, at: 2 }]).pipe(withEventTime({ timestamp: (c) => c.at }));

describe('join types', () => {
  it('intervalJoin infers both rows from the streams in a pipe, with no type arguments; the output from select', () => {
    const out = views.pipe(
      intervalJoin(clicks, {
        leftKey: (v) => v.ad,
        rightKey: (c) => c.ad,
        lowerBound: 0,
        upperBound: 5,
        select: (v, c) => {
          expectTypeOf(v).toEqualTypeOf<View>();
          expectTypeOf(c).toEqualTypeOf<Click>();
          return c.x;
        },
      }),
    );
    expectTypeOf(out).toEqualTypeOf<Observable<StreamElement<number>>>();
  });

  it("intervalJoin: an outer join makes the missing side `| undefined` in select ('left': the right row, 'right': the left row, 'full': both)", () => {
    views.pipe(intervalJoin(clicks, { leftKey: (v) => v.ad, rightKey: (c) => c.ad, lowerBound: 0, upperBound: 5, outer: 'left', select: (v, c) => (expectTypeOf(v).toEqualTypeOf<View>(), expectTypeOf(c).toEqualTypeOf<Click | undefined>(), 1) }));
    views.pipe(intervalJoin(clicks, { leftKey: (v) => v.ad, rightKey: (c) => c.ad, lowerBound: 0, upperBound: 5, outer: 'right', select: (v, c) => (expectTypeOf(v).toEqualTypeOf<View | undefined>(), expectTypeOf(c).toEqualTypeOf<Click>(), 1) }));
    views.pipe(intervalJoin(clicks, { leftKey: (v) => v.ad, rightKey: (c) => c.ad, lowerBound: 0, upperBound: 5, outer: 'full', select: (v, c) => (expectTypeOf(v).toEqualTypeOf<View | undefined>(), expectTypeOf(c).toEqualTypeOf<Click | undefined>(), 1) }));
  });

  it('every join is a MeteredOperator with JoinMetrics', () => {
    const op = intervalJoin(clicks, { leftKey: (v: View) => v.ad, rightKey: (c) => c.ad, lowerBound: 0, upperBound: 5, select: (v, c) => `${v.ad}${c.x}` });
    expectTypeOf(op).toEqualTypeOf<MeteredOperator<StreamElement<View>, StreamElement<string>, JoinMetrics>>();
    const w = windowJoin(clicks, { window: tumbling(10), leftKey: (v: View) => v.ad, rightKey: (c) => c.ad, select: (v, c, win) => (expectTypeOf(win).toEqualTypeOf<JoinWindow>(), v.at + c.at) });
    expectTypeOf(w).toEqualTypeOf<MeteredOperator<StreamElement<View>, StreamElement<number>, JoinMetrics>>();
  });

  it("temporalJoin: the table row is `R` for an inner join and `R | undefined` with outer 'left'", () => {
    views.pipe(temporalJoin(clicks, { key: (v) => v.ad, tableKey: (c) => c.ad, select: (v, c) => (expectTypeOf(v).toEqualTypeOf<View>(), expectTypeOf(c).toEqualTypeOf<Click>(), 1) }));
    const out = views.pipe(temporalJoin(clicks, { key: (v) => v.ad, tableKey: (c) => c.ad, outer: 'left', select: (v, c) => (expectTypeOf(c).toEqualTypeOf<Click | undefined>(), c?.x) }));
    expectTypeOf(out).toEqualTypeOf<Observable<StreamElement<number | undefined>>>();
  });

  it('the engine factories give TwoInputEngines of the rows and the output', () => {
    const make = intervalJoinEngine({ leftKey: (v: View) => v.ad, rightKey: (c: Click) => c.ad, lowerBound: 0, upperBound: 1, select: (v, c) => [v, c] as const });
    expectTypeOf(make).toEqualTypeOf<() => TwoInputEngine<View, Click, readonly [View, Click]>>();
    const t = temporalJoinEngine({ key: (v: View) => v.ad, tableKey: (c: Click) => c.ad, select: (v) => v.at });
    expectTypeOf(t).toEqualTypeOf<() => TwoInputEngine<View, Click, number>>();
  });

  it('bad option types do not compile', () => {
    // Type checks only (these would throw InvalidArgumentError when run).
    const typeOnly = () => {
      // @ts-expect-error outer must be 'left', 'right' or 'full'
      intervalJoin(clicks, { leftKey: (v: View) => v.ad, rightKey: (c) => c.ad, lowerBound: 0, upperBound: 5, outer: 'inner', select: () => 1 });
      // @ts-expect-error a temporal join has no right or full outer join
      temporalJoin(clicks, { key: (v: View) => v.ad, tableKey: (c) => c.ad, outer: 'full', select: () => 1 });
      // @ts-expect-error bounds are numbers
      intervalJoin(clicks, { leftKey: (v: View) => v.ad, rightKey: (c) => c.ad, lowerBound: '0', upperBound: 5, select: () => 1 });
    };
    expectTypeOf(typeOnly).toBeFunction();
  });
});
