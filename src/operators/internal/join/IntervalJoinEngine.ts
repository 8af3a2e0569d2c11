import type { OrderedTable, StateBackend } from '../../../state/StateBackend.js';
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

/**
 * @internal What is cleaned up at one time: the (key, timestamp) of each buffered group due then,
 * flat (`[key, t, key, t, …]`), in the order the groups were first seen.
 */
type Due<K> = (K | number)[];

/** The one key of a side's cleanup index (an ordered table by cleanup time). */
const ALL = 0;

const NONE: readonly number[] = [];

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
 *
 * Cleanup times are kept per side in an ordered table by time (one entry per cleanup time,
 * listing the groups due then) rather than in a timer queue: rows come nearly in time order, so
 * an entry is mostly appended at the end and a watermark drops the due prefix, where a heap
 * would pay O(log n) comparisons per row to register and again to fire.
 */
export class IntervalJoinEngine<L, R, K, O> extends TwoInputCore<L, R, O> {
  readonly name = NAME;
  protected readonly format = 'tidemark-interval-join/2';
  protected readonly sameConfig = 'restore into an intervalJoin with the same bounds, bound exclusivity and outer';
  private readonly left: OrderedTable<K, Row<L>[]>;
  private readonly right: OrderedTable<K, Row<R>[]>;
  /** Each side's cleanup index: by cleanup time, the groups due then. */
  private readonly leftDue: OrderedTable<typeof ALL, Due<K>>;
  private readonly rightDue: OrderedTable<typeof ALL, Due<K>>;
  /** Whether unmatched left (right) rows are emitted, and so whether their match is tracked. */
  private readonly keepLeft: boolean;
  private readonly keepRight: boolean;

  constructor(private readonly spec: IntervalJoinSpec<L, R, K, O>) {
    super(spec.state);
    const b = this.backend;
    this.left = b.ordered('left');
    this.right = b.ordered('right');
    this.leftDue = b.ordered('left-due');
    this.rightDue = b.ordered('right-due');
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
    this.buffer(this.left, this.leftDue, key, t, { value, matched }, t + Math.max(spec.upperBound, 0));
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
    this.buffer(this.right, this.rightDue, key, t, { value, matched }, t + Math.max(-spec.lowerBound, 0));
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

  private buffer<V>(table: OrderedTable<K, Row<V>[]>, due: OrderedTable<typeof ALL, Due<K>>, key: K, t: number, row: Row<V>, at: number): void {
    const rows = table.get(key, t);
    if (rows === undefined) {
      table.set(key, t, [row]);
      // One cleanup per (key, time), listed with its first row.
      const list = due.get(ALL, at);
      if (list === undefined) due.set(ALL, at, [key, t]);
      else {
        list.push(key, t);
        due.set(ALL, at, list);
      }
    } else {
      rows.push(row);
      table.set(key, t, rows);
    }
  }

  protected onTime(): void {
    const wm = this.wm;
    // Most watermarks reach no cleanup: found by floor, without allocating the lists.
    const left = this.leftDue.floor(ALL, wm) === undefined ? NONE : this.leftDue.positions(ALL, -Infinity, wm);
    const right = this.rightDue.floor(ALL, wm) === undefined ? NONE : this.rightDue.positions(ALL, -Infinity, wm);
    // Cleanup times are final here (cleaning buffers nothing), so the two lists merge: by time, left first.
    let i = 0;
    let j = 0;
    while (i < left.length || j < right.length) {
      if (j === right.length || (i < left.length && left[i]! <= right[j]!)) this.clean(this.leftDue, left[i++]!, this.cleanLeft);
      else this.clean(this.rightDue, right[j++]!, this.cleanRight);
    }
  }

  /** Cleans the groups due at `time`, in the order they were listed, and drops their entry. */
  private clean(due: OrderedTable<typeof ALL, Due<K>>, time: number, f: (time: number, key: K, t: number) => void): void {
    const list = due.get(ALL, time)!;
    due.delete(ALL, time);
    for (let k = 0; k < list.length; k += 2) f(time, list[k] as K, list[k + 1] as number);
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
