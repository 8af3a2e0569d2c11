import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, keyedProcess, listState, mapState, queryableState, valueState, withEventTime } from 'tidemark';

interface Txn {
  card: string;
  shop: string;
  amount: number;
  at: number;
}

describe('queryableState: interactive queries of a running keyedProcess', () => {
  const state = { total: valueState<number>(), recent: listState<number>({ ttl: { eventTime: 10 } }), byShop: mapState<string, number>() };

  it("reads a key's current state from outside the stream, as a copy, with TTLs applied; undefined when not running", () => {
    const view = queryableState<string, typeof state>();
    const txns = new Subject<Txn>();
    expect(view.running).toBe(false);
    const sub = txns
      .pipe(
        withEventTime({ timestamp: (t) => t.at }),
        keyedProcess({
          key: (t) => t.card,
          state,
          queryable: view,
          onEvent(t, ctx) {
            ctx.state.total.set((ctx.state.total.get() ?? 0) + t.amount);
            ctx.state.recent.add(t.amount);
            ctx.state.byShop.set(t.shop, (ctx.state.byShop.get(t.shop) ?? 0) + t.amount);
          },
        }),
      )
      .subscribe();
    txns.next({ card: 'c1', shop: 'books', amount: 5, at: 1 });
    txns.next({ card: 'c1', shop: 'travel', amount: 300, at: 2 });
    const q = view.get('c1')!;
    expect(q).toEqual({ total: 305, recent: [5, 300], byShop: new Map([['books', 5], ['travel', 300]]) });
    q.recent.push(1); // a copy
    expect(view.get('c1')!.recent).toEqual([5, 300]);
    txns.next({ card: 'c2', shop: 'books', amount: 1, at: 20 }); // the watermark passes the TTL of c1's list
    expect(view.get('c1')!.recent).toEqual([]);
    expect(view.get('nobody')).toEqual({ total: undefined, recent: [], byShop: new Map() });
    sub.unsubscribe();
    expect(view.running).toBe(true); // the latest operator stays attached: it answers from its last state
    expect(view.get('c1')!.total).toBe(305);
  });

  it('refuses a queryable that queryableState() did not make', () => {
    expect(() => keyedProcess({ key: (t: Txn) => t.card, queryable: {} as never, onEvent() {} })).toThrow(InvalidArgumentError);
    expect(() => keyedProcess({ key: (t: Txn) => t.card, queryable: {} as never, onEvent() {} })).toThrow(/keyedProcess: queryable must be made by queryableState\(\)/);
  });
});
