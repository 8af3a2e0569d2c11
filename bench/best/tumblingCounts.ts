import type { WindowResult } from 'tidemark';
import { floorTo, takeDueWindows } from '../referenceWindows.js';

/** A window result that a best loop counts into, then emits as it is. */
export interface CountResult<K> {
  key: K;
  start: number;
  end: number;
  value: number;
  firing: 'on-time';
}

/**
 * The fastest single-pass loop we know for a tumbling-window count per key, with
 * `boundedOutOfOrderness` semantics (watermark `max − bound − 1`, a window fires when the
 * watermark reaches `end − 1`, an event of a fired window is late and dropped):
 *
 * - **the current window is cached** (`[curStart, curEnd)` and its table): an event in it
 *   costs two comparisons, no division, no look-up of the window;
 * - **one hash operation per event**: each key's count lives in the result record it will
 *   be emitted as (`value++` in place), so a count needs a `get`, and a `set` only for the
 *   first event of a key in a window; firing emits those records, allocating nothing;
 * - open windows by integer index (`start / size`, a small integer, where epoch-ms starts
 *   are doubles), only touched when an event leaves the current window;
 * - the watermark is recomputed only when the maximum timestamp grows.
 */
export class TumblingCounts<K> {
  lateEvents = 0;
  private max = -Infinity;
  private wm = -Infinity;
  private readonly lag: number;
  private curStart = Infinity;
  private curEnd = -Infinity;
  private cur: Map<K, CountResult<K>> | undefined = undefined;
  /** Open windows by index: rarely more than two. */
  private readonly open = new Map<number, Map<K, CountResult<K>>>();
  /** The smallest `end − 1` of the open windows. */
  private nextFire = Infinity;

  constructor(
    private readonly size: number,
    bound: number,
    private readonly emit: (r: WindowResult<K, number>) => void,
  ) {
    this.lag = bound + 1;
  }

  /** Counts an event of `key` at `t` (before {@link advance} for it). */
  add(key: K, t: number): void {
    let counts = this.cur;
    if (!(t >= this.curStart && t < this.curEnd)) {
      counts = this.locate(t);
      if (counts === undefined) {
        this.lateEvents++;
        return;
      }
    }
    const r = counts!.get(key);
    if (r !== undefined) r.value++;
    else counts!.set(key, { key, start: this.curStart, end: this.curEnd, value: 1, firing: 'on-time' });
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

  /** Makes `t`'s window current (opening it); undefined if it has fired. */
  private locate(t: number): Map<K, CountResult<K>> | undefined {
    const start = floorTo(t, this.size);
    const end = start + this.size;
    if (end - 1 <= this.wm) return undefined;
    const index = start / this.size;
    let counts = this.open.get(index);
    if (counts === undefined) {
      this.open.set(index, (counts = new Map()));
      if (end - 1 < this.nextFire) this.nextFire = end - 1;
    }
    this.curStart = start;
    this.curEnd = end;
    this.cur = counts;
    return counts;
  }

  private fire(): void {
    const { due, next } = takeDueWindows(this.open, this.size, this.wm);
    this.nextFire = next;
    for (const [, counts] of due) {
      if (counts === this.cur) {
        this.cur = undefined;
        this.curStart = Infinity;
        this.curEnd = -Infinity;
      }
      for (const r of counts.values()) this.emit(r);
    }
  }
}
