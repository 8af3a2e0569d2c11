import { floorTo } from '../referenceWindows.js';

/**
 * The fastest single-pass loop we know for counting per key in sliding windows (`size` a
 * multiple of `slide`), with `boundedOutOfOrderness` semantics: **pane slicing** (Flink
 * SQL's window slicing). An event is counted once, into its `slide`-long pane; when the
 * watermark reaches a window's `end − 1`, the window's `size / slide` panes are merged
 * (and the window's first pane, which no later window needs, is dropped). Per event: two
 * comparisons against the cached current pane and a `get`/`set`, whatever size/slide is;
 * per window: one pass over its panes' entries.
 *
 * Windows come out exactly as the library's: a window exists if an event was counted into
 * one of its panes before it fired; an event whose every window has fired is late and
 * dropped; an event some of whose windows fired counts in the others.
 */
export class SlidingCounts<K> {
  lateEvents = 0;
  private max = -Infinity;
  private wm = -Infinity;
  private readonly lag: number;
  private curStart = Infinity;
  private curEnd = -Infinity;
  private cur: Map<K, number> | undefined = undefined;
  /** Panes by index (`start / slide`, a small integer) … */
  private readonly panes = new Map<number, Map<K, number>>();
  /** … and their starts, ascending. */
  private readonly starts: number[] = [];
  /** Every window that starts before this has fired (or had no pane); NaN before the first event. */
  private nextWindow = NaN;
  /** When the next window is due: `nextWindow + size − 1`, or Infinity without panes. */
  private nextFire = Infinity;
  /** One window's merged counts (reused). */
  private readonly merged = new Map<K, number>();

  /**
   * @param onWindow called for each window that fires, in start order, with its counts
   *   per key (a table reused for the next window: read it, do not keep it)
   */
  constructor(
    private readonly size: number,
    private readonly slide: number,
    bound: number,
    private readonly onWindow: (start: number, end: number, counts: Map<K, number>) => void,
  ) {
    if (size % slide !== 0) throw new RangeError(`SlidingCounts: size must be a multiple of slide, got ${size} and ${slide}`);
    this.lag = bound + 1;
  }

  add(key: K, t: number): void {
    let pane = this.cur;
    if (!(t >= this.curStart && t < this.curEnd)) {
      pane = this.locate(t);
      if (pane === undefined) {
        this.lateEvents++;
        return;
      }
    }
    pane!.set(key, (pane!.get(key) ?? 0) + 1);
  }

  advance(t: number): void {
    if (t > this.max) {
      this.max = t;
      const w = (this.wm = t - this.lag);
      if (w >= this.nextFire) this.fire();
    }
  }

  end(): void {
    this.wm = Infinity;
    this.fire();
  }

  /** Makes `t`'s pane current (opening it); undefined if every window of `t` has fired. */
  private locate(t: number): Map<K, number> | undefined {
    const { size, slide } = this;
    const start = floorTo(t, slide);
    if (start + size - 1 <= this.wm) return undefined; // the last window containing t has fired
    const index = start / slide;
    let pane = this.panes.get(index);
    if (pane === undefined) {
      this.panes.set(index, (pane = new Map()));
      const starts = this.starts;
      let i = starts.length;
      while (i > 0 && starts[i - 1]! > start) i--;
      starts.splice(i, 0, start);
      // The earliest window that still needs this pane: the first containing it, or the first not fired.
      const firstUnfired = this.wm === -Infinity ? -Infinity : floorTo(this.wm - size + 1, slide) + slide;
      const first = Math.max(start - size + slide, firstUnfired);
      if (!(first >= this.nextWindow)) this.nextWindow = first;
      this.nextFire = this.nextWindow + size - 1;
    }
    this.curStart = start;
    this.curEnd = start + slide;
    this.cur = pane;
    return pane;
  }

  private fire(): void {
    const { size, slide, starts, panes, merged } = this;
    const w = this.wm;
    while (starts.length > 0) {
      // Skip the windows that hold no pane.
      const s = Math.max(this.nextWindow, starts[0]! - size + slide);
      if (s + size - 1 > w) {
        this.nextWindow = s;
        this.nextFire = s + size - 1;
        return;
      }
      merged.clear();
      for (let i = 0; i < starts.length && starts[i]! < s + size; i++) {
        for (const [key, n] of panes.get(starts[i]! / slide)!) merged.set(key, (merged.get(key) ?? 0) + n);
      }
      this.onWindow(s, s + size, merged);
      if (starts[0] === s) {
        starts.shift();
        const pane = panes.get(s / slide);
        panes.delete(s / slide);
        if (pane === this.cur) {
          this.cur = undefined;
          this.curStart = Infinity;
          this.curEnd = -Infinity;
        }
      }
      this.nextWindow = s + slide;
    }
    this.nextFire = Infinity;
  }
}
