import type { QueryOptions } from './query.js';

/** `t` rounded down to a multiple of `step` (a true modulo, also for negative `t`). */
export function floorTo(t: number, step: number): number {
  return t - (((t % step) + step) % step);
}

/**
 * The window bookkeeping of the hand-written references for fixed-size (tumbling or sliding)
 * windows: the watermark (`max − bound − 1`, like `boundedOutOfOrderness`), the open windows'
 * accumulators by start, and on-time firing in start order once the watermark reaches
 * `end − 1`. What a window accumulates, and what it emits when it fires, stays in each
 * reference's own loop; per event this costs a lateness check, a map look-up and the
 * watermark update, as the loops did before they shared it.
 */
export class ReferenceWindows<A> {
  /** The current watermark. */
  watermark = -Infinity;
  private max = -Infinity;
  private readonly lag: number;
  private readonly open = new Map<number, A>();
  /** The smallest `end − 1` of the open windows. */
  private nextFire = Infinity;

  /**
   * @param size window length, ms
   * @param fire called for each window whose `end − 1` the watermark has reached, in
   *   ascending start order, after it was removed from the open windows
   */
  constructor(
    readonly size: number,
    options: QueryOptions,
    private readonly fire: (start: number, acc: A) => void,
  ) {
    this.lag = options.bound + 1;
  }

  /** Whether window `[start, start + size)` has already fired (an event for it is late). */
  hasFired(start: number): boolean {
    return start + this.size - 1 <= this.watermark;
  }

  /** The accumulator of the open window at `start`, if any. */
  get(start: number): A | undefined {
    return this.open.get(start);
  }

  /** Opens the window at `start` (not open, not fired) with its first accumulator. */
  add(start: number, acc: A): void {
    this.open.set(start, acc);
    const last = start + this.size - 1;
    if (last < this.nextFire) this.nextFire = last;
  }

  /** Event time `t` seen: advances the watermark, and fires the windows it reaches. */
  advance(t: number): void {
    if (t > this.max) this.max = t;
    const w = this.max - this.lag;
    if (w > this.watermark) {
      this.watermark = w;
      if (w >= this.nextFire) this.fireDue();
    }
  }

  /** End of input: the watermark goes to +Infinity and every open window fires. */
  end(): void {
    this.watermark = Infinity;
    this.fireDue();
  }

  private fireDue(): void {
    const due: number[] = [];
    let next = Infinity;
    for (const start of this.open.keys()) {
      const last = start + this.size - 1;
      if (last <= this.watermark) due.push(start);
      else if (last < next) next = last;
    }
    this.nextFire = next;
    due.sort((a, b) => a - b);
    for (const start of due) {
      const acc = this.open.get(start)!;
      this.open.delete(start);
      this.fire(start, acc);
    }
  }
}

/**
 * The best loops' firing of tumbling windows kept by integer index (`start / size`): removes
 * from `open` the windows whose `end − 1` the watermark `wm` has reached and returns them in
 * ascending order, with the smallest `end − 1` of those left open (`Infinity` if none).
 * Called only when the watermark reaches the earliest `end − 1`, so it may allocate.
 */
export function takeDueWindows<A>(open: Map<number, A>, size: number, wm: number): { due: [index: number, acc: A][]; next: number } {
  const due: [number, A][] = [];
  let next = Infinity;
  for (const [index, acc] of open) {
    const last = index * size + size - 1;
    if (last <= wm) due.push([index, acc]);
    else if (last < next) next = last;
  }
  due.sort((a, b) => a[0] - b[0]);
  for (const [index] of due) open.delete(index);
  return { due, next };
}
