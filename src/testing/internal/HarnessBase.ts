import type { Observable, Subscription } from 'rxjs';
import { TidemarkError, type StreamElement, type Timestamped } from 'tidemark';
import { show } from '../canonical.js';
import { formatMarbles, type FormatMarblesOptions, type Recording } from '../formatMarbles.js';
import { VirtualClock } from '../VirtualClock.js';

/** @internal Options every harness takes. */
export interface HarnessClockOptions {
  /** The processing-time clock. @defaultValue a new {@link VirtualClock} at `startTime` */
  clock?: VirtualClock | undefined;
  /** Where a new clock starts (ignored when `clock` is given). @defaultValue 0 */
  startTime?: number | undefined;
}

/**
 * @internal What the one- and two-input harnesses share: the clock, the recorded output, how
 * the run ended, and the rule that a harness call during which the operator fails throws that
 * failure (and every later input call throws too).
 */
export abstract class HarnessBase<O> implements Recording<O> {
  /** The processing-time clock the operator runs on. */
  readonly clock: VirtualClock;
  private recorded: StreamElement<O>[] = [];
  private times: number[] = [];
  private since: number;
  private done = false;
  private broken = false;
  private err: unknown = undefined;
  private shut = false;

  protected constructor(
    private readonly api: string,
    options: HarnessClockOptions,
  ) {
    this.clock = options.clock ?? new VirtualClock(options.startTime ?? 0);
    this.since = this.clock.now();
  }

  /** Everything the operator emitted so far (since the last {@link take}), in order. */
  get output(): readonly StreamElement<O>[] {
    return this.recorded;
  }

  /**
   * {@link output} with the processing time (`clock.now()`) each element came out
   * at, as `[time, element]` pairs: for early firings, idleness and other processing-time output.
   * `expectMarbles` and `toMarbles(values, { times: true })` show the same as `~N` waits.
   */
  get outputAt(): [time: number, element: StreamElement<O>][] {
    return this.recorded.map((e, i) => [this.times[i]!, e]);
  }

  /** The processing time the output is recorded from: the harness's start, or the last {@link take}. */
  get outputSince(): number {
    return this.since;
  }

  /** Whether the output completed. */
  get completed(): boolean {
    return this.done;
  }

  /** Whether the output failed (see {@link failure}). */
  get failed(): boolean {
    return this.broken;
  }

  /** The error the output failed with, if it failed. */
  get failure(): unknown {
    return this.err;
  }

  /** The output's events, in order. */
  events(): Timestamped<O>[] {
    return this.recorded.filter((e): e is Timestamped<O> => e.kind === 'event');
  }

  /** The values of the output's events, in order. */
  values(): O[] {
    return this.events().map((e) => e.value);
  }

  /** The timestamps of the output's watermarks, in order. */
  watermarks(): number[] {
    return this.recorded.flatMap((e) => (e.kind === 'watermark' ? [e.timestamp] : []));
  }

  /**
   * Returns the output recorded so far and clears it (Flink's `extractOutput`); times (for
   * {@link outputAt} and `~N` waits) then count from now.
   */
  take(): StreamElement<O>[] {
    const out = this.recorded;
    this.recorded = [];
    this.times = [];
    this.since = this.clock.now();
    return out;
  }

  /** The output as event-time marbles (see {@link formatMarbles}); `{ times: true }` shows `~N` waits. */
  toMarbles(values?: Readonly<Record<string, O>>, options?: FormatMarblesOptions): string {
    return formatMarbles(this, values, options);
  }

  /** Advances processing time by `ms`, delivering the operator's timers on the way. */
  advanceBy(ms: number): this {
    if (typeof ms !== 'number' || !(ms >= 0) || !Number.isFinite(ms)) this.clock.advanceBy(ms); // throws the clock's argument error
    return this.attempt(() => this.clock.advanceBy(ms));
  }

  /** Advances processing time to `time`, delivering the operator's timers on the way. */
  advanceTo(time: number): this {
    if (typeof time !== 'number' || !Number.isFinite(time) || time < this.clock.now()) this.clock.advanceTo(time); // throws
    return this.attempt(() => this.clock.advanceTo(time));
  }

  /** Tears the operator down: unsubscribes, cancels its timers. Input calls throw afterwards. */
  close(): void {
    if (this.shut) return;
    this.shut = true;
    this.teardown();
  }

  protected abstract teardown(): void;

  /** Subscribes to the operator's output and records it: elements, completion, failure. */
  protected record(output: Observable<StreamElement<O>>): Subscription {
    return output.subscribe({
      next: (e) => this.emit(e),
      error: (err: unknown) => this.markFailed(err),
      complete: () => this.markCompleted(),
    });
  }

  protected emit(element: StreamElement<O>): void {
    this.recorded.push(element);
    this.times.push(this.clock.now());
  }

  protected markCompleted(): void {
    if (this.done || this.broken) return;
    this.done = true;
    this.teardown();
  }

  protected markFailed(error: unknown): void {
    if (this.done || this.broken) return;
    this.broken = true;
    this.err = error;
    this.teardown();
  }

  /** Throws unless input is still accepted. */
  protected guard(what: string): void {
    if (this.shut) throw new TidemarkError(`${this.api}.${what}: the harness is closed`);
    if (this.broken) {
      throw new TidemarkError(`${this.api}.${what}: the operator already failed with ${describe(this.err)}; start a new harness`);
    }
    if (this.done) throw new TidemarkError(`${this.api}.${what}: the output already completed`);
  }

  /** Runs `fn`; if the operator fails during it, records the failure and throws it. */
  protected attempt(fn: () => void): this {
    const before = this.broken;
    try {
      fn();
    } catch (err) {
      this.markFailed(err);
      throw err;
    }
    if (!before && this.broken) throw this.err;
    return this;
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : show(err);
}
