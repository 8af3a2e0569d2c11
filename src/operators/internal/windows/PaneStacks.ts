import type { KeyedTable } from '../../../state/StateBackend.js';
import type { WindowCore } from './windowLayout.js';

/**
 * @internal Merged runs of panes for the on-time firings of sliding windows with many panes
 * each (the "two stacks" of sliding-window aggregation): consecutive windows share all but one
 * slide of panes, so instead of merging every pane of every window,
 *
 * - at a *flip* (the first window, or once the windows have slid past the last flip's), the
 *   window's panes are merged into suffixes, newest first: `front[j]` = panes `j … last`;
 * - each later window is `front[its first pane]` merged with `back`, the panes that entered
 *   since the flip, each folded into `back` once, when the first window holding it fires.
 *
 * A window with `n` panes then costs about three merges per key instead of `n`, and the
 * firing cost per event stays flat as `size / slide` grows. The runs are derived data, not
 * state: they hold copies or the stored values, never change a stored value, and are dropped
 * ({@link invalidate}) whenever a pane they cover changes (an event behind the watermark into a
 * window that has not fired yet), on restore, and when windows fire out of step; the next
 * firing then flips afresh from the panes in the state.
 *
 * Keys come as {@link PaneWindows}' direct path orders them: by their first pane, oldest first,
 * each pane's keys in its order.
 */
export class PaneStacks<K, A> {
  /** Pane start of `front[0]`; NaN when there are no runs. */
  private frontStart = NaN;
  /** Start of the last pane in the front (and in every suffix). */
  private frontEnd = NaN;
  private front: Map<K, A>[] = [];
  /** The panes after `frontEnd` up to `backEnd`, merged. */
  private back = new Map<K, A>();
  /** Keys whose `back` value is a merge made here (changed in place by the next fold); others are stored values. */
  private owned = new Set<K>();
  private backEnd = NaN;

  constructor(
    private readonly core: WindowCore<unknown, K, A>,
    private readonly table: KeyedTable<K, number, A>,
    private readonly pane: number,
  ) {}

  /** Whether a change to the pane starting at `paneStart` reaches a run (then {@link invalidate}). */
  covers(paneStart: number): boolean {
    return paneStart >= this.frontStart && paneStart <= this.backEnd;
  }

  invalidate(): void {
    this.frontStart = this.frontEnd = this.backEnd = NaN;
    this.front = [];
    this.back = new Map();
    this.owned = new Set();
  }

  /** Emits, on time, every key's result of the window `[start, end)`. */
  fire(start: number, end: number): void {
    const last = end - this.pane;
    if (!(start >= this.frontStart && start <= this.frontEnd && last >= this.backEnd)) this.flip(start, last);
    for (let q = this.backEnd + this.pane; q <= last; q += this.pane) this.fold(q);
    this.backEnd = last;
    const core = this.core;
    const suffix = this.front[(start - this.frontStart) / this.pane]!;
    const back = this.back;
    suffix.forEach((a, key) => {
      const b = back.get(key);
      core.emit(key, start, start, end, b === undefined ? a : core.merge(core.merge(core.create(), a), b), 'on-time');
    });
    // An accumulator handed to emit stays ours: the aggregator's `result` makes the user's value.
    back.forEach((b, key) => {
      if (!suffix.has(key)) core.emit(key, start, start, end, b, 'on-time');
    });
  }

  /** Merges the panes `start … last` into suffixes, newest first; `back` starts empty. */
  private flip(start: number, last: number): void {
    const { core, table, pane } = this;
    const n = (last - start) / pane + 1;
    const front: Map<K, A>[] = new Array<Map<K, A>>(n);
    let later: Map<K, A> | undefined;
    for (let j = n - 1; j >= 0; j--) {
      const suffix = new Map<K, A>();
      table.namespace(start + j * pane).forEach((x, key) => {
        const y = later?.get(key);
        suffix.set(key, y === undefined ? x : core.merge(core.merge(core.create(), x), y));
      });
      if (later !== undefined) for (const [key, y] of later) if (!suffix.has(key)) suffix.set(key, y);
      front[j] = later = suffix;
    }
    this.front = front;
    this.frontStart = start;
    this.frontEnd = this.backEnd = last;
    this.back = new Map();
    this.owned = new Set();
  }

  /** Folds the pane at `q` into `back`. */
  private fold(q: number): void {
    const { core, back, owned } = this;
    this.table.namespace(q).forEach((x, key) => {
      const b = back.get(key);
      if (b === undefined) back.set(key, x);
      else if (owned.has(key)) back.set(key, core.merge(b, x));
      else {
        back.set(key, core.merge(core.merge(core.create(), b), x));
        owned.add(key);
      }
    });
  }
}
