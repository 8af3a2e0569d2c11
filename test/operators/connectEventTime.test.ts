import fc from 'fast-check';
import { EMPTY, NEVER, Observable, Subject, connect, from, map, merge, take, type OperatorFunction } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  END_OF_TIME,
  InvalidArgumentError,
  MemoryCheckpointStore,
  arraySink,
  checkpoints,
  commitCheckpoints,
  fromReplayable,
  InvalidTimestampError,
  StreamContractError,
  barrier,
  boundedOutOfOrderness,
  connectEventTime,
  event,
  filterEvents,
  intervalJoin,
  mapEvents,
  tumbling,
  values,
  watermark,
  windowJoin,
  withEventTime,
  type StreamElement,
} from 'tidemark';
import { DEFAULT_NUM_RUNS, DEFAULT_SEED } from 'tidemark/testing';
import { StepScheduler, settle } from '../support/StepScheduler.js';
import { errorOf } from '../support/errorOf.js';
import { record } from '../support/record.js';

interface Row {
  kind: 'l' | 'r';
  k: string;
  at: number;
}

/** An RxJS operator between two tidemark operators: it ends one chain and starts the next. */
const unchain = <T>(): OperatorFunction<T, T> => map((x: T) => x);

/** The two branches of a stream of rows, split by kind and joined in 10-wide tumbling windows. */
const selfJoin = (shared: Observable<StreamElement<Row>>) =>
  shared.pipe(
    filterEvents((r: Row) => r.kind === 'l'),
    windowJoin(shared.pipe(filterEvents((r: Row) => r.kind === 'r')), {
      window: tumbling(10),
      leftKey: (l) => l.k,
      rightKey: (r) => r.k,
      select: (l, r, w) => `${l.k}${l.at}+${r.k}${r.at}@${w.start}`,
    }),
  );

describe('connectEventTime', () => {
  it('empty: every branch ends at once, with the final watermark', () => {
    const r = record(EMPTY.pipe(connectEventTime((shared: Observable<StreamElement<number>>) => merge(shared, shared)))).get();
    expect(r).toEqual({ out: [], completed: true, error: undefined });
    const stamped = record(from<number[]>([]).pipe(withEventTime({ timestamp: (n) => n }), connectEventTime((shared) => merge(shared, shared)))).get();
    expect(stamped).toEqual({ out: [END_OF_TIME, END_OF_TIME], completed: true, error: undefined });
  });

  it('never: nothing, no completion; unsubscribing ends the source subscription', () => {
    let unsubscribed = false;
    const never = new Observable<StreamElement<number>>(() => () => (unsubscribed = true));
    const h = record(never.pipe(connectEventTime((shared) => merge(shared, shared))));
    expect(h.get()).toEqual({ out: [], completed: false, error: undefined });
    h.subscription.unsubscribe();
    expect(unsubscribed).toBe(true);
    const n = record(NEVER.pipe(connectEventTime((shared: Observable<StreamElement<number>>) => shared)));
    expect(n.get().completed).toBe(false);
    n.subscription.unsubscribe();
  });

  it('one branch: the stream unchanged', () => {
    const input = [event('a', 1), watermark(1), barrier(7), event('b', 3), watermark(3)];
    expect(record(from(input).pipe(connectEventTime((shared) => shared))).get()).toEqual({ out: input, completed: true, error: undefined });
  });

  it('many branches: each element to every branch in subscription order, before the next element; the source subscribed once', () => {
    let subscriptions = 0;
    const source = new Observable<number>((s) => {
      subscriptions++;
      for (const n of [1, 3, 2]) s.next(n);
      s.complete();
    });
    const out = record(
      source.pipe(
        withEventTime({ timestamp: (n) => n }),
        connectEventTime((shared) =>
          merge(
            shared.pipe(mapEvents((n) => `A${n}`)),
            shared.pipe(filterEvents((n) => n !== 3), mapEvents((n) => `B${n}`)),
            shared.pipe(unchain(), map((e) => (e.kind === 'event' ? `C${String(e.value)}` : `C${e.kind}`))),
          ),
        ),
      ),
    ).get();
    expect(subscriptions).toBe(1);
    expect(out.completed).toBe(true);
    const events = out.out.map((e) => (typeof e === 'string' ? e : e.kind === 'event' ? e.value : `W${e.kind === 'watermark' ? e.timestamp : e.kind}`));
    // Watermarks t − 1 (monotonousTimestamps), none after 2 (behind the maximum); B drops 3's event, not its watermark.
    expect(events).toEqual(['A1', 'B1', 'C1', 'W0', 'W0', 'Cwatermark', 'A3', 'C3', 'W2', 'W2', 'Cwatermark', 'A2', 'B2', 'C2', 'WInfinity', 'WInfinity', 'Cwatermark']);
  });

  it('a self-join over connectEventTime equals the same join over RxJS connect (a Subject), on random input', () => {
    const seed = Number(process.env.TIDEMARK_SEED ?? DEFAULT_SEED);
    const numRuns = Number(process.env.TIDEMARK_NUM_RUNS ?? DEFAULT_NUM_RUNS);
    const rows = fc.array(fc.record({ kind: fc.constantFrom<'l' | 'r'>('l', 'r'), k: fc.constantFrom('a', 'b'), at: fc.integer({ min: 0, max: 60 }) }), { maxLength: 50 });
    fc.assert(
      fc.property(rows, fc.integer({ min: 0, max: 8 }), (input, bound) => {
        const timed = () => from(input).pipe(withEventTime<Row>({ timestamp: (r) => r.at, watermark: boundedOutOfOrderness(bound) }));
        const chained = record(timed().pipe(connectEventTime(selfJoin))).get();
        const viaSubject = record(timed().pipe(connect(selfJoin))).get();
        // And with the shared stream leaving the chain: the branches then read element objects.
        const unchained = record(timed().pipe(unchain(), connectEventTime(selfJoin))).get();
        expect(chained.error).toBeUndefined();
        expect(chained).toEqual(viaSubject);
        expect(unchained).toEqual(viaSubject);
      }),
      { seed, numRuns },
    );
  });

  it('an interval self-join: both inputs see the stream’s own watermark, so nothing is late', () => {
    const input: Row[] = [
      { kind: 'l', k: 'a', at: 1 },
      { kind: 'r', k: 'a', at: 2 },
      { kind: 'r', k: 'a', at: 9 },
      { kind: 'l', k: 'a', at: 8 },
    ];
    const out = record(
      from(input).pipe(
        withEventTime<Row>({ timestamp: (r) => r.at, watermark: boundedOutOfOrderness(2) }),
        connectEventTime((shared) =>
          shared.pipe(
            filterEvents((r: Row) => r.kind === 'l'),
            intervalJoin(shared.pipe(filterEvents((r: Row) => r.kind === 'r')), {
              leftKey: (l) => l.k,
              rightKey: (r) => r.k,
              lowerBound: 0,
              upperBound: 2,
              select: (l, r) => `${l.at}+${r.at}`,
            }),
            values(),
          ),
        ),
      ),
    ).get();
    expect(out).toEqual({ out: ['1+2', '8+9'], completed: true, error: undefined });
  });

  it('checkpoints pass through: a self-join stopped after a checkpoint and restored from it ends as an uninterrupted run', async () => {
    const input: Row[] = Array.from({ length: 60 }, (_, i) => ({ kind: i % 3 === 0 ? 'l' : 'r', k: `k${i % 2}`, at: i * 2 - (i % 5) }));
    const pipeline = (cp: ReturnType<typeof checkpoints>, out: unknown[], scheduler: StepScheduler) =>
      fromReplayable(input, { id: 'rows', checkpoints: cp, timestamp: (r) => r.at, watermark: boundedOutOfOrderness(5), batch: 6, scheduler }).pipe(
        connectEventTime((shared) =>
          shared.pipe(
            filterEvents((r: Row) => r.kind === 'l'),
            intervalJoin(shared.pipe(filterEvents((r: Row) => r.kind === 'r')), {
              id: 'join',
              leftKey: (l) => l.k,
              rightKey: (r) => r.k,
              lowerBound: -10,
              upperBound: 10,
              select: (l, r) => `${l.k}:${l.at}+${r.at}`,
            }),
          ),
        ),
        commitCheckpoints(cp, { sink: arraySink(out) }),
        values(),
      );
    const runToEnd = async (cp: ReturnType<typeof checkpoints>, out: unknown[], scheduler: StepScheduler) => {
      let done = false;
      let failure: unknown;
      pipeline(cp, out, scheduler).subscribe({ complete: () => (done = true), error: (e: unknown) => ((failure = e), (done = true)) });
      while (!done) {
        await settle();
        scheduler.step();
      }
      expect(failure).toBeUndefined();
    };
    const whole: unknown[] = [];
    await runToEnd(checkpoints({ store: new MemoryCheckpointStore(), scheduler: new StepScheduler() }), whole, new StepScheduler());
    expect(whole.length).toBeGreaterThan(20);

    const store = new MemoryCheckpointStore();
    const out: unknown[] = [];
    const first = new StepScheduler();
    const cp1 = checkpoints({ store, scheduler: first });
    const running = pipeline(cp1, out, first).subscribe();
    for (let i = 0; i < 4; i++) (await settle(), first.step());
    const id = await cp1.triggerCheckpoint();
    const committedAt = (await store.load(id))!;
    expect(Object.keys(committedAt.operators)).toEqual(['join']);
    // Mid-stream: some pairs committed, some still to come.
    expect(committedAt.sink).toBeGreaterThan(0);
    expect(committedAt.sink).toBeLessThan(whole.length);
    for (let i = 0; i < 2; i++) (await settle(), first.step()); // progress after the checkpoint, then a crash
    running.unsubscribe();
    const second = new StepScheduler();
    const cp2 = checkpoints({ store, scheduler: second });
    await runToEnd(cp2, out, second);
    expect(cp2.restored?.id).toBe(id);
    expect(out).toEqual(whole);
  });

  it('take(1) downstream stops a synchronous source', () => {
    let produced = 0;
    const source = new Observable<number>((s) => {
      for (let i = 0; i < 1000 && !s.closed; i++) (produced++, s.next(i));
      s.complete();
    });
    const out = record(source.pipe(withEventTime({ timestamp: (n) => n }), connectEventTime((shared) => merge(shared, shared)), take(1))).get();
    expect(out).toEqual({ out: [event(0, 0)], completed: true, error: undefined });
    expect(produced).toBe(1);
  });

  it('an error of the source errors the output, also when no branch listens', () => {
    const boom = new Error('boom');
    const failing = new Observable<StreamElement<number>>((s) => (s.next(event(1, 1)), s.error(boom)));
    const both = record(failing.pipe(connectEventTime((shared) => merge(shared.pipe(values()), shared.pipe(values())))));
    expect(both.get()).toEqual({ out: [1, 1], completed: false, error: boom });
    const none = record(failing.pipe(connectEventTime(() => NEVER)));
    expect(none.get().error).toBe(boom);
  });

  it('a bad timestamp upstream errors the output with the upstream operator’s error', () => {
    const out = record(from([{ at: 1 }, { at: Number.NaN }]).pipe(withEventTime({ timestamp: (r) => r.at }), connectEventTime((shared) => shared.pipe(values()))));
    expect(out.get().out).toEqual([{ at: 1 }]);
    expect(out.get().error).toBeInstanceOf(InvalidTimestampError);
  });

  it('a source that breaks the stream contract errors with StreamContractError naming connectEventTime', () => {
    const out = record(from([watermark(5), watermark(3)]).pipe(connectEventTime((shared: Observable<StreamElement<number>>) => shared)));
    const error = out.get().error;
    expect(error).toBeInstanceOf(StreamContractError);
    expect((error as Error).message).toContain('connectEventTime');
  });

  it('a throwing branch errors the output and stops the source', () => {
    let produced = 0;
    const source = new Observable<number>((s) => {
      for (let i = 0; i < 100 && !s.closed; i++) (produced++, s.next(i));
      s.complete();
    });
    const boom = new Error('bad branch');
    const out = record(
      source.pipe(
        withEventTime({ timestamp: (n) => n }),
        connectEventTime((shared) =>
          merge(
            shared.pipe(values()),
            shared.pipe(
              mapEvents((n) => {
                if (n === 2) throw boom;
                return n;
              }),
              values(),
            ),
          ),
        ),
      ),
    ).get();
    expect(out.error).toBe(boom);
    expect(out.out).toEqual([0, 0, 1, 1, 2]);
    expect(produced).toBe(3);
  });

  it('re-entrancy: a value pushed into the source while a branch handles one waits for it', () => {
    const subject = new Subject<number>();
    const seen: string[] = [];
    const sub = subject
      .pipe(
        withEventTime({ timestamp: (n) => n }),
        connectEventTime((shared) => merge(shared.pipe(values()), shared.pipe(mapEvents((n) => n * 10), values()))),
      )
      .subscribe((n) => {
        seen.push(String(n));
        if (n === 1) subject.next(2);
      });
    subject.next(1);
    expect(seen).toEqual(['1', '10', '2', '20']);
    sub.unsubscribe();
    expect(subject.observed).toBe(false);
  });

  it('a branch subscribed after the source ended completes at once', () => {
    let late: Observable<StreamElement<number>> | undefined;
    const out = record(
      from([event(1, 1)]).pipe(
        connectEventTime((shared) => {
          late = shared;
          return shared;
        }),
      ),
    ).get();
    expect(out.completed).toBe(true);
    expect(record(late!).get()).toEqual({ out: [], completed: true, error: undefined });
  });

  it('a branch subscribed after the source failed gets its error, as a Subject would give it', () => {
    const boom = new Error('boom');
    let late: Observable<StreamElement<number>> | undefined;
    const out = record(
      new Observable<StreamElement<number>>((s) => s.error(boom)).pipe(
        connectEventTime((shared) => {
          late = shared;
          return shared;
        }),
      ),
    ).get();
    expect(out.error).toBe(boom);
    expect(record(late!).get()).toEqual({ out: [], completed: false, error: boom });
  });

  it('a throwing selector errors the output; a selector that is not a function fails at creation', () => {
    const boom = new Error('selector');
    expect(
      record(
        from([event(1, 1)]).pipe(
          connectEventTime(() => {
            throw boom;
          }),
        ),
      ).get().error,
    ).toBe(boom);
    const error = errorOf(() => connectEventTime(42 as never));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/connectEventTime.*selector.*42/);
  });
});
