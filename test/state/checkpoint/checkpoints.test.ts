import { Observable, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  CheckpointError,
  MemoryCheckpointStore,
  arraySink,
  checkpoints,
  commitCheckpoints,
  count,
  fromReplayable,
  mapEvents,
  mergeEventTime,
  sum,
  tumbling,
  values,
  windowAggregate,
  windowAggregateEngine,
  type Checkpoint,
  type CheckpointStore,
  type Checkpoints,
  type OperatorSnapshot,
  type StreamElement,
} from 'tidemark';
import { StepScheduler, settle } from '../../support/StepScheduler.js';

const times = (n: number) => Array.from({ length: n }, (_, i) => i * 3);

/** Runs a pipeline to its end; resolves with its output, rejects with its error. */
function run<T>(pipeline: Observable<T>): Promise<T[]> {
  return lastValueFrom(pipeline.pipe(toArray()));
}

function sums(cp: Checkpoints, out: unknown[], opts: { ids?: readonly string[]; source?: string; input?: readonly number[] } = {}) {
  const { ids = ['sums'], source = 'in', input = times(20) } = opts;
  let s: Observable<StreamElement<number>> = fromReplayable(input, { id: source, checkpoints: cp, timestamp: (t) => t });
  for (const id of ids) s = s.pipe(windowAggregate({ id, window: tumbling(10), aggregate: count() }), mapEvents((r) => r.start)) as Observable<StreamElement<number>>;
  return s.pipe(commitCheckpoints(cp, { sink: arraySink(out) }), values());
}

async function expectCheckpointError(p: Promise<unknown>, problem: string, ...parts: (string | RegExp)[]): Promise<CheckpointError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(CheckpointError.isCheckpointError(error), String(error)).toBe(true);
  const e = error as CheckpointError;
  expect(e.problem).toBe(problem);
  expect(e.name).toBe('CheckpointError');
  for (const part of parts) expect(e.message).toMatch(part);
  return e;
}

describe('checkpoints: a run', () => {
  it('commits a final checkpoint: every source at its end, the sink at its length; a second run restores it and adds nothing', async () => {
    const store = new MemoryCheckpointStore();
    const out: unknown[] = [];
    await run(sums(checkpoints({ store }), out));
    const last = (await store.latest())!;
    expect(last.sources).toEqual({ in: { at: 20, watermark: 'end' } });
    expect(last.sink).toBe(out.length);
    expect(Object.keys(last.operators)).toEqual(['sums']);
    const before = [...out];
    const cp = checkpoints({ store });
    expect(await run(sums(cp, out))).toEqual([]);
    expect(cp.restored?.id).toBe(last.id);
    expect(out).toEqual(before);
  });

  it('takes checkpoints every interval of processing time from its scheduler', async () => {
    const scheduler = new StepScheduler();
    const store = new MemoryCheckpointStore({ retain: 100 });
    const cp = checkpoints({ store, interval: 1, scheduler });
    const out: unknown[] = [];
    let done = false;
    fromReplayable(times(40), { id: 'in', checkpoints: cp, timestamp: (t) => t, batch: 4, scheduler })
      .pipe(windowAggregate({ id: 'sums', window: tumbling(10), aggregate: count() }), commitCheckpoints(cp, { sink: arraySink(out) }), values())
      .subscribe({ complete: () => (done = true) });
    while (!done) {
      await settle();
      scheduler.step();
    }
    const ids = await store.retained();
    expect(ids.length).toBeGreaterThan(3); // interval checkpoints between slices, then the final one
    const positions = await Promise.all(ids.map(async (id) => ((await store.load(id))!.sources['in'] as { at: number }).at));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(positions.every((p) => p % 4 === 0)).toBe(true); // between slices
  });

  it('triggerCheckpoint() resolves with the id once it is committed', async () => {
    const scheduler = new StepScheduler();
    const store = new MemoryCheckpointStore();
    const cp = checkpoints({ store, scheduler });
    const out: unknown[] = [];
    let done = false;
    fromReplayable(times(10), { id: 'in', checkpoints: cp, timestamp: (t) => t, batch: 2, scheduler })
      .pipe(commitCheckpoints(cp, { sink: arraySink(out) }), values())
      .subscribe({ complete: () => (done = true) });
    await settle(); // restored; the first slice runs at once
    scheduler.step(); // the second
    const id = await cp.triggerCheckpoint();
    expect(id).toBe(1);
    expect(((await store.latest())!.sources['in'] as { at: number }).at).toBe(4);
    while (!done) {
      await settle();
      scheduler.step();
    }
  });

  it('processing goes on while a checkpoint commits, and the committed state is the state at the barrier, not later', async () => {
    let release!: () => void;
    const committed: Checkpoint[] = [];
    const inner = new MemoryCheckpointStore();
    const slow: CheckpointStore = {
      latest: () => inner.latest(),
      load: (id) => inner.load(id),
      retained: () => inner.retained(),
      close: () => inner.close(),
      commit: (c) =>
        new Promise<void>((resolve) => {
          committed.push(structuredClone(c));
          release = () => {
            release = () => {};
            void inner.commit(c).then(resolve);
          };
        }),
    };
    const scheduler = new StepScheduler();
    const cp = checkpoints({ store: slow, scheduler });
    const out: number[] = [];
    const input = times(40); // 0, 3, … 117
    let done = false;
    const config = { id: 'sums', window: tumbling(10), aggregate: sum((t: number) => t) } as const;
    fromReplayable(input, { id: 'in', checkpoints: cp, timestamp: (t) => t, batch: 5, scheduler })
      .pipe(windowAggregate(config), mapEvents((r) => r.value), commitCheckpoints(cp, { sink: arraySink(out) }), values())
      .subscribe({ complete: () => (done = true) });
    await settle(); // restored; the first slice (5 events) runs at once
    scheduler.step(); // 10 events
    const checkpointed = cp.triggerCheckpoint();
    await settle();
    expect(committed).toHaveLength(1); // the commit has started …
    expect(cp.inProgress).toBe(true);
    for (let i = 0; i < 4; i++) scheduler.step(); // … and 20 more events are processed meanwhile
    await settle();
    expect(out.length).toBeGreaterThan(2);
    release();
    expect(await checkpointed).toBe(1);
    // What was committed is the state after 10 events: restore it into a fresh engine, feed it the rest, get the rest's answer.
    const cp1 = committed[0]!;
    expect(cp1.sources['in']).toEqual({ at: 10, watermark: 26 });
    expect(cp1.sink).toBe(2); // [0,10) and [10,20) had fired
    const engine = windowAggregateEngine<number, undefined, number, number>(config)();
    const results: number[] = [];
    engine.open({ event: (r) => results.push(r.value), watermark: () => {}, control: () => {} }, { now: () => 0, wakeAt: () => {} });
    engine.restore!(cp1.operators['sums'] as OperatorSnapshot);
    for (const t of input.slice(10)) {
      engine.onEvent(t, t);
      engine.onWatermark(t);
    }
    engine.onWatermark(Infinity);
    const all: number[] = [];
    const reference = windowAggregateEngine<number, undefined, number, number>(config)();
    reference.open({ event: (r) => all.push(r.value), watermark: () => {}, control: () => {} }, { now: () => 0, wakeAt: () => {} });
    for (const t of input) {
      reference.onEvent(t, t);
      reference.onWatermark(t);
    }
    reference.onWatermark(Infinity);
    expect([...out.slice(0, 2), ...results]).toEqual(all);
    while (!done) {
      await settle();
      scheduler.step();
      release?.();
    }
  });

  it('restores operators after a merge and a second source, once each', async () => {
    const store = new MemoryCheckpointStore();
    const out: unknown[] = [];
    const build = (cp: Checkpoints) =>
      mergeEventTime(fromReplayable(times(10), { id: 'a', checkpoints: cp, timestamp: (t) => t }), fromReplayable(times(10), { id: 'b', checkpoints: cp, timestamp: (t) => t })).pipe(
        windowAggregate({ id: 'w', window: tumbling(10), aggregate: count() }),
        commitCheckpoints(cp, { sink: arraySink(out) }),
        values(),
      );
    await run(build(checkpoints({ store })));
    expect(out.map((r) => (r as { value: number }).value)).toEqual([8, 6, 6]);
    expect(await run(build(checkpoints({ store })))).toEqual([]);
  });
});

describe('checkpoints: errors, typed, naming the operator or source and the fix', () => {
  it("an operator id the restored checkpoint has no state for ('missing-state')", async () => {
    const store = new MemoryCheckpointStore();
    await run(sums(checkpoints({ store }), [], { ids: ['sums'] }));
    await expectCheckpointError(run(sums(checkpoints({ store }), [], { ids: ['sums', 'more'] })), 'missing-state', /windowAggregate "more"/, /has no state for this operator/, /keep its old id/);
  });

  it("a source id the restored checkpoint has no position for ('missing-state')", async () => {
    const store = new MemoryCheckpointStore();
    await run(sums(checkpoints({ store }), []));
    await expectCheckpointError(run(sums(checkpoints({ store }), [], { source: 'renamed' })), 'missing-state', /fromReplayable "renamed"/, /has no position for this source \(it has "in"\)/);
  });

  it("state in the checkpoint that no operator claims: an incompatible pipeline ('unclaimed-state')", async () => {
    const store = new MemoryCheckpointStore();
    await run(sums(checkpoints({ store }), [], { ids: ['sums', 'gone'] }));
    await expectCheckpointError(run(sums(checkpoints({ store }), [], { ids: ['sums'] })), 'unclaimed-state', /checkpoint \d+/, /"gone"/, /belongs to another pipeline/);
  });

  it("two operators with one id ('duplicate-id')", async () => {
    await expectCheckpointError(run(sums(checkpoints({ store: new MemoryCheckpointStore() }), [], { ids: ['x', 'x'] })), 'duplicate-id', /windowAggregate "x"/, /give each stateful operator its own id/);
  });

  it("two sources with one id ('duplicate-id')", async () => {
    const cp = checkpoints({ store: new MemoryCheckpointStore() });
    const a = fromReplayable([1], { id: 'in', checkpoints: cp, timestamp: (t) => t });
    const b = fromReplayable([2], { id: 'in', checkpoints: cp, timestamp: (t) => t });
    await expectCheckpointError(run(mergeEventTime(a, b).pipe(commitCheckpoints(cp), values())), 'duplicate-id', /fromReplayable "in"/, /give each source its own id/);
  });

  it("a checkpoint of a pipeline with another name ('pipeline-mismatch')", async () => {
    const store = new MemoryCheckpointStore();
    await run(sums(checkpoints({ store, pipeline: 'v1' }), []));
    await expectCheckpointError(run(sums(checkpoints({ store, pipeline: 'v2' }), [])), 'pipeline-mismatch', /taken by the pipeline "v1\|/, /this one is "v2\|/);
  });

  it("a stateful operator without an id ('missing-id')", async () => {
    const cp = checkpoints({ store: new MemoryCheckpointStore() });
    const p = fromReplayable([1], { id: 'in', checkpoints: cp, timestamp: (t) => t }).pipe(windowAggregate({ window: tumbling(10), aggregate: count() }), commitCheckpoints(cp), values());
    await expectCheckpointError(run(p), 'missing-id', /^windowAggregate: /, /needs an id/, /pass \{ id: "…" \}/);
  });

  it("a pipeline without commitCheckpoints cannot complete a checkpoint ('incomplete')", async () => {
    const cp = checkpoints({ store: new MemoryCheckpointStore() });
    const scheduler = new StepScheduler();
    fromReplayable([1, 2, 3], { id: 'in', checkpoints: cp, timestamp: (t) => t, batch: 1, scheduler }).subscribe();
    await settle();
    await expectCheckpointError(cp.triggerCheckpoint(), 'incomplete', /no commitCheckpoints/);
  });

  it('a store that fails to commit errors the pipeline with its error', async () => {
    const store = new MemoryCheckpointStore();
    store.commit = async () => {
      throw new Error('disk full');
    };
    await expect(run(sums(checkpoints({ store }), []))).rejects.toThrow('disk full');
  });

  it('refuses bad options at creation', () => {
    expect(() => checkpoints({ store: {} as CheckpointStore })).toThrow(/checkpoints: store must be a CheckpointStore/);
    expect(() => checkpoints({ store: new MemoryCheckpointStore(), interval: -1 })).toThrow(/checkpoints: interval/);
    const cp = checkpoints({ store: new MemoryCheckpointStore() });
    expect(() => fromReplayable([1], { id: '', checkpoints: cp, timestamp: (t) => t })).toThrow(/fromReplayable: id must be a non-empty string/);
    expect(() => fromReplayable(42 as never, { id: 'x', checkpoints: cp, timestamp: () => 0 })).toThrow(/fromReplayable "x": input must be an iterable/);
    expect(() => commitCheckpoints({} as Checkpoints)).toThrow(/commitCheckpoints: expected the coordinator/);
    expect(() => commitCheckpoints(cp, { sink: {} as never })).toThrow(/commitCheckpoints: sink must be a CheckpointSink/);
    expect(() => new MemoryCheckpointStore({ retain: 0 })).toThrow(/MemoryCheckpointStore: retain must be a positive integer, got 0/);
  });
});

describe('MemoryCheckpointStore', () => {
  it('keeps the last N, copies in and out, refuses ids that do not increase, and closes', async () => {
    const store = new MemoryCheckpointStore({ retain: 2 });
    const cp: Checkpoint = { id: 1, pipeline: 'p', operators: { a: { n: 1 } }, sources: {} };
    await store.commit(cp);
    (cp.operators as Record<string, unknown>)['a'] = 'changed';
    expect((await store.load(1))!.operators).toEqual({ a: { n: 1 } });
    await store.commit({ ...cp, id: 2 });
    await store.commit({ ...cp, id: 3 });
    expect(await store.retained()).toEqual([2, 3]);
    expect(await store.load(1)).toBeUndefined();
    await expect(store.commit({ ...cp, id: 3 })).rejects.toThrow(/ids must increase, got 3 after 3/);
    await store.close();
    await expect(store.latest()).rejects.toThrow(/closed/);
  });
});

describe('fromReplayable over an async iterable', () => {
  it('resumes after a crash by skipping what was read, and ends with the uninterrupted answer', async () => {
    const input = times(30);
    async function* slowly() {
      for (const t of input) {
        await Promise.resolve();
        yield t;
      }
    }
    const store = new MemoryCheckpointStore();
    const out: unknown[] = [];
    const build = (cp: Checkpoints, scheduler: StepScheduler) =>
      fromReplayable({ [Symbol.asyncIterator]: slowly }, { id: 'in', checkpoints: cp, timestamp: (t) => t, batch: 4, scheduler }).pipe(
        windowAggregate({ id: 'w', window: tumbling(10), aggregate: count() }),
        mapEvents((r) => `${r.start}:${r.value}`),
        commitCheckpoints(cp, { sink: arraySink(out) }),
        values(),
      );
    // First run: a checkpoint part-way, then a crash.
    const s1 = new StepScheduler();
    const cp1 = checkpoints({ store, scheduler: s1 });
    const sub = build(cp1, s1).subscribe();
    await settle();
    s1.step();
    await settle();
    await cp1.triggerCheckpoint();
    const at = ((await store.latest())!.sources['in'] as { at: number }).at;
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(30);
    s1.step();
    await settle();
    sub.unsubscribe();
    // Second run: to the end.
    const s2 = new StepScheduler();
    const cp2 = checkpoints({ store, scheduler: s2 });
    let done = false;
    build(cp2, s2).subscribe({ complete: () => (done = true) });
    while (!done) {
      await settle();
      s2.step();
    }
    expect(cp2.restored?.sources['in']).toEqual({ at, watermark: input[at - 1]! - 1 }); // monotonous: max − 1
    const windows = new Map<number, number>();
    for (const t of input) windows.set(t - (t % 10), (windows.get(t - (t % 10)) ?? 0) + 1);
    expect(out).toEqual([...windows].map(([start, n]) => `${start}:${n}`));
  });
});

describe('checkpoints through mergeEventTime', () => {
  it('aligns: events an input sends after its barrier wait until the other input delivers it, and a barrier released by a completing input keeps its checkpoint', async () => {
    const store = new MemoryCheckpointStore({ retain: 50 });
    const scheduler = new StepScheduler();
    const cp = checkpoints({ store, scheduler });
    const out: unknown[] = [];
    let done = false;
    mergeEventTime(
      fromReplayable(times(6), { id: 'short', checkpoints: cp, timestamp: (t) => t, batch: 2, scheduler }),
      fromReplayable(times(30), { id: 'long', checkpoints: cp, timestamp: (t) => t, batch: 2, scheduler }),
    )
      .pipe(windowAggregate({ id: 'w', window: tumbling(10), aggregate: count() }), commitCheckpoints(cp, { sink: arraySink(out) }), values())
      .subscribe({ complete: () => (done = true) });
    const ids: number[] = [];
    while (!done) {
      await settle();
      if (!cp.inProgress) cp.triggerCheckpoint().then((id) => ids.push(id), () => {});
      scheduler.step();
    }
    // Checkpoints kept completing after the short input had ended.
    const retained = await store.retained();
    const lastPositions = (await store.load(retained[retained.length - 2]!))!.sources;
    expect(lastPositions['short']).toEqual({ at: 6, watermark: 'end' });
    expect(ids.length).toBeGreaterThan(5);
    // The final checkpoint, released when the first input completed, was committed.
    expect((await store.latest())!.sources).toEqual({ short: { at: 6, watermark: 'end' }, long: { at: 30, watermark: 'end' } });
  });
});

describe('mergeEventTime and checkpoint barriers', () => {
  it('a barrier released because the other input completed is the barrier itself, with its checkpoint handle', async () => {
    const { Subject } = await import('rxjs');
    const a = new Subject<StreamElement<number>>();
    const b = new Subject<StreamElement<number>>();
    const got: StreamElement<number>[] = [];
    mergeEventTime(a, b).subscribe((e) => got.push(e));
    const handle = { phase: 'snapshot', checkpointId: 3, claim: () => ({ state: undefined, backend: undefined }), snapshot: () => {} } as const;
    const b3: StreamElement<number> = { kind: 'barrier', checkpointId: 3, checkpoint: handle };
    a.next(b3);
    a.next({ kind: 'event', value: 1, timestamp: 1 }); // after the barrier: held
    expect(got).toEqual([]);
    b.complete();
    expect(got[0]).toBe(b3);
    expect(got[1]).toEqual({ kind: 'event', value: 1, timestamp: 1 });
  });
});
