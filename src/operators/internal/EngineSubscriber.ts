import { Observable, Subscriber, asyncScheduler, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { InvalidTimestampError } from '../../errors/InvalidTimestampError.js';
import { InvalidWatermarkError } from '../../errors/InvalidWatermarkError.js';
import { END_OF_TIME, type ControlElement, type StreamElement, type Timestamped, type Watermark } from '../../time/elements.js';
import type { DeadLetter } from './deadLetter.js';
import type { Collector, Engine, ProcessingTime } from './engine.js';

/** @internal Options common to engine-backed operators. */
export interface AdapterOptions {
  scheduler?: SchedulerLike | undefined;
  deadLetter?: ((letter: DeadLetter<Timestamped<unknown>>) => void) | undefined;
}

/**
 * @internal Wraps an engine into a `pipe()` operator. One engine per subscription, made by
 * `makeEngine`, so every subscription is independent (the operator is cold).
 */
export function engineOperator<I, O>(makeEngine: () => Engine<I, O>, options: AdapterOptions = {}): OperatorFunction<StreamElement<I>, StreamElement<O>> {
  return (source) =>
    new Observable<StreamElement<O>>((subscriber) => {
      const inner = new EngineSubscriber(subscriber, makeEngine(), options);
      source.subscribe(inner);
    });
}

/**
 * @internal The adapter: an RxJS `Subscriber` (the public class, subclassed as first-party
 * operators do; see docs/decisions/0001-subclass-subscriber.md) that feeds an engine. It is
 * added to the downstream subscriber, so a downstream `take(1)` closes it and a
 * synchronous source stops at once.
 */
export class EngineSubscriber<I, O> extends Subscriber<StreamElement<I>> implements Collector<O>, ProcessingTime {
  private lastWatermark: Watermark | undefined = undefined;
  private wakeTime = Infinity;
  private wakeAction: Subscription | undefined = undefined;
  private readonly scheduler: SchedulerLike;
  private readonly deadLetter: AdapterOptions['deadLetter'];

  constructor(
    private readonly downstream: Subscriber<StreamElement<O>>,
    private readonly engine: Engine<I, O>,
    options: AdapterOptions,
  ) {
    super(downstream);
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.deadLetter = options.deadLetter;
    this.add(() => this.wakeAction?.unsubscribe());
    engine.open(this, this);
  }

  // Collector
  event(value: O, timestamp: number): void {
    this.downstream.next({ kind: 'event', value, timestamp });
  }

  watermark(timestamp: number): void {
    const last = this.lastWatermark;
    this.downstream.next(last !== undefined && last.timestamp === timestamp ? last : { kind: 'watermark', timestamp });
  }

  control(element: ControlElement): void {
    this.downstream.next(element);
  }

  // ProcessingTime
  now(): number {
    return this.scheduler.now();
  }

  wakeAt(time: number): void {
    if (time >= this.wakeTime || this.closed) return;
    this.wakeAction?.unsubscribe();
    this.wakeTime = time;
    this.wakeAction = this.scheduler.schedule(() => {
      this.wakeTime = Infinity;
      this.wakeAction = undefined;
      try {
        this.engine.onProcessingTime!(this.scheduler.now());
      } catch (err) {
        this.downstream.error(err);
      }
    }, Math.max(0, time - this.scheduler.now()));
  }

  protected override _next(element: StreamElement<I>): void {
    try {
      if (element.kind === 'event') {
        const t = element.timestamp;
        if (typeof t === 'number' && t - t === 0) this.engine.onEvent(element.value, t, element);
        else this.badTimestamp(element);
      } else if (element.kind === 'watermark') {
        const t = element.timestamp;
        if (t !== t || typeof t !== 'number') throw new InvalidWatermarkError(this.engine.name, t);
        this.lastWatermark = element;
        this.engine.onWatermark(t);
      } else {
        this.downstream.next(element);
      }
    } catch (err) {
      this.downstream.error(err);
    }
  }

  protected override _complete(): void {
    try {
      this.lastWatermark = END_OF_TIME;
      this.engine.onWatermark(Infinity);
    } catch (err) {
      this.downstream.error(err);
      return;
    }
    this.downstream.complete();
  }

  private badTimestamp(element: Timestamped<I>): void {
    const error = new InvalidTimestampError(this.engine.name, element.timestamp, element.value);
    if (this.deadLetter === undefined) throw error;
    this.deadLetter({ operator: this.engine.name, input: element, error });
  }
}
