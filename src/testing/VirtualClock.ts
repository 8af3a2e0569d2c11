import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';
import { show } from './canonical.js';
import { InvalidArgumentError, TidemarkError } from 'tidemark';

/** How many actions {@link VirtualClock.flush} runs at most, by default, before it gives up. */
const FLUSH_LIMIT = 100_000;

/**
 * A deterministic processing-time clock: an RxJS `SchedulerLike` whose time moves only when
 * a test says so. Pass it wherever tidemark (or RxJS) takes a `scheduler`, then drive it with
 * {@link VirtualClock.advanceBy}, {@link VirtualClock.advanceTo} or {@link VirtualClock.flush}.
 *
 * Like RxJS's `asyncScheduler`, without timers: actions run in order of due time, ties in the
 * order they were scheduled; an action can reschedule itself from inside its work
 * (`this.schedule(state, delay)`), so `interval`, `timer`, `delay` and `observeOn` work on it;
 * unsubscribing an action cancels it. Nothing global is patched, and {@link VirtualClock.pending}
 * counts scheduled actions, so a test can check that an unsubscribe left no timer behind.
 *
 * ```
 * clock:     0 ──────── 100 ──────── 200 ───── advanceBy(250)
 * interval:             0            1          (interval(100, clock))
 * ```
 *
 * @example
 * ```ts
 * import { interval } from 'rxjs';
 * import { VirtualClock } from 'tidemark/testing';
 *
 * const clock = new VirtualClock();
 * const seen: number[] = [];
 * const sub = interval(100, clock).subscribe((n) => seen.push(n));
 * clock.advanceBy(250);
 * console.log(seen, clock.now(), clock.pending);
 * sub.unsubscribe();
 * console.log(clock.pending);
 * // output:
 * // [ 0, 1 ] 250 1
 * // 0
 * ```
 */
export class VirtualClock implements SchedulerLike {
  private time: number;
  /** Scheduled actions, sorted by (due, seq). */
  private readonly queue: VirtualAction<unknown>[] = [];
  private seq = 0;
  private running = false;

  /**
   * @param start - the initial time; default 0.
   * @throws InvalidArgumentError when `start` is not a finite number.
   */
  constructor(start = 0) {
    if (typeof start !== 'number' || !Number.isFinite(start)) {
      throw new InvalidArgumentError(`VirtualClock: start must be a finite number, got ${show(start)}`);
    }
    this.time = start;
  }

  /** The current virtual time. */
  now(): number {
    return this.time;
  }

  /**
   * Schedules `work` to run `delay` after now (a missing, negative or NaN delay means now), as
   * RxJS's `SchedulerLike.schedule`. Inside `work`, `this.schedule(state, delay)` runs it again.
   * @returns the action; unsubscribe it to cancel.
   */
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    return new VirtualAction<T>(this, work).schedule(state, delay);
  }

  /** How many actions are scheduled and not yet run or cancelled. */
  get pending(): number {
    return this.queue.length;
  }

  /** The due time of the next scheduled action, or `Infinity` when none is. */
  get nextTime(): number {
    return this.queue.length === 0 ? Infinity : this.queue[0]!.due;
  }

  /**
   * Moves time forward by `ms`, running every action that falls due on the way (each at its
   * own due time, as seen by `now()`), including actions they schedule within the span.
   * @throws InvalidArgumentError when `ms` is negative or not finite; any error an action throws
   *   (the clock then stays at that action's time, and the failed action is cancelled).
   */
  advanceBy(ms: number): void {
    if (typeof ms !== 'number' || !(ms >= 0) || !Number.isFinite(ms)) {
      throw new InvalidArgumentError(`VirtualClock.advanceBy: ms must be a finite number >= 0, got ${show(ms)}`);
    }
    this.advanceTo(this.time + ms);
  }

  /**
   * Moves time forward to `time`, running every action due at or before it, in order.
   * @throws InvalidArgumentError when `time` is before `now()` or not finite.
   */
  advanceTo(time: number): void {
    if (typeof time !== 'number' || !Number.isFinite(time) || time < this.time) {
      throw new InvalidArgumentError(
        `VirtualClock.advanceTo: time must be a finite number >= now() (${this.time}); time never goes back, got ${show(time)}`,
      );
    }
    this.run(time, Infinity, 'advanceTo');
    this.time = time;
  }

  /**
   * Runs scheduled actions until none is left, moving time to each one's due time. Actions
   * scheduled at `Infinity` never run.
   * @param limit - the most actions to run; default 100 000.
   * @throws TidemarkError when more than `limit` actions ran: something keeps rescheduling
   *   itself (an `interval`?); use {@link VirtualClock.advanceBy} for those.
   */
  flush(limit = FLUSH_LIMIT): void {
    this.run(Infinity, limit, 'flush');
  }

  private run(until: number, limit: number, api: string): void {
    if (this.running) {
      throw new TidemarkError(`VirtualClock.${api}: called from inside a scheduled action; move the clock from the test, not from an action`);
    }
    this.running = true;
    try {
      let ran = 0;
      while (this.queue.length > 0) {
        const action = this.queue[0]!;
        if (action.due > until || action.due === Infinity) break;
        if (++ran > limit) {
          throw new TidemarkError(
            `VirtualClock.${api}: ran ${limit} actions and more are due; an action keeps rescheduling itself (an interval?). ` +
              'Use advanceBy(ms) or advanceTo(time) for such streams.',
          );
        }
        this.queue.shift();
        action.queued = false;
        this.time = action.due;
        action.execute();
      }
    } finally {
      this.running = false;
    }
  }

  /** @internal Puts `action` in the queue at now + delay, after every action due at or before then. */
  enqueue(action: VirtualAction<unknown>, delay: number): void {
    if (action.queued) this.dequeue(action);
    action.due = this.time + (delay > 0 ? delay : 0);
    action.seq = this.seq++;
    const q = this.queue;
    let lo = 0;
    let hi = q.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (q[mid]!.due <= action.due) lo = mid + 1;
      else hi = mid;
    }
    q.splice(lo, 0, action);
    action.queued = true;
  }

  /** @internal */
  dequeue(action: VirtualAction<unknown>): void {
    if (!action.queued) return;
    const i = this.queue.indexOf(action);
    if (i >= 0) this.queue.splice(i, 1);
    action.queued = false;
  }
}

/** @internal One scheduled piece of work, as RxJS's `AsyncAction` but on virtual time. */
class VirtualAction<T> extends Subscription implements SchedulerAction<T> {
  due = 0;
  seq = 0;
  queued = false;
  private state: T | undefined = undefined;

  constructor(
    private readonly clock: VirtualClock,
    private readonly work: (this: SchedulerAction<T>, state?: T) => void,
  ) {
    super();
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    this.state = state;
    this.clock.enqueue(this as VirtualAction<unknown>, typeof delay === 'number' && delay > 0 ? delay : 0);
    return this;
  }

  execute(): void {
    try {
      this.work.call(this, this.state);
    } catch (err) {
      this.unsubscribe();
      throw err;
    }
  }

  override unsubscribe(): void {
    if (this.closed) return;
    this.clock.dequeue(this as VirtualAction<unknown>);
    super.unsubscribe();
  }
}
