import { Subject, type Subscription } from 'rxjs';
import { InvalidArgumentError, type Timestamped } from 'tidemark';
import { HarnessBase, type HarnessClockOptions } from './internal/HarnessBase.js';
import { LateRecorder } from './internal/LateRecorder.js';
import type { PipelineContext, ValuePipeline } from './Pipeline.js';

const API = 'ValueHarness';

/**
 * Options of {@link ValueHarness}: the processing-time clock (`clock`, or a new one at `startTime`).
 *
 * @example
 * ```ts
 * import { VirtualClock, type ValueHarnessOptions } from 'tidemark/testing';
 *
 * const options: ValueHarnessOptions = { clock: new VirtualClock(1_000) };
 * ```
 */
export interface ValueHarnessOptions extends HarnessClockOptions {}

/**
 * Drives a pipeline whose input is plain values — one that starts with `withEventTime` — by
 * hand: push values, advance the clock, read the event-time output (`output`, `outputAt`,
 * `take()`, `toMarbles()`, `expectMarbles`). The sibling of {@link OperatorHarness}, whose input
 * is already event time; here timestamps and watermarks are the pipeline's to make, which is
 * what a test of watermark emission or idleness checks. Input calls are synchronous; a call
 * during which the pipeline fails throws that error. Pipelines are operators only (there is no
 * engine, and so no snapshot, for `withEventTime`).
 *
 * ```
 * push({at:1}) ~60 push({at:2}) ~150 push({at:3}) complete()
 *   →  a@1 W0 ~60 b@2 W1 ~100 idle ~50 active c@3 W2 W+inf |      withEventTime, idleTimeout 100
 * ```
 *
 * @example
 * ```ts
 * import { withEventTime } from 'tidemark';
 * import { ValueHarness, expectMarbles } from 'tidemark/testing';
 *
 * interface Row { at: number }
 * const h = new ValueHarness<Row, Row>({ operator: (ctx) => withEventTime({ timestamp: (r) => r.at, idleTimeout: 100, scheduler: ctx.clock }) });
 * h.push({ at: 1 }).advanceBy(60).push({ at: 2 }).advanceBy(150).push({ at: 3 }).complete();
 * expectMarbles(h, 'a@1 W0 ~60 b@2 W1 ~100 idle ~50 active c@3 W2 W+inf |', { a: { at: 1 }, b: { at: 2 }, c: { at: 3 } });
 * ```
 */
export class ValueHarness<I, O> extends HarnessBase<O> {
  private readonly lateOutput = new LateRecorder<Timestamped<I>>();
  private readonly input = new Subject<I>();
  private readonly subscription: Subscription | undefined;

  /**
   * Builds the pipeline and subscribes to it.
   * @throws InvalidArgumentError when `pipeline` is not `{ operator }`.
   */
  constructor(pipeline: ValuePipeline<I, O>, options: ValueHarnessOptions = {}) {
    super(API, options);
    if (pipeline === null || typeof pipeline !== 'object' || typeof pipeline.operator !== 'function') {
      throw new InvalidArgumentError(
        `${API}: the pipeline must be { operator: (ctx) => OperatorFunction<I, StreamElement<O>> }, such as withEventTime(config); ` +
          'for an engine or an operator on event-time input, use OperatorHarness',
      );
    }
    const context: PipelineContext<I> = { clock: this.clock, late: this.lateOutput.record };
    this.subscription = this.record(this.input.pipe(pipeline.operator(context)));
  }

  /** The late side output: events the pipeline handed to `context.late`, in order (since the last {@link ValueHarness.takeLate}). */
  get late(): readonly Timestamped<I>[] {
    return this.lateOutput.recorded;
  }

  /** Returns the late side output recorded so far and clears it, as {@link ValueHarness.take} does for the output. */
  takeLate(): Timestamped<I>[] {
    return this.lateOutput.take();
  }

  /** Pushes values, in order, at the current processing time. */
  push(...values: I[]): this {
    for (const value of values) {
      this.guard('push');
      this.attempt(() => this.input.next(value));
    }
    return this;
  }

  /** Fails the input with `error` (an upstream error); the pipeline passes it on. */
  pushError(error: unknown): this {
    this.guard('pushError');
    this.input.error(error);
    return this;
  }

  /** Completes the input (`withEventTime` then emits its final `+Infinity` watermark). */
  complete(): this {
    this.guard('complete');
    return this.attempt(() => this.input.complete());
  }

  protected teardown(): void {
    this.subscription?.unsubscribe();
  }
}
