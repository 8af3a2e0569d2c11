import { asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';
import { InvalidTimestampError } from '../../../errors/InvalidTimestampError.js';
import { InvalidWatermarkError } from '../../../errors/InvalidWatermarkError.js';
import type { Barrier, Timestamped, WatermarkStatus } from '../../../time/elements.js';
import type { DeadLetter } from './deadLetter.js';
import type { Engine, ProcessingTime } from './engine.js';
import type { ChainContext, Stage, StageFactory } from './Stage.js';

/** @internal Options common to engine-backed operators. */
export interface EngineStageOptions {
  scheduler?: SchedulerLike | undefined;
  deadLetter?: ((letter: DeadLetter<Timestamped<unknown>>) => void) | undefined;
}

/**
 * @internal The adapter between an RxJS-free engine and a chain: one engine per
 * subscription (the operator is cold). It validates what the engine's contract assumes
 * (finite event timestamps, numeric watermarks), drives processing time through the
 * scheduler, and flushes with a `+Infinity` watermark when the input completes.
 */
export function engineStage<I, O>(makeEngine: () => Engine<I, O>, options: EngineStageOptions = {}): StageFactory<I, O> {
  return (down, ctx) => new EngineStage(makeEngine(), down, ctx, options);
}

class EngineStage<I, O> implements Stage<I>, ProcessingTime {
  private wakeTime = Infinity;
  private wakeAction: Subscription | undefined = undefined;
  private readonly scheduler: SchedulerLike;

  constructor(
    private readonly engine: Engine<I, O>,
    private readonly down: Stage<O>,
    private readonly ctx: ChainContext,
    private readonly options: EngineStageOptions,
  ) {
    this.scheduler = options.scheduler ?? asyncScheduler;
    ctx.subscriber.add(() => this.wakeAction?.unsubscribe());
    engine.open(down, this);
  }

  event(value: I, timestamp: number): void {
    if (typeof timestamp === 'number' && timestamp - timestamp === 0) this.engine.onEvent(value, timestamp);
    else this.badTimestamp(value, timestamp);
  }

  watermark(timestamp: number): void {
    if (timestamp !== timestamp || typeof timestamp !== 'number') throw new InvalidWatermarkError(this.engine.name, timestamp);
    this.engine.onWatermark(timestamp);
  }

  control(element: Barrier | WatermarkStatus): void {
    this.down.control(element);
  }

  finish(): void {
    this.engine.onWatermark(Infinity);
    this.down.finish();
  }

  now(): number {
    return this.scheduler.now();
  }

  wakeAt(time: number): void {
    if (time >= this.wakeTime || this.ctx.subscriber.closed) return;
    this.wakeAction?.unsubscribe();
    this.wakeTime = time;
    this.wakeAction = this.scheduler.schedule(() => {
      this.wakeTime = Infinity;
      this.wakeAction = undefined;
      this.ctx.step(() => this.engine.onProcessingTime!(this.scheduler.now()));
    }, Math.max(0, time - this.scheduler.now()));
  }

  private badTimestamp(value: I, timestamp: unknown): void {
    const error = new InvalidTimestampError(this.engine.name, timestamp, value);
    if (this.options.deadLetter === undefined) throw error;
    this.options.deadLetter({ operator: this.engine.name, input: { kind: 'event', value, timestamp: timestamp as number }, error });
  }
}
