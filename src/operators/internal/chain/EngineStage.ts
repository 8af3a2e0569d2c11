import { asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';
import { InvalidTimestampError } from '../../../errors/InvalidTimestampError.js';
import { InvalidWatermarkError } from '../../../errors/InvalidWatermarkError.js';
import type { StateBackend } from '../../../state/StateBackend.js';
import type { Barrier, Timestamped, WatermarkStatus } from '../../../time/elements.js';
import { checkpointBarrier, type CheckpointedStage } from './checkpointBarrier.js';
import type { DeadLetter } from './deadLetter.js';
import type { Engine, ProcessingTime } from './engine.js';
import type { ChainContext, Stage, StageFactory } from './Stage.js';

/** @internal Options common to engine-backed operators. */
export interface EngineStageOptions {
  scheduler?: SchedulerLike | undefined;
  deadLetter?: ((letter: DeadLetter<Timestamped<unknown>>) => void) | undefined;
  /** The operator's `id`: with one, it restores and snapshots at the barriers of {@link checkpoints}. */
  id?: string | undefined;
}

/**
 * @internal The adapter between an RxJS-free engine and a chain: one engine per
 * subscription (the operator is cold). It validates what the engine's contract assumes
 * (finite event timestamps, numeric watermarks), drives processing time through the
 * scheduler, and flushes with a `+Infinity` watermark when the input completes.
 */
export function engineStage<I, O>(makeEngine: (backend?: StateBackend) => Engine<I, O>, options: EngineStageOptions = {}): StageFactory<I, O> {
  return (down, ctx) => new EngineStage(makeEngine, down, ctx, options);
}

class EngineStage<I, O> implements Stage<I>, ProcessingTime, CheckpointedStage {
  private engine: Engine<I, O>;
  /** The restore barrier this stage has restored from (it ignores it on a second input). */
  restoredBy: unknown = undefined;
  private wakeTime = Infinity;
  private wakeAction: Subscription | undefined = undefined;
  private readonly scheduler: SchedulerLike;

  constructor(
    private readonly makeEngine: (backend?: StateBackend) => Engine<I, O>,
    private readonly down: Stage<O>,
    private readonly ctx: ChainContext,
    private readonly options: EngineStageOptions,
  ) {
    this.scheduler = options.scheduler ?? asyncScheduler;
    ctx.subscriber.add(() => this.wakeAction?.unsubscribe());
    this.engine = makeEngine();
    this.engine.open(down, this);
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
    if (element.kind === 'barrier' && element.checkpoint !== undefined && !checkpointBarrier(this, element.checkpoint)) return;
    this.down.control(element);
  }

  /** @internal {@link CheckpointedStage} */
  get checkpointId(): string | undefined {
    return this.options.id;
  }

  /** @internal {@link CheckpointedStage} */
  get checkpointEngine(): Engine<I, O> {
    return this.engine;
  }

  /** @internal {@link CheckpointedStage}: the restore barrier comes before any element, so nothing is lost. */
  useBackend(backend: StateBackend): void {
    this.engine = this.makeEngine(backend);
    this.engine.open(this.down, this);
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
