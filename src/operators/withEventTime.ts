import { asyncScheduler, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { show } from '../errors/show.js';
import { InvalidTimestampError } from '../errors/InvalidTimestampError.js';
import { InvalidWatermarkError } from '../errors/InvalidWatermarkError.js';
import { ACTIVE, IDLE, type StreamElement } from '../time/elements.js';
import { requireFunction, requireNonNegative, requirePositive, requireScheduler } from '../time/validate.js';
import { BoundedOutOfOrderness, monotonousTimestamps, type WatermarkGenerator, type WatermarkStrategy } from '../time/watermarkStrategies.js';
import { ChainEntry } from './internal/chain/ChainEntry.js';
import { chainRoot } from './internal/chain/ChainObservable.js';
import { toHandler, type DeadLetter, type DeadLetterRoute } from './internal/chain/deadLetter.js';
import { metered, type MeteredOperator } from './internal/chain/metered.js';
import type { ChainContext, Stage } from './internal/chain/Stage.js';

const NAME = 'withEventTime';

/** Configuration of {@link withEventTime}. */
export interface WithEventTimeConfig<T> {
  /** Extracts an event's time (a finite number, milliseconds by convention). */
  timestamp: (value: T) => number;
  /** How watermarks follow the events. @defaultValue `monotonousTimestamps()` */
  watermark?: WatermarkStrategy<NoInfer<T>> | undefined;
  /**
   * Coarsens watermarks for throughput, in **event time**: a new watermark is emitted only
   * once it is at least this much above the last one emitted (not Flink's periodic
   * `autoWatermarkInterval`, which is processing time). `watermarkStep: 1_000` emits at most
   * one watermark per second of event time. @defaultValue 0, every advance
   */
  watermarkStep?: number | undefined;
  /**
   * After this much processing time without events the stream announces itself idle
   * (`{ kind: 'status', idle: true }`) so that {@link mergeEventTime} stops waiting for it;
   * its next event is preceded by `idle: false`. @defaultValue never idle
   */
  idleTimeout?: number | undefined;
  /** Processing time for `idleTimeout`. @defaultValue `asyncScheduler` */
  scheduler?: SchedulerLike | undefined;
  /** Where values with a non-finite timestamp go instead of erroring the stream. @defaultValue error */
  deadLetter?: DeadLetterRoute<T> | undefined;
}

/** What {@link withEventTime} counts, over every subscription (see {@link MeteredOperator}). */
export interface WithEventTimeMetrics {
  /**
   * Events that arrived at or below the watermark already emitted: out of order by more
   * than the strategy allows. Downstream, such an event still counts in a window that has not
   * fired yet; for a window that has (its `end − 1` is at or below the watermark) it is late:
   * it updates the window within its `allowedLateness`, or goes to `late` or is dropped and counted.
   */
  behindWatermark: number;
}

/**
 * Enters event time: stamps each value with its timestamp and emits watermarks after the
 * events that advance them. When the source completes, a final `+Infinity` watermark
 * precedes `complete`, so every window downstream fires.
 * Like RxJS `timestamp()`, but with the time the event happened rather than arrived.
 *
 * ```
 * input:   {at:3}      {at:1}      {at:8}     |
 * output:  a@3 W(1)    b@1         c@8 W(6)   W(+∞) |     boundedOutOfOrderness(1)
 * ```
 *
 * Without a `watermark` strategy, timestamps are expected in order (`monotonousTimestamps()`):
 * an event older than one already seen is then behind the watermark, and late for any window
 * that has already fired. The operator's `metrics.behindWatermark` counts such events.
 *
 * ## Example
 * ```ts
 * import { from } from 'rxjs';
 * import { boundedOutOfOrderness, withEventTime } from 'tidemark';
 * from([{ id: 'a', at: 3 }, { id: 'b', at: 1 }])
 *   .pipe(withEventTime({ timestamp: (r) => r.at, watermark: boundedOutOfOrderness(2) }))
 *   .subscribe(console.log);
 * ```
 * @throws InvalidArgumentError when an option is invalid; at subscribe (as a stream error) when
 *   the strategy's `create()` does not return a generator.
 * @returns an operator from `T` to `StreamElement<T>`, with {@link WithEventTimeMetrics}.
 */
export function withEventTime<T>(config: WithEventTimeConfig<T>): MeteredOperator<T, StreamElement<T>, WithEventTimeMetrics> {
  if (config === null || typeof config !== 'object') throw new InvalidArgumentError(`${NAME}: expected a config object, got ${show(config)}`);
  const { timestamp, watermark = monotonousTimestamps(), watermarkStep = 0, idleTimeout, scheduler = asyncScheduler, deadLetter } = config;
  requireFunction(NAME, 'timestamp', timestamp);
  if (watermark === null || typeof watermark !== 'object' || typeof watermark.create !== 'function') {
    throw new InvalidArgumentError(
      `${NAME}: watermark must be a WatermarkStrategy such as boundedOutOfOrderness(ms), got ${show(watermark)}` +
        (typeof watermark === 'function' ? ' (call the factory: boundedOutOfOrderness(ms), not boundedOutOfOrderness)' : ''),
    );
  }
  requireNonNegative(NAME, 'watermarkStep', watermarkStep);
  if (idleTimeout !== undefined) requirePositive(NAME, 'idleTimeout', idleTimeout);
  requireScheduler(NAME, scheduler);
  const onBad = toHandler(NAME, 'deadLetter', deadLetter);
  const metrics: WithEventTimeMetrics = { behindWatermark: 0 };
  return metered(
    (source) =>
      chainRoot<StreamElement<T>>(source, (first, ctx) => {
        // The built-in bounded strategy runs inline (lag = bound + 1); others through their generator.
        const lag = watermark instanceof BoundedOutOfOrderness ? watermark.bound + 1 : NaN;
        const generator = lag === lag ? undefined : generatorOf(watermark);
        const entry = new EventTimeEntry<T>(ctx, first, timestamp, lag, generator, watermarkStep, onBad, metrics);
        if (idleTimeout !== undefined) entry.watchIdleness(idleTimeout, scheduler);
        return entry as Subscriber<unknown>;
      }),
    metrics,
  );
}

/** A custom strategy's generator for one subscription; a `create()` that returns none is an error. */
function generatorOf<T>(strategy: WatermarkStrategy<T>): WatermarkGenerator<T> {
  const generator: unknown = strategy.create();
  if (generator === null || typeof generator !== 'object' || typeof (generator as WatermarkGenerator<T>).onEvent !== 'function') {
    throw new InvalidArgumentError(
      `${NAME}: the watermark strategy's create() must return a generator { onEvent(timestamp, value) { return watermark } }, ` +
        `got ${show(generator)}` + (generator === undefined ? ' (does create() forget to return it?)' : ''),
    );
  }
  return generator as WatermarkGenerator<T>;
}

/**
 * The head of a chain: stamps values, feeds the first stage with `(value, timestamp)`,
 * and emits watermarks (and idleness) as the strategy dictates.
 */
class EventTimeEntry<T> extends ChainEntry<T> {
  private emitted = -Infinity;
  private max = -Infinity;
  private idle = false;
  private lastEventAt = 0;
  private idleTimeout = 0;
  private scheduler: SchedulerLike | undefined = undefined;
  private idleCheck: Subscription | undefined = undefined;

  constructor(
    ctx: ChainContext,
    private readonly first: Stage<T>,
    private readonly timestampOf: (value: T) => number,
    /** `max − lag` is the watermark of the built-in bounded strategy; NaN for another strategy. */
    private readonly lag: number,
    private readonly generator: WatermarkGenerator<T> | undefined,
    private readonly step: number,
    private readonly onBad: ((letter: DeadLetter<T>) => void) | undefined,
    private readonly metrics: WithEventTimeMetrics,
  ) {
    super(ctx);
  }

  watchIdleness(timeout: number, scheduler: SchedulerLike): void {
    this.idleTimeout = timeout;
    this.scheduler = scheduler;
    this.lastEventAt = scheduler.now();
    this.add(() => this.idleCheck?.unsubscribe());
    this.scheduleIdleCheck();
  }

  protected onValue(value: T): void {
    const t = this.timestampOf(value);
    if (typeof t !== 'number' || t - t !== 0) return this.badTimestamp(value, t);
    if (this.scheduler !== undefined) this.sawEvent();
    if (t <= this.emitted) this.metrics.behindWatermark++;
    this.first.event(value, t);
    if (this.generator === undefined) {
      // The built-in bounded strategy: the watermark moves only with the largest timestamp.
      if (t > this.max) this.advance((this.max = t) - this.lag);
      return;
    }
    const w = this.generator.onEvent(t, value);
    if (typeof w !== 'number' || w !== w) throw new InvalidWatermarkError(NAME, w);
    this.advance(w);
  }

  /** Emits `w` if it advances the watermark by at least `watermarkStep`. */
  private advance(w: number): void {
    if (w > this.emitted && w >= this.emitted + this.step) {
      this.emitted = w;
      this.first.watermark(w);
    }
  }

  protected onEnd(): void {
    // A strategy may already have promised +Infinity; never send it twice.
    if (this.emitted < Infinity) {
      this.emitted = Infinity;
      this.first.watermark(Infinity);
    }
    this.first.finish();
  }

  private badTimestamp(value: T, t: unknown): void {
    const error = new InvalidTimestampError(NAME, t, value);
    if (this.onBad === undefined) throw error;
    this.onBad({ operator: NAME, input: value, error });
  }

  private sawEvent(): void {
    this.lastEventAt = this.scheduler!.now();
    if (this.idle) {
      this.idle = false;
      this.first.control(ACTIVE);
    }
    if (this.idleCheck === undefined) this.scheduleIdleCheck();
  }

  private scheduleIdleCheck(): void {
    const due = this.lastEventAt + this.idleTimeout;
    this.idleCheck = this.scheduler!.schedule(() => {
      this.idleCheck = undefined;
      if (this.scheduler!.now() >= this.lastEventAt + this.idleTimeout) {
        this.idle = true;
        this.ctx.step(() => this.first.control(IDLE));
      } else {
        this.scheduleIdleCheck();
      }
    }, Math.max(0, due - this.scheduler!.now()));
  }
}
