import type { ObservableInput, PartialObserver } from 'rxjs';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { show } from '../errors/show.js';
import type { StateBackend } from '../state/StateBackend.js';
import type { StreamElement, Timestamped } from '../time/elements.js';
import { requireFinite } from '../time/validate.js';
import { chainStage } from './internal/chain/ChainObservable.js';
import type { DeadLetterRoute } from './internal/chain/deadLetter.js';
import type { TwoInputEngine } from './internal/chain/engine.js';
import { metered, type MeteredOperator } from './internal/chain/metered.js';
import { IntervalJoinEngine } from './internal/join/IntervalJoinEngine.js';
import { checkCommon, joinMetrics, requireCallback, requireConfig, rightInput, type JoinMetrics, type LeftRow, type OuterJoin, type RightRow } from './internal/join/joinOptions.js';
import { twoInputStage } from './internal/join/TwoInputStage.js';

/**
 * Configuration of {@link intervalJoin}.
 *
 * @example
 * ```ts
 * import type { IntervalJoinConfig } from 'tidemark';
 *
 * interface View { ad: string; at: number }
 * interface Click { ad: string; at: number }
 * // Clicks up to a minute after the view; views never clicked too (outer 'left').
 * const config: IntervalJoinConfig<View, Click, string, string, 'left'> = {
 *   leftKey: (v) => v.ad,
 *   rightKey: (c) => c.ad,
 *   lowerBound: 0,
 *   upperBound: 60_000,
 *   outer: 'left',
 *   select: (v, c) => (c === undefined ? `${v.ad} not clicked` : `${v.ad} clicked`),
 * };
 * ```
 */
export interface IntervalJoinConfig<L, R, K, O, J extends OuterJoin | undefined = undefined> {
  /** The left row's join key; keys compare like `Map` keys (use strings or numbers, not objects). */
  leftKey: (left: L) => K;
  /** The right row's join key. */
  rightKey: (right: R) => K;
  /** Rows pair when `l.ts + lowerBound <= r.ts <= l.ts + upperBound`: a finite number, possibly negative. */
  lowerBound: number;
  /** The upper end of the interval, relative to the left row's time: a finite number `>= lowerBound`. */
  upperBound: number;
  /** Makes the lower bound strict: `l.ts + lowerBound < r.ts`. @defaultValue false (inclusive, as Flink) */
  lowerBoundExclusive?: boolean | undefined;
  /** Makes the upper bound strict: `r.ts < l.ts + upperBound`. @defaultValue false (inclusive, as Flink) */
  upperBoundExclusive?: boolean | undefined;
  /**
   * Also emit the rows that found no partner, once no partner can come any more (at their
   * cleanup time): `'left'`, `'right'` or `'full'`. @defaultValue an inner join: pairs only
   */
  outer?: J;
  /** Makes the output of a pair, or of an unmatched row (the other side `undefined`). */
  select: (left: LeftRow<L, J>, right: RightRow<R, J>) => O;
  /** Where late left rows go (below the join's watermark). @defaultValue dropped and counted in `metrics` */
  lateLeft?: PartialObserver<Timestamped<L>> | ((event: Timestamped<L>) => void) | undefined;
  /** Where late right rows go. @defaultValue dropped and counted in `metrics` */
  lateRight?: PartialObserver<Timestamped<R>> | ((event: Timestamped<R>) => void) | undefined;
  /** Where rows with a non-finite timestamp go instead of erroring the stream. @defaultValue error */
  deadLetter?: DeadLetterRoute<Timestamped<L> | Timestamped<R>> | undefined;
  /** Names the operator's state across restarts (Flink's uid): with one, it snapshots at each checkpoint barrier. @defaultValue none */
  id?: string | undefined;
  /** Where state lives. @defaultValue a fresh {@link MemoryStateBackend} per subscription */
  state?: (() => StateBackend) | undefined;
}

const API = 'intervalJoin';

/**
 * Joins each left row with the right rows of the same key whose time lies in an interval around
 * its own — Flink's `keyBy().intervalJoin().between(lower, upper)` as one `pipe()` operator,
 * applied to the left stream with the right one as argument, like RxJS's `withLatestFrom`, but
 * by event time: the answer does not depend on which input arrives first.
 *
 * ```
 * lowerBound -1, upperBound 2:     l.ts − 1 <= r.ts <= l.ts + 2
 * left:    a@5                     W(9)
 * right:        x@3  y@4  z@7  w@8      W(9)
 * output:            a+y@5 a+z@7       W(9)          (x@3 too early, w@8 too late for a@5)
 * cleanup:  a@5 at W >= 7 (5 + 2), z@7 at W >= 8 (7 + 1)
 * ```
 *
 * A pair is emitted as soon as its second row arrives, with timestamp `max(l.ts, r.ts)`; a new
 * row meets its partners in ascending time, ties in arrival order. The output watermark is the
 * minimum of both inputs' (idle inputs excluded, as {@link mergeEventTime}). A row behind that
 * watermark (`ts < watermark`, as Flink) is late: it goes to `lateLeft`/`lateRight` or is dropped
 * and counted in the operator's `metrics`. Each row is buffered until no partner can come: a
 * left row until the watermark reaches `l.ts + max(upperBound, 0)`, a right row until
 * `r.ts + max(−lowerBound, 0)`. An outer join emits a row that never matched exactly then —
 * `select(l, undefined)` or `select(undefined, r)`, with that cleanup time as timestamp, before
 * the watermark is forwarded — and never for a row that later finds a partner. Checkpoint
 * barriers are aligned; the output completes when both inputs have.
 *
 * ## Example
 * ```ts
 * import { from } from 'rxjs';
 * import { intervalJoin, values, withEventTime } from 'tidemark';
 *
 * const views = from([{ ad: 'a1', at: 1_000 }, { ad: 'a2', at: 2_000 }]).pipe(withEventTime({ timestamp: (v) => v.at }));
 * const clicks = from([{ ad: 'a1', at: 4_000 }, { ad: 'a2', at: 90_000 }]).pipe(withEventTime({ timestamp: (c) => c.at }));
 * views
 *   .pipe(
 *     // A click within a minute after the view, or no click at all.
 *     intervalJoin(clicks, {
 *       leftKey: (v) => v.ad,
 *       rightKey: (c) => c.ad,
 *       lowerBound: 0,
 *       upperBound: 60_000,
 *       outer: 'left',
 *       select: (v, c) => `${v.ad} ${c === undefined ? 'not clicked' : `clicked after ${c.at - v.at} ms`}`,
 *     }),
 *     values(),
 *   )
 *   .subscribe((line) => console.log(line));
 * // output:
 * // a1 clicked after 3000 ms
 * // a2 not clicked
 * ```
 * @see {@link intervalJoinEngine} for the RxJS-free state machine behind it, and the joins
 *   guide (docs/guides/joins.md).
 * @param right - the right input, an event-time stream.
 * @param config - keys, bounds, `select`, outer join, late routes.
 * @throws InvalidArgumentError at creation for a bad option (bounds not finite, `lowerBound`
 *   above `upperBound`, a key or `select` that is not a function, an unknown `outer`, …).
 * @returns an operator from `StreamElement<L>` to `StreamElement<O>`, with {@link JoinMetrics}.
 */
export function intervalJoin<L, R, K, O, J extends OuterJoin | undefined = undefined>(
  right: ObservableInput<StreamElement<R>>,
  config: IntervalJoinConfig<L, R, K, O, J>,
): MeteredOperator<StreamElement<L>, StreamElement<O>, JoinMetrics> {
  const right$ = rightInput(API, right);
  const counters = joinMetrics();
  const makeEngine = engineFactory(config, counters);
  const { id, deadLetter } = checkCommon(API, config);
  return metered(chainStage(`${API} (left input)`, twoInputStage(right$, makeEngine, { name: API, id, deadLetter })), counters);
}

/**
 * Validates an {@link IntervalJoinConfig} and returns a factory of the RxJS-free engine behind
 * {@link intervalJoin}: a {@link TwoInputEngine} with `snapshot` and `restore`, which
 * `tidemark/testing`'s `TwoInputHarness` drives directly.
 *
 * @example
 * ```ts
 * import { intervalJoinEngine } from 'tidemark';
 * import { TwoInputHarness } from 'tidemark/testing';
 *
 * const make = intervalJoinEngine({ leftKey: (l: string) => l[0], rightKey: (r: string) => r[0], lowerBound: -1, upperBound: 1, select: (l, r) => `${l}+${r}` });
 * const h = new TwoInputHarness({ engine: () => make() });
 * h.left.pushEvent('a1', 5);
 * h.right.pushEvent('a2', 6).pushEvent('a3', 7);
 * console.log(h.toMarbles());
 * // output:
 * // a1+a2@6
 * ```
 * @throws InvalidArgumentError for a bad option.
 */
export function intervalJoinEngine<L, R, K, O, J extends OuterJoin | undefined = undefined>(config: IntervalJoinConfig<L, R, K, O, J>): () => TwoInputEngine<L, R, O> {
  const make = engineFactory(config, joinMetrics());
  return () => make();
}

const OUTERS: readonly unknown[] = ['left', 'right', 'full'];

function engineFactory<L, R, K, O, J extends OuterJoin | undefined>(config: IntervalJoinConfig<L, R, K, O, J>, counters: JoinMetrics): (backend?: StateBackend) => TwoInputEngine<L, R, O> {
  requireConfig(API, config, 'leftKey, rightKey, lowerBound, upperBound and select');
  const { leftKey, rightKey, select, outer, lowerBoundExclusive = false, upperBoundExclusive = false } = config;
  requireCallback(API, 'leftKey', leftKey, '(left) => left.id');
  requireCallback(API, 'rightKey', rightKey, '(right) => right.id');
  requireCallback(API, 'select', select, '(left, right) => ({ left, right })');
  const lowerBound = requireFinite(API, 'lowerBound', config.lowerBound);
  const upperBound = requireFinite(API, 'upperBound', config.upperBound);
  for (const [name, value] of [['lowerBoundExclusive', lowerBoundExclusive], ['upperBoundExclusive', upperBoundExclusive]] as const) {
    if (typeof value !== 'boolean') throw new InvalidArgumentError(`${API}: ${name} must be true or false, got ${show(value)}`);
  }
  if (lowerBound > upperBound) {
    throw new InvalidArgumentError(
      `${API}: lowerBound ${show(lowerBound)} is above upperBound ${show(upperBound)}, so no pair can match (pairs need l.ts + lowerBound <= r.ts <= l.ts + upperBound); swap them`,
    );
  }
  if (lowerBound === upperBound && (lowerBoundExclusive || upperBoundExclusive)) {
    throw new InvalidArgumentError(
      `${API}: lowerBound and upperBound are both ${show(lowerBound)} with an exclusive bound, so no pair can match; make both bounds inclusive or widen the interval`,
    );
  }
  if (outer !== undefined && !OUTERS.includes(outer)) {
    throw new InvalidArgumentError(`${API}: outer must be 'left', 'right' or 'full', got ${show(outer)}; leave it out for an inner join`);
  }
  const common = checkCommon(API, config);
  const spec = {
    leftKey,
    rightKey,
    lowerBound,
    upperBound,
    lowerBoundExclusive,
    upperBoundExclusive,
    outer: outer as OuterJoin | undefined,
    select: select as (left: L | undefined, right: R | undefined) => O,
    late: common.late(counters),
  };
  return (backend) => new IntervalJoinEngine<L, R, K, O>({ ...spec, state: backend ?? common.state?.() });
}
