import { describe, expect, it } from 'vitest';
import { InvalidTimestampError, barrier, mergeEventTime, type Collector, type ControlElement, type OperatorSnapshot, type ProcessingTime } from 'tidemark';
import { TwoInputHarness, expectMarbles, type TwoInputEngine, type TwoInputPipeline } from 'tidemark/testing';

/**
 * A tiny two-input engine: emits `left+right` pairs of events with equal timestamps (a toy
 * join), the minimum watermark, routes events behind their input's watermark to the late
 * outputs, and pings on processing time.
 */
function toyJoin(late: { left: (e: { kind: 'event'; value: string; timestamp: number }) => void; right: (e: { kind: 'event'; value: string; timestamp: number }) => void }, controls: ControlElement[] = []): TwoInputEngine<string, string, string> {
  let out!: Collector<string>;
  let time!: ProcessingTime;
  let state = { left: [] as [string, number][], right: [] as [string, number][], wm: [-Infinity, -Infinity] as [number, number], emitted: -Infinity };
  const onEvent = (side: 0 | 1, v: string, t: number) => {
    if (t <= state.wm[side]) return (side === 0 ? late.left : late.right)({ kind: 'event', value: v, timestamp: t });
    const mine = side === 0 ? state.left : state.right;
    const other = side === 0 ? state.right : state.left;
    mine.push([v, t]);
    for (const [o, ot] of other) if (ot === t) out.event(side === 0 ? `${v}+${o}` : `${o}+${v}`, t);
    if (v === 'ping') time.wakeAt(time.now() + 10);
  };
  const onWatermark = (side: 0 | 1, t: number) => {
    state.wm[side] = Math.max(state.wm[side], t);
    const w = Math.min(...state.wm);
    if (w > state.emitted) out.watermark((state.emitted = w));
  };
  return {
    name: 'toyJoin',
    open: (o, t) => {
      out = o;
      time = t;
    },
    onEvent1: (v, t) => onEvent(0, v, t),
    onEvent2: (v, t) => onEvent(1, v, t),
    onWatermark1: (t) => onWatermark(0, t),
    onWatermark2: (t) => onWatermark(1, t),
    onControl1: (e) => void controls.push(e),
    onProcessingTime: (now) => out.event('pong', now),
    snapshot: (): OperatorSnapshot => ({ operator: 'toyJoin', state }),
    restore: (s) => {
      state = structuredClone(s.state as typeof state);
    },
  };
}

const joinPipeline: TwoInputPipeline<string, string, string> = { engine: (ctx) => toyJoin({ left: ctx.lateLeft, right: ctx.lateRight }) };

describe('TwoInputHarness', () => {
  it('drives a function of two streams, e.g. mergeEventTime', () => {
    const h = new TwoInputHarness<string, string, string>({ operator: (left, right) => mergeEventTime(left, right) });
    h.left.pushMarbles('a@1 W5');
    h.right.pushMarbles('b@2 W3');
    expectMarbles(h, 'a@1 b@2 W3');
    h.left.complete();
    expect(h.left.completed).toBe(true);
    expect(h.completed).toBe(false);
    h.right.pushMarbles('W7 |');
    expectMarbles(h, 'a@1 b@2 W3 W7 W+inf |');
    expect(h.completed).toBe(true);
  });

  it('drives a two-input engine: events per input, per-input watermarks, completion of both', () => {
    const h = new TwoInputHarness(joinPipeline);
    h.left.pushEvent('a', 1).pushEvent('b', 2);
    h.right.pushEvent('x', 2).pushWatermark(5);
    h.left.pushWatermark(3);
    expectMarbles(h, 'b+x@2 W3');
    h.left.complete();
    expect(h.completed).toBe(false);
    h.right.complete();
    expect(h.completed).toBe(true);
    expect(h.watermarks()).toEqual([3, 5, Infinity]);
  });

  it('pushMarbles on an input fails it at # with options.error', () => {
    const lost = new Error('left lost');
    const h = new TwoInputHarness<string, string, string>({ operator: (left, right) => mergeEventTime(left, right) });
    h.right.pushMarbles('b@2');
    h.left.pushMarbles('a@1 #', undefined, { error: lost });
    expect(h.failure).toBe(lost);
    expectMarbles(h, 'b@2 a@1 #');
  });

  it('records each input’s late side output', () => {
    const h = new TwoInputHarness(joinPipeline);
    h.left.pushMarbles('W10 a@4');
    h.right.pushMarbles('W2 x@1 y@3');
    expect(h.lateLeft).toEqual([{ kind: 'event', value: 'a', timestamp: 4 }]);
    expect(h.lateRight).toEqual([{ kind: 'event', value: 'x', timestamp: 1 }]);
  });

  it('takeLateLeft() / takeLateRight() return and clear one input’s late side output', () => {
    const h = new TwoInputHarness(joinPipeline);
    h.left.pushMarbles('W10 a@4');
    h.right.pushMarbles('W2 x@1');
    const left = h.lateLeft;
    expect(h.takeLateLeft()).toEqual([{ kind: 'event', value: 'a', timestamp: 4 }]);
    expect(left).toEqual([{ kind: 'event', value: 'a', timestamp: 4 }]); // what was read before is not emptied
    expect(h.lateLeft).toEqual([]);
    expect(h.lateRight).toEqual([{ kind: 'event', value: 'x', timestamp: 1 }]); // the other side is untouched
    h.left.pushMarbles('b@5');
    h.right.pushMarbles('y@0');
    expect(h.takeLateLeft()).toEqual([{ kind: 'event', value: 'b', timestamp: 5 }]);
    expect(h.takeLateRight()).toEqual([
      { kind: 'event', value: 'x', timestamp: 1 },
      { kind: 'event', value: 'y', timestamp: 0 },
    ]);
    expect(h.takeLateRight()).toEqual([]);
  });

  it('hands control elements to onControl when the engine has it, else passes them on', () => {
    const controls: ControlElement[] = [];
    const h = new TwoInputHarness<string, string, string>({ engine: () => toyJoin({ left: () => {}, right: () => {} }, controls) });
    h.left.push(barrier(1));
    h.right.push(barrier(2));
    expect(controls).toEqual([barrier(1)]);
    expect(h.output).toEqual([barrier(2)]);
  });

  it('delivers processing-time callbacks on the shared clock', () => {
    const h = new TwoInputHarness(joinPipeline, { startTime: 100 });
    h.left.pushMarbles('ping@1 ~9');
    expect(h.values()).toEqual([]);
    h.right.pushMarbles('~1');
    expect(h.output).toEqual([{ kind: 'event', value: 'pong', timestamp: 110 }]);
    h.left.pushEvent('ping', 2);
    expect(h.clock.pending).toBe(1);
    h.close();
    expect(h.clock.pending).toBe(0);
  });

  it('records when each output came out, from either input or the clock', () => {
    const h = new TwoInputHarness(joinPipeline, { startTime: 100 });
    h.left.pushMarbles('a@1 ~5 ping@3');
    h.right.pushMarbles('~2 b@1 ~20 W4');
    h.left.pushMarbles('W4');
    expect(h.outputAt).toEqual([
      [107, { kind: 'event', value: 'a+b', timestamp: 1 }],
      [115, { kind: 'event', value: 'pong', timestamp: 115 }],
      [127, { kind: 'watermark', timestamp: 4 }],
    ]);
    expectMarbles(h, '~7 a+b@1 ~8 pong@115 ~12 W4');
  });

  it('snapshots and restores a two-input engine', () => {
    const whole = new TwoInputHarness(joinPipeline);
    whole.left.pushMarbles('a@1 b@2 W2');
    whole.right.pushMarbles('x@2 y@1 W1');
    whole.left.pushMarbles('c@3 |');
    whole.right.pushMarbles('z@3 |');

    const first = new TwoInputHarness(joinPipeline);
    first.left.pushMarbles('a@1 b@2 W2');
    first.right.pushMarbles('x@2');
    const second = new TwoInputHarness(joinPipeline, { snapshot: first.snapshot() });
    second.right.pushMarbles('y@1 W1');
    second.left.pushMarbles('c@3 |');
    second.right.pushMarbles('z@3 |');
    expect([...first.output, ...second.output]).toEqual(whole.output);
    expect(whole.values()).toEqual(['b+x', 'a+y', 'c+z']);
  });

  it('rejects bad timestamps and input after an input completed', () => {
    const h = new TwoInputHarness(joinPipeline);
    h.left.complete();
    expect(() => h.left.pushEvent('a', 1)).toThrow(/the left input already completed/);
    expect(() => h.right.pushEvent('a', NaN)).toThrow(InvalidTimestampError);
    expect(h.failed).toBe(true);
  });

  it('fails on an upstream error without throwing it', () => {
    const h = new TwoInputHarness<string, string, string>({ operator: (left, right) => mergeEventTime(left, right) });
    const boom = new Error('boom');
    h.right.pushError(boom);
    expect(h.failure).toBe(boom);
    const e = new TwoInputHarness(joinPipeline);
    e.left.pushError(boom);
    expect(e.failed).toBe(true);
    expect(() => e.right.pushEvent('x', 1)).toThrow(/already failed/);
  });

  it('cloneSnapshots: false shows that toyJoin’s snapshot() hands out its live state', () => {
    const copied = new TwoInputHarness(joinPipeline);
    copied.left.pushEvent('a', 1);
    const hidden = copied.snapshot();
    copied.right.pushEvent('b', 2);
    expect((hidden.state as { right: unknown[] }).right).toEqual([]);

    const raw = new TwoInputHarness(joinPipeline, { cloneSnapshots: false });
    raw.left.pushEvent('a', 1);
    const shown = raw.snapshot();
    raw.right.pushEvent('b', 2);
    expect((shown.state as { right: unknown[] }).right).toEqual([['b', 2]]);
  });

  it('refuses to snapshot or restore an operator pipeline', () => {
    const op: TwoInputPipeline<string, string, string> = { operator: (l, r) => mergeEventTime(l, r) };
    expect(() => new TwoInputHarness(op).snapshot()).toThrow(/only engine pipelines/);
    expect(() => new TwoInputHarness(op, { snapshot: { operator: 'x', state: null } })).toThrow(/only engine pipelines/);
  });
});
