/**
 * windowJoin and temporalJoin under the checkpoint coordinator: checkpoints at every few source
 * slices, a "crash" (unsubscribe, keeping only the store and the sink's array) at each planned
 * slice, restarts from the store until done. The sink must then hold exactly what the same
 * pipeline gives over plain sources: each join's state (rows, windows, table versions, waiting
 * events, watermarks) is snapshotted at the aligned barrier under its id and restored by it.
 */
import { from, identity, type Observable, type OperatorFunction } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  MemoryCheckpointStore,
  arraySink,
  boundedOutOfOrderness,
  checkpoints,
  commitCheckpoints,
  fromReplayable,
  sliding,
  temporalJoin,
  values,
  windowJoin,
  withEventTime,
  type StreamElement,
} from 'tidemark';
import { StepScheduler, settle } from '../../../support/StepScheduler.js';

interface Row {
  readonly key: string;
  readonly ts: number;
  readonly n: number;
}

const BOUND = 3;
type Source = (id: string, rows: readonly Row[]) => Observable<StreamElement<Row>>;
type Build = (source: Source, end: OperatorFunction<StreamElement<unknown>, StreamElement<unknown>>) => Observable<unknown>;

/** Rows of keys a–c over 0..80, each arriving up to BOUND late, from a seeded generator. */
function rows(seed: number, count: number): Row[] {
  let s = seed;
  const next = () => ((s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0) / 4_294_967_296);
  return Array.from({ length: count }, (_, n) => ({ key: 'abc'[Math.floor(next() * 3)]!, ts: Math.floor(next() * 80), n, arrival: 0 }))
    .map((r) => ({ ...r, arrival: r.ts + Math.floor(next() * (BOUND + 1)) }))
    .sort((a, b) => a.arrival - b.arrival)
    .map(({ key, ts, n }) => ({ key, ts, n }));
}

const LEFT = rows(7, 60);
const RIGHT = rows(8, 40);

const PIPELINES: readonly (readonly [string, Build])[] = [
  [
    'windowJoin (sliding windows)',
    (source, end) =>
      source('left', LEFT).pipe(
        windowJoin(source('right', RIGHT), { id: 'wjoin', window: sliding(10, 5), leftKey: (l: Row) => l.key, rightKey: (r) => r.key, select: (l, r, w) => `${l.n}+${r.n}@${w.start}` }),
        end,
        values(),
      ),
  ],
  [
    'temporalJoin (outer left, deletes)',
    (source, end) =>
      source('left', LEFT).pipe(
        temporalJoin(source('right', RIGHT), { id: 'tjoin', key: (e: Row) => e.key, tableKey: (r) => r.key, isDelete: (r) => r.n % 7 === 0, outer: 'left', select: (e, r) => `${e.n}:${r?.n ?? '-'}` }),
        end,
        values(),
      ),
  ],
];

/** The uninterrupted answer, over plain sources. */
function reference(build: Build): string[] {
  const out: unknown[] = [];
  build((_id, input) => from(input).pipe(withEventTime({ timestamp: (r: Row) => r.ts, watermark: boundedOutOfOrderness(BOUND) })), identity).subscribe((v) => out.push(v));
  return out.map(String).sort();
}

/** Runs the checkpointed pipeline, crashing at each slice of `crashes` in turn (one per run, if it gets that far), then to the end; returns the sink's array and the restarts. */
async function withCrashes(build: Build, crashes: readonly number[]): Promise<{ out: string[]; restarts: number }> {
  const store = new MemoryCheckpointStore();
  const out: unknown[] = [];
  for (let run = 0; ; run++) {
    const scheduler = new StepScheduler();
    const cp = checkpoints({ store, scheduler });
    let done = false;
    let failure: unknown;
    const source: Source = (id, input) => fromReplayable(input, { id, checkpoints: cp, timestamp: (r) => r.ts, watermark: boundedOutOfOrderness(BOUND), batch: 1, scheduler });
    const sub = build(source, commitCheckpoints(cp, { sink: arraySink(out) })).subscribe({ complete: () => (done = true), error: (e: unknown) => (failure = e) });
    for (let slice = 0; !done && failure === undefined; slice++) {
      await settle();
      if (slice === crashes[run]) break;
      if (slice % 6 === 3) cp.triggerCheckpoint().catch(() => {});
      if (!scheduler.step()) await settle();
      if (slice > 10_000) throw new Error('the pipeline did not complete');
    }
    if (failure !== undefined) throw failure;
    sub.unsubscribe();
    if (done) return { out: out.map(String).sort(), restarts: run };
  }
}

describe('joins under the checkpoint coordinator', () => {
  it.each(PIPELINES)('%s: crashed and restored from its checkpoints, it gives the uninterrupted answer', async (_name, build) => {
    const expected = reference(build);
    expect(expected.length).toBeGreaterThan(20);
    let restarts = 0;
    for (const crashes of [[9], [20, 13, 31], [45, 4, 60, 27], [2, 2, 2, 2, 2]]) {
      const run = await withCrashes(build, crashes);
      expect(run.out).toEqual(expected);
      restarts += run.restarts;
    }
    // The runs really restored (a crash planned after the restored run's end does not happen).
    expect(restarts).toBeGreaterThanOrEqual(8);
  });
});
