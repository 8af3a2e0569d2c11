import type { PartialObserver, SchedulerLike } from 'rxjs';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { show } from '../errors/show.js';
import type { StateBackend } from '../state/StateBackend.js';
import { avg, collect, count, max, min, reduce, sum, type Aggregator } from '../time/aggregators.js';
import type { StreamElement, Timestamped } from '../time/elements.js';
import { afterWatermark, type Trigger } from '../time/triggers.js';
import { requireFunction, requireNonNegative, requireScheduler } from '../time/validate.js';
import { checkWindow, type WindowAssigner, type WindowResult } from '../time/windows.js';
import { chainStage } from './internal/chain/ChainObservable.js';
import { toHandler, type DeadLetterRoute } from './internal/chain/deadLetter.js';
import type { Engine } from './internal/chain/engine.js';
import { engineStage } from './internal/chain/EngineStage.js';
import { metered, type MeteredOperator } from './internal/chain/metered.js';
import { WindowEngine } from './internal/windows/WindowEngine.js';

/** Configuration of {@link windowAggregate}. */
export interface WindowAggregateConfig<T, K, A, R> {
  /** The windows: {@link tumbling}, {@link sliding} or {@link session}. */
  window: WindowAssigner;
  /** Groups events by key; each key has its own windows. @defaultValue one global key, `undefined` */
  key?: ((value: T) => K) | undefined;
  /** The aggregation: `count()`, `sum(f)`, `min(f)`, `max(f)`, `avg(f)`, `collect()`, `reduce(f)` or your own. */
  aggregate: Aggregator<T, A, R>;
  /**
   * How long after a window's end (in event time) late events still update it; each
   * such event re-fires the window with `firing: 'late'`. @defaultValue 0
   */
  allowedLateness?: number | undefined;
  /**
   * Where events go that are too late for every window they belong to. Without it they are
   * dropped and counted in the operator's `metrics.droppedLateEvents`, never mixed into results.
   * @defaultValue dropped and counted
   */
  late?: PartialObserver<Timestamped<T>> | ((event: Timestamped<T>) => void) | undefined;
  /** When windows fire. @defaultValue `afterWatermark()`: once, when the watermark reaches `end − 1` */
  trigger?: Trigger | undefined;
  /** Processing time for early firings every T. @defaultValue `asyncScheduler` */
  scheduler?: SchedulerLike | undefined;
  /** Where events with a non-finite timestamp go instead of erroring the stream. @defaultValue error */
  deadLetter?: DeadLetterRoute<Timestamped<T>> | undefined;
  /**
   * An object of yours whose `lateEvents` the operator increments for every late event
   * (routed to `late` or dropped), e.g. a counter shared by several operators. The operator's
   * own `metrics` ({@link WindowAggregateMetrics}) are there without it. @defaultValue none
   */
  metrics?:
    | {
        /** The count of late events, incremented by the operator. */
        lateEvents: number;
      }
    | undefined;
  /** Where state lives. @defaultValue a fresh {@link MemoryStateBackend} per subscription */
  state?: (() => StateBackend) | undefined;
  /**
   * The operator's id (Flink's `uid`): with one, it takes part in the checkpoints of
   * {@link checkpoints} (its state is stored and restored under this id). @defaultValue none
   */
  id?: string | undefined;
}

/** What {@link windowAggregate} counts, over every subscription (see {@link MeteredOperator}). */
export interface WindowAggregateMetrics {
  /** Events too late for every window they belong to (beyond `allowedLateness`): routed to `late` or dropped. */
  lateEvents: number;
  /** The late events that were dropped because no `late` route was given. */
  droppedLateEvents: number;
}

/**
 * Aggregates an event-time stream per key and window, firing when the watermark passes
 * each window's end — Flink's `keyBy().window().aggregate()` as one `pipe()` operator.
 * RxJS's `bufferTime`/`windowTime` do this by processing time; this does it by event time.
 *
 * ```
 * input:   a@1  b@4  c@12  W(9)              d@3 (late)      W(19)
 * output:                  R[0,10)=2@9 W(9)                  R[10,20)=1@19 W(19)
 *                                            → late observer          tumbling(10), count()
 * ```
 *
 * Results are events `WindowResult<K, R>` with timestamp `end − 1`, emitted before the
 * watermark that fired them. Watermarks, barriers and status elements pass through.
 * When the source completes, a final `+Infinity` watermark fires every open window.
 * Results that one watermark fires come in order of `end`; windows with the same `end` in the
 * order their state was created (a merged session counts from its oldest part).
 * Events too late for every window go to `late`, or are dropped and counted in the operator's
 * `metrics` (`lateEvents`, `droppedLateEvents`).
 *
 * ## Example
 * ```ts
 * import { from } from 'rxjs';
 * import { boundedOutOfOrderness, count, tumbling, values, windowAggregate, withEventTime } from 'tidemark';
 *
 * const clicks = [{ page: 'home', at: 1_000 }, { page: 'home', at: 61_000 }, { page: 'cart', at: 2_000 }];
 * from(clicks)
 *   .pipe(
 *     withEventTime({ timestamp: (c) => c.at, watermark: boundedOutOfOrderness(5_000) }),
 *     windowAggregate({ window: tumbling(60_000), key: (c) => c.page, aggregate: count() }),
 *     values(),
 *   )
 *   .subscribe((r) => console.log(r.key, r.start, r.value));
 * ```
 * @see {@link windowAggregateEngine} for the RxJS-free state machine behind it.
 * @throws InvalidArgumentError at creation for a bad option (negative lateness, a session
 *   window with an aggregator that cannot merge, …).
 * @returns an operator from `StreamElement<T>` to `StreamElement<WindowResult<K, R>>`, with
 *   {@link WindowAggregateMetrics}.
 */
export function windowAggregate<T, K = undefined, A = unknown, R = unknown>(
  config: WindowAggregateConfig<T, K, A, R>,
): MeteredOperator<StreamElement<T>, StreamElement<WindowResult<K, R>>, WindowAggregateMetrics> {
  const counters: WindowAggregateMetrics = { lateEvents: 0, droppedLateEvents: 0 };
  const makeEngine = windowEngineFactory(config, counters);
  const { scheduler } = config;
  if (scheduler !== undefined) requireScheduler(API, scheduler);
  const operator = chainStage(
    API,
    engineStage(makeEngine, { id: config.id, scheduler, deadLetter: toHandler(API, 'deadLetter', config.deadLetter as DeadLetterRoute<Timestamped<unknown>> | undefined) }),
  );
  return metered(operator, counters);
}

/**
 * Validates a {@link WindowAggregateConfig} and returns a factory of the RxJS-free engine
 * behind {@link windowAggregate}: a state machine with `onEvent`, `onWatermark`,
 * `onProcessingTime`, `snapshot` and `restore`, which `tidemark/testing` drives directly.
 *
 * @example
 * ```ts
 * import { count, tumbling, windowAggregateEngine } from 'tidemark';
 * const make = windowAggregateEngine<number>({ window: tumbling(10), aggregate: count() });
 * const engine = make();
 * ```
 * @throws InvalidArgumentError for a bad option.
 */
export function windowAggregateEngine<T, K = undefined, A = unknown, R = unknown>(
  config: WindowAggregateConfig<T, K, A, R>,
): () => Engine<T, WindowResult<K, R>> {
  const make = windowEngineFactory(config, { lateEvents: 0, droppedLateEvents: 0 });
  return () => make();
}

const API = 'windowAggregate';
const FACTORIES = new Map<unknown, string>([
  [count, 'count()'],
  [sum, 'sum(f)'],
  [min, 'min(f)'],
  [max, 'max(f)'],
  [avg, 'avg(f)'],
  [collect, 'collect()'],
  [reduce, 'reduce(f)'],
]);

function windowEngineFactory<T, K, A, R>(config: WindowAggregateConfig<T, K, A, R>, counters: WindowAggregateMetrics): (backend?: StateBackend) => Engine<T, WindowResult<K, R>> {
  if (config === null || typeof config !== 'object') throw new InvalidArgumentError(`${API}: expected a config object, got ${show(config)}`);
  const { key, aggregate, allowedLateness = 0, late, trigger = afterWatermark(), metrics, state } = config;
  const window = checkWindow(API, config.window);
  if (key !== undefined) requireFunction(API, 'key', key);
  checkAggregate(aggregate);
  if (window.type === 'session' && typeof aggregate.merge !== 'function') {
    throw new InvalidArgumentError(`${API}: session windows merge, so the aggregator needs a merge(a, b) function; add one`);
  }
  requireNonNegative(API, 'allowedLateness', allowedLateness);
  if (trigger === null || typeof trigger !== 'object' || trigger.type !== 'after-watermark') {
    throw new InvalidArgumentError(`${API}: trigger must be made by afterWatermark(...), got ${show(trigger)}`);
  }
  if (metrics !== undefined && (metrics === null || typeof metrics !== 'object' || typeof metrics.lateEvents !== 'number')) {
    throw new InvalidArgumentError(
      `${API}: metrics must be an object with a numeric lateEvents, e.g. { lateEvents: 0 }, got ${show(metrics)}; ` +
        'or leave it out and read the operator\'s own metrics',
    );
  }
  if (state !== undefined) requireFunction(API, 'state', state);
  if (config.id !== undefined && (typeof config.id !== 'string' || config.id === '')) throw new InvalidArgumentError(`${API}: id must be a non-empty string, got ${show(config.id)}`);
  const onLate = toHandler(API, 'late', late);
  return (backend) => new WindowEngine<T, K, A, R>({ window, key, aggregate, allowedLateness, trigger, onLate, metrics, counters, state: backend ?? state?.() });
}

/** Refuses anything but an Aggregator, with the likely mistake: an uncalled factory, or RxJS's operator of the same name. */
function checkAggregate(aggregate: unknown): asserts aggregate is Aggregator<unknown, unknown, unknown> {
  if (aggregate !== null && typeof aggregate === 'object') {
    for (const f of ['create', 'add', 'result'] as const) requireFunction(API, `aggregate.${f}`, (aggregate as Record<string, unknown>)[f]);
    return;
  }
  const factory = FACTORIES.get(aggregate);
  const hint =
    factory !== undefined
      ? ` (call the factory: ${factory}, not ${factory.slice(0, factory.indexOf('('))})`
      : typeof aggregate === 'function'
        ? ". A function here is most likely an RxJS operator: RxJS also exports count, min, max and reduce. Import the aggregator from 'tidemark' instead (import { count } from 'tidemark')"
        : '';
  throw new InvalidArgumentError(`${API}: aggregate must be an Aggregator such as count() or sum(f), got ${show(aggregate)}${hint}`);
}
