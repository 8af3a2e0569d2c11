import { Subject, type Subscription } from 'rxjs';
import {
  InvalidTimestampError,
  InvalidWatermarkError,
  type Engine,
  type OperatorSnapshot,
  type StreamElement,
  type Timestamped,
} from 'tidemark';
import { EngineHost } from './internal/EngineHost.js';
import { refuseSnapshotOptions, restoreEngine, snapshotEngine, type HarnessSnapshotOptions } from './internal/engineSnapshots.js';
import { HarnessBase, type HarnessClockOptions } from './internal/HarnessBase.js';
import { LateRecorder } from './internal/LateRecorder.js';
import { feedMarbles } from './internal/feedMarbles.js';
import type { MarbleOptions, parseMarbles } from './parseMarbles.js';
import type { Pipeline, PipelineContext } from './Pipeline.js';
import type { ValueHarness } from './ValueHarness.js';

const API = 'OperatorHarness';

/**
 * Options of {@link OperatorHarness}: the clock (`clock`, or a new one at `startTime`), a
 * `snapshot` to restore, and whether snapshots are deep-copied (`cloneSnapshots`, default true).
 *
 * @example
 * ```ts
 * import { count, tumbling, windowAggregateEngine } from 'tidemark';
 * import { OperatorHarness, type OperatorHarnessOptions } from 'tidemark/testing';
 *
 * const h = new OperatorHarness({ engine: windowAggregateEngine<string>({ window: tumbling(10), aggregate: count() }) }, { startTime: 1_000 });
 * const options: OperatorHarnessOptions = { snapshot: h.snapshot(), startTime: h.clock.now() };
 * const restored = new OperatorHarness({ engine: windowAggregateEngine<string>({ window: tumbling(10), aggregate: count() }) }, options);
 * // Without the deep copies: the snapshot is the engine's own object, to catch aliasing.
 * const raw = new OperatorHarness({ engine: windowAggregateEngine<string>({ window: tumbling(10), aggregate: count() }) }, { cloneSnapshots: false });
 * const snapshot = raw.pushEvent('a', 1).snapshot();
 * const taken = JSON.stringify(snapshot);
 * raw.pushEvent('b', 2);
 * JSON.stringify(snapshot) === taken; // true: snapshot() did not hand out the engine's live state
 * ```
 */
export interface OperatorHarnessOptions extends HarnessClockOptions, HarnessSnapshotOptions {}

/**
 * Drives one event-time operator by hand, as Flink's `OneInputStreamOperatorTestHarness`:
 * push events and watermarks, advance processing time, snapshot, restore into a fresh
 * instance, and read what came out, as `{ kind: 'event', value, timestamp }` and
 * `{ kind: 'watermark', timestamp }` elements, and when (`outputAt`), plus the late side output
 * when the pipeline wires `context.late`. For a pipeline whose input is plain values
 * (`withEventTime`), use {@link ValueHarness}.
 *
 * The pipeline is an engine (`{ engine }`, driven as the `pipe()` adapter drives it: non-finite
 * event timestamps and NaN watermarks are rejected with the adapter's errors, `complete()`
 * sends the final `+Infinity` watermark) or an RxJS operator (`{ operator }`, fed through a
 * `Subject`). Either way it runs on {@link OperatorHarness.clock}, a {@link VirtualClock}.
 * Input calls are synchronous; a call during which the operator fails throws that error.
 *
 * ```
 * pushEvent(a, 1) pushEvent(b, 12) pushWatermark(9)   →  output: R[0,10)@9 W9     tumbling(10), count()
 * ```
 *
 * @example
 * ```ts
 * import { count, tumbling, windowAggregateEngine } from 'tidemark';
 * import { OperatorHarness } from 'tidemark/testing';
 *
 * const h = new OperatorHarness({ engine: (ctx) => windowAggregateEngine<string>({ window: tumbling(10), aggregate: count(), late: ctx.late })() });
 * h.pushEvent('a', 1).pushEvent('b', 12).pushWatermark(9);
 * h.values();    // [{ key: undefined, start: 0, end: 10, value: 1, firing: 'on-time' }]
 * const saved = h.snapshot();
 * const again = new OperatorHarness({ engine: windowAggregateEngine<string>({ window: tumbling(10), aggregate: count() }) }, { snapshot: saved });
 * again.pushEvent('c', 3).complete(); // c@3 is late: it goes to the late side output, if wired
 * again.values(); // [{ key: undefined, start: 10, end: 20, value: 1, firing: 'on-time' }]
 * ```
 */
export class OperatorHarness<I, O> extends HarnessBase<O> {
  /** The engine under test (engine pipelines), to inspect; `undefined` for operator pipelines. */
  readonly engine: Engine<I, O> | undefined;
  private readonly lateOutput = new LateRecorder<Timestamped<I>>();
  private readonly host: EngineHost<O> | undefined;
  private readonly input: Subject<StreamElement<I>> | undefined;
  private readonly subscription: Subscription | undefined;

  /**
   * Builds the pipeline and opens it (then restores `options.snapshot`, if given).
   * @throws TidemarkError when `options.snapshot` is given for an operator pipeline or an engine without `restore`.
   */
  constructor(
    pipeline: Pipeline<I, O>,
    private readonly options: OperatorHarnessOptions = {},
  ) {
    super(API, options);
    const context: PipelineContext<I> = { clock: this.clock, late: this.lateOutput.record };
    if ('engine' in pipeline) {
      const engine = pipeline.engine(context);
      this.engine = engine;
      this.host = new EngineHost<O>(this.clock, (e) => this.emit(e), (now) => this.wake(now));
      engine.open(this.host, this.host);
      restoreEngine(API, engine, options);
    } else {
      refuseSnapshotOptions(API, options);
      this.engine = undefined;
      this.input = new Subject<StreamElement<I>>();
      this.subscription = this.record(this.input.pipe(pipeline.operator(context)));
    }
  }

  /** The late side output: events the operator handed to `context.late`, in order (since the last {@link OperatorHarness.takeLate}). */
  get late(): readonly Timestamped<I>[] {
    return this.lateOutput.recorded;
  }

  /** Returns the late side output recorded so far and clears it, as {@link OperatorHarness.take} does for the output. */
  takeLate(): Timestamped<I>[] {
    return this.lateOutput.take();
  }

  /** Pushes an event. */
  pushEvent(value: I, timestamp: number): this {
    return this.push({ kind: 'event', value, timestamp });
  }

  /** Pushes a watermark. */
  pushWatermark(timestamp: number): this {
    return this.push({ kind: 'watermark', timestamp });
  }

  /** Pushes elements (events, watermarks, barriers, status changes), in order. */
  push(...elements: StreamElement<I>[]): this {
    for (const element of elements) {
      this.guard('push');
      this.attempt(() => this.dispatch(element));
    }
    return this;
  }

  /**
   * Pushes marbles (the grammar of {@link parseMarbles}): elements in order, `~<ms>` advances
   * the clock, `|` completes, `#` fails the input with `options.error` (default
   * `new Error('marble error')`, as in {@link parseMarbles}). Without `values`, each event's
   * value is its name (pass `undefined` to give only `options`).
   */
  pushMarbles(text: string, values?: Readonly<Record<string, I>>, options?: MarbleOptions): this {
    feedMarbles(this, text, values, options);
    return this;
  }

  /** Fails the input with `error` (an upstream error); the operator passes it on. */
  pushError(error: unknown): this {
    this.guard('pushError');
    if (this.input !== undefined) this.input.error(error);
    else this.markFailed(error);
    return this;
  }

  /** Completes the input; an engine first gets the final `+Infinity` watermark, as in the adapter. */
  complete(): this {
    this.guard('complete');
    return this.attempt(() => {
      if (this.input !== undefined) return this.input.complete();
      this.engine!.onWatermark(Infinity);
      this.markCompleted();
    });
  }

  /**
   * The engine's state as plain data, to restore into a fresh harness through
   * `new OperatorHarness(pipeline, { snapshot })`. Deep-copied (`structuredClone`), which also
   * checks that it is plain data, unless the harness was made with `cloneSnapshots: false`.
   * @throws TidemarkError for operator pipelines and engines without `snapshot()`.
   */
  snapshot(): OperatorSnapshot {
    return snapshotEngine(API, this.engine, this.options);
  }

  protected teardown(): void {
    this.host?.close();
    this.subscription?.unsubscribe();
  }

  private dispatch(element: StreamElement<I>): void {
    if (this.input !== undefined) return this.input.next(element);
    const engine = this.engine!;
    if (element.kind === 'event') {
      const t = element.timestamp;
      if (typeof t !== 'number' || t - t !== 0) throw new InvalidTimestampError(engine.name, t, element.value);
      engine.onEvent(element.value, t, element);
    } else if (element.kind === 'watermark') {
      const t = element.timestamp;
      if (typeof t !== 'number' || t !== t) throw new InvalidWatermarkError(engine.name, t);
      engine.onWatermark(t);
    } else {
      this.emit(element);
    }
  }

  private wake(now: number): void {
    const engine = this.engine!;
    try {
      engine.onProcessingTime?.(now);
    } catch (err) {
      this.markFailed(err);
      throw err;
    }
  }
}
