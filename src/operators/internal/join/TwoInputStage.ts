import { Subscriber, asyncScheduler, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { InvalidTimestampError } from '../../../errors/InvalidTimestampError.js';
import { InvalidWatermarkError } from '../../../errors/InvalidWatermarkError.js';
import { StreamContractError } from '../../../errors/StreamContractError.js';
import type { Barrier, StreamElement, Timestamped, WatermarkStatus } from '../../../time/elements.js';
import type { DeadLetter } from '../chain/deadLetter.js';
import type { ProcessingTime, TwoInputEngine } from '../chain/engine.js';
import { ChainObservable, ELEMENTS } from '../chain/ChainObservable.js';
import type { ChainContext, Stage, StageFactory } from '../chain/Stage.js';
import { checkpointBarrier, type CheckpointedStage } from '../chain/checkpointBarrier.js';
import { SteppedStage } from '../chain/SteppedStage.js';
import type { StateBackend } from '../../../state/StateBackend.js';
import { BarrierAligner, END, type AlignmentTarget, type Held } from './BarrierAligner.js';
import type { Side } from './TwoInputCore.js';

/** @internal What the adapter of a two-input engine needs besides the engine. */
export interface TwoInputStageOptions {
  /** The operator's name; errors name the input: `intervalJoin (right input): …`. */
  readonly name: string;
  /** The operator's `id`: with one, it snapshots at each checkpoint barrier (see {@link ChainContext.snapshots}). */
  readonly id: string | undefined;
  readonly deadLetter: ((letter: DeadLetter<Timestamped<unknown>>) => void) | undefined;
  /** Processing time, for engines that ask for it. @defaultValue `asyncScheduler` */
  readonly scheduler?: SchedulerLike | undefined;
}

const LEFT = 0;
const RIGHT = 1;

/**
 * @internal The adapter between a two-input engine and a chain. The left input is the chain
 * itself: the stage is one of its stages, fed by the stage before it. The right input is
 * subscribed by the stage when the chain is subscribed (before the chain's root, as
 * `withLatestFrom` subscribes its other inputs first), chained to the same downstream subscriber
 * (so `take(1)` and unsubscribing end both) and run in the chain's {@link ChainContext}: each of
 * its notifications is one step, and one that arrives while a step runs waits for it.
 *
 * The stage checks the right input's stream contract (the left's is checked where the chain
 * meets RxJS), refuses bad timestamps (`InvalidTimestampError`, or the dead-letter route), aligns
 * barriers ({@link BarrierAligner}) and takes the snapshot for the checkpoint hook — barriers never
 * reach the engine, which only sees status changes. Completion: each input's end is a `+Infinity`
 * watermark to the engine; the stage finishes the rest of the chain, and the output completes,
 * once both inputs have ended (it holds the chain's completion meanwhile).
 */
export function twoInputStage<L, R, O>(right: Observable<StreamElement<R>>, makeEngine: (backend?: StateBackend) => TwoInputEngine<L, R, O>, options: TwoInputStageOptions): StageFactory<L, O> {
  return (down, ctx) => new TwoInputStage<L, R, O>(makeEngine, right, down, ctx, options);
}

class TwoInputStage<L, R, O> implements Stage<L>, ProcessingTime, AlignmentTarget, CheckpointedStage {
  private engine: TwoInputEngine<L, R, O>;
  /** The restore barrier this stage has restored from (its other input's is not forwarded). */
  restoredBy: unknown = undefined;
  private readonly aligner = new BarrierAligner(this);
  private readonly names: readonly [string, string];
  private leftDone = false;
  private rightDone = false;
  private finished = false;
  /** The right input's watermark, for its stream contract. */
  private rightWm = -Infinity;
  private wakeTime = Infinity;
  private wakeAction: Subscription | undefined = undefined;

  constructor(
    private readonly makeEngine: (backend?: StateBackend) => TwoInputEngine<L, R, O>,
    right: Observable<StreamElement<R>>,
    private readonly down: Stage<O>,
    private readonly ctx: ChainContext,
    private readonly options: TwoInputStageOptions,
  ) {
    this.names = [`${options.name} (left input)`, `${options.name} (right input)`];
    ctx.hold();
    ctx.subscriber.add(() => this.wakeAction?.unsubscribe());
    this.engine = makeEngine();
    this.engine.open(down, this);
    const input = new RightInput<R>(ctx, this);
    // A right input that is a chain of tidemark operators ends in this stage instead of in element
    // objects: its events and watermarks come as calls, each a step of this chain.
    if (right instanceof ChainObservable && right.terminal === ELEMENTS) {
      const calls: Stage<R> = {
        event: (value, timestamp) => this.rightEvent(value, timestamp),
        watermark: (timestamp) => this.rightWatermark(timestamp),
        control: (element) => this.rightElement(element),
        // Its end comes through its subscriber (RightInput).
        finish: () => {},
      };
      new ChainObservable<StreamElement<R>>(right.root, right.entry, right.stages, () => new SteppedStage<R>(ctx, calls)).subscribe(input);
    } else right.subscribe(input);
  }

  // --- the left input: the chain -------------------------------------------------------

  event(value: L, timestamp: number): void {
    if (!(typeof timestamp === 'number' && timestamp - timestamp === 0)) return this.badTimestamp(LEFT, value, timestamp, undefined);
    if (this.aligner.holds(LEFT)) return this.aligner.hold(LEFT, { kind: 'event', value, timestamp });
    this.engine.onEvent1(value, timestamp);
  }

  watermark(timestamp: number): void {
    if (timestamp !== timestamp || typeof timestamp !== 'number') throw new InvalidWatermarkError(this.names[LEFT], timestamp);
    if (this.aligner.holds(LEFT)) return this.aligner.hold(LEFT, { kind: 'watermark', timestamp });
    this.engine.onWatermark1(timestamp);
  }

  control(element: Barrier | WatermarkStatus): void {
    if (element.kind === 'barrier' && element.checkpoint?.phase === 'restore') return this.restoreBarrier(element);
    if (this.aligner.holds(LEFT)) return this.aligner.hold(LEFT, element);
    this.process(LEFT, element);
  }

  finish(): void {
    if (this.aligner.holds(LEFT)) return this.aligner.hold(LEFT, END);
    this.process(LEFT, END);
  }

  // --- the right input: its own subscription ---------------------------------------------

  /** @internal One element of the right input (a step of the chain). */
  rightElement(element: StreamElement<R>): void {
    const name = this.names[RIGHT];
    switch ((element as Partial<StreamElement<R>> | null | undefined)?.kind) {
      case 'event': {
        const e = element as Timestamped<R>;
        if (this.rightWm === Infinity) throw new StreamContractError(name, 'event-after-end-of-time', element);
        const t = e.timestamp;
        if (!(typeof t === 'number' && t - t === 0)) return this.badTimestamp(RIGHT, e.value, t, e);
        break;
      }
      case 'watermark': {
        const t = (element as { timestamp: number }).timestamp;
        if (typeof t !== 'number' || t !== t) throw new InvalidWatermarkError(name, t);
        if (t < this.rightWm) throw new StreamContractError(name, 'watermark-regression', element, this.rightWm);
        this.rightWm = t;
        break;
      }
      case 'barrier':
      case 'status':
        break;
      default:
        throw new StreamContractError(name, 'not-an-element', element);
    }
    if (element.kind === 'barrier' && element.checkpoint?.phase === 'restore') this.restoreBarrier(element);
    else if (this.aligner.holds(RIGHT)) this.aligner.hold(RIGHT, element);
    else this.process(RIGHT, element);
  }

  /** @internal An event of a right input that is a chain (a step of the chain): a chain keeps the stream contract. */
  rightEvent(value: R, timestamp: number): void {
    if (!(typeof timestamp === 'number' && timestamp - timestamp === 0)) return this.badTimestamp(RIGHT, value, timestamp, undefined);
    if (this.aligner.holds(RIGHT)) this.aligner.hold(RIGHT, { kind: 'event', value, timestamp });
    else this.engine.onEvent2(value, timestamp);
  }

  /** @internal A watermark of a right input that is a chain (a step of the chain). */
  rightWatermark(timestamp: number): void {
    if (typeof timestamp !== 'number' || timestamp !== timestamp) throw new InvalidWatermarkError(this.names[RIGHT], timestamp);
    this.rightWm = timestamp;
    if (this.aligner.holds(RIGHT)) this.aligner.hold(RIGHT, { kind: 'watermark', timestamp });
    else this.engine.onWatermark2(timestamp);
  }

  /** The restore barrier is not aligned: the first input to deliver it restores the engine, before any element. */
  private restoreBarrier(barrier: Barrier): void {
    if (checkpointBarrier(this, barrier.checkpoint!)) this.down.control(barrier);
  }

  /** @internal {@link CheckpointedStage} */
  get checkpointId(): string | undefined {
    return this.options.id;
  }

  /** @internal {@link CheckpointedStage} */
  get checkpointEngine(): TwoInputEngine<L, R, O> {
    return this.engine;
  }

  /** @internal {@link CheckpointedStage}: the restore barrier comes before any element. */
  useBackend(backend: StateBackend): void {
    this.engine = this.makeEngine(backend);
    this.engine.open(this.down, this);
  }

  /** @internal The right input completed (a step of the chain). */
  rightComplete(): void {
    if (this.aligner.holds(RIGHT)) this.aligner.hold(RIGHT, END);
    else this.process(RIGHT, END);
  }

  // --- both inputs, once not held (AlignmentTarget) ------------------------------------------

  process(side: Side, item: Held): void {
    const engine = this.engine;
    if (item === END) return this.end(side);
    switch (item.kind) {
      case 'event':
        return side === LEFT ? engine.onEvent1(item.value as L, item.timestamp, item as Timestamped<L>) : engine.onEvent2(item.value as R, item.timestamp, item as Timestamped<R>);
      case 'watermark':
        return side === LEFT ? engine.onWatermark1(item.timestamp) : engine.onWatermark2(item.timestamp);
      case 'barrier':
        return this.aligner.barrier(side, item);
      case 'status': {
        const onControl = side === LEFT ? engine.onControl1 : engine.onControl2;
        if (onControl === undefined) return this.down.control(item);
        return onControl.call(engine, item);
      }
    }
  }

  aligned(barrier: Barrier): void {
    const { id } = this.options;
    const sink = this.ctx.snapshots;
    if (barrier.checkpoint !== undefined) checkpointBarrier(this, barrier.checkpoint);
    else if (id !== undefined && sink !== undefined && this.engine.snapshot !== undefined) sink(id, barrier.checkpointId, this.engine.snapshot());
    this.down.control(barrier);
  }

  isDone(side: Side): boolean {
    return side === LEFT ? this.leftDone : this.rightDone;
  }

  private end(side: Side): void {
    if (side === LEFT) {
      this.leftDone = true;
      this.engine.onWatermark1(Infinity);
    } else {
      this.rightDone = true;
      this.engine.onWatermark2(Infinity);
    }
    this.aligner.done(side);
    if (this.leftDone && this.rightDone && !this.finished) {
      this.finished = true;
      this.down.finish();
    }
    // The left input's end is the chain root's: the chain entry completes the output after it.
    if (side === RIGHT) this.ctx.release();
  }

  private badTimestamp(side: Side, value: unknown, timestamp: unknown, element: Timestamped<unknown> | undefined): void {
    const name = this.names[side];
    const error = new InvalidTimestampError(name, timestamp, value);
    if (this.options.deadLetter === undefined) throw error;
    this.options.deadLetter({ operator: name, input: element ?? { kind: 'event', value, timestamp: timestamp as number }, error });
  }

  // --- processing time (ProcessingTime) --------------------------------------------------

  now(): number {
    return (this.options.scheduler ?? asyncScheduler).now();
  }

  wakeAt(time: number): void {
    if (time >= this.wakeTime || this.ctx.subscriber.closed) return;
    const scheduler = this.options.scheduler ?? asyncScheduler;
    this.wakeAction?.unsubscribe();
    this.wakeTime = time;
    this.wakeAction = scheduler.schedule(() => {
      this.wakeTime = Infinity;
      this.wakeAction = undefined;
      this.ctx.step(() => this.engine.onProcessingTime?.(scheduler.now()));
    }, Math.max(0, time - scheduler.now()));
  }
}

/**
 * @internal The right input's subscriber: chained to the chain's downstream subscriber (so
 * unsubscribing or a `take` ends it too), each notification one step of the chain.
 */
class RightInput<R> extends Subscriber<StreamElement<R>> {
  constructor(
    private readonly ctx: ChainContext,
    private readonly stage: { rightElement(element: StreamElement<R>): void; rightComplete(): void },
  ) {
    super(ctx.subscriber);
  }

  protected override _next(element: StreamElement<R>): void {
    const ctx = this.ctx;
    if (ctx.busy) return this.nextLater(element);
    ctx.busy = true;
    try {
      this.stage.rightElement(element);
    } catch (err) {
      ctx.subscriber.error(err);
    } finally {
      ctx.busy = false;
    }
    if (ctx.hasWaiting) ctx.drain();
  }

  // Not inlined into _next: a closure there would make V8 allocate a context on every call.
  private nextLater(element: StreamElement<R>): void {
    this.ctx.later(() => this._next(element));
  }

  protected override _complete(): void {
    this.unsubscribe();
    this.ctx.step(() => this.stage.rightComplete());
  }

  protected override _error(err: unknown): void {
    this.ctx.step(() => this.ctx.subscriber.error(err));
  }
}
