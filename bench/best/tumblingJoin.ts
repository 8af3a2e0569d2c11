import { floorTo, takeDueWindows } from '../referenceWindows.js';

/** One key's rows in one window: the left rows and the right rows, in arrival order. */
interface KeyRows<L, R> {
  readonly left: L[];
  readonly right: R[];
}

/**
 * The fastest single-pass loop we know for a tumbling-window equi-join (Flink's
 * `join().where().equalTo().window(tumbling)`), with `boundedOutOfOrderness` semantics
 * (watermark `max − bound − 1`, a window fires when the watermark reaches `end − 1` with every
 * pair of its rows of one key, a row of a fired window is late and dropped):
 *
 * - **the current window is cached** (`[curStart, curEnd)` and its table): a row in it costs
 *   two comparisons and one hash look-up by key, no division, no look-up of the window;
 * - both sides of a key share one record (`{ left, right }`), so a row is one `get` (and one
 *   `set` for a key's first row in the window);
 * - open windows by integer index (`start / size`), only touched when a row leaves the
 *   current window; the watermark (advanced by every event, joined or not) recomputed only
 *   when the maximum timestamp grows, the open windows scanned only when it reaches the
 *   earliest `end − 1`.
 *
 * `emit(left, right, start)` is called for each pair when its window fires: windows in order of
 * start, then keys in order of their first row in the window, left rows in arrival order, each
 * with the right rows in arrival order (the order of `windowJoin`).
 */
export class TumblingJoin<K, L, R> {
  lateEvents = 0;
  private max = -Infinity;
  private wm = -Infinity;
  private readonly lag: number;
  private curStart = Infinity;
  private curEnd = -Infinity;
  private cur: Map<K, KeyRows<L, R>> | undefined = undefined;
  /** Open windows by index: rarely more than two. */
  private readonly open = new Map<number, Map<K, KeyRows<L, R>>>();
  /** The smallest `end − 1` of the open windows. */
  private nextFire = Infinity;

  constructor(
    private readonly size: number,
    bound: number,
    private readonly emit: (left: L, right: R, start: number) => void,
  ) {
    this.lag = bound + 1;
  }

  /** A left row of `key` at `t` (before {@link advance} for it). */
  addLeft(key: K, t: number, row: L): void {
    const rows = this.rowsOf(key, t);
    if (rows !== undefined) rows.left.push(row);
  }

  /** A right row of `key` at `t` (before {@link advance} for it). */
  addRight(key: K, t: number, row: R): void {
    const rows = this.rowsOf(key, t);
    if (rows !== undefined) rows.right.push(row);
  }

  /** Event time `t` seen: the watermark may advance and fire windows. */
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

  /** The rows of `key` in `t`'s window (made current, opened if new); undefined (counted) if it has fired. */
  private rowsOf(key: K, t: number): KeyRows<L, R> | undefined {
    let table = this.cur;
    if (!(t >= this.curStart && t < this.curEnd)) {
      table = this.locate(t);
      if (table === undefined) {
        this.lateEvents++;
        return undefined;
      }
    }
    let rows = table!.get(key);
    if (rows === undefined) table!.set(key, (rows = { left: [], right: [] }));
    return rows;
  }

  /** Makes `t`'s window current (opening it); undefined if it has fired. */
  private locate(t: number): Map<K, KeyRows<L, R>> | undefined {
    const start = floorTo(t, this.size);
    const end = start + this.size;
    if (end - 1 <= this.wm) return undefined;
    const index = start / this.size;
    let table = this.open.get(index);
    if (table === undefined) {
      this.open.set(index, (table = new Map()));
      if (end - 1 < this.nextFire) this.nextFire = end - 1;
    }
    this.curStart = start;
    this.curEnd = end;
    this.cur = table;
    return table;
  }

  private fire(): void {
    const { due, next } = takeDueWindows(this.open, this.size, this.wm);
    this.nextFire = next;
    for (const [index, table] of due) {
      if (table === this.cur) {
        this.cur = undefined;
        this.curStart = Infinity;
        this.curEnd = -Infinity;
      }
      const start = index * this.size;
      for (const { left, right } of table.values()) {
        if (right.length === 0) continue;
        for (const l of left) for (const r of right) this.emit(l, r, start);
      }
    }
  }
}
