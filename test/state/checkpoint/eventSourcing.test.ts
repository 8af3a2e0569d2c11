/**
 * Event sourcing (seed 003): replay a log from any position, and rebuild a keyed operator's
 * state as of an event time t from a retained checkpoint plus a replay — equal to the state of
 * a run over the log's events up to t.
 */
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  MemoryCheckpointStore,
  checkpointBefore,
  checkpoints,
  commitCheckpoints,
  filterEvents,
  fromReplayable,
  keyedProcess,
  queryableState,
  valueState,
  values,
  type ReplayableSource,
} from 'tidemark';
import { StepScheduler, settle } from '../../support/StepScheduler.js';

interface Deposit {
  account: string;
  ts: number;
  amount: number;
}

const log: Deposit[] = Array.from({ length: 60 }, (_, i) => ({ account: `a${i % 3}`, ts: i * 10, amount: i + 1 }));
/** The log as a replayable source: position = sequence number. */
const source: ReplayableSource<Deposit, number> = {
  *read(from = 0) {
    for (let i = from; i < log.length; i++) yield { value: log[i]!, position: i + 1 };
  },
};

const state = { balance: valueState<number>() };
function balances(view: ReturnType<typeof queryableState<string, typeof state>>) {
  return keyedProcess({
    id: 'balances',
    key: (d: Deposit) => d.account,
    state,
    queryable: view,
    onEvent: (d, ctx) => ctx.state.balance.set((ctx.state.balance.get() ?? 0) + d.amount),
  });
}

describe('event sourcing', () => {
  it('replays a log from any position', async () => {
    const cp = checkpoints({ store: new MemoryCheckpointStore() });
    // A store seeded with a position: the replay starts there.
    await cp.store.commit({ id: 1, pipeline: '|sources:log|operators:', operators: {}, sources: { log: { at: 55, watermark: null } } });
    const replayed = await lastValueFrom(fromReplayable(source, { id: 'log', checkpoints: cp, timestamp: (d) => d.ts }).pipe(commitCheckpoints(cp), values(), toArray()));
    expect(replayed).toEqual(log.slice(55));
  });

  it('rebuilds keyed state as of event time t from a retained checkpoint and a replay', async () => {
    // The live run: checkpoints every 5 events, all retained.
    const store = new MemoryCheckpointStore({ retain: 100 });
    const scheduler = new StepScheduler();
    const cp = checkpoints({ store, scheduler });
    let done = false;
    fromReplayable(source, { id: 'log', checkpoints: cp, timestamp: (d) => d.ts, batch: 5, scheduler })
      .pipe(balances(queryableState()), commitCheckpoints(cp), values())
      .subscribe({ complete: () => (done = true), error: (e: unknown) => { console.log('ERR', e); done = true; } });
    while (!done) {
      await settle();
      if (!cp.inProgress) void cp.triggerCheckpoint().catch(() => {});
      scheduler.step();
    }
    expect((await store.retained()).length).toBeGreaterThan(5);

    for (const t of [0, 137, 333, 590]) {
      const from = await checkpointBefore(store, t, { bound: 0 });
      expect(from === undefined || from.id < (await store.latest())!.id).toBe(true);
      const replayStore = new MemoryCheckpointStore();
      if (from !== undefined) await replayStore.commit(from);
      const rcp = checkpoints({ store: replayStore });
      const view = queryableState<string, typeof state>();
      await lastValueFrom(
        fromReplayable(source, { id: 'log', checkpoints: rcp, timestamp: (d) => d.ts }).pipe(filterEvents((d) => d.ts <= t), balances(view), commitCheckpoints(rcp), values(), toArray()),
      );
      const expected = (account: string) => {
        const mine = log.filter((d) => d.account === account && d.ts <= t);
        return mine.length === 0 ? undefined : mine.reduce((s, d) => s + d.amount, 0);
      };
      for (const account of ['a0', 'a1', 'a2']) expect(view.get(account)!.balance, `${account} as of ${t}`).toBe(expected(account));
    }
  });
});
