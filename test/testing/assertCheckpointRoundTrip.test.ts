import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, afterWatermark, count, tumbling, windowAggregateEngine, type Engine, type ProcessingTime } from 'tidemark';
import { assertCheckpointRoundTrip, disorderedEvents } from 'tidemark/testing';
import { failureOf } from './fixtures/failureOf.js';
import { tinyTumbling } from './fixtures/tinyTumbling.js';

const events = disorderedEvents(fc.nat(9), { maxDisorder: 3, lateFraction: 0.2 });

/**
 * An engine that counts its events and emits the count at the end (timestamp 0); its snapshot
 * is `snapshotState(seen)` and `restore` turns a snapshot's state back into the events seen.
 */
function counter<S>(snapshotState: (seen: number[]) => S, restore: (state: S) => number[]) {
  return (): Engine<number, number> => {
    let out!: Parameters<Engine<number, number>['open']>[0];
    let seen: number[] = [];
    return {
      name: 'counter',
      open: (o) => void (out = o),
      onEvent: (v) => void seen.push(v),
      onWatermark: (t) => {
        if (t === Infinity) out.event(seen.length, 0);
        out.watermark(t);
      },
      snapshot: () => ({ operator: 'counter', state: snapshotState(seen) }),
      restore: (s) => void (seen = restore(s.state as S)),
    };
  };
}

describe('assertCheckpointRoundTrip', () => {
  it('passes for a correct engine', () => {
    assertCheckpointRoundTrip({ pipeline: { engine: (ctx) => tinyTumbling(10, { allowedLateness: 2, late: ctx.late }) }, events });
  });

  it('catches a restore that forgets a timer, with a one-event counterexample', () => {
    const { error, events: shrunk } = failureOf(() =>
      assertCheckpointRoundTrip({ pipeline: { engine: () => tinyTumbling(10, { bug: 'restore-forgets-timers' }) }, events }),
    );
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(/^assertCheckpointRoundTrip: property failed after \d+ case\(s\)/);
    expect(shrunk.length).toBeLessThanOrEqual(2); // with the default seed: one event, snapshot right after it
    expect(error.message).toMatch(/snapshot after \d+ element\(s\): \d@-?\d+ /);
    expect(error.message).toContain('the output before the snapshot + after the restore differs from the uninterrupted run');
  });

  it("catches a window engine whose snapshot() hands out its live state", () => {
    const { error } = failureOf(() => assertCheckpointRoundTrip({ pipeline: { engine: () => tinyTumbling(10, { bug: 'snapshot-aliases-state' }) }, events }));
    expect(error.message).toContain('the snapshot changed after it was taken, as the run went on');
  });

  it('catches a snapshot that is not plain data, and a restore that loses state', () => {
    assertCheckpointRoundTrip({ pipeline: { engine: counter((seen) => [...seen], (s) => [...s]) }, events });
    const withFunction = failureOf(() => assertCheckpointRoundTrip({ pipeline: { engine: counter((seen) => ({ seen: [...seen], more: () => seen }), (s) => [...s.seen]) }, events }));
    expect(withFunction.error.message).toMatch(/DataCloneError: .*could not be cloned/);
    const losing = failureOf(() => assertCheckpointRoundTrip({ pipeline: { engine: counter((seen) => [...seen], () => []) }, events }));
    const [, want, got] = /expected (\d+)@0, got (\d+)@0/.exec(losing.error.message)!;
    expect(Number(got)).toBeLessThan(Number(want));
    expect(losing.events.length).toBeLessThanOrEqual(3);
  });

  it('catches a snapshot() that hands out live state, and a restore() that keeps the snapshot it was given', () => {
    // Either alias gives the right output every time: only the snapshot itself shows it.
    const live = failureOf(() => assertCheckpointRoundTrip({ pipeline: { engine: counter((seen) => seen, (s) => [...s]) }, events }));
    expect(live.error.message).toContain("the snapshot changed after it was taken, as the run went on: snapshot() must return a copy of the state, not the engine's live objects");
    expect(live.error.message).toMatch(/when taken: \{"operator":"counter","state":\[\]\}\n {2}at the end: \{"operator":"counter","state":\[\d\]\}/);
    expect(live.events).toHaveLength(1);
    const kept = failureOf(() => assertCheckpointRoundTrip({ pipeline: { engine: counter((seen) => [...seen], (s) => s) }, events }));
    expect(kept.error.message).toContain('the snapshot changed after it was restored, as the restored engine ran: restore() must copy what it keeps');
    expect(kept.events).toHaveLength(1);
  });

  it('catches a processing-time timer that is not re-requested after restore', () => {
    const pinger = (rewake: boolean) => (): Engine<number, string> => {
      let out!: Parameters<Engine<number, string>['open']>[0];
      let time!: ProcessingTime;
      let due = Infinity;
      return {
        name: 'pinger',
        open: (o, t) => {
          out = o;
          time = t;
        },
        onEvent: () => {
          if (due === Infinity) time.wakeAt((due = time.now() + 5));
        },
        onWatermark: (t) => out.watermark(t),
        onProcessingTime: (now) => {
          if (now < due) return time.wakeAt(due);
          due = Infinity;
          out.event('ping', now);
        },
        snapshot: () => ({ operator: 'pinger', state: due }),
        restore: (s) => {
          due = s.state as number;
          if (rewake && due < Infinity) time.wakeAt(due);
        },
      };
    };
    assertCheckpointRoundTrip({ pipeline: { engine: pinger(true) }, events, maxProcessingTimeStep: 3 });
    const { error } = failureOf(() => assertCheckpointRoundTrip({ pipeline: { engine: pinger(false) }, events, maxProcessingTimeStep: 3 }));
    expect(error.message).toMatch(/processing-time steps [\d,]+/);
    expect(error.message).toMatch(/expected ping@\d+, got/);
  });

  it('passes for windowAggregate with early firings on processing time', () => {
    assertCheckpointRoundTrip({
      pipeline: { engine: windowAggregateEngine<number>({ window: tumbling(10), aggregate: count(), trigger: afterWatermark({ early: { every: 4 } }) }) },
      events,
      maxProcessingTimeStep: 3,
    });
    expect(() => assertCheckpointRoundTrip({ pipeline: { engine: () => tinyTumbling(10) }, events, maxProcessingTimeStep: -1 })).toThrow(InvalidArgumentError);
  });
});
