import type { KeyedTable } from '../../../state/StateBackend.js';
import type { Timestamped } from '../../../time/elements.js';
import { windowStart } from '../../../time/windowMath.js';
import type { WindowCore, WindowLayout } from './windowLayout.js';

/** The timer key of a fixed window: one timer fires (or purges) every key of the window. */
const ALL_KEYS = null;
/** How many recently armed windows the layout remembers (size/slide of them at a time). */
const ARMED = 8;

/**
 * @internal Sliding windows with an accumulator per (key, window): an event updates each of
 * the `size / slide` windows it belongs to. For aggregators without `merge`, and for
 * discarding panes (which cannot share slices between windows); {@link PaneWindows} does the
 * rest.
 *
 * State: `table` (key, window start) → accumulator; one timer per window (all keys) at
 * `end − 1` (fire) and at `end − 1 + allowedLateness` (purge).
 */
export class SlidingWindows<T, K, A> implements WindowLayout<T, K> {
  readonly name = 'window accumulators';
  /** The window (of size `slide`) of the last event: most events fall in it again. */
  private cachedStart = NaN;
  private readonly armed = new Float64Array(ARMED).fill(NaN);
  private nextArmed = 0;

  constructor(
    private readonly core: WindowCore<T, K, A>,
    private readonly table: KeyedTable<K, number, A>,
    private readonly size: number,
    private readonly slide: number,
    private readonly offset: number,
  ) {}

  onEvent(key: K, value: T, t: number, element: Timestamped<T> | undefined): void {
    const { core, size, slide } = this;
    let last = this.cachedStart;
    if (!(t >= last && t < last + slide)) last = this.cachedStart = windowStart(t, slide, this.offset);
    let assigned = false;
    for (let start = last; start > t - size; start -= slide) {
      const end = start + size;
      if (end - 1 + core.lateness > core.wm) {
        assigned = true;
        this.addToWindow(key, start, end, value, t);
      }
    }
    // An event of no window (a gap between sliding windows) is not late; one whose every window is, is.
    if (!assigned && last + size > t) core.late(value, t, element);
  }

  advance(watermark: number): void {
    this.core.timers.advanceTo(watermark, this.onTimer);
  }

  onEarlyTimer(key: K, start: number): void {
    const acc = this.table.get(key, start);
    if (acc !== undefined && start + this.size - 1 > this.core.wm) this.fire(key, start, acc, 'early');
  }

  reset(): void {
    this.cachedStart = NaN;
    this.armed.fill(NaN);
  }

  private addToWindow(key: K, start: number, end: number, value: T, t: number): void {
    const core = this.core;
    let acc = this.table.get(key, start);
    if (acc === undefined) {
      acc = core.create();
      if (!this.isArmed(start)) this.arm(start, end);
    }
    acc = core.add(acc, value, t);
    this.table.set(key, start, acc);
    if (end - 1 <= core.wm) this.fire(key, start, acc, 'late');
    else if (core.early?.onEvent(key, start, core.time)) this.fire(key, start, acc, 'early');
  }

  private isArmed(start: number): boolean {
    for (let i = 0; i < ARMED; i++) if (this.armed[i] === start) return true;
    return false;
  }

  /** Registers a window's timers (the queue ignores duplicates; the cache saves asking). */
  private arm(start: number, end: number): void {
    const core = this.core;
    this.armed[this.nextArmed] = start;
    this.nextArmed = (this.nextArmed + 1) % ARMED;
    const fireAt = end - 1;
    if (fireAt > core.wm) {
      core.timers.register(fireAt, ALL_KEYS, start);
      core.timerAt(fireAt);
    }
    if (core.lateness > 0) {
      core.timers.register(fireAt + core.lateness, ALL_KEYS, start);
      core.timerAt(fireAt + core.lateness);
    }
  }

  private fire(key: K, start: number, acc: A, firing: 'on-time' | 'early' | 'late'): void {
    const core = this.core;
    core.emit(key, start, start, start + this.size, acc, firing);
    if (core.discarding) this.table.set(key, start, core.create());
  }

  private readonly onTimer = (time: number, _all: unknown, start: number): void => {
    const end = start + this.size;
    if (time === end - 1) for (const key of this.table.keys(start)) this.fire(key, start, this.table.get(key, start)!, 'on-time');
    if (time === end - 1 + this.core.lateness) {
      for (const key of this.table.keys(start)) {
        this.table.delete(key, start);
        this.core.early?.reset(key, start);
      }
    }
  };
}
