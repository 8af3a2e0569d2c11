import type { ObservableInput, PartialObserver } from 'rxjs';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { show } from '../errors/show.js';
import type { StateBackend } from '../state/StateBackend.js';
import type { StreamElement, Timestamped } from '../time/elements.js';
import { chainStage } from './internal/chain/ChainObservable.js';
import type { DeadLetterRoute } from './internal/chain/deadLetter.js';
import type { TwoInputEngine } from './internal/chain/engine.js';
import { metered, type MeteredOperator } from './internal/chain/metered.js';
import { checkCommon, joinMetrics, requireCallback, requireConfig, rightInput, type JoinMetrics, type RightRow } from './internal/join/joinOptions.js';
import { TemporalJoinEngine } from './internal/join/TemporalJoinEngine.js';
import { twoInputStage } from './internal/join/TwoInputStage.js';

/**
 * Configuration of {@link temporalJoin}.
 *
 * @example
 * ```ts
 * import type { TemporalJoinConfig } from 'tidemark';
 *
 * interface Order { id: string; customer: string }
 * interface Customer { id: string; tier: string; closed?: boolean }
 * const config: TemporalJoinConfig<Order, Customer, string, string, 'left'> = {
 *   key: (o) => o.customer,
 *   tableKey: (c) => c.id,
 *   isDelete: (c) => c.closed === true,
 *   outer: 'left',
 *   select: (o, c) => `${o.id}: ${c?.tier ?? 'no customer'}`,
 * };
 * ```
 */
export interface TemporalJoinConfig<L, R, K, O, J extends 'left' | undefined = undefined> {
  /** The event's key; keys compare like `Map` keys (use strings or numbers, not objects). */
  key: (event: L) => K;
  /** The key of the table row (an element of the table's changelog). */
  tableKey: (row: R) => K;
  /** Makes the output of an event and its key's row as of the event's time (`undefined` for none, with `outer: 'left'`). */
  select: (event: L, row: RightRow<R, J>) => O;
  /** `'left'`: also emit the events whose key had no row at their time, with `select(event, undefined)`. @defaultValue an inner join: such events are dropped */
  outer?: J;
  /**
   * Tells a delete in the changelog: a row for which it returns true removes its key from the
   * table as of the row's timestamp (a tombstone; its other fields are not used). @defaultValue every row is an upsert
   */
  isDelete?: ((row: R) => boolean) | undefined;
  /** Where late events go (below the join's watermark). @defaultValue dropped and counted in `metrics` */
  lateLeft?: PartialObserver<Timestamped<L>> | ((event: Timestamped<L>) => void) | undefined;
  /** Where late table rows go (below the join's watermark: they could change answers already given). @defaultValue dropped and counted in `metrics` */
  lateRight?: PartialObserver<Timestamped<R>> | ((event: Timestamped<R>) => void) | undefined;
  /** Where events or rows with a non-finite timestamp go instead of erroring the stream. @defaultValue error */
  deadLetter?: DeadLetterRoute<Timestamped<L> | Timestamped<R>> | undefined;
  /** Names the operator's state across restarts (Flink's uid): with one, it snapshots at each checkpoint barrier. @defaultValue none */
  id?: string | undefined;
  /** Where state lives. @defaultValue a fresh {@link MemoryStateBackend} per subscription */
  state?: (() => StateBackend) | undefined;
}

const API = 'temporalJoin';

/**
 * Joins each event with its key's row in a changing table **as of the event's time** — SQL's
 * `FOR SYSTEM_TIME AS OF`, DuckDB's `ASOF JOIN`, Flink's event-time temporal join — as one
 * `pipe()` operator, applied to the stream with the table's changelog as argument. Like RxJS's
 * `withLatestFrom`, but "latest" means latest in event time, not latest to arrive.
 *
 * ```
 * table:   eur=1.1@0          eur=1.2@10             W(12)  W(20)
 * events:        o1@5   o2@12            o3@9               W(20)
 * output:        o1·1.1@5                  o3·1.1@9  o2·1.2@12  W(12) … W(20)
 *                (o2@12 waits until the table's watermark reaches 12; o3@9 gets the version @0)
 * ```
 *
 * An event gets the version of its key with the greatest timestamp `<= event.ts`. It waits, in
 * state, until the table's watermark has reached its timestamp — so no version it could need is
 * still to come and the answer does not depend on arrival order — and is emitted with its own
 * timestamp. While the table input is idle it does not hold events back: the join's watermark
 * (the left's) decides. Events that wait are released in timestamp order, ties in arrival order.
 * An event with no row (none yet, or deleted) is dropped, or with `outer: 'left'` emitted as
 * `select(event, undefined)`. Deletes: `isDelete(row)` marks a changelog row as a tombstone.
 * State is bounded: per key, the newest version at or below the join's watermark and the ones
 * after it (a delete goes once the watermark passes it). Events and rows below the join's
 * watermark are late: `lateLeft`/`lateRight`, or dropped and counted in `metrics`. Two rows of a
 * key with the same timestamp: the later arrival wins.
 *
 * ## Example
 * ```ts
 * import { from } from 'rxjs';
 * import { boundedOutOfOrderness, temporalJoin, values, withEventTime } from 'tidemark';
 *
 * const rates = from([{ cur: 'eur', rate: 1.1, at: 0 }, { cur: 'eur', rate: 1.2, at: 10 }]).pipe(withEventTime({ timestamp: (r) => r.at }));
 * const orders = from([{ id: 'o1', cur: 'eur', amount: 100, at: 5 }, { id: 'o2', cur: 'eur', amount: 100, at: 12 }, { id: 'o3', cur: 'eur', amount: 10, at: 9 }]);
 * orders
 *   .pipe(
 *     withEventTime({ timestamp: (o) => o.at, watermark: boundedOutOfOrderness(5) }),
 *     temporalJoin(rates, { key: (o) => o.cur, tableKey: (r) => r.cur, select: (o, r) => `${o.id} ${o.amount} at ${r.rate}` }),
 *     values(),
 *   )
 *   .subscribe((line) => console.log(line));
 * // output:
 * // o1 100 at 1.1
 * // o2 100 at 1.2
 * // o3 10 at 1.1
 * ```
 * @see {@link temporalJoinEngine} for the RxJS-free state machine behind it, and the joins guide
 *   (docs/guides/joins.md).
 * @param table - the table's changelog, an event-time stream of rows (upserts, and deletes per `isDelete`).
 * @param config - keys, `select`, outer join, deletes, late routes.
 * @throws InvalidArgumentError at creation for a bad option (a key or `select` that is not a
 *   function, an `outer` other than `'left'`, …).
 * @returns an operator from `StreamElement<L>` to `StreamElement<O>`, with {@link JoinMetrics}.
 */
export function temporalJoin<L, R, K, O, J extends 'left' | undefined = undefined>(
  table: ObservableInput<StreamElement<R>>,
  config: TemporalJoinConfig<L, R, K, O, J>,
): MeteredOperator<StreamElement<L>, StreamElement<O>, JoinMetrics> {
  const table$ = rightInput(API, table);
  const counters = joinMetrics();
  const makeEngine = engineFactory(config, counters);
  const { id, deadLetter } = checkCommon(API, config);
  return metered(chainStage(`${API} (left input)`, twoInputStage(table$, makeEngine, { name: API, id, deadLetter })), counters);
}

/**
 * Validates a {@link TemporalJoinConfig} and returns a factory of the RxJS-free engine behind
 * {@link temporalJoin}: a {@link TwoInputEngine} with `snapshot` and `restore`, which
 * `tidemark/testing`'s `TwoInputHarness` drives directly (input 1: the events, input 2: the table).
 *
 * @example
 * ```ts
 * import { temporalJoinEngine } from 'tidemark';
 * import { TwoInputHarness } from 'tidemark/testing';
 *
 * const make = temporalJoinEngine({ key: (e: string) => e[0], tableKey: (r: string) => r[0], select: (e, r) => `${e}:${r}` });
 * const h = new TwoInputHarness({ engine: () => make() });
 * h.right.pushEvent('a1', 0).pushEvent('a2', 10);
 * h.left.pushEvent('a@7', 7);
 * h.right.pushWatermark(7);
 * console.log(h.toMarbles());
 * // output:
 * // "a@7:a1"@7
 * ```
 * @throws InvalidArgumentError for a bad option.
 */
export function temporalJoinEngine<L, R, K, O, J extends 'left' | undefined = undefined>(config: TemporalJoinConfig<L, R, K, O, J>): () => TwoInputEngine<L, R, O> {
  const make = engineFactory(config, joinMetrics());
  return () => make();
}

function engineFactory<L, R, K, O, J extends 'left' | undefined>(config: TemporalJoinConfig<L, R, K, O, J>, counters: JoinMetrics): (backend?: StateBackend) => TwoInputEngine<L, R, O> {
  requireConfig(API, config, 'key, tableKey and select');
  const { key, tableKey, select, outer, isDelete } = config;
  requireCallback(API, 'key', key, '(event) => event.customerId');
  requireCallback(API, 'tableKey', tableKey, '(row) => row.id');
  requireCallback(API, 'select', select, '(event, row) => ({ ...event, row })');
  if (outer !== undefined && outer !== 'left') {
    throw new InvalidArgumentError(
      `${API}: outer must be 'left' (keep events without a row, as select(event, undefined)), got ${show(outer)}; leave it out for an inner join` +
        (outer === 'right' || outer === 'full' ? ' (table rows are not emitted: a temporal join answers events)' : ''),
    );
  }
  if (isDelete !== undefined) requireCallback(API, 'isDelete', isDelete, "(row) => row.op === 'delete'");
  const common = checkCommon(API, config);
  const late = common.late(counters);
  const spec = { key, tableKey, select: select as (event: L, row: R | undefined) => O, outer, isDelete, late };
  return (backend) => new TemporalJoinEngine<L, R, K, O>({ ...spec, state: backend ?? common.state?.() });
}
