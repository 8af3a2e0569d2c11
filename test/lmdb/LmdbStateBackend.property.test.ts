/**
 * Snapshot → commit → crash → restore at random points, on the LMDB backend, equals an
 * uninterrupted run on the memory backend: the real windowAggregate (tumbling, sliding, session)
 * and keyedProcess (value, list and map state, event-time timers) engines, driven by
 * OperatorHarness, checkpointed into a real LMDB store that is closed and reopened at every
 * crash, restoring the latest checkpoint or, sometimes, an older retained one. What was emitted
 * after the restored checkpoint is dropped (the sink goes back to what it held at that
 * checkpoint), as an exactly-once sink does, and the input replays from the checkpoint's position.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  collect,
  count,
  emits,
  keyedProcessEngine,
  listState,
  mapState,
  MemoryStateBackend,
  session,
  sliding,
  tumbling,
  valueState,
  windowAggregateEngine,
  type Aggregator,
  type Engine,
  type OperatorSnapshot,
  type StateBackend,
  type StateSnapshot,
  type StreamElement,
  type WindowAssigner,
} from 'tidemark';
import { openLmdbStore, type LmdbCheckpointStore } from 'tidemark/lmdb';
import { OperatorHarness } from 'tidemark/testing';
import { tmpDir } from './tmpDir.js';

interface V {
  readonly key: string;
  readonly n: number;
}

type Make = (backend: () => StateBackend) => () => Engine<V, unknown>;

const windows = (w: WindowAssigner, agg: 'count' | 'collect', allowedLateness = 0): Make =>
  (state) => windowAggregateEngine({ window: w, key: (v: V) => v.key, aggregate: (agg === 'count' ? count() : collect<V>()) as Aggregator<V, unknown, unknown>, allowedLateness, state }) as () => Engine<V, unknown>;

/** Per key: events kept in list and map state until a timer 5 after them sums them into a value state. */
const process: Make = (stateBackend) =>
  keyedProcessEngine({
    key: (v: V) => v.key,
    state: { pending: listState<number>(), byTime: mapState<number, number>(), total: valueState<number>() },
    output: emits<{ key: string; at: number; total: number; pending: number }>(),
    stateBackend,
    onEvent(v, ctx) {
      ctx.state.pending.add(v.n);
      ctx.state.byTime.set(ctx.timestamp, (ctx.state.byTime.get(ctx.timestamp) ?? 0) + v.n);
      ctx.timers.registerEventTime(ctx.timestamp + 5);
    },
    onTimer(at, ctx) {
      let total = ctx.state.total.get() ?? 0;
      for (const [t, n] of ctx.state.byTime.entries()) {
        if (t + 5 > at) continue;
        total += n;
        ctx.state.byTime.delete(t);
      }
      ctx.state.total.set(total);
      const pending = ctx.state.pending.get();
      ctx.state.pending.set(pending.slice(1));
      ctx.emit({ key: ctx.key, at, total, pending: pending.length });
    },
  }) as unknown as () => Engine<V, unknown>;

const PIPELINES: [string, Make][] = [
  ['tumbling count', windows(tumbling(10), 'count')],
  ['sliding collect with lateness', windows(sliding(20, 5), 'collect', 7)],
  ['session collect', windows(session(6), 'collect')],
  ['keyedProcess with list, map, value state and timers', process],
];

/** Input: events of three keys around a rising time, with watermarks that trail them by the disorder bound. */
const input = fc
  .array(fc.record({ key: fc.constantFrom('a', 'b', 'c'), dt: fc.integer({ min: 0, max: 4 }), jitter: fc.integer({ min: 0, max: 6 }), n: fc.integer({ min: 1, max: 9 }), wm: fc.boolean() }), {
    minLength: 1,
    maxLength: 80,
  })
  .map((rows) => {
    const out: StreamElement<V>[] = [];
    let t = 0;
    let wm = -Infinity;
    for (const r of rows) {
      t += r.dt;
      out.push({ kind: 'event', value: { key: r.key, n: r.n }, timestamp: t - r.jitter });
      if (r.wm && t - 7 > wm) out.push({ kind: 'watermark', timestamp: (wm = t - 7) });
    }
    return out;
  });

/** What happens after each input element: nothing, a checkpoint, a crash, or a crash that restores an older retained checkpoint. */
const plan = fc.array(fc.constantFrom('go', 'go', 'go', 'checkpoint', 'checkpoint', 'crash', 'crash-older'), { minLength: 200, maxLength: 200 });

function uninterrupted(make: Make, elements: readonly StreamElement<V>[]): StreamElement<unknown>[] {
  const ref = new OperatorHarness<V, unknown>({ engine: () => make(() => new MemoryStateBackend())() });
  ref.push(...elements).complete();
  return [...ref.output];
}

/** A snapshot without its empty structures (an empty table and an absent one are the same state). */
function normal(s: StateSnapshot): unknown {
  const drop = (r: Readonly<Record<string, readonly unknown[]>> | undefined) => Object.fromEntries(Object.entries(r ?? {}).filter(([, rows]) => rows.length > 0));
  return { tables: drop(s.tables), ordered: drop(s.ordered), maps: drop(s.maps), timers: drop(s.timers), values: s.values };
}

const backendOf = (s: OperatorSnapshot | undefined): StateSnapshot => (s!.state as { backend: StateSnapshot }).backend;

async function withCrashes(make: Make, elements: readonly StreamElement<V>[], steps: readonly string[], dir: string): Promise<StreamElement<unknown>[]> {
  let store: LmdbCheckpointStore = await openLmdbStore({ path: dir, retain: 3, probe: false });
  let id = 0;
  const start = (snapshot?: OperatorSnapshot): OperatorHarness<V, unknown> => {
    const backend = store.backend('op');
    return new OperatorHarness<V, unknown>({ engine: () => make(() => backend)() }, snapshot === undefined ? {} : { snapshot });
  };
  let harness = start();
  const memorySnapshots = new Map<number, OperatorSnapshot>();
  const startMemory = (snapshot?: OperatorSnapshot) =>
    new OperatorHarness<V, unknown>({ engine: () => make(() => new MemoryStateBackend())() }, snapshot === undefined ? {} : { snapshot });
  let memory = startMemory();
  let out: StreamElement<unknown>[] = [];
  // The sink: what it held at each checkpoint (its commit token is the checkpoint's id).
  const sink = new Map<number, StreamElement<unknown>[]>();
  let pos = 0;
  let step = 0;
  while (pos < elements.length) {
    memory.push(elements[pos]!);
    harness.push(elements[pos++]!);
    out.push(...harness.take());
    const what = steps[step++ % steps.length];
    if (what === 'checkpoint') {
      sink.set(++id, [...out]);
      await store.commit({ id, pipeline: 'prop', operators: { op: harness.snapshot() }, sources: { in: pos }, sink: id });
      memorySnapshots.set(id, memory.snapshot());
      for (const k of await store.retained()) {
        const rebuilt = (await store.load(k))!.operators['op'] as OperatorSnapshot;
        expect(normal(backendOf(rebuilt)), `checkpoint ${k} after committing ${id}`).toEqual(normal(backendOf(memorySnapshots.get(k))));
      }
    } else if (what === 'crash' || what === 'crash-older') {
      await store.close();
      store = await openLmdbStore({ path: dir, retain: 3, probe: false });
      const retained = await store.retained();
      const cp = what === 'crash-older' && retained.length > 1 ? await store.load(retained[0]!) : await store.latest();
      pos = (cp?.sources['in'] as number | undefined) ?? 0;
      out = cp === undefined ? [] : [...sink.get(cp.sink as number)!];
      memory = startMemory(cp === undefined ? undefined : memorySnapshots.get(cp.id));
      harness = start(cp?.operators['op'] as OperatorSnapshot | undefined);
    }
  }
  harness.complete();
  out.push(...harness.take());
  await store.close();
  return out;
}

describe('LmdbStateBackend under crashes', () => {
  for (const [name, make] of PIPELINES) {
    it(`${name}: restoring any checkpoint and replaying equals the uninterrupted run on the memory backend`, async () => {
      await fc.assert(
        fc.asyncProperty(input, plan, async (elements, steps) => {
          const expected = uninterrupted(make, elements);
          const got = await withCrashes(make, elements, steps, tmpDir());
          expect(got).toEqual(expected);
        }),
        { numRuns: 40, seed: 20261202 },
      );
    }, 120_000);
  }
});
