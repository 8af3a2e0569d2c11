import type { KeyedTable, NamespaceTable, StateBackend, TimerQueue } from '../../../state/StateBackend.js';
import type { Timestamped } from '../../../time/elements.js';
import { windowStart } from '../../../time/windowMath.js';
import type { SlidingWindows } from '../../../time/sliding.js';
import type { TumblingWindows } from '../../../time/tumbling.js';
import type { LateRows } from './joinOptions.js';
import { TwoInputCore, type Side } from './TwoInputCore.js';

/**
 * The window a {@link windowJoin} pair was found in, `[start, end)`: `select`'s third argument.
 *
 * @example
 * ```ts
 * import type { JoinWindow } from 'tidemark';
 * const w: JoinWindow = { start: 0, end: 10_000 };
 * console.log(`[${w.start}, ${w.end}) fires at ${w.end - 1}`);
 * // output:
 * // [0, 10000) fires at 9999
 * ```
 */
export interface JoinWindow {
  /** Inclusive start. */
  readonly start: number;
  /** Exclusive end; the pair's timestamp is `end − 1`. */
  readonly end: number;
}

/** @internal What the window-join engine needs, validated by `windowJoin`. */
export interface WindowJoinSpec<L, R, K, O> {
  readonly window: TumblingWindows | SlidingWindows;
  readonly leftKey: (left: L) => K;
  readonly rightKey: (right: R) => K;
  readonly select: (left: L, right: R, window: JoinWindow) => O;
  readonly allowedLateness: number;
  readonly late: LateRows<L, R>;
  readonly state: StateBackend | undefined;
}

/** @internal One key's rows in one window, in arrival order; written back on change. */
interface WindowRows<L, R> {
  readonly left: L[];
  readonly right: R[];
}

const NAME = 'windowJoin';

/**
 * @internal The RxJS-free state machine of `windowJoin`: Flink's window join
 * (`join().where().equalTo().window()`, a co-group of both inputs' rows per key and window).
 * Each row is added to every window of its own that is still open, in a keyed table
 * `(key, window start) → rows`. A window fires when the combined watermark reaches `end − 1`:
 * every pair of its key's left and right rows, timestamp `end − 1`, before the watermark is
 * forwarded — windows in order of end, keys in the order their state was created in the window,
 * left rows in arrival order, each with the right rows in arrival order. Within the allowed
 * lateness a window keeps its rows, and a row that arrives after it fired emits its new pairs
 * at once (each pair is emitted exactly once); past it, the window's state is dropped. A row
 * for which every window is past its lateness is late.
 */
export class WindowJoinEngine<L, R, K, O> extends TwoInputCore<L, R, O> {
  readonly name = NAME;
  protected readonly format = 'tidemark-window-join/1';
  protected readonly sameConfig = 'restore into a windowJoin with the same window and allowedLateness';
  private readonly rows: KeyedTable<K, number, WindowRows<L, R>>;
  /** Window firings at `end − 1`, by window start. */
  private readonly fires: TimerQueue<null, number>;
  /** Window purges at `end − 1 + allowedLateness`, by window start (with lateness only). */
  private readonly purges: TimerQueue<null, number>;
  private readonly size: number;
  private readonly slide: number;
  private readonly offset: number;
  /** The windows whose firing is registered, by start: a cache of `fires` (not state), forgotten on restore. */
  private readonly firing = new Set<number>();
  private readonly shares: boolean;
  /**
   * Tumbling windows: the open window the last row went to, `[curStart, curEnd)`, its firing
   * registered, and its rows' namespace view — a row in it costs one look-up by key (a cache,
   * not state: dropped when the window fires and on restore).
   */
  private readonly tumbling: boolean;
  private curStart = NaN;
  private curEnd = NaN;
  private cur: NamespaceTable<K, WindowRows<L, R>> | undefined = undefined;

  constructor(private readonly spec: WindowJoinSpec<L, R, K, O>) {
    super(spec.state);
    const b = this.backend;
    this.rows = b.table('rows');
    this.fires = b.timers('fire');
    this.purges = b.timers('purge');
    const w = spec.window;
    this.size = w.size;
    this.slide = w.type === 'sliding' ? w.slide : w.size;
    this.offset = w.offset;
    this.tumbling = this.slide === this.size;
    this.shares = b.sharesValues === true;
  }

  protected event1(value: L, t: number, element: Timestamped<L> | undefined): void {
    if (!this.add(0, value, this.spec.leftKey(value), t)) this.spec.late.left(value, t, element);
  }

  protected event2(value: R, t: number, element: Timestamped<R> | undefined): void {
    if (!this.add(1, value, this.spec.rightKey(value), t)) this.spec.late.right(value, t, element);
  }

  /** Adds a row to its windows, in ascending order of start; false when it is late (every window past its lateness). */
  private add(side: Side, value: L | R, key: K, t: number): boolean {
    if (t >= this.curStart && t < this.curEnd) {
      const ns = this.cur!;
      let rows = ns.get(key);
      const fresh = rows === undefined;
      if (fresh) rows = { left: [], right: [] };
      if (side === 0) rows!.left.push(value as L);
      else rows!.right.push(value as R);
      if (fresh || !this.shares) ns.set(key, rows!);
      return true;
    }
    const { size, slide } = this;
    const wm = this.wm;
    const last = windowStart(t, slide, this.offset);
    let start = last;
    while (start - slide > t - size) start -= slide;
    let windows = 0;
    let accepted = false;
    for (; start <= last; start += slide) {
      const end = start + size;
      if (end <= t) continue; // slide > size: t falls in a gap between windows
      windows++;
      if (end - 1 + this.spec.allowedLateness <= wm) continue;
      accepted = true;
      const rows = this.rows.get(key, start) ?? { left: [], right: [] };
      if (side === 0) rows.left.push(value as L);
      else rows.right.push(value as R);
      this.rows.set(key, start, rows);
      if (end - 1 > wm) {
        // One registration per open window: its rows share the timer (more would be duplicate records for the queue to skip).
        if (!this.firing.has(start)) {
          this.fires.register(end - 1, null, start);
          this.firing.add(start);
        }
        if (this.tumbling) {
          this.curStart = start;
          this.curEnd = end;
          this.cur = this.rows.namespace(start);
        }
      } else {
        // Fired already (or would have, had it had rows): the new pairs now, the purge at the end of the lateness.
        this.purges.register(end - 1 + this.spec.allowedLateness, null, start);
        this.lateFiring(side, value, rows, start, end);
      }
    }
    return accepted || windows === 0;
  }

  /** A row in a window that has fired (within the allowed lateness): its pairs with the rows already there. */
  private lateFiring(side: Side, value: L | R, rows: WindowRows<L, R>, start: number, end: number): void {
    const window: JoinWindow = { start, end };
    const select = this.spec.select;
    if (side === 0) for (const r of rows.right) this.out.event(select(value as L, r, window), end - 1);
    else for (const l of rows.left) this.out.event(select(l, value as R, window), end - 1);
  }

  protected onTime(): void {
    const wm = this.wm;
    if (wm >= this.fires.peek()) this.fires.advanceTo(wm, this.fire);
    if (wm >= this.purges.peek()) this.purges.advanceTo(wm, this.purge);
  }

  private readonly fire = (time: number, _: null, start: number): void => {
    this.firing.delete(start);
    if (start === this.curStart) this.forget();
    const window: JoinWindow = { start, end: start + this.size };
    const { select, allowedLateness } = this.spec;
    const out = this.out;
    // The window's rows through its namespace view: no copy of its keys, no look-up of the window per key.
    const rows = this.rows.namespace(start);
    rows.forEach(({ left, right }) => {
      if (right.length !== 0) for (const l of left) for (const r of right) out.event(select(l, r, window), time);
    });
    if (allowedLateness === 0) rows.clear();
    else this.purges.register(time + allowedLateness, null, start);
  };

  private readonly purge = (_time: number, _: null, start: number): void => {
    this.rows.namespace(start).clear();
  };

  protected config(): Readonly<Record<string, unknown>> {
    return { window: { ...this.spec.window }, allowedLateness: this.spec.allowedLateness };
  }

  protected reset(): void {
    this.firing.clear();
    this.forget();
  }

  private forget(): void {
    this.curStart = this.curEnd = NaN;
    this.cur = undefined;
  }
}
