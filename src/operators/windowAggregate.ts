import type { OperatorFunction, PartialObserver, SchedulerLike } from 'rxjs';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { show } from '../errors/show.js';
import type { StateBackend } from '../state/StateBackend.js';
import type { Aggregator } from '../time/aggregators.js';
import type { StreamElement, Timestamped } from '../time/elements.js';
import { afterWatermark, type Trigger } from '../time/triggers.js';
import { requireFunction, requireNonNegative } from '../time/validate.js';
import type { WindowAssigner, WindowResult } from '../time/windows.js';
import { toHandler, type DeadLetterRoute } from './internal/deadLetter.js';
import type { Engine } from './internal/engine.js';
import { chainStage } from './internal/ChainObservable.js';
import { engineStage } from './internal/EngineStage.js';
import { WindowEngine } from './internal/WindowEngine.js';

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
   * dropped and counted (see `metrics`), never mixed into results. @defaultValue dropped and counted
   */
  late?: PartialObserver<Timestamped<T>> | ((event: Timestamped<T>) => void) | undefined;
  /** When windows fire. @defaultValue `afterWatermark()`: once, when the watermark reaches `end − 1` */
  trigger?: Trigger | undefined;
  /** Processing time for early firings every T. @defaultValue `asyncScheduler` */
  scheduler?: SchedulerLike | undefined;
  /** Where events with a non-finite timestamp go instead of erroring the stream. @defaultValue error */
  deadLetter?: DeadLetterRoute<Timestamped<T>> | undefined;
  /** An object whose `lateEvents` the operator increments for every late event. */
  metrics?:
    | {
        /** The count of late events, incremented by the operator. */
        lateEvents: number;
      }
    | undefined;
  /** Where state lives. @defaultValue a fresh {@link MemoryStateBackend} per subscription */
  state?: (() => StateBackend) | undefined;
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
 * @returns an operator from `StreamElement<T>` to `StreamElement<WindowResult<K, R>>`.
 */
export function windowAggregate<T, K = undefined, A = unknown, R = unknown>(
  config: WindowAggregateConfig<T, K, A, R>,
): OperatorFunction<StreamElement<T>, StreamElement<WindowResult<K, R>>> {
  const makeEngine = windowAggregateEngine(config);
  return chainStage(
    'windowAggregate',
    engineStage(makeEngine, {
      scheduler: config.scheduler,
      deadLetter: toHandler('windowAggregate', 'deadLetter', config.deadLetter as DeadLetterRoute<Timestamped<unknown>> | undefined),
    }),
  );
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
  const api = 'windowAggregate';
  if (config === null || typeof config !== 'object') throw new InvalidArgumentError(`${api}: expected a config object, got ${show(config)}`);
  const { window, key, aggregate, allowedLateness = 0, late, trigger = afterWatermark(), metrics, state } = config;
  if (window === null || typeof window !== 'object' || !['tumbling', 'sliding', 'session'].includes(window.type)) {
    throw new InvalidArgumentError(
      `${api}: window must be tumbling(size), sliding(size, slide) or session(gap), got ${show(window)}` +
        (typeof window === 'function' ? ' (call the factory: tumbling(size), not tumbling)' : ''),
    );
  }
  if (key !== undefined) requireFunction(api, 'key', key);
  if (aggregate === null || typeof aggregate !== 'object') {
    throw new InvalidArgumentError(
      `${api}: aggregate must be an Aggregator such as count() or sum(f), got ${show(aggregate)}` +
        (typeof aggregate === 'function' ? ' (call the factory: count(), not count)' : ''),
    );
  }
  for (const f of ['create', 'add', 'result'] as const) requireFunction(api, `aggregate.${f}`, aggregate[f]);
  if (window.type === 'session' && typeof aggregate.merge !== 'function') {
    throw new InvalidArgumentError(`${api}: session windows merge, so the aggregator needs a merge(a, b) function; add one`);
  }
  requireNonNegative(api, 'allowedLateness', allowedLateness);
  if (trigger === null || typeof trigger !== 'object' || trigger.type !== 'after-watermark') {
    throw new InvalidArgumentError(`${api}: trigger must be made by afterWatermark(...), got ${JSON.stringify(trigger)}`);
  }
  if (state !== undefined) requireFunction(api, 'state', state);
  const onLate = toHandler(api, 'late', late);
  return () =>
    new WindowEngine<T, K, A, R>({ window, key, aggregate, allowedLateness, trigger, onLate, metrics, state: state?.() });
}
