import type { OrderedTable, StateBackend, TimerQueue } from '../../../state/StateBackend.js';
import type { Timestamped } from '../../../time/elements.js';
import type { LateRows, OuterJoin } from './joinOptions.js';
import { TwoInputCore } from './TwoInputCore.js';

/** @internal What the interval-join engine needs, validated by `intervalJoin`. */
export interface IntervalJoinSpec<L, R, K, O> {
  readonly leftKey: (left: L) => K;
  readonly rightKey: (right: R) => K;
  readonly lowerBound: number;
  readonly upperBound: number;
  readonly lowerBoundExclusive: boolean;
  readonly upperBoundExclusive: boolean;
  readonly outer: OuterJoin | undefined;
  readonly select: (left: L | undefined, right: R | undefined) => O;
  readonly late: LateRows<L, R>;
  readonly state: StateBackend | undefined;
}

/** @internal A buffered row: its value, and whether it found a partner (outer joins). Rows of one key and time are an array, written back on change. */
interface Row<V> {
  readonly value: V;
  matched: boolean;
}

const NAME = 'intervalJoin';

/**
 * @internal The RxJS-free state machine of `intervalJoin`: Flink's `IntervalJoinOperator`.
 * Each input's rows are buffered per key by timestamp (an ordered table; the rows of one key and
 * timestamp in arrival order). A row that is not late joins the other input's buffered rows in
 * its interval — partners in ascending time, ties in arrival order — and is buffered until its
 * cleanup time (Flink's: a left row at `l.ts + max(upperBound, 0)`, a right row at
 * `r.ts + max(−lowerBound, 0)`), when the combined watermark reaches it. Outer joins emit a row
 * that never matched at that moment, with the cleanup time as its timestamp, before the
 * watermark is forwarded: cleanups a watermark reaches go in order of cleanup time, left rows
 * before right rows at the same time, then in the order their key and timestamp were first seen.
 */
export class IntervalJoinEngine<L, R, K, O> extends TwoInputCore<L, R, O> {
  readonly name = NAME;
  protected readonly format = 'tidemark-interval-join/1';
  protected readonly sameConfig = 'restore into an intervalJoin with the same bounds, bound exclusivity and outer';
  private readonly left: OrderedTable<K, Row<L>[]>;
  private readonly right: OrderedTable<K, Row<R>[]>;
  private readonly leftCleanup: TimerQueue<K, number>;
  private readonly rightCleanup: TimerQueue<K, number>;
  /** Whether unmatched left (right) rows are emitted, and so whether their match is tracked. */
  private readonly keepLeft: boolean;
  private readonly keepRight: boolean;

  constructor(private readonly spec: IntervalJoinSpec<L, R, K, O>) {
    super(spec.state);
    const b = this.backend;
    this.left = b.ordered('left');
    this.right = b.ordered('right');
    this.leftCleanup = b.timers('left-cleanup');
    this.rightCleanup = b.timers('right-cleanup');
    this.keepLeft = spec.outer === 'left' || spec.outer === 'full';
    this.keepRight = spec.outer === 'right' || spec.outer === 'full';
  }

  /** Whether a left row at `l` and a right row at `r` pair: `l + lowerBound <= r <= l + upperBound`, strict where exclusive. */
  private pairs(l: number, r: number): boolean {
    const { lowerBound, upperBound, lowerBoundExclusive, upperBoundExclusive } = this.spec;
    const low = l + lowerBound;
    const high = l + upperBound;
    return (lowerBoundExclusive ? low < r : low <= r) && (upperBoundExclusive ? r < high : r <= high);
  }

  protected event1(value: L, t: number, element: Timestamped<L> | undefined): void {
    const spec = this.spec;
    if (this.isLate(t)) return spec.late.left(value, t, element);
    const key = spec.leftKey(value);
    // Partners: right rows in [t + lowerBound, t + upperBound] (then the exact test).
    let matched = false;
    for (const p of this.right.positions(key, t + spec.lowerBound, t + spec.upperBound)) {
      if (!this.pairs(t, p)) continue;
      const rows = this.right.get(key, p)!;
      let changed = false;
      for (const row of rows) {
        matched = true;
        this.out.event(spec.select(value, row.value), Math.max(t, p));
        if (this.keepRight && !row.matched) changed = row.matched = true;
      }
      if (changed) this.right.set(key, p, rows);
    }
    this.buffer(this.left, this.leftCleanup, key, t, { value, matched }, t + Math.max(spec.upperBound, 0));
  }

  protected event2(value: R, t: number, element: Timestamped<R> | undefined): void {
    const spec = this.spec;
    if (this.isLate(t)) return spec.late.right(value, t, element);
    const key = spec.rightKey(value);
    // Partners: left rows in [t − upperBound, t − lowerBound], widened by rounding slack (then the exact test).
    const slack = (Math.abs(t) + Math.abs(spec.lowerBound) + Math.abs(spec.upperBound)) * Number.EPSILON * 4;
    const from = t - spec.upperBound - slack;
    const to = t - spec.lowerBound + slack;
    let matched = false;
    // Most keys have at most one left row in the interval (one auction per bid): found with
    // floor and lower, without the array of positions (the common case allocates nothing).
    const last = this.left.floor(key, to);
    if (last !== undefined && last >= from) {
      const before = this.left.lower(key, last);
      if (before === undefined || before < from) matched = this.meetLeft(key, last, value, t);
      else for (const p of this.left.positions(key, from, to)) if (this.meetLeft(key, p, value, t)) matched = true;
    }
    this.buffer(this.right, this.rightCleanup, key, t, { value, matched }, t + Math.max(-spec.lowerBound, 0));
  }

  /** A right row at `t` meets the left rows at `p` if they pair; whether it met any. */
  private meetLeft(key: K, p: number, value: R, t: number): boolean {
    if (!this.pairs(p, t)) return false;
    const rows = this.left.get(key, p)!;
    let changed = false;
    for (const row of rows) {
      this.out.event(this.spec.select(row.value, value), Math.max(t, p));
      if (this.keepLeft && !row.matched) changed = row.matched = true;
    }
    if (changed) this.left.set(key, p, rows);
    return rows.length > 0;
  }

  private buffer<V>(table: OrderedTable<K, Row<V>[]>, cleanup: TimerQueue<K, number>, key: K, t: number, row: Row<V>, at: number): void {
    const rows = table.get(key, t);
    if (rows === undefined) {
      table.set(key, t, [row]);
      // One cleanup per (key, time), registered with its first row: a second registration of
      // the same timer would only be a duplicate record for the queue to skip.
      cleanup.register(at, key, t);
    } else {
      rows.push(row);
      table.set(key, t, rows);
    }
  }

  protected onTime(): void {
    const wm = this.wm;
    for (;;) {
      const next = Math.min(this.leftCleanup.peek(), this.rightCleanup.peek());
      if (!(next <= wm) || next === Infinity) return;
      this.leftCleanup.advanceTo(next, this.cleanLeft);
      this.rightCleanup.advanceTo(next, this.cleanRight);
    }
  }

  private readonly cleanLeft = (time: number, key: K, t: number): void => {
    const rows = this.keepLeft ? this.left.get(key, t) : undefined; // an inner join only drops them
    this.left.delete(key, t);
    if (rows !== undefined) for (const row of rows) if (!row.matched) this.out.event(this.spec.select(row.value, undefined), time);
  };

  private readonly cleanRight = (time: number, key: K, t: number): void => {
    const rows = this.keepRight ? this.right.get(key, t) : undefined; // an inner join only drops them
    this.right.delete(key, t);
    if (rows !== undefined) for (const row of rows) if (!row.matched) this.out.event(this.spec.select(undefined, row.value), time);
  };

  protected config(): Readonly<Record<string, unknown>> {
    const { lowerBound, upperBound, lowerBoundExclusive, upperBoundExclusive, outer } = this.spec;
    return { lowerBound, upperBound, lowerBoundExclusive, upperBoundExclusive, outer: outer ?? 'inner' };
  }

  protected reset(): void {}
}
