import { Subject, type Observable, type Subscription } from 'rxjs';
import {
  InvalidTimestampError,
  InvalidWatermarkError,
  TidemarkError,
  type Collector,
  type ControlElement,
  type OperatorSnapshot,
  type ProcessingTime,
  type StreamElement,
  type Timestamped,
  type TwoInputEngine,
} from 'tidemark';
import { EngineHost } from './internal/EngineHost.js';
import { refuseSnapshotOptions, restoreEngine, snapshotEngine, type HarnessSnapshotOptions } from './internal/engineSnapshots.js';
import { HarnessBase, type HarnessClockOptions } from './internal/HarnessBase.js';
import { LateRecorder } from './internal/LateRecorder.js';
import { feedMarbles } from './internal/feedMarbles.js';
import type { MarbleOptions, parseMarbles } from './parseMarbles.js';
import type { VirtualClock } from './VirtualClock.js';

const API = 'TwoInputHarness';

// The engine shape the harness drives lives in core (the joins' engines are such engines);
// it is re-exported here, where it was first defined.
export type { TwoInputEngine } from 'tidemark';

/**
 * What a {@link TwoInputHarness} hands the pipeline it builds: the clock and a late-event
 * recorder per input.
 *
 * @example
 * ```ts
 * import { map } from 'rxjs';
 * import { mergeEventTime } from 'tidemark';
 * import type { TwoInputContext, TwoInputPipeline } from 'tidemark/testing';
 *
 * const merged: TwoInputPipeline<number, number, number> = {
 *   operator: (left, right, ctx: TwoInputContext<number, number>) => mergeEventTime(left, right).pipe(map((e) => e)),
 * };
 * ```
 */
export interface TwoInputContext<L, R> {
  /** Processing time: a {@link VirtualClock} (an RxJS `SchedulerLike`). */
  readonly clock: VirtualClock;
  /** Records a late event of the left input (its late side output). */
  readonly lateLeft: (event: Timestamped<L>) => void;
  /** Records a late event of the right input (its late side output). */
  readonly lateRight: (event: Timestamped<R>) => void;
}

/**
 * A two-input pipeline: a {@link TwoInputEngine} factory, or a function of the two input
 * streams (for example `(left, right) => mergeEventTime(left, right)`).
 *
 * @example
 * ```ts
 * import { mergeEventTime } from 'tidemark';
 * import type { TwoInputPipeline } from 'tidemark/testing';
 *
 * const merged: TwoInputPipeline<string, string, string> = { operator: (left, right) => mergeEventTime(left, right) };
 * ```
 */
export type TwoInputPipeline<L, R, O> =
  | {
      /** Makes a fresh engine; called once per harness. */
      readonly engine: (context: TwoInputContext<L, R>) => TwoInputEngine<L, R, O>;
    }
  | {
      /** Builds the operator from the two input streams; called once per harness. */
      readonly operator: (
        left: Observable<StreamElement<L>>,
        right: Observable<StreamElement<R>>,
        context: TwoInputContext<L, R>,
      ) => Observable<StreamElement<O>>;
    };

/**
 * One input of a {@link TwoInputHarness}: what you push into it.
 *
 * @example
 * ```ts
 * import { mergeEventTime } from 'tidemark';
 * import { TwoInputHarness, type HarnessInput } from 'tidemark/testing';
 *
 * const h = new TwoInputHarness<string, string, string>({ operator: (l, r) => mergeEventTime(l, r) });
 * const left: HarnessInput<string> = h.left;
 * left.pushEvent('a', 1).pushWatermark(5);
 * ```
 */
export interface HarnessInput<T> {
  /** Pushes an event into this input. */
  pushEvent(value: T, timestamp: number): this;
  /** Pushes a watermark into this input. */
  pushWatermark(timestamp: number): this;
  /** Pushes elements (events, watermarks, barriers, status changes) into this input, in order. */
  push(...elements: StreamElement<T>[]): this;
  /**
   * Marbles (grammar of {@link parseMarbles}): `~<ms>` advances the shared clock, `|` completes
   * this input, `#` fails it with `options.error` (default `new Error('marble error')`).
   */
  pushMarbles(text: string, values?: Readonly<Record<string, T>>, options?: MarbleOptions): this;
  /** Fails this input with `error` (an upstream error). */
  pushError(error: unknown): this;
  /** Completes this input (an engine gets `+Infinity` on it). */
  complete(): this;
  /** Whether this input completed. */
  readonly completed: boolean;
}

/**
 * Options of {@link TwoInputHarness}: as for `OperatorHarness`, the clock, a `snapshot`
 * to restore and whether snapshots are deep-copied (`cloneSnapshots`, default true).
 *
 * @example
 * ```ts
 * import { VirtualClock, type TwoInputHarnessOptions } from 'tidemark/testing';
 *
 * const options: TwoInputHarnessOptions = { clock: new VirtualClock(500) };
 * ```
 */
export interface TwoInputHarnessOptions extends HarnessClockOptions, HarnessSnapshotOptions {}

/**
 * Drives a two-input event-time operator by hand (Flink's `TwoInputStreamOperatorTestHarness`):
 * push into {@link TwoInputHarness.left} and {@link TwoInputHarness.right}, advance the
 * clock, read the output. The output completes when the pipeline completes (for an engine:
 * when both inputs have). Everything else is as in {@link OperatorHarness}.
 *
 * ```
 * left:   a@1 W5            |
 * right:         b@2 W3         W7 |
 * output: a@1    b@2 W3         W7 W+inf |        mergeEventTime (the minimum of both)
 * ```
 *
 * @example
 * ```ts
 * import { mergeEventTime } from 'tidemark';
 * import { TwoInputHarness, expectMarbles } from 'tidemark/testing';
 *
 * const h = new TwoInputHarness<string, string, string>({ operator: (left, right) => mergeEventTime(left, right) });
 * h.left.pushMarbles('a@1 W5');
 * h.right.pushMarbles('b@2 W3');
 * h.left.complete();
 * h.right.pushMarbles('W7 |');
 * expectMarbles(h, 'a@1 b@2 W3 W7 W+inf |');
 * ```
 */
export class TwoInputHarness<L, R, O> extends HarnessBase<O> {
  /** The left input (input 1). */
  readonly left: HarnessInput<L>;
  /** The right input (input 2). */
  readonly right: HarnessInput<R>;
  /** The engine under test (engine pipelines), to inspect; `undefined` for operator pipelines. */
  readonly engine: TwoInputEngine<L, R, O> | undefined;
  private readonly lateL = new LateRecorder<Timestamped<L>>();
  private readonly lateR = new LateRecorder<Timestamped<R>>();
  private readonly host: EngineHost<O> | undefined;
  private readonly subscription: Subscription | undefined;

  /**
   * Builds the pipeline and opens it (then restores `options.snapshot`, if given).
   * @throws TidemarkError when a snapshot is given for an operator pipeline or an engine without `restore`.
   */
  constructor(
    pipeline: TwoInputPipeline<L, R, O>,
    private readonly options: TwoInputHarnessOptions = {},
  ) {
    super(API, options);
    const context: TwoInputContext<L, R> = {
      clock: this.clock,
      lateLeft: this.lateL.record,
      lateRight: this.lateR.record,
    };
    if ('engine' in pipeline) {
      const engine = pipeline.engine(context);
      this.engine = engine;
      const host = (this.host = new EngineHost<O>(this.clock, (e) => this.emit(e), (now) => this.wake(now)));
      engine.open(host, host);
      restoreEngine(API, engine, options);
      let open = 2;
      const done = () => {
        if (--open === 0) this.markCompleted();
      };
      this.left = new EngineInput<L>(this, 'left', {
        element: (e) => this.dispatch(e, engine.name, (v, t, el) => engine.onEvent1(v, t, el), (t) => engine.onWatermark1(t), engine.onControl1?.bind(engine)),
        error: (err) => this.markFailed(err),
        complete: () => {
          engine.onWatermark1(Infinity);
          done();
        },
      });
      this.right = new EngineInput<R>(this, 'right', {
        element: (e) => this.dispatch(e, engine.name, (v, t, el) => engine.onEvent2(v, t, el), (t) => engine.onWatermark2(t), engine.onControl2?.bind(engine)),
        error: (err) => this.markFailed(err),
        complete: () => {
          engine.onWatermark2(Infinity);
          done();
        },
      });
    } else {
      refuseSnapshotOptions(API, options);
      this.engine = undefined;
      const left = new Subject<StreamElement<L>>();
      const right = new Subject<StreamElement<R>>();
      this.left = new EngineInput<L>(this, 'left', { element: (e) => left.next(e), error: (err) => left.error(err), complete: () => left.complete() });
      this.right = new EngineInput<R>(this, 'right', { element: (e) => right.next(e), error: (err) => right.error(err), complete: () => right.complete() });
      this.subscription = this.record(pipeline.operator(left.asObservable(), right.asObservable(), context));
    }
  }

  /** The left input's late side output (what the pipeline handed to `context.lateLeft`), since the last {@link TwoInputHarness.takeLateLeft}. */
  get lateLeft(): readonly Timestamped<L>[] {
    return this.lateL.recorded;
  }

  /** The right input's late side output, since the last {@link TwoInputHarness.takeLateRight}. */
  get lateRight(): readonly Timestamped<R>[] {
    return this.lateR.recorded;
  }

  /** Returns the left late side output recorded so far and clears it (as `take()` does for the output). */
  takeLateLeft(): Timestamped<L>[] {
    return this.lateL.take();
  }

  /** Returns the right late side output recorded so far and clears it. */
  takeLateRight(): Timestamped<R>[] {
    return this.lateR.take();
  }

  /**
   * The engine's state as plain data, to restore with `new TwoInputHarness(pipeline, { snapshot })`;
   * deep-copied unless the harness was made with `cloneSnapshots: false`.
   * @throws TidemarkError for operator pipelines and engines without `snapshot()`.
   */
  snapshot(): OperatorSnapshot {
    return snapshotEngine(API, this.engine, this.options);
  }

  /** @internal Lets an input run guarded, failure-recording calls. */
  run(what: string, fn: () => void): void {
    this.guard(what);
    this.attempt(fn);
  }

  /** @internal Lets an input fail the run (an upstream error), which is not an operator failure to throw. */
  fail(what: string, fn: () => void): void {
    this.guard(what);
    fn();
  }

  protected teardown(): void {
    this.host?.close();
    this.subscription?.unsubscribe();
  }

  private dispatch<T>(
    element: StreamElement<T>,
    name: string,
    onEvent: (v: T, t: number, el: Timestamped<T>) => void,
    onWatermark: (t: number) => void,
    onControl: ((el: ControlElement) => void) | undefined,
  ): void {
    if (element.kind === 'event') {
      const t = element.timestamp;
      if (typeof t !== 'number' || t - t !== 0) throw new InvalidTimestampError(name, t, element.value);
      onEvent(element.value, t, element);
    } else if (element.kind === 'watermark') {
      const t = element.timestamp;
      if (typeof t !== 'number' || t !== t) throw new InvalidWatermarkError(name, t);
      onWatermark(t);
    } else if (onControl !== undefined) {
      onControl(element);
    } else {
      this.emit(element);
    }
  }

  private wake(now: number): void {
    try {
      this.engine!.onProcessingTime?.(now);
    } catch (err) {
      this.markFailed(err);
      throw err;
    }
  }
}

interface InputOwner {
  run(what: string, fn: () => void): void;
  fail(what: string, fn: () => void): void;
  advanceBy(ms: number): unknown;
}

interface InputSink<T> {
  element(e: StreamElement<T>): void;
  error(err: unknown): void;
  complete(): void;
}

class EngineInput<T> implements HarnessInput<T> {
  private done = false;

  constructor(
    private readonly harness: InputOwner,
    private readonly side: 'left' | 'right',
    private readonly sink: InputSink<T>,
  ) {}

  get completed(): boolean {
    return this.done;
  }

  pushEvent(value: T, timestamp: number): this {
    return this.push({ kind: 'event', value, timestamp });
  }

  pushWatermark(timestamp: number): this {
    return this.push({ kind: 'watermark', timestamp });
  }

  push(...elements: StreamElement<T>[]): this {
    for (const e of elements) {
      this.check('push');
      this.harness.run(`${this.side}.push`, () => this.sink.element(e));
    }
    return this;
  }

  pushMarbles(text: string, values?: Readonly<Record<string, T>>, options?: MarbleOptions): this {
    feedMarbles({ push: (e) => this.push(e), advanceBy: (ms) => this.harness.advanceBy(ms), complete: () => this.complete(), pushError: (err) => this.pushError(err) }, text, values, options);
    return this;
  }

  pushError(error: unknown): this {
    this.check('pushError');
    this.harness.fail(`${this.side}.pushError`, () => this.sink.error(error));
    return this;
  }

  complete(): this {
    this.check('complete');
    this.done = true;
    this.harness.run(`${this.side}.complete`, () => this.sink.complete());
    return this;
  }

  private check(what: string): void {
    if (this.done) throw new TidemarkError(`${API}.${this.side}.${what}: the ${this.side} input already completed`);
  }
}
