import type { ListStateDescriptor, MapStateDescriptor, StateDescriptors, ValueStateDescriptor } from '../keyedState.js';

/** What a query returns for one key: each declared state's current value (a value, a list as an array, a map as a `Map`). */
export type QueriedState<S extends StateDescriptors> = {
  -readonly [N in keyof S]: S[N] extends MapStateDescriptor<infer MK, infer V>
    ? Map<MK, V>
    : S[N] extends ListStateDescriptor<infer V>
      ? V[]
      : S[N] extends ValueStateDescriptor<infer V>
        ? V | undefined
        : never;
};

/** @internal What a running operator answers queries with. */
export interface Queryable<K> {
  query(key: K): Record<string, unknown>;
}

/**
 * Reads a running {@link keyedProcess}'s state for a key from outside the stream — Kafka
 * Streams' interactive queries: a web handler asks "how much has card-1 spent?" while the
 * pipeline runs. Made by {@link queryableState}, passed as the operator's `queryable` option.
 * A query returns a copy (values as `onEvent` would see them now, TTLs applied).
 *
 * @example
 * ```ts
 * import { queryableState, valueState } from 'tidemark';
 * const view = queryableState<string, { total: ReturnType<typeof valueState<number>> }>();
 * console.log(view.running, view.get('card-1'));
 * // output:
 * // false undefined
 * ```
 */
export class QueryableState<K, S extends StateDescriptors> {
  private operator: Queryable<K> | undefined = undefined;

  /**
   * Whether an operator answers: the one of the latest subscription of its pipeline. It stays
   * attached after that subscription ends, answering from its final state (what a replay rebuilt).
   */
  get running(): boolean {
    return this.operator !== undefined;
  }

  /** `key`'s declared state now; `undefined` before a pipeline with the operator was subscribed. */
  get(key: K): QueriedState<S> | undefined {
    return this.operator?.query(key) as QueriedState<S> | undefined;
  }

  /** @internal The operator of the current subscription (the latest one, if several run). */
  attach(operator: Queryable<K>): () => void {
    this.operator = operator;
    return () => {
      if (this.operator === operator) this.operator = undefined;
    };
  }
}

/**
 * Makes a {@link QueryableState} for a {@link keyedProcess}'s `queryable` option: a handle to read
 * the operator's current state by key from outside the stream (interactive queries).
 *
 * ## Example
 * ```ts
 * import { Subject } from 'rxjs';
 * import { keyedProcess, queryableState, valueState, withEventTime, type StreamElement } from 'tidemark';
 *
 * interface Payment { card: string; amount: number; at: number }
 * const state = { total: valueState<number>() };
 * const spent = queryableState<string, typeof state>();
 * const payments = new Subject<Payment>();
 * payments
 *   .pipe(
 *     withEventTime({ timestamp: (p) => p.at }),
 *     keyedProcess({ key: (p) => p.card, state, queryable: spent, onEvent: (p, ctx) => ctx.state.total.set((ctx.state.total.get() ?? 0) + p.amount) }),
 *   )
 *   .subscribe();
 * payments.next({ card: 'card-1', amount: 30, at: 1 });
 * payments.next({ card: 'card-1', amount: 12, at: 2 });
 * console.log(spent.get('card-1'), spent.get('card-2'));
 * // output:
 * // { total: 42 } { total: undefined }
 * ```
 * @returns an empty view; it answers once a pipeline with the operator is subscribed.
 */
export function queryableState<K, S extends StateDescriptors>(): QueryableState<K, S> {
  return new QueryableState<K, S>();
}
