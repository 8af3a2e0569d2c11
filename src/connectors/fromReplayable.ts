import { Observable, asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { InvalidTimestampError } from '../errors/InvalidTimestampError.js';
import { InvalidWatermarkError } from '../errors/InvalidWatermarkError.js';
import { show } from '../errors/show.js';
import { Checkpoints, type SourceHook } from '../state/checkpoint/checkpoints.js';
import { END_OF_TIME, type Barrier, type StreamElement } from '../time/elements.js';
import { requireFunction, requirePositiveInteger, requireScheduler } from '../time/validate.js';
import { monotonousTimestamps, type WatermarkGenerator, type WatermarkStrategy } from '../time/watermarkStrategies.js';

/**
 * A value read from a {@link ReplayableSource} with the position just after it: reading again
 * from that position yields what came after it.
 *
 * @example
 * ```ts
 * import type { Positioned } from 'tidemark';
 * const line: Positioned<string, number> = { value: '{"a":1}', position: 8 };
 * ```
 */
export interface Positioned<T, P> {
  /** The value read. */
  readonly value: T;
  /** The position after it (a JSON value: a byte offset, a sequence number, Kafka offsets …). */
  readonly position: P;
}

/**
 * Input that can be read again from a position: a file by byte offset, a log by sequence
 * number, a Kafka partition by offset. {@link fromReplayable} reads it from the checkpointed
 * position after a restart.
 *
 * @example
 * ```ts
 * import type { ReplayableSource } from 'tidemark';
 * const log = ['a', 'b', 'c'];
 * const source: ReplayableSource<string, number> = {
 *   *read(from = 0) {
 *     for (let i = from; i < log.length; i++) yield { value: log[i]!, position: i + 1 };
 *   },
 * };
 * ```
 */
export interface ReplayableSource<T, P = unknown> {
  /** Reads from `position` (`undefined`: from the beginning), each value with the position after it. */
  read(position: P | undefined): Iterable<Positioned<T, P>> | AsyncIterable<Positioned<T, P>>;
  /** A checkpoint holding `position` is committed (e.g. commit Kafka offsets up to it). @defaultValue none */
  committed?(position: P): void;
}

/** Configuration of {@link fromReplayable}. */
export interface FromReplayableConfig<T> {
  /** The source's id: its position is stored under it in each checkpoint. Unique in the pipeline. */
  id: string;
  /** The pipeline's checkpoint coordinator, made by {@link checkpoints}. */
  checkpoints: Checkpoints;
  /** Extracts an event's time (a finite number). */
  timestamp: (value: T) => number;
  /** How watermarks follow the events, as in {@link withEventTime}. @defaultValue `monotonousTimestamps()` */
  watermark?: WatermarkStrategy<NoInfer<T>> | undefined;
  /** Reads are done in slices of this many values, one scheduler task each, so checkpoints can run in between. @defaultValue 256 */
  batch?: number | undefined;
  /** Where the slices run. @defaultValue `asyncScheduler` */
  scheduler?: SchedulerLike | undefined;
}

/** What a source stores in a checkpoint. */
interface SourcePosition {
  /** The position to read from. */
  readonly at: unknown;
  /** The watermark emitted before it: `null` for none yet, `'end'` once the input is consumed (+Infinity). */
  readonly watermark: number | null | 'end';
}

const API = 'fromReplayable';

/**
 * A replayable, checkpointed event-time source: reads an iterable, an async iterable or a
 * {@link ReplayableSource}, stamps each value with its time and emits watermarks (as
 * {@link withEventTime} does), and takes part in the pipeline's checkpoints: it waits for the
 * coordinator to restore, starts with a restore barrier, resumes from its checkpointed position,
 * and injects a checkpoint barrier, at the position it has reached, whenever the coordinator
 * triggers one. RxJS's `from(iterable)`, resumable.
 *
 * ```
 * input:   a@1  b@4  c@12                         (checkpoint 1 triggered after b)
 * output:  |R0| a@1 W(1) b@4 W(4) |B1| c@12 W(12) W(+∞) |B2| |    position of B1: 2
 * restart: |R1| W(4) c@12 W(12) W(+∞) |B2| |                       (restored from checkpoint 1)
 * ```
 *
 * A plain iterable or async iterable is resumed by skipping the values already read, so it must
 * yield the same values in the same order each time; a {@link ReplayableSource} seeks. The
 * watermark generator restarts after a restore, from the watermark the checkpoint recorded.
 *
 * ## Example
 * ```ts
 * import { MemoryCheckpointStore, boundedOutOfOrderness, checkpoints, fromReplayable } from 'tidemark';
 * const cp = checkpoints({ store: new MemoryCheckpointStore() });
 * const readings = [{ at: 3, v: 1 }, { at: 1, v: 2 }];
 * fromReplayable(readings, { id: 'readings', checkpoints: cp, timestamp: (r) => r.at, watermark: boundedOutOfOrderness(5) })
 *   .subscribe((e) => console.log(e.kind));
 * ```
 * @throws InvalidArgumentError for a bad option.
 * @returns an event-time stream (with checkpoint barriers).
 */
export function fromReplayable<T, P = unknown>(
  input: Iterable<T> | AsyncIterable<T> | ReplayableSource<T, P>,
  config: FromReplayableConfig<T>,
): Observable<StreamElement<T>> {
  if (config === null || typeof config !== 'object') throw new InvalidArgumentError(`${API}: expected a config object { id, checkpoints, timestamp }, got ${show(config)}`);
  const { id, checkpoints, timestamp, watermark = monotonousTimestamps(), batch = 256, scheduler = asyncScheduler } = config;
  if (typeof id !== 'string' || id === '') throw new InvalidArgumentError(`${API}: id must be a non-empty string, got ${show(id)}`);
  if (!(checkpoints instanceof Checkpoints)) throw new InvalidArgumentError(`${API} "${id}": checkpoints must be made by checkpoints({ store }), got ${show(checkpoints)}`);
  requireFunction(API, 'timestamp', timestamp);
  if (watermark === null || typeof watermark !== 'object' || typeof watermark.create !== 'function') {
    throw new InvalidArgumentError(`${API} "${id}": watermark must be a WatermarkStrategy such as boundedOutOfOrderness(ms), got ${show(watermark)}`);
  }
  requirePositiveInteger(API, 'batch', batch);
  requireScheduler(API, scheduler);
  const read = readerOf<T, P>(input, id);
  const committed = isReplayable<T, P>(input) && typeof input.committed === 'function' ? (p: P) => input.committed!(p) : undefined;
  return new Observable<StreamElement<T>>((subscriber) => {
    const name = `${API} "${id}"`;
    let generator: WatermarkGenerator<T> | undefined;
    let emitted = -Infinity;
    let at: unknown;
    let iterator: Iterator<Positioned<T, unknown>> | AsyncIterator<Positioned<T, unknown>> | undefined;
    let slice: Subscription | undefined;
    let ended = false;

    const position = (): SourcePosition => ({ at, watermark: Number.isFinite(emitted) ? emitted : emitted === Infinity ? 'end' : null });
    const emit = (item: Positioned<T, unknown>): void => {
      const { value } = item;
      const t = timestamp(value);
      if (typeof t !== 'number' || t - t !== 0) throw new InvalidTimestampError(name, t, value);
      at = item.position; // before the event goes out: a barrier triggered while it is processed follows it
      subscriber.next({ kind: 'event', value, timestamp: t });
      const w = generator!.onEvent(t, value);
      if (typeof w !== 'number' || w !== w) throw new InvalidWatermarkError(name, w);
      if (w > emitted) subscriber.next({ kind: 'watermark', timestamp: (emitted = w) });
    };
    const finish = (): void => {
      if (ended || subscriber.closed) return;
      ended = true;
      if (emitted < Infinity) subscriber.next(END_OF_TIME);
      emitted = Infinity;
      checkpoints.sourceFinished(id, position());
    };
    const fail = (error: unknown): void => subscriber.error(error);

    const runSync = (it: Iterator<Positioned<T, unknown>>): void => {
      const step = (): void => {
        try {
          for (let i = 0; i < batch && !subscriber.closed; i++) {
            const r = it.next();
            if (r.done === true) return finish();
            emit(r.value);
          }
        } catch (error) {
          return fail(error);
        }
        if (!subscriber.closed) slice = scheduler.schedule(step);
      };
      step();
    };
    const runAsync = async (it: AsyncIterator<Positioned<T, unknown>>): Promise<void> => {
      try {
        for (let i = 1; !subscriber.closed; i++) {
          const r = await it.next();
          if (subscriber.closed) return;
          if (r.done === true) return finish();
          emit(r.value);
          if (i % batch === 0) await new Promise<void>((resolve) => (slice = scheduler.schedule(() => resolve())));
        }
      } catch (error) {
        fail(error);
      }
    };

    const hook: SourceHook = {
      id,
      begin(barrier: Barrier, saved: unknown) {
        generator = watermark.create() as WatermarkGenerator<T>;
        if (generator === null || typeof generator !== 'object' || typeof generator.onEvent !== 'function') {
          throw new InvalidArgumentError(`${name}: the watermark strategy's create() must return a generator, got ${show(generator)}`);
        }
        const p = saved as Partial<SourcePosition> | undefined;
        at = p?.at;
        subscriber.next(barrier);
        if (typeof p?.watermark === 'number' && p.watermark > emitted) subscriber.next({ kind: 'watermark', timestamp: (emitted = p.watermark) });
      },
      run() {
        if (subscriber.closed) return;
        try {
          const source = read(at);
          if (Symbol.asyncIterator in source) void runAsync((iterator = source[Symbol.asyncIterator]()));
          else runSync((iterator = source[Symbol.iterator]()));
        } catch (error) {
          fail(error);
        }
      },
      inject(barrier: Barrier) {
        const p = position();
        subscriber.next(barrier);
        return p;
      },
      end(barrier: Barrier | undefined) {
        if (barrier !== undefined) subscriber.next(barrier);
        subscriber.complete();
      },
      fail,
      committed(p: unknown) {
        if (committed !== undefined && p !== undefined) committed((p as SourcePosition).at as P);
      },
    };
    const unregister = checkpoints.register(hook);
    return () => {
      unregister();
      slice?.unsubscribe();
      const it = iterator;
      iterator = undefined;
      if (it?.return !== undefined && !ended) {
        try {
          const r = it.return();
          if (r instanceof Promise) r.catch(() => {});
        } catch {
          // a closing iterator's error has nowhere to go
        }
      }
    };
  });
}

function isReplayable<T, P>(input: unknown): input is ReplayableSource<T, P> {
  return input !== null && typeof input === 'object' && typeof (input as ReplayableSource<T, P>).read === 'function';
}

/** How to read `input` from a position: a ReplayableSource seeks; an iterable skips what was read. */
function readerOf<T, P>(input: unknown, id: string): (at: unknown) => Iterable<Positioned<T, unknown>> | AsyncIterable<Positioned<T, unknown>> {
  if (isReplayable<T, P>(input)) return (at) => input.read(at as P | undefined);
  if (input !== null && typeof input === 'object' && Symbol.asyncIterator in input) {
    const source = input as AsyncIterable<T>;
    return (at) => ({
      async *[Symbol.asyncIterator]() {
        const skip = typeof at === 'number' ? at : 0;
        let i = 0;
        for await (const value of source) if (++i > skip) yield { value, position: i };
      },
    });
  }
  if (input !== null && (typeof input === 'object' || typeof input === 'string') && Symbol.iterator in Object(input)) {
    const source = input as Iterable<T>;
    return (at) => ({
      *[Symbol.iterator]() {
        const skip = typeof at === 'number' ? at : 0;
        let i = 0;
        for (const value of source) if (++i > skip) yield { value, position: i };
      },
    });
  }
  throw new InvalidArgumentError(`${API} "${id}": input must be an iterable, an async iterable or a ReplayableSource { read(position) }, got ${show(input)}`);
}
