import type { KeyedTable, NamespaceTable } from '../../../state/StateBackend.js';
import type { Timestamped } from '../../../time/elements.js';
import { windowStart } from '../../../time/windowMath.js';
import { PaneStacks } from './PaneStacks.js';
import type { WindowCore, WindowLayout } from './windowLayout.js';

/** The timer key of a fixed window: one timer fires (or purges) every key of the window. */
const ALL_KEYS = null;
/** How many recently entered panes remember that their windows' timers are registered. */
const ARMED = 8;
/**
 * Past this many panes per window, on-time firings reuse merged runs of panes
 * ({@link PaneStacks}); below it, merging each window's panes directly costs less.
 */
export const STACKED_PANES = 8;

/**
 * @internal Tumbling windows, and sliding windows assembled from panes (Flink's and Arroyo's
 * slicing; "Cutty" and "Scotty" in the literature). Time is cut into panes of
 * `gcd(size, slide)`; an event updates one accumulator, its key's in its pane, whatever
 * `size / slide` is, and a window's result is the merge of its panes' accumulators when it
 * fires. Tumbling windows are the case of one pane per window (no merging).
 *
 * State: `table` (key, pane start) → accumulator; one timer per window (all keys) at
 * `end − 1` (fire) and at `end − 1 + allowedLateness` (purge the panes no later window
 * needs: those in `[start, start + min(slide, size))`). All events of a pane belong to the
 * same windows, so the engine holds the pane it is filling (its state view, its windows).
 *
 * A window's keys come pane by pane, oldest pane first, each pane's in arrival order.
 * Sliding windows need an aggregator with `merge(a, b)` that leaves `b` unchanged, and
 * accumulating panes (a discarding firing cannot take a shared pane's events back).
 */
export class PaneWindows<T, K, A> implements WindowLayout<T, K> {
  readonly name: string;
  private readonly pane: number;
  private readonly paneOffset: number;
  /** Panes in a window: 1 for tumbling windows. */
  private readonly perWindow: number;
  /** The pane being filled: `[lo, lo + pane)`, its state, the starts of its first and last windows. */
  private lo = NaN;
  private view: NamespaceTable<K, A> | undefined = undefined;
  private first = 0;
  private last = 0;
  /** Whether the current pane lies in a gap between windows (`slide > size`): its events belong to none. */
  private gap = false;
  private readonly armed = new Float64Array(ARMED).fill(NaN);
  private nextArmed = 0;
  /**
   * The last key's accumulator in the current pane, when the backend shares values: a run of
   * one key (a global window) then costs no state lookups. `hasLast` is false when unknown.
   */
  private lastKey: K | undefined = undefined;
  private lastAcc: A | undefined = undefined;
  private hasLast = false;
  /** Merged runs of panes for on-time firings, when windows have more than {@link STACKED_PANES} panes. */
  private readonly stacks: PaneStacks<K, A> | undefined;

  constructor(
    private readonly core: WindowCore<T, K, A>,
    private readonly table: KeyedTable<K, number, A>,
    private readonly size: number,
    private readonly slide: number,
    private readonly offset: number,
  ) {
    this.pane = gcd(size, slide);
    this.paneOffset = offset % this.pane;
    this.perWindow = size / this.pane;
    this.name = this.perWindow === 1 && slide === size ? 'windows' : `panes of ${this.pane}`;
    this.stacks = this.perWindow > STACKED_PANES ? new PaneStacks(core as WindowCore<unknown, K, A>, table, this.pane) : undefined;
  }

  onEvent(key: K, value: T, t: number, element: Timestamped<T> | undefined): void {
    if (!(t >= this.lo && t < this.lo + this.pane)) this.enter(t);
    if (this.gap) return;
    const core = this.core;
    const wm = core.wm;
    const size = this.size;
    // The last window of the pane ends latest: when it is purged, so are all the others.
    if (this.last + size - 1 + core.lateness <= wm) return core.late(value, t, element);
    const view = this.view!;
    const acc = this.hasLast && key === this.lastKey ? this.lastAcc : view.get(key);
    const next = core.add(acc === undefined ? core.create() : acc, value, t);
    if (next !== acc || !core.sharesValues) view.set(key, next);
    if (this.stacks?.covers(this.lo)) this.stacks.invalidate();
    if (core.sharesValues) {
      this.lastKey = key;
      this.lastAcc = next;
      this.hasLast = true;
    }
    // Windows of the pane that have fired re-fire, late; those that have not may fire early.
    if (this.first + size - 1 <= wm) this.refire(key, wm, next);
    if (core.early !== undefined) this.earlyEvent(key, wm, next);
  }

  advance(watermark: number): void {
    this.core.timers.advanceTo(watermark, this.onTimer);
  }

  onEarlyTimer(key: K, start: number): void {
    if (start + this.size - 1 > this.core.wm) this.fireKey(key, start, 'early', undefined);
  }

  reset(): void {
    this.hasLast = false;
    this.lo = NaN;
    this.view = undefined;
    this.armed.fill(NaN);
    this.stacks?.invalidate();
  }

  /** Makes the pane of `t` current: its state view and its windows, whose timers it registers once. */
  private enter(t: number): void {
    this.hasLast = false;
    const p = (this.lo = windowStart(t, this.pane, this.paneOffset));
    const last = (this.last = windowStart(p, this.slide, this.offset));
    this.gap = last + this.size <= p;
    // Windows containing the pane start in (p − size, last], every slide.
    this.first = last - Math.floor((last - p + this.size - 1) / this.slide) * this.slide;
    this.view = this.table.namespace(p);
    if (this.gap) return;
    for (let i = 0; i < ARMED; i++) if (this.armed[i] === p) return;
    this.armed[this.nextArmed] = p;
    this.nextArmed = (this.nextArmed + 1) % ARMED;
    const { core, size } = this;
    for (let s = this.first; s <= last; s += this.slide) {
      const fireAt = s + size - 1;
      const purgeAt = fireAt + core.lateness;
      if (fireAt > core.wm) core.timers.register(fireAt, ALL_KEYS, s);
      if (purgeAt > core.wm && purgeAt !== fireAt) core.timers.register(purgeAt, ALL_KEYS, s);
      if (fireAt > core.wm) core.timerAt(fireAt);
      else if (purgeAt > core.wm) core.timerAt(purgeAt);
    }
  }

  /** Late re-firings of the pane's fired windows that are not purged yet; newest window first. */
  private refire(key: K, wm: number, paneAcc: A): void {
    const { size } = this;
    const lateness = this.core.lateness;
    for (let s = this.last; s >= this.first; s -= this.slide) {
      const fireAt = s + size - 1;
      if (fireAt <= wm && fireAt + lateness > wm) this.fireKey(key, s, 'late', paneAcc);
    }
  }

  /** Early firings of the pane's windows that have not fired on time yet; newest window first. */
  private earlyEvent(key: K, wm: number, paneAcc: A): void {
    const { core, size } = this;
    for (let s = this.last; s >= this.first; s -= this.slide) {
      if (s + size - 1 > wm && core.early!.onEvent(key, s, core.time)) this.fireKey(key, s, 'early', paneAcc);
    }
  }

  /**
   * Fires one key's window at `start`. `paneAcc`, when given, is the key's accumulator in the
   * current pane (a tumbling window's is the window's own).
   */
  private fireKey(key: K, start: number, firing: 'early' | 'late', paneAcc: A | undefined): void {
    let acc: A | undefined;
    if (this.perWindow === 1) acc = paneAcc ?? this.table.get(key, start);
    else acc = this.assemble(key, start);
    if (acc === undefined) return;
    this.core.emit(key, start, start, start + this.size, acc, firing);
    if (this.core.discarding) {
      this.table.set(key, start, this.core.create());
      this.hasLast = false;
    }
  }

  /** One key's window: the merge of its panes' accumulators (never changing them). */
  private assemble(key: K, start: number): A | undefined {
    const { core, table } = this;
    let acc: A | undefined;
    let own = false;
    for (let q = start, end = start + this.size; q < end; q += this.pane) {
      const x = table.get(key, q);
      if (x === undefined) continue;
      if (acc === undefined) acc = x;
      else {
        acc = own ? core.merge(acc, x) : core.merge(core.merge(core.create(), acc), x);
        own = true;
      }
    }
    return acc;
  }

  private readonly onTimer = (time: number, _all: unknown, start: number): void => {
    const end = start + this.size;
    if (time === end - 1) this.fireAll(start, end);
    if (time === end - 1 + this.core.lateness) this.purge(start);
  };

  /** The on-time firing of every key of the window at `start`. */
  private fireAll(start: number, end: number): void {
    const { core, table } = this;
    if (core.discarding) this.hasLast = false;
    if (this.perWindow === 1) {
      const view = table.namespace(start);
      if (core.discarding) {
        view.forEach((acc, key) => {
          core.emit(key, start, start, end, acc, 'on-time');
          view.set(key, core.create());
        });
      } else view.forEach((acc, key) => core.emit(key, start, start, end, acc, 'on-time'));
      return;
    }
    if (this.stacks !== undefined) return this.stacks.fire(start, end);
    // Each key's accumulator: the first pane's as it is, then a fresh merge of all of them.
    const accs = new Map<K, A>();
    const owned = new Set<K>();
    for (let q = start; q < end; q += this.pane) {
      table.namespace(q).forEach((x, key) => {
        const acc = accs.get(key);
        if (acc === undefined) accs.set(key, x);
        else if (owned.has(key)) accs.set(key, core.merge(acc, x));
        else {
          accs.set(key, core.merge(core.merge(core.create(), acc), x));
          owned.add(key);
        }
      });
    }
    for (const [key, acc] of accs) core.emit(key, start, start, end, acc, 'on-time');
  }

  /** The window at `start` is past its lateness: its panes that no later window holds go, with its early panes. */
  private purge(start: number): void {
    const { core, table } = this;
    this.hasLast = false;
    if (core.early !== undefined) {
      for (let q = start; q < start + this.size; q += this.pane) for (const key of table.namespace(q).keys()) core.early.reset(key, start);
    }
    for (let q = start, until = start + Math.min(this.slide, this.size); q < until; q += this.pane) table.namespace(q).clear();
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
