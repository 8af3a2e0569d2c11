import type { KeyedTable, StateBackend, TimerQueue } from '../../../state/StateBackend.js';
import type { Trigger } from '../../../time/triggers.js';
import type { ProcessingTime } from '../chain/engine.js';

/**
 * @internal The state of Beam-style early firings, by (key, window namespace), all in the
 * backend: `pane` counts the events since the window last fired; `pending` holds the
 * processing time of the pane's timer, which `early-timers` keeps in order. A window fires
 * early after `everyEvents` events, or `every` after the first event of a pane, whichever
 * comes first; any firing starts a new pane.
 */
export class EarlyFirings<K> {
  private readonly pane: KeyedTable<K, number, number>;
  private readonly pending: KeyedTable<K, number, number>;
  private readonly timers: TimerQueue<K, number>;

  constructor(
    backend: StateBackend,
    private readonly trigger: Trigger,
  ) {
    this.pane = backend.table('pane');
    this.pending = backend.table('pending');
    this.timers = backend.timers('early-timers');
  }

  /** Counts an event into the window's pane; true when the window should fire early now. */
  onEvent(key: K, ns: number, time: ProcessingTime): boolean {
    const n = (this.pane.get(key, ns) ?? 0) + 1;
    const { everyEvents, every } = this.trigger;
    if (everyEvents !== undefined && n >= everyEvents) return true;
    this.pane.set(key, ns, n);
    if (every !== undefined && this.pending.get(key, ns) === undefined) {
      const at = time.now() + every;
      this.pending.set(key, ns, at);
      this.timers.register(at, key, ns);
      time.wakeAt(at);
    }
    return false;
  }

  /** Starts a new pane (after any firing, or when the window is purged). */
  reset(key: K, ns: number): void {
    this.pane.delete(key, ns);
    const at = this.pending.get(key, ns);
    if (at !== undefined) {
      this.pending.delete(key, ns);
      this.timers.delete(at, key, ns);
    }
  }

  /**
   * Moves a merged-away session's pane into the session that absorbed it: the events counted
   * since each last fired add up, and the merged pane's `every` countdown is the one that
   * started first (it runs from the pane's first event, not from the merge).
   */
  merge(key: K, from: number, into: number): void {
    const n = this.pane.get(key, from);
    if (n !== undefined) this.pane.set(key, into, (this.pane.get(key, into) ?? 0) + n);
    const due = this.pending.get(key, from);
    const dueInto = this.pending.get(key, into);
    if (due !== undefined && (dueInto === undefined || due < dueInto)) {
      if (dueInto !== undefined) this.timers.delete(dueInto, key, into);
      this.pending.set(key, into, due);
      this.timers.register(due, key, into);
    }
    this.reset(key, from);
  }

  /** Calls `fire` for each pane whose timer is due by `now` and that holds events; then asks to be woken for the next. */
  advanceTo(now: number, time: ProcessingTime, fire: (key: K, ns: number) => void): void {
    this.timers.advanceTo(now, (_at, key, ns) => {
      this.pending.delete(key, ns);
      if ((this.pane.get(key, ns) ?? 0) > 0) fire(key, ns);
    });
    this.wake(time);
  }

  /** Asks for a wake-up at the next pending timer, if any. */
  wake(time: ProcessingTime): void {
    const next = this.timers.peek();
    if (next < Infinity) time.wakeAt(next);
  }
}
