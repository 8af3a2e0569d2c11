import type { NamespaceTable, OrderedTable, StateBackend } from '../../../state/StateBackend.js';
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

/**
 * @internal One key's buffered rows, both inputs in one record (one look-up per row): each
 * side's timestamps and values in parallel arrays ascending by time (ties in arrival order),
 * live from its head (`lh`, `rh`: the rows before it are cleaned up), and whether each row
 * found a partner (`lm`, `rm`: kept only for the sides an outer join emits). Written back on
 * change unless the backend shares values.
 */
interface Slot<L, R> {
  lt: number[];
  lv: L[];
  lm: boolean[];
  lh: number;
  rt: number[];
  rv: R[];
  rm: boolean[];
  rh: number;
  /**
   * An inner join's slot: the combined watermark when its heads were last moved past the rows
   * whose cleanup time it had reached. A slot touched after the watermark advanced is cleaned
   * first; one touched again at the same watermark holds no row cleaned since.
   */
  at: number;
  /**
   * Bounds of its rows' cleanup times, so that a sweep decides most slots without loading
   * their arrays: `next` is at most the earliest live row's, `last` at least the latest row's.
   * (Absent in snapshots of format 4 before they were added: a sweep then looks at the rows.)
   */
  next: number;
  last: number;
}

/** The one namespace of the slots table, and the one key of a side's cleanup index (an ordered table by cleanup time). */
const ALL = 0;

/**
 * An inner join sweeps its slots once the rows come since the last sweep are SWEEP_ROWS times
 * the slots that sweep left (and at least SWEEP_MIN). A sweep visits the slots it left and those
 * made since (at most one per row), so it costs at most 1 + 1/SWEEP_ROWS visits per row, and
 * what it finds cleaned is at most about SWEEP_ROWS + 1 times what it left (most rows are
 * dropped sooner, when their key is touched). Pacing by the slots held now instead would never
 * sweep a join whose keys each see a few rows (an order and its shipment): the slots would grow
 * with the rows.
 */
const SWEEP_ROWS = 4;
const SWEEP_MIN = 64;

/** A side's cleaned head is cut off once it is this long and more than half of its arrays. */
const COMPACT = 32;

const NAME = 'intervalJoin';

/**
 * @internal The RxJS-free state machine of `intervalJoin`: Flink's `IntervalJoinOperator`.
 * Each input's rows are buffered per key, ordered by timestamp (ties in arrival order). A row
 * that is not late joins the other input's buffered rows in its interval — partners in
 * ascending time, ties in arrival order — and is buffered until its cleanup time (Flink's: a
 * left row at `l.ts + max(upperBound, 0)`, a right row at `r.ts + max(−lowerBound, 0)`), when
 * the combined watermark reaches it. Outer joins emit a row that never matched at that moment,
 * with the cleanup time as its timestamp, before the watermark is forwarded: cleanups a
 * watermark reaches go in order of cleanup time, left rows before right rows at the same time,
 * then in the order their key was first listed at that time.
 *
 * A side's cleanup time is its rows' time plus a constant, so a key's rows of one side are
 * cleaned in the order they are held: cleanup moves the side's head. Cleanup times are kept per
 * side in an ordered table by time (one entry per cleanup time, listing the keys due then)
 * rather than in a timer queue: rows come nearly in time order, so an entry is mostly the one
 * last written (held, with a backend that shares values, and appended to without a look-up) and
 * a watermark drops the due prefix, where a heap would pay O(log n) comparisons per row.
 * A backend that copies values copies a key's whole buffer on each of its rows.
 */
export class IntervalJoinEngine<L, R, K, O> extends TwoInputCore<L, R, O> {
  readonly name = NAME;
  protected readonly format = 'tidemark-interval-join/4';
  protected readonly sameConfig = 'restore into an intervalJoin with the same bounds, bound exclusivity and outer';
  private readonly slots: NamespaceTable<K, Slot<L, R>>;
  /** Each side's cleanup index: by cleanup time, the keys due then. */
  private readonly leftDue: OrderedTable<typeof ALL, K[]>;
  private readonly rightDue: OrderedTable<typeof ALL, K[]>;
  /** Whether unmatched left (right) rows are emitted, and so whether their match is tracked. */
  private readonly keepLeft: boolean;
  private readonly keepRight: boolean;
  /** What a left (right) row's cleanup time adds to its time. */
  private readonly leftLife: number;
  private readonly rightLife: number;
  private readonly shares: boolean;
  /**
   * An inner join emits nothing at cleanup, so it keeps no cleanup index: a row whose cleanup
   * time the watermark has reached is skipped (and dropped) when its key is next touched, and
   * slots nobody touches are swept (paced by {@link SWEEP_ROWS}).
   */
  private readonly lazy: boolean;
  /** Rows buffered since the last sweep, and the slots it left (an inner join's; not state: they only pace the sweeps). */
  private rows = 0;
  private sweptSlots = 0;
  /** The watermark cleanups last ran at (an outer join's cleanup, an inner join's sweep): they run when it advances, as Flink's timers fire. */
  private cleaned = -Infinity;
  /** The cleanup entry written last per side, with a backend that shares values (a cache of the index, not state). */
  private leftAt = NaN;
  private leftList: K[] | undefined = undefined;
  private rightAt = NaN;
  private rightList: K[] | undefined = undefined;

  constructor(private readonly spec: IntervalJoinSpec<L, R, K, O>) {
    super(spec.state);
    const b = this.backend;
    this.slots = b.table<K, typeof ALL, Slot<L, R>>('rows').namespace(ALL);
    this.leftDue = b.ordered('left-due');
    this.rightDue = b.ordered('right-due');
    this.keepLeft = spec.outer === 'left' || spec.outer === 'full';
    this.keepRight = spec.outer === 'right' || spec.outer === 'full';
    this.leftLife = Math.max(spec.upperBound, 0);
    this.rightLife = Math.max(-spec.lowerBound, 0);
    this.shares = b.sharesValues === true;
    this.lazy = !this.keepLeft && !this.keepRight;
  }

  /** Whether a left row at `l` and a right row at `r` pair: `l + lowerBound <= r <= l + upperBound`, strict where exclusive. */
  private pairs(l: number, r: number): boolean {
    const { lowerBound, upperBound, lowerBoundExclusive, upperBoundExclusive } = this.spec;
    const low = l + lowerBound;
    const high = l + upperBound;
    return (lowerBoundExclusive ? low < r : low <= r) && (upperBoundExclusive ? r < high : r <= high);
  }

  /** `key`'s slot, if it holds rows. */
  private slotOf(key: K): Slot<L, R> | undefined {
    return this.slots.get(key);
  }

  /**
   * A new slot. Its sides share empty arrays that are never written: a side's first row gives it
   * arrays of its own (most keys see rows of one side only: bids of an auction that has gone).
   * The test is on length, not identity: a restored snapshot's clone may share one empty array
   * between sides and slots. The match flags exist only for the sides an outer join emits.
   */
  private newSlot(): Slot<L, R> {
    return { lt: NO_TIMES, lv: NO_ROWS, lm: NO_FLAGS, lh: 0, rt: NO_TIMES, rv: NO_ROWS, rm: NO_FLAGS, rh: 0, at: this.wm, next: Infinity, last: -Infinity };
  }

  /**
   * An inner join's slot, its heads moved past the rows whose cleanup the watermark has reached
   * since it was last touched (Flink's cleanup timers fire when the watermark advances: a row
   * buffered at the current watermark with its cleanup time there lives until the next advance).
   */
  private liveSlot(key: K): Slot<L, R> | undefined {
    const slot = this.slots.get(key);
    if (slot !== undefined && slot.at !== this.wm) this.skipCleaned(slot);
    return slot;
  }

  /** Moves `slot`'s heads past its rows with a cleanup time at or below the watermark (cutting a long dead head off); whether they moved. */
  private skipCleaned(slot: Slot<L, R>): boolean {
    const wm = (slot.at = this.wm);
    const { lt, rt } = slot;
    const leftLife = this.leftLife;
    const rightLife = this.rightLife;
    const lh = slot.lh;
    const rh = slot.rh;
    let h = lh;
    while (h < lt.length && lt[h]! + leftLife <= wm) h++;
    slot.lh = h;
    h = rh;
    while (h < rt.length && rt[h]! + rightLife <= wm) h++;
    slot.rh = h;
    if (slot.lh === lh && h === rh) return false;
    // The earliest live cleanup time now (the latest, when no row is live: the slot is empty).
    const left = slot.lh < lt.length ? lt[slot.lh]! + leftLife : Infinity;
    const right = h < rt.length ? rt[h]! + rightLife : Infinity;
    slot.next = Math.min(left, right, slot.last);
    compact(slot, false, false);
    return true;
  }

  protected event1(value: L, t: number, element: Timestamped<L> | undefined): void {
    const spec = this.spec;
    if (this.isLate(t)) return spec.late.left(value, t, element);
    const key = spec.leftKey(value);
    const held = this.lazy ? this.liveSlot(key) : this.slotOf(key);
    const slot = held ?? this.newSlot();
    // Partners: right rows in [t + lowerBound, t + upperBound] (then the exact test).
    const { rt, rv, rm } = slot;
    const high = t + spec.upperBound;
    let matched = false;
    for (let i = firstAtOrAbove(rt, slot.rh, t + spec.lowerBound); i < rt.length; i++) {
      const p = rt[i]!;
      if (p > high) break;
      if (!this.pairs(t, p)) continue;
      matched = true;
      this.out.event(spec.select(value, rv[i]!), Math.max(t, p));
      if (this.keepRight) rm[i] = true;
    }
    if (slot.lt.length === 0) {
      slot.lt = [];
      slot.lv = [];
      if (this.keepLeft) slot.lm = [];
    }
    insert(slot.lt, slot.lv, this.keepLeft ? slot.lm : undefined, slot.lh, t, value, matched);
    widenCleanup(slot, t + this.leftLife);
    if (held === undefined || !this.shares) this.slots.set(key, slot);
    if (this.lazy) this.rows++;
    else this.due(0, key, t + this.leftLife);
  }

  protected event2(value: R, t: number, element: Timestamped<R> | undefined): void {
    const spec = this.spec;
    if (this.isLate(t)) return spec.late.right(value, t, element);
    const key = spec.rightKey(value);
    const held = this.lazy ? this.liveSlot(key) : this.slotOf(key);
    const slot = held ?? this.newSlot();
    // Partners: left rows in [t − upperBound, t − lowerBound], widened by rounding slack (then the exact test).
    const slack = (Math.abs(t) + Math.abs(spec.lowerBound) + Math.abs(spec.upperBound)) * Number.EPSILON * 4;
    const from = t - spec.upperBound - slack;
    const to = t - spec.lowerBound + slack;
    const { lt, lv, lm } = slot;
    let matched = false;
    // Most keys hold one left row (one auction per bid): a scan from the head, no search.
    for (let i = lt.length - slot.lh > 8 ? firstAtOrAbove(lt, slot.lh, from) : slot.lh; i < lt.length; i++) {
      const p = lt[i]!;
      if (p > to) break;
      if (p < from || !this.pairs(p, t)) continue;
      matched = true;
      this.out.event(spec.select(lv[i]!, value), Math.max(t, p));
      if (this.keepLeft) lm[i] = true;
    }
    if (slot.rt.length === 0) {
      slot.rt = [];
      slot.rv = [];
      if (this.keepRight) slot.rm = [];
    }
    insert(slot.rt, slot.rv, this.keepRight ? slot.rm : undefined, slot.rh, t, value, matched);
    widenCleanup(slot, t + this.rightLife);
    if (held === undefined || !this.shares) this.slots.set(key, slot);
    if (this.lazy) this.rows++;
    else this.due(1, key, t + this.rightLife);
  }

  /** Lists `key` in its side's cleanup index at `at` (once in a row: a key listed twice at one time is cleaned by its first listing). */
  private due(side: 0 | 1, key: K, at: number): void {
    const cached = side === 0 ? this.leftAt === at : this.rightAt === at;
    if (cached) {
      const list = (side === 0 ? this.leftList : this.rightList)!;
      if (list[list.length - 1] !== key) list.push(key);
      return;
    }
    const table = side === 0 ? this.leftDue : this.rightDue;
    let list = table.get(ALL, at);
    if (list === undefined) list = [key];
    else if (list[list.length - 1] !== key) list.push(key);
    else return this.shares ? this.cache(side, at, list) : undefined;
    table.set(ALL, at, list);
    if (this.shares) this.cache(side, at, list);
  }

  private cache(side: 0 | 1, at: number, list: K[]): void {
    if (side === 0) {
      this.leftAt = at;
      this.leftList = list;
    } else {
      this.rightAt = at;
      this.rightList = list;
    }
  }

  protected onTime(): void {
    const wm = this.wm;
    if (wm === this.cleaned) return;
    this.cleaned = wm;
    if (this.lazy) {
      if (this.rows >= Math.max(SWEEP_MIN, SWEEP_ROWS * this.sweptSlots) || wm === Infinity) this.sweep();
      return;
    }
    // Most watermarks reach no cleanup: found by floor, without allocating the lists.
    const left = this.leftDue.floor(ALL, wm) === undefined ? NONE : this.leftDue.positions(ALL, -Infinity, wm);
    const right = this.rightDue.floor(ALL, wm) === undefined ? NONE : this.rightDue.positions(ALL, -Infinity, wm);
    if (left.length > 0) this.leftAt = NaN;
    if (right.length > 0) this.rightAt = NaN;
    // Cleanup times are final here (cleaning buffers nothing), so the two lists merge: by time, left first.
    let i = 0;
    let j = 0;
    while (i < left.length || j < right.length) {
      if (j === right.length || (i < left.length && left[i]! <= right[j]!)) this.clean(0, left[i++]!);
      else this.clean(1, right[j++]!);
    }
  }

  /** Cleans one side's rows due at `time`, key by key in the order they were listed, and drops the entry. */
  private clean(side: 0 | 1, time: number): void {
    const due = side === 0 ? this.leftDue : this.rightDue;
    const list = due.get(ALL, time)!;
    due.delete(ALL, time);
    const select = this.spec.select;
    for (const key of list) {
      const slot = this.slots.get(key);
      if (slot === undefined) continue;
      if (side === 0) {
        const { lt, lv, lm } = slot;
        const life = this.leftLife;
        let h = slot.lh;
        for (; h < lt.length && lt[h]! + life <= time; h++) if (this.keepLeft && !lm[h]) this.out.event(select(lv[h]!, undefined), time);
        slot.lh = h;
      } else {
        const { rt, rv, rm } = slot;
        const life = this.rightLife;
        let h = slot.rh;
        for (; h < rt.length && rt[h]! + life <= time; h++) if (this.keepRight && !rm[h]) this.out.event(select(undefined, rv[h]!), time);
        slot.rh = h;
      }
      if (slot.lh === slot.lt.length && slot.rh === slot.rt.length) {
        this.slots.delete(key);
        continue;
      }
      compact(slot, this.keepLeft, this.keepRight);
      if (!this.shares) this.slots.set(key, slot);
    }
  }

  /** An inner join's sweep: every slot's cleaned rows dropped, and the slots left empty. */
  private sweep(): void {
    this.rows = 0;
    const empty: K[] = [];
    const changed: [K, Slot<L, R>][] = [];
    // A slot whose heads did not move is not written back: what a copying backend holds of it
    // differs in \`at\` only, and is cleaned again, to the same rows, when next touched. The
    // cleanup bounds settle most slots without their rows: all cleaned, or none due.
    const wm = this.wm;
    this.slots.forEach((slot, key) => {
      if (slot.at === wm) return;
      if (slot.last <= wm) return void empty.push(key);
      if (slot.next > wm || !this.skipCleaned(slot)) return;
      if (slot.lh === slot.lt.length && slot.rh === slot.rt.length) empty.push(key);
      else if (!this.shares) changed.push([key, slot]);
    });
    for (const key of empty) this.slots.delete(key);
    for (const [key, slot] of changed) this.slots.set(key, slot);
    this.sweptSlots = this.slots.size;
  }

  protected config(): Readonly<Record<string, unknown>> {
    const { lowerBound, upperBound, lowerBoundExclusive, upperBoundExclusive, outer } = this.spec;
    return { lowerBound, upperBound, lowerBoundExclusive, upperBoundExclusive, outer: outer ?? 'inner' };
  }

  protected reset(): void {
    this.leftAt = this.rightAt = NaN;
    this.leftList = this.rightList = undefined;
    this.rows = 0;
    this.sweptSlots = this.slots.size;
    this.cleaned = this.wm;
  }
}

const NONE: readonly number[] = [];

/** The match flags of a side that does not track them, or has no rows yet: never written. */
const NO_FLAGS: boolean[] = [];
/** The times and rows of a side without rows: never written (an empty side gets arrays of its own for its first row). */
const NO_TIMES: number[] = [];
const NO_ROWS: never[] = [];

/** The index of the first of `times` from `from` on that is `>= at` (binary search). */
function firstAtOrAbove(times: readonly number[], from: number, at: number): number {
  let lo = from;
  let hi = times.length;
  if (hi === lo || times[lo]! >= at) return lo;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts a row after the held rows at or before its time (ties in arrival order): an append when it is the latest. */
function insert<V>(times: number[], values: V[], matched: boolean[] | undefined, head: number, t: number, value: V, m: boolean): void {
  let j = times.length;
  times.push(t);
  values.push(value);
  matched?.push(m);
  while (j > head && times[j - 1]! > t) {
    times[j] = times[j - 1]!;
    values[j] = values[j - 1]!;
    if (matched !== undefined) matched[j] = matched[j - 1]!;
    j--;
  }
  if (j < times.length - 1) {
    times[j] = t;
    values[j] = value;
    if (matched !== undefined) matched[j] = m;
  }
}

/** Widens a slot's cleanup bounds by a row cleaned at `at` (bounds absent from an older snapshot are set). */
function widenCleanup<L, R>(slot: Slot<L, R>, at: number): void {
  if (!(slot.next <= at)) slot.next = at;
  if (!(slot.last >= at)) slot.last = at;
}

/** Cuts a side's cleaned head off once it is long and more than half of its arrays (its flags too where kept). */
function compact<L, R>(slot: Slot<L, R>, leftFlags: boolean, rightFlags: boolean): void {
  const { lh, rh } = slot;
  if (lh >= COMPACT && lh * 2 > slot.lt.length) {
    cut(slot.lt, lh);
    cut(slot.lv, lh);
    if (leftFlags) cut(slot.lm, lh);
    slot.lh = 0;
  }
  if (rh >= COMPACT && rh * 2 > slot.rt.length) {
    cut(slot.rt, rh);
    cut(slot.rv, rh);
    if (rightFlags) cut(slot.rm, rh);
    slot.rh = 0;
  }
}

/** Removes the first `n` items in place. */
function cut<V>(a: V[], n: number): void {
  a.copyWithin(0, n);
  a.length -= n;
}
