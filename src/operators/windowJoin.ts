import type { ObservableInput, PartialObserver } from 'rxjs';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import type { StateBackend } from '../state/StateBackend.js';
import type { StreamElement, Timestamped } from '../time/elements.js';
import { requireNonNegative } from '../time/validate.js';
import { checkWindow, type WindowAssigner } from '../time/windows.js';
import { chainStage } from './internal/chain/ChainObservable.js';
import type { DeadLetterRoute } from './internal/chain/deadLetter.js';
import type { TwoInputEngine } from './internal/chain/engine.js';
import { metered, type MeteredOperator } from './internal/chain/metered.js';
import { checkCommon, joinMetrics, requireCallback, requireConfig, rightInput, type JoinMetrics } from './internal/join/joinOptions.js';
import { twoInputStage } from './internal/join/TwoInputStage.js';
import { WindowJoinEngine, type JoinWindow } from './internal/join/WindowJoinEngine.js';

/**
 * Configuration of {@link windowJoin}.
 *
 * @example
 * ```ts
 * import { tumbling, type WindowJoinConfig } from 'tidemark';
 *
 * interface Person { id: number; name: string }
 * interface Auction { seller: number; item: string }
 * const config: WindowJoinConfig<Person, Auction, number, string> = {
 *   window: tumbling(10_000),
 *   leftKey: (p) => p.id,
 *   rightKey: (a) => a.seller,
 *   select: (p, a, w) => `${p.name} sold ${a.item} in [${w.start}, ${w.end})`,
 * };
 * ```
 */
export interface WindowJoinConfig<L, R, K, O> {
  /** The windows: {@link tumbling} or {@link sliding} (not sessions: see the joins guide). */
  window: WindowAssigner;
  /** The left row's join key; keys compare like `Map` keys (use strings or numbers, not objects). */
  leftKey: (left: L) => K;
  /** The right row's join key. */
  rightKey: (right: R) => K;
  /** Makes the output of a pair found in `window`. */
  select: (left: L, right: R, window: JoinWindow) => O;
  /**
   * How long after a window's end (in event time) it still takes rows; each such row emits its
   * new pairs at once, so every pair is emitted exactly once. @defaultValue 0
   */
  allowedLateness?: number | undefined;
  /** Where left rows go that are too late for every window they belong to. @defaultValue dropped and counted in `metrics` */
  lateLeft?: PartialObserver<Timestamped<L>> | ((event: Timestamped<L>) => void) | undefined;
  /** Where right rows go that are too late for every window they belong to. @defaultValue dropped and counted in `metrics` */
  lateRight?: PartialObserver<Timestamped<R>> | ((event: Timestamped<R>) => void) | undefined;
  /** Where rows with a non-finite timestamp go instead of erroring the stream. @defaultValue error */
  deadLetter?: DeadLetterRoute<Timestamped<L> | Timestamped<R>> | undefined;
  /** Names the operator's state across restarts (Flink's uid): with one, it snapshots at each checkpoint barrier. @defaultValue none */
  id?: string | undefined;
  /** Where state lives. @defaultValue a fresh {@link MemoryStateBackend} per subscription */
  state?: (() => StateBackend) | undefined;
}

const API = 'windowJoin';

/**
 * Joins the left and right rows with equal keys that fall in the same window — Flink's
 * `join().where().equalTo().window()` as one `pipe()` operator, applied to the left stream with
 * the right one as argument (like RxJS's `withLatestFrom`, but by event time).
 *
 * ```
 * tumbling(10):         [0, 10)                       [10, 20)
 * left:    a@1  b@7     W(9)                 c@12     W(19)
 * right:        x@3  y@9    W(9)   z@11                   W(19)
 * output:               a+x@9 a+y@9 b+x@9 b+y@9 W(9)   c+z@19 W(19)
 * ```
 *
 * When the join's watermark (the minimum of both inputs', idle ones excluded) reaches a window's
 * `end − 1`, every pair of its left and right rows of one key is emitted, with timestamp
 * `end − 1`, before that watermark is forwarded: windows in order of end, keys in the order they
 * first appeared in the window, left rows in arrival order, each with the right rows in arrival
 * order. A row too late for every window it belongs to (`end − 1 + allowedLateness <= watermark`)
 * goes to `lateLeft`/`lateRight` or is dropped and counted in the operator's `metrics`; one within
 * the allowed lateness emits its new pairs at once (timestamp `end − 1`). Checkpoint barriers are
 * aligned; the output completes when both inputs have.
 *
 * ## Example
 * ```ts
 * import { from } from 'rxjs';
 * import { tumbling, values, windowJoin, withEventTime } from 'tidemark';
 *
 * const searches = from([{ user: 'ann', term: 'boots', at: 1_000 }, { user: 'bob', term: 'hats', at: 2_000 }]);
 * const purchases = from([{ user: 'ann', item: 'boots', at: 50_000 }, { user: 'ann', item: 'socks', at: 70_000 }]);
 * searches
 *   .pipe(
 *     withEventTime({ timestamp: (s) => s.at }),
 *     windowJoin(purchases.pipe(withEventTime({ timestamp: (p) => p.at })), {
 *       window: tumbling(60_000),
 *       leftKey: (s) => s.user,
 *       rightKey: (p) => p.user,
 *       select: (s, p, w) => `${s.user} searched ${s.term}, bought ${p.item} in [${w.start}, ${w.end})`,
 *     }),
 *     values(),
 *   )
 *   .subscribe((line) => console.log(line));
 * // output:
 * // ann searched boots, bought boots in [0, 60000)
 * ```
 * @see {@link windowJoinEngine} for the RxJS-free state machine behind it, and the joins guide
 *   (docs/guides/joins.md).
 * @param right - the right input, an event-time stream.
 * @param config - window, keys, `select`, lateness, late routes.
 * @throws InvalidArgumentError at creation for a bad option (a bad window, session windows,
 *   negative lateness, a key or `select` that is not a function, …).
 * @returns an operator from `StreamElement<L>` to `StreamElement<O>`, with {@link JoinMetrics}.
 */
export function windowJoin<L, R, K, O>(right: ObservableInput<StreamElement<R>>, config: WindowJoinConfig<L, R, K, O>): MeteredOperator<StreamElement<L>, StreamElement<O>, JoinMetrics> {
  const right$ = rightInput(API, right);
  const counters = joinMetrics();
  const makeEngine = engineFactory(config, counters);
  const { id, deadLetter } = checkCommon(API, config);
  return metered(chainStage(`${API} (left input)`, twoInputStage(right$, makeEngine, { name: API, id, deadLetter })), counters);
}

/**
 * Validates a {@link WindowJoinConfig} and returns a factory of the RxJS-free engine behind
 * {@link windowJoin}: a {@link TwoInputEngine} with `snapshot` and `restore`, which
 * `tidemark/testing`'s `TwoInputHarness` drives directly.
 *
 * @example
 * ```ts
 * import { tumbling, windowJoinEngine } from 'tidemark';
 * import { TwoInputHarness } from 'tidemark/testing';
 *
 * const make = windowJoinEngine({ window: tumbling(10), leftKey: (l: string) => l[0], rightKey: (r: string) => r[0], select: (l, r) => `${l}+${r}` });
 * const h = new TwoInputHarness({ engine: () => make() });
 * h.left.pushEvent('a1', 2).pushWatermark(9);
 * h.right.pushEvent('a2', 8).pushWatermark(9);
 * console.log(h.toMarbles());
 * // output:
 * // a1+a2@9 W9
 * ```
 * @throws InvalidArgumentError for a bad option.
 */
export function windowJoinEngine<L, R, K, O>(config: WindowJoinConfig<L, R, K, O>): () => TwoInputEngine<L, R, O> {
  const make = engineFactory(config, joinMetrics());
  return () => make();
}

function engineFactory<L, R, K, O>(config: WindowJoinConfig<L, R, K, O>, counters: JoinMetrics): (backend?: StateBackend) => TwoInputEngine<L, R, O> {
  requireConfig(API, config, 'window, leftKey, rightKey and select');
  const { leftKey, rightKey, select, allowedLateness = 0 } = config;
  const window = checkWindow(API, config.window);
  if (window.type === 'session') {
    throw new InvalidArgumentError(
      `${API}: session windows are not supported (a session spans both inputs, and a late row could merge sessions whose pairs were already emitted); ` +
        'use tumbling(size) or sliding(size, slide), or intervalJoin for rows close in time',
    );
  }
  requireCallback(API, 'leftKey', leftKey, '(left) => left.id');
  requireCallback(API, 'rightKey', rightKey, '(right) => right.id');
  requireCallback(API, 'select', select, '(left, right, window) => ({ left, right })');
  requireNonNegative(API, 'allowedLateness', allowedLateness);
  const common = checkCommon(API, config);
  const late = common.late(counters);
  return (backend) => new WindowJoinEngine<L, R, K, O>({ window, leftKey, rightKey, select, allowedLateness, late, state: backend ?? common.state?.() });
}
