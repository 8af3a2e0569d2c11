import type { SchedulerLike } from 'rxjs';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { show } from '../errors/show.js';
import { checkTtl, type StateDescriptor, type StateDescriptors } from '../state/keyedState.js';
import type { StateBackend } from '../state/StateBackend.js';
import { QueryableState } from '../state/checkpoint/queryableState.js';
import type { StreamElement, Timestamped } from '../time/elements.js';
import { requireFunction, requireScheduler } from '../time/validate.js';
import { chainStage } from './internal/chain/ChainObservable.js';
import { toHandler, type DeadLetterRoute } from './internal/chain/deadLetter.js';
import type { Engine } from './internal/chain/engine.js';
import { engineStage } from './internal/chain/EngineStage.js';
import { metered, type MeteredOperator } from './internal/chain/metered.js';
import type { KeyedProcessContext, KeyedTimerContext } from './internal/keyed/KeyedContext.js';
import { KeyedProcessEngine, type KeyedProcessCounters } from './internal/keyed/KeyedProcessEngine.js';

/**
 * What a `keyedProcess` emits, declared for the types: `output: emits<Alert>()` makes `ctx.emit`
 * take an `Alert` and the operator's output `StreamElement<Alert>`, while the event, key and
 * state types are still inferred. Without it, the output is `unknown`.
 *
 * @example
 * ```ts
 * import { emits, type OutputType } from 'tidemark';
 * interface Alert { card: string; reason: string }
 * const output: OutputType<Alert> = emits<Alert>();
 * ```
 */
export interface OutputType<O> {
  /** Tells it apart from other options. */
  readonly kind: 'output';
  /** Never set: it carries the output type `O`. */
  readonly type?: O;
}

const OUTPUT: OutputType<never> = Object.freeze({ kind: 'output' });

/**
 * Declares the type of what a {@link keyedProcess} emits, for its `output` option: the one
 * type TypeScript cannot infer from the callbacks (it does not look at what `ctx.emit` is given).
 *
 * @example
 * ```ts
 * import { emits, keyedProcess, valueState } from 'tidemark';
 * interface Txn { card: string; amount: number }
 * const firstUse = keyedProcess({
 *   key: (t: Txn) => t.card,
 *   state: { seen: valueState<boolean>() },
 *   output: emits<{ card: string; first: number }>(),
 *   onEvent(t, ctx) {
 *     if (ctx.state.seen.get()) return;
 *     ctx.state.seen.set(true);
 *     ctx.emit({ card: ctx.key, first: ctx.timestamp });
 *   },
 * });
 * ```
 * @returns a declaration for `output`; it holds nothing at run time.
 */
export function emits<O>(): OutputType<O> {
  return OUTPUT;
}

/** Configuration of {@link keyedProcess}. */
export interface KeyedProcessConfig<T, K, S extends StateDescriptors, O> {
  /** The key of an event: its state and timers are that key's. Keys should be strings or numbers (snapshots copy them; `0` and `-0` are one key). */
  key: (value: T) => K;
  /**
   * Named keyed state, declared up front: {@link valueState}, {@link listState}, {@link mapState}
   * (each declaration under one name only). `ctx.state.<name>` is the current key's.
   * @defaultValue no state
   */
  state?: S | undefined;
  /** The type of what the process emits: `emits<Alert>()`. @defaultValue `unknown` */
  output?: OutputType<O> | undefined;
  /** Called for each event with the event's value; `ctx` holds its key, time, state and timers, and `emit`. */
  onEvent: (value: T, ctx: KeyedProcessContext<K, S, O>) => void;
  /** Called when a timer of a key fires, with the timer's time; required to register timers. @defaultValue none */
  onTimer?: ((timestamp: number, ctx: KeyedTimerContext<K, S, O>) => void) | undefined;
  /** Processing time: `ctx.processingTime`, processing-time timers and TTLs. @defaultValue `asyncScheduler` */
  scheduler?: SchedulerLike | undefined;
  /** Where events with a non-finite timestamp go instead of erroring the stream. @defaultValue error */
  deadLetter?: DeadLetterRoute<Timestamped<T>> | undefined;
  /** The operator's id (Flink's `uid`), recorded in its snapshots: a restore refuses another id's. @defaultValue none */
  id?: string | undefined;
  /**
   * A handle (made by {@link queryableState}) through which code outside the stream reads the
   * running operator's state for a key: interactive queries. @defaultValue none
   */
  queryable?: Pick<QueryableState<NoInfer<K>, StateDescriptors>, 'attach'> | undefined;
  /** Where state lives. @defaultValue a fresh {@link MemoryStateBackend} per subscription */
  stateBackend?: (() => StateBackend) | undefined;
}

/** What {@link keyedProcess} counts, over every subscription (see {@link MeteredOperator}). */
export interface KeyedProcessMetrics {
  /** Events processed. */
  events: number;
  /** Of those, the events at or behind the operator's watermark when they arrived (processed all the same). */
  behindWatermark: number;
  /** Event-time timers fired. */
  eventTimeTimers: number;
  /** Processing-time timers fired. */
  processingTimeTimers: number;
  /** Events emitted with `ctx.emit`. */
  emitted: number;
  /** State entries (values, list elements, map entries) deleted because their TTL ran out. */
  expired: number;
}

/**
 * Processes an event-time stream key by key, with declared keyed state and timers — Flink's
 * `KeyedProcessFunction` as one `pipe()` operator. Where RxJS's `groupBy` + `scan` keeps state
 * per key in closures, this keeps it in a state backend (snapshots see it) and adds timers in
 * event time and processing time.
 *
 * ```
 * input:    a@1 (key x)   b@4 (key x)   W(5)   c@9 (key y)   W(12)                 W(+∞)
 * onEvent:  count 1,      count 2              count 1,
 *           timer at 6                         timer at 14
 * output:                               W(5)                 "x: 2"@6 W(12)        "y: 1"@14 W(+∞)
 * ```
 *
 * `onEvent(value, ctx)` runs for each event with `ctx.key`, `ctx.timestamp`, `ctx.watermark`,
 * `ctx.processingTime`, the key's declared state `ctx.state.<name>`, its `ctx.timers` and
 * `ctx.emit(value, timestamp?)`; `onTimer(timestamp, ctx)` runs when a timer fires, with
 * `ctx.timeDomain`. An event-time timer fires when the watermark reaches its time, in time order
 * (ties in registration order), before that watermark is forwarded; one registered at or below
 * the current watermark fires with the next watermark (see {@link KeyedTimers}). When the source
 * completes, the final `+Infinity` watermark fires every event-time timer. The operator drops no
 * event for being behind the watermark (it counts them in `metrics.behindWatermark`). State and
 * timers are in every snapshot ({@link keyedProcessEngine}). Watermarks, barriers and status
 * elements pass through.
 *
 * ## Example
 * ```ts
 * import { from } from 'rxjs';
 * import { emits, keyedProcess, mapState, values, withEventTime } from 'tidemark';
 *
 * // Each card's uses per minute, reported when the watermark passes the minute's end.
 * const uses = [{ card: 'a', at: 1_000 }, { card: 'a', at: 30_000 }, { card: 'b', at: 45_000 }, { card: 'a', at: 90_000 }];
 * from(uses)
 *   .pipe(
 *     withEventTime({ timestamp: (u) => u.at }),
 *     keyedProcess({
 *       key: (u) => u.card,
 *       state: { perMinute: mapState<number, number>() }, // the minute's last instant → uses
 *       output: emits<string>(),
 *       onEvent(u, ctx) {
 *         const last = Math.floor(ctx.timestamp / 60_000) * 60_000 + 59_999;
 *         ctx.state.perMinute.set(last, (ctx.state.perMinute.get(last) ?? 0) + 1);
 *         ctx.timers.registerEventTime(last); // once per card and minute, however many uses
 *       },
 *       onTimer(t, ctx) {
 *         ctx.emit(`${ctx.key}: ${ctx.state.perMinute.get(t)} use(s) in the minute to ${t + 1}`);
 *         ctx.state.perMinute.delete(t);
 *       },
 *     }),
 *     values(),
 *   )
 *   .subscribe((line) => console.log(line));
 * // output:
 * // a: 2 use(s) in the minute to 60000
 * // b: 1 use(s) in the minute to 60000
 * // a: 1 use(s) in the minute to 120000
 * ```
 * @see {@link keyedProcessEngine} for the RxJS-free state machine behind it;
 *   {@link valueState}, {@link listState}, {@link mapState} for state; {@link StateTtl} for TTLs.
 * @throws InvalidArgumentError at creation for a bad option (a non-function `key`, `onEvent` or
 *   `onTimer`, a state declared under two names, a bad TTL, …).
 * @returns an operator from `StreamElement<T>` to `StreamElement<O>`, with {@link KeyedProcessMetrics}.
 */
export function keyedProcess<T, K, S extends StateDescriptors = {}, O = unknown>(
  config: KeyedProcessConfig<T, K, S, O>,
): MeteredOperator<StreamElement<T>, StreamElement<O>, KeyedProcessMetrics> {
  const counters: KeyedProcessMetrics = { events: 0, behindWatermark: 0, eventTimeTimers: 0, processingTimeTimers: 0, emitted: 0, expired: 0 };
  const makeEngine = keyedEngineFactory(config, counters);
  const { scheduler } = config;
  if (scheduler !== undefined) requireScheduler(API, scheduler);
  const operator = chainStage(
    API,
    engineStage(makeEngine, { id: config.id, scheduler, deadLetter: toHandler(API, 'deadLetter', config.deadLetter as DeadLetterRoute<Timestamped<unknown>> | undefined) }),
  );
  return metered(operator, counters);
}

/**
 * Validates a {@link KeyedProcessConfig} and returns a factory of the RxJS-free engine behind
 * {@link keyedProcess}: a state machine with `onEvent`, `onWatermark`, `onProcessingTime`,
 * `snapshot` and `restore`, which `tidemark/testing`'s `OperatorHarness` drives directly. A
 * snapshot holds the declared state, the TTL stamps, both kinds of timers and the watermark; a
 * restore refuses (`StateError`) a snapshot of another operator, another `id`, or other declared
 * state (names, kinds, TTLs).
 *
 * @example
 * ```ts
 * import { keyedProcessEngine, valueState } from 'tidemark';
 * const make = keyedProcessEngine({
 *   key: (word: string) => word,
 *   state: { seen: valueState<number>() },
 *   onEvent(word, ctx) {
 *     ctx.state.seen.set((ctx.state.seen.get() ?? 0) + 1);
 *   },
 * });
 * const engine = make();
 * ```
 * @throws InvalidArgumentError for a bad option.
 */
export function keyedProcessEngine<T, K, S extends StateDescriptors = {}, O = unknown>(config: KeyedProcessConfig<T, K, S, O>): () => Engine<T, O> {
  const make = keyedEngineFactory(config, { events: 0, behindWatermark: 0, eventTimeTimers: 0, processingTimeTimers: 0, emitted: 0, expired: 0 });
  return () => make();
}

const API = 'keyedProcess';

function keyedEngineFactory<T, K, S extends StateDescriptors, O>(config: KeyedProcessConfig<T, K, S, O>, counters: KeyedProcessCounters): (backend?: StateBackend) => Engine<T, O> {
  if (config === null || typeof config !== 'object') throw new InvalidArgumentError(`${API}: expected a config object { key, state, onEvent, onTimer }, got ${show(config)}`);
  const { key, onEvent, onTimer, output, id, stateBackend } = config;
  requireFunction(API, 'key', key);
  requireFunction(API, 'onEvent', onEvent);
  if (onTimer !== undefined) requireFunction(API, 'onTimer', onTimer);
  if (output !== undefined && (output === null || typeof output !== 'object' || output.kind !== 'output')) {
    throw new InvalidArgumentError(`${API}: output must be made by emits<T>(), got ${show(output)}`);
  }
  if (id !== undefined && (typeof id !== 'string' || id === '')) throw new InvalidArgumentError(`${API}: id must be a non-empty string, got ${show(id)}`);
  if (stateBackend !== undefined && typeof stateBackend !== 'function') {
    throw new InvalidArgumentError(`${API}: stateBackend must be a function that makes a backend, e.g. () => new MemoryStateBackend(), got ${show(stateBackend)}`);
  }
  const state = checkState(config.state);
  const { queryable } = config;
  if (queryable !== undefined && !(queryable instanceof QueryableState)) throw new InvalidArgumentError(`${API}: queryable must be made by queryableState(), got ${show(queryable)}`);
  return (backend) => {
    const engine = new KeyedProcessEngine<T, K, O>({
      key,
      state,
      onEvent: onEvent as never,
      onTimer: onTimer as never,
      id,
      counters,
      backend: backend ?? stateBackend?.(),
    });
    queryable?.attach(engine);
    return engine;
  };
}

const FACTORIES: Record<string, string> = { value: 'valueState()', list: 'listState()', map: 'mapState()' };

/** The declared state as `[name, declaration]` pairs; refuses anything but declarations, and one declaration under two names. */
function checkState(state: unknown): [string, StateDescriptor][] {
  if (state === undefined) return [];
  if (state === null || typeof state !== 'object' || Array.isArray(state)) {
    throw new InvalidArgumentError(`${API}: state must be an object of named declarations, e.g. { count: valueState<number>() }, got ${show(state)}`);
  }
  const seen = new Map<unknown, string>();
  return Object.entries(state).map(([name, d]): [string, StateDescriptor] => {
    const kind = (d as { kind?: unknown } | null)?.kind;
    if (d === null || typeof d !== 'object' || typeof kind !== 'string' || !(kind in FACTORIES)) {
      const f = typeof d === 'function' ? (d as { name: string }).name : '';
      const hint = f in { valueState: 1, listState: 1, mapState: 1 } ? ` (call the factory: ${f}(), not ${f})` : '';
      throw new InvalidArgumentError(`${API}: state.${name} must be declared with valueState(), listState() or mapState(), got ${show(d)}${hint}`);
    }
    const earlier = seen.get(d);
    if (earlier !== undefined) {
      throw new InvalidArgumentError(
        `${API}: state.${earlier} and state.${name} are the same declaration; each name needs its own: ` +
          `${name}: ${FACTORIES[kind]} (a state lives under one name)`,
      );
    }
    seen.set(d, name);
    const ttl = checkTtl(API, `state.${name}.ttl`, (d as StateDescriptor).ttl);
    return [name, { kind, ttl } as StateDescriptor];
  });
}
