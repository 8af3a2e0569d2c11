/**
 * Shared by the checkpoint property tests (memory store here; other stores, e.g. tidemark/lmdb,
 * run the same cases with their own store): snapshot → restore at random points of random
 * pipelines equals an uninterrupted run. Each
 * case runs a checkpointed pipeline, triggers checkpoints at random slices, "crashes" it
 * (unsubscribes, keeping only the store and the sink's array, as a killed process keeps its
 * files) at random slices, and restarts it from the store until it completes. The sink's array
 * must then hold exactly the output of the same pipeline over plain RxJS sources.
 */
import * as fc from 'fast-check';
import { from, identity, type Observable, type OperatorFunction } from 'rxjs';
import {
  MemoryCheckpointStore,
  arraySink,
  boundedOutOfOrderness,
  checkpoints,
  commitCheckpoints,
  count,
  emits,
  fromReplayable,
  intervalJoin,
  keyedProcess,
  mergeEventTime,
  sliding,
  sum,
  tumbling,
  valueState,
  values,
  windowAggregate,
  withEventTime,
  type CheckpointStore,
  type Checkpoints,
  type StreamElement,
} from 'tidemark';
import { StepScheduler, settle } from './StepScheduler.js';

export interface Row {
  readonly key: string;
  readonly ts: number;
  readonly amount: number;
}

export const BOUND = 5;

/** Rows in arrival order: timestamps out of order by at most BOUND. */
export const rows = fc
  .array(fc.record({ key: fc.constantFrom('a', 'b', 'c'), ts: fc.integer({ min: 0, max: 120 }), amount: fc.integer({ min: 1, max: 9 }), jitter: fc.integer({ min: 0, max: BOUND }) }), { minLength: 4, maxLength: 40 })
  .map((rs) => rs.map((r) => ({ ...r, at: r.ts + r.jitter })).sort((x, y) => x.at - y.at).map(({ key, ts, amount }): Row => ({ key, ts, amount })));

export type Source = (id: string, input: readonly Row[]) => Observable<StreamElement<Row>>;

export interface PipelineCase {
  readonly name: string;
  readonly inputs: number;
  /** Whether the output order is fixed (one input); with several, the interleaving of the sources may differ after a restore. */
  readonly ordered: boolean;
  build(source: Source, inputs: readonly (readonly Row[])[], end: OperatorFunction<StreamElement<unknown>, StreamElement<unknown>>): Observable<unknown>;
}

export const PIPELINES: readonly PipelineCase[] = [
  {
    name: 'tumbling sums per key',
    inputs: 1,
    ordered: true,
    build: (source, [a], end) =>
      source('in', a!).pipe(windowAggregate({ id: 'sums', window: tumbling(10), key: (r: Row) => r.key, aggregate: sum((r: Row) => r.amount) }), end, values()),
  },
  {
    name: 'keyedProcess running count with timers',
    inputs: 1,
    ordered: true,
    build: (source, [a], end) =>
      source('in', a!).pipe(
        keyedProcess({
          id: 'counts',
          key: (r: Row) => r.key,
          state: { n: valueState<number>() },
          output: emits<string>(),
          onEvent(r, ctx) {
            const n = (ctx.state.n.get() ?? 0) + 1;
            ctx.state.n.set(n);
            ctx.emit(`${ctx.key}:${n}`);
            ctx.timers.registerEventTime(r.ts + 7);
          },
          onTimer(t, ctx) {
            ctx.emit(`${ctx.key}@${t}:${ctx.state.n.get()}`);
          },
        }),
        end,
        values(),
      ),
  },
  {
    name: 'two sources merged, sliding counts, then tumbling sums of them',
    inputs: 2,
    ordered: false,
    build: (source, [a, b], end) =>
      mergeEventTime(source('left', a!), source('right', b!)).pipe(
        windowAggregate({ id: 'slide', window: sliding(20, 5), key: (r: Row) => r.key, aggregate: count() }),
        windowAggregate({ id: 'roll', window: tumbling(40), key: (w) => w.key, aggregate: sum((w) => w.value) }),
        end,
        values(),
      ),
  },
  {
    name: 'interval join of two sources',
    inputs: 2,
    ordered: false,
    build: (source, [a, b], end) =>
      source('left', a!).pipe(
        intervalJoin(source('right', b!), {
          id: 'join',
          leftKey: (l: Row) => l.key,
          rightKey: (r: Row) => r.key,
          lowerBound: -3,
          upperBound: 4,
          outer: 'left',
          select: (l, r) => `${l?.ts}/${l?.amount}+${r?.ts ?? '-'}/${r?.amount ?? '-'}`,
        }),
        end,
        values(),
      ),
  },
];

/** The same pipeline over plain RxJS sources: the uninterrupted answer. */
export function reference(p: PipelineCase, inputs: readonly (readonly Row[])[]): unknown[] {
  const out: unknown[] = [];
  const plain: Source = (_id, input) => from(input).pipe(withEventTime({ timestamp: (r: Row) => r.ts, watermark: boundedOutOfOrderness(BOUND) }));
  p.build(plain, inputs, identity).subscribe((v) => out.push(v));
  return out;
}

export interface Plan {
  /** Slices after which a checkpoint is triggered, per run. */
  readonly checkpointAt: readonly number[];
  /** The slice at which each run crashes (runs after the last one go to completion). */
  readonly crashAt: readonly number[];
}

/** Runs the checkpointed pipeline until it completes, crashing as planned; returns the sink's array. */
export async function checkpointedRun(p: PipelineCase, inputs: readonly (readonly Row[])[], plan: Plan, store: CheckpointStore = new MemoryCheckpointStore()): Promise<{ out: unknown[]; restarts: number }> {
  const out: unknown[] = [];
  let restarts = 0;
  for (let run = 0; ; run++) {
    const scheduler = new StepScheduler();
    const cp: Checkpoints = checkpoints({ store, scheduler });
    const crashAt = plan.crashAt[run];
    let done = false;
    let failure: unknown;
    const source: Source = (id, input) => fromReplayable(input, { id, checkpoints: cp, timestamp: (r) => r.ts, watermark: boundedOutOfOrderness(BOUND), batch: 1, scheduler });
    const sub = p.build(source, inputs, commitCheckpoints(cp, { sink: arraySink(out) })).subscribe({ complete: () => (done = true), error: (e: unknown) => (failure = e) });
    let crashed = false;
    // Slices count the source's steps (deterministic); a slice with nothing to step waits for the
    // store (a commit or a restore, on LMDB's thread), bounded in time rather than in turns, so a
    // loaded machine slows the run down without failing it.
    let waited = 0;
    for (let slice = 0; !done && failure === undefined; slice++) {
      await settle();
      if (slice === crashAt) {
        sub.unsubscribe();
        crashed = true;
        break;
      }
      if (plan.checkpointAt.includes(slice)) cp.triggerCheckpoint().catch(() => {});
      while (!scheduler.step() && !done && failure === undefined) {
        await new Promise<void>((resolve) => setTimeout(resolve, 1));
        if (++waited > 60_000) throw new Error('the pipeline did not complete: its store did not answer for a minute');
      }
      if (slice > 10_000) throw new Error('the pipeline did not complete');
    }
    if (failure !== undefined) throw failure;
    if (!crashed) return { out, restarts };
    restarts++;
  }
}

export const plans = fc.record({
  checkpointAt: fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { maxLength: 6 }),
  crashAt: fc.array(fc.integer({ min: 0, max: 14 }), { minLength: 1, maxLength: 4 }),
});

