import { InvalidArgumentError } from '../../errors/InvalidArgumentError.js';
import { show } from '../../errors/show.js';
import { StateError } from '../../errors/StateError.js';
import { MemoryStateBackend } from '../../state/MemoryStateBackend.js';
import type { KeyedTable, StateBackend, StateSnapshot, TimerQueue, ValueCell } from '../../state/StateBackend.js';
import type { Aggregator } from '../../time/aggregators.js';
import type { Timestamped } from '../../time/elements.js';
import type { Trigger } from '../../time/triggers.js';
import { windowStart } from '../../time/windowMath.js';
import type { WindowAssigner, WindowResult } from '../../time/windows.js';
import { EarlyFirings } from './EarlyFirings.js';
import type { Collector, Engine, OperatorSnapshot, ProcessingTime } from './engine.js';
import { MergingSessions, type Session } from './sessionMerge.js';

/** What `windowAggregate` counts (see `WindowAggregateMetrics`). */
export interface LateCounters {
  lateEvents: number;
  droppedLateEvents: number;
}

/** @internal What the window engine needs, validated by `windowAggregate`. */
export interface WindowEngineSpec<T, K, A, R> {
  readonly window: WindowAssigner;
  readonly key: ((value: T) => K) | undefined;
  readonly aggregate: Aggregator<T, A, R>;
  readonly allowedLateness: number;
  readonly trigger: Trigger;
  readonly onLate: ((event: Timestamped<T>) => void) | undefined;
  /** The user's `metrics` option, if any. */
  readonly metrics: { lateEvents: number } | undefined;
  /** The operator's own counters (always there). */
  readonly counters: LateCounters;
  readonly state: StateBackend | undefined;
}

/** @internal The configuration a snapshot records, so that a restore into another configuration is refused. */
interface SnapshotConfig {
  readonly window: WindowAssigner;
  readonly allowedLateness: number;
  readonly aggregate: string | null;
  readonly trigger: { readonly everyEvents: number | null; readonly every: number | null; readonly panes: string };
}

/** @internal A windowAggregate snapshot's `state`. */
interface WindowSnapshotState {
  readonly format: typeof FORMAT;
  readonly config: SnapshotConfig;
  readonly backend: StateSnapshot;
}

type Firing = WindowResult<unknown, unknown>['firing'];

const NAME = 'windowAggregate';
const FORMAT = 'tidemark-window/2';
/** The timer key of a tumbling or sliding window: one timer fires all keys of the window. */
const ALL_KEYS = null;
/** How many recently armed fixed windows the engine remembers (sliding windows: size/slide at a time). */
const ARMED_CACHE = 8;

/**
 * @internal The RxJS-free state machine of `windowAggregate`: Flink's `WindowOperator`
 * with an `EventTimeTrigger` (plus Beam-style early firings).
 *
 * State (all in the backend, and written back after every change, so that a backend that
 * copies values works):
 * - tumbling and sliding windows: `contents` (key, window start) → accumulator, and one
 *   timer per window (not per key) at `end − 1` (fire every key) and at
 *   `end − 1 + allowedLateness` (purge every key);
 * - sessions: `sessions`, each key's live sessions by start ({@link MergingSessions}), and a
 *   timer per session, re-armed lazily: extending a session leaves its timer early, and
 *   the early timer re-arms itself at the session's current `end − 1` when it fires;
 * - early firings: see {@link EarlyFirings}.
 *
 * Output order: results that one watermark fires come in order of `end`; windows with the
 * same `end` in the order their state was created (a merged session counts from its oldest part).
 */
export class WindowEngine<T, K, A, R> implements Engine<T, WindowResult<K, R>> {
  readonly name = NAME;
  private out!: Collector<WindowResult<K, R>>;
  private time!: ProcessingTime;
  private wm = -Infinity;
  /** A lower bound of the earliest event-time timer: a watermark below it fires nothing. */
  private nextTimer = -Infinity;
  /** Fixed windows whose timers were registered lately (skips re-registering them), round robin. */
  private readonly armed = new Float64Array(ARMED_CACHE).fill(NaN);
  private nextArmed = 0;
  /** The window (of size `slide`) of the last event: most events fall in it again. */
  private cachedStart = NaN;
  /** The sequence number of the next session opened. */
  private seq = 0;
  /** Sessions due at one timer time, fired together in `seq` order. */
  private readonly due: [key: K, s: Session<A>, fire: boolean, purge: boolean][] = [];

  private readonly backend: StateBackend;
  private readonly contents: KeyedTable<K, number, A>;
  private readonly timers: TimerQueue<K | null, number>;
  private readonly sessions: MergingSessions<K, A>;
  /** Present when the trigger fires early. */
  private readonly early: EarlyFirings<K> | undefined;
  private readonly watermarkCell: ValueCell<number>;
  private readonly seqCell: ValueCell<number>;

  private readonly kind: 0 | 1 | 2; // tumbling | sliding | session
  private readonly size: number;
  private readonly slide: number;
  private readonly offset: number;
  private readonly lateness: number;
  private readonly keyOf: ((value: T) => K) | undefined;
  private readonly agg: Aggregator<T, A, R>;
  private readonly discarding: boolean;

  constructor(private readonly spec: WindowEngineSpec<T, K, A, R>) {
    const w = spec.window;
    this.kind = w.type === 'tumbling' ? 0 : w.type === 'sliding' ? 1 : 2;
    this.size = w.type === 'session' ? w.gap : w.size;
    this.slide = w.type === 'sliding' ? w.slide : this.size;
    this.offset = w.type === 'session' ? 0 : w.offset;
    this.lateness = spec.allowedLateness;
    this.keyOf = spec.key;
    this.agg = spec.aggregate;
    this.discarding = spec.trigger.panes === 'discarding';

    const b = (this.backend = spec.state ?? new MemoryStateBackend());
    this.contents = b.table('contents');
    this.timers = b.timers('timers');
    this.sessions = new MergingSessions(b.ordered('sessions'), (x, y) => this.merge(x, y));
    const fireEarly = spec.trigger.everyEvents !== undefined || spec.trigger.every !== undefined;
    this.early = fireEarly ? new EarlyFirings<K>(b, spec.trigger) : undefined;
    this.watermarkCell = b.value('watermark', -Infinity);
    this.seqCell = b.value('session-seq', 0);
    this.wm = this.watermarkCell.get();
    this.seq = this.seqCell.get();
  }

  open(out: Collector<WindowResult<K, R>>, time: ProcessingTime): void {
    this.out = out;
    this.time = time;
    this.early?.wake(time);
  }

  onEvent(value: T, t: number, element?: Timestamped<T>): void {
    let key = this.keyOf === undefined ? (undefined as K) : this.keyOf(value);
    // One key for 0 and -0 (state Maps do not tell them apart): report it as 0 on every path.
    if ((key as unknown) === 0) key = 0 as K;
    if (this.kind === 2) return this.sessionEvent(key, value, t, element);
    // The last window of size `slide` containing t (for tumbling windows, slide = size).
    let last = this.cachedStart;
    if (!(t >= last && t < last + this.slide)) last = this.cachedStart = windowStart(t, this.slide, this.offset);
    let assigned = false;
    for (let start = last; start > t - this.size; start -= this.slide) {
      const end = start + this.size;
      if (end - 1 + this.lateness > this.wm) {
        assigned = true;
        this.addToWindow(key, start, end, value, t);
      }
    }
    // An event of no window (a gap between sliding windows) is not late; one whose every window is, is.
    if (!assigned && last + this.size > t) this.late(value, t, element);
  }

  onWatermark(t: number): void {
    if (!(t > this.wm)) return;
    this.wm = t;
    if (t >= this.nextTimer) {
      if (this.kind === 2) {
        // One timer time at a time, so that sessions due together fire in creation order.
        for (let at = this.timers.peek(); at <= t && at !== Infinity; at = this.timers.peek()) {
          this.timers.advanceTo(at, this.onSessionTimer);
          this.fireDueSessions();
        }
      } else {
        this.timers.advanceTo(t, this.onWindowTimer);
      }
      this.nextTimer = this.timers.peek();
    }
    this.out.watermark(t);
  }

  onProcessingTime(now: number): void {
    this.early?.advanceTo(now, this.time, this.onEarlyTimer);
  }

  snapshot(): OperatorSnapshot {
    this.watermarkCell.set(this.wm);
    this.seqCell.set(this.seq);
    const state: WindowSnapshotState = { format: FORMAT, config: this.config(), backend: this.backend.snapshot() };
    return { operator: NAME, state };
  }

  restore(snapshot: OperatorSnapshot): void {
    const s = this.check(snapshot);
    this.backend.restore(s.backend);
    this.wm = this.watermarkCell.get();
    this.seq = this.seqCell.get();
    this.nextTimer = -Infinity;
    this.armed.fill(NaN);
    this.cachedStart = NaN;
    // Before open() there is no clock yet: open() asks instead.
    if (this.time !== undefined) this.early?.wake(this.time);
  }

  // --- tumbling and sliding windows ---------------------------------------------------

  private addToWindow(key: K, start: number, end: number, value: T, t: number): void {
    let acc = this.contents.get(key, start);
    if (acc === undefined) {
      acc = this.create();
      if (!this.isArmed(start)) this.armWindow(start, end);
    }
    acc = this.add(acc, value, t);
    this.contents.set(key, start, acc);
    if (end - 1 <= this.wm) this.fire(key, start, start, end, acc, 'late');
    else if (this.early?.onEvent(key, start, this.time)) this.fire(key, start, start, end, acc, 'early');
  }

  private isArmed(start: number): boolean {
    for (let i = 0; i < ARMED_CACHE; i++) if (this.armed[i] === start) return true;
    return false;
  }

  /** Registers a fixed window's timers (the queue ignores duplicates; the cache saves asking). */
  private armWindow(start: number, end: number): void {
    this.armed[this.nextArmed] = start;
    this.nextArmed = (this.nextArmed + 1) % ARMED_CACHE;
    const fireAt = end - 1;
    if (fireAt > this.wm) this.timers.register(fireAt, ALL_KEYS, start);
    if (this.lateness > 0) this.timers.register(fireAt + this.lateness, ALL_KEYS, start);
    if (fireAt < this.nextTimer) this.nextTimer = fireAt;
  }

  private readonly onWindowTimer = (time: number, _all: unknown, start: number): void => {
    const end = start + this.size;
    if (time === end - 1) {
      for (const key of this.contents.keys(start)) this.fire(key, start, start, end, this.contents.get(key, start)!, 'on-time');
    }
    if (time === end - 1 + this.lateness) {
      for (const key of this.contents.keys(start)) this.purge(key, start);
    }
  };

  // --- sessions -----------------------------------------------------------------------

  private sessionEvent(key: K, value: T, t: number, element: Timestamped<T> | undefined): void {
    const wm = this.wm;
    const change = this.sessions.add(key, t, t + this.size, this.lateness, wm);
    if (change === undefined) return this.late(value, t, element);
    let session: Session<A>;
    if (change === null) {
      session = { start: t, end: t + this.size, ns: t, seq: this.seq++, acc: this.create() };
      this.armSession(key, session);
    } else {
      session = change.session;
      // Absorbed sessions' timers are left to fire: they find no session under their namespace.
      if (this.early !== undefined) for (const ns of change.absorbed) this.early.merge(key, ns, session.ns);
      // A session that fired and now ends later again needs a timer at or before its next due time.
      if (change.firedBefore && session.end - 1 > wm) this.armSession(key, session);
    }
    const fireAt = session.end - 1;
    session.acc = this.add(session.acc, value, t);
    this.sessions.store(key, session);
    if (fireAt <= wm) this.fire(key, session.ns, session.start, session.end, session.acc, 'late', session);
    else if (this.early?.onEvent(key, session.ns, this.time)) this.fire(key, session.ns, session.start, session.end, session.acc, 'early', session);
  }

  /** Arms the session's next due time: its on-time firing, or its purge once it has fired. */
  private armSession(key: K, s: Session<A>): void {
    const due = s.end - 1 > this.wm ? s.end - 1 : s.end - 1 + this.lateness;
    this.timers.register(due, key, s.ns);
    if (due < this.nextTimer) this.nextTimer = due;
  }

  /** Decides what a session timer means now; firings and purges wait in `due` for {@link fireDueSessions}. */
  private readonly onSessionTimer = (time: number, key: K | null, ns: number): void => {
    const s = this.sessions.named(key as K, ns);
    if (s === undefined) return; // the session merged into another, or was purged
    const fireAt = s.end - 1;
    const purgeAt = fireAt + this.lateness;
    if (time < fireAt || (time > fireAt && time < purgeAt)) {
      this.timers.register(time < fireAt ? fireAt : purgeAt, key, ns); // extended since armed
      return;
    }
    const fire = time === fireAt;
    const purge = !fire || this.lateness === 0;
    if (!purge) this.timers.register(purgeAt, key, ns);
    this.due.push([key as K, s, fire, purge]);
  };

  private fireDueSessions(): void {
    const due = this.due;
    if (due.length > 1) due.sort((x, y) => x[1].seq - y[1].seq);
    for (const [key, s, fire, purge] of due) {
      if (fire) this.fire(key, s.ns, s.start, s.end, s.acc, 'on-time', s);
      if (purge) {
        this.purge(key, s.ns);
        this.sessions.delete(key, s);
      }
    }
    due.length = 0;
  }

  // --- accumulators -------------------------------------------------------------------

  // An accumulator of `undefined` would read as "no window": refuse it instead of restarting the window.
  private create(): A {
    const acc = this.agg.create();
    if (acc === undefined) throw this.undefinedAccumulator('create()', 'return the initial accumulator from create()');
    return acc;
  }

  private add(acc: A, value: T, t: number): A {
    const next = this.agg.add(acc, value, t);
    if (next === undefined) throw this.undefinedAccumulator('add(acc, value)', 'return the updated accumulator from add()');
    return next;
  }

  private merge(a: A, b: A): A {
    const merged = this.agg.merge!(a, b);
    if (merged === undefined) throw this.undefinedAccumulator('merge(a, b)', 'return the combined accumulator from merge()');
    return merged;
  }

  private undefinedAccumulator(call: string, fix: string): InvalidArgumentError {
    return new InvalidArgumentError(`${NAME}: aggregate.${call} returned undefined; an accumulator must be a value (${fix})`);
  }

  private late(value: T, t: number, element: Timestamped<T> | undefined): void {
    const { counters, metrics, onLate } = this.spec;
    counters.lateEvents++;
    if (metrics !== undefined) metrics.lateEvents++;
    if (onLate === undefined) counters.droppedLateEvents++;
    else onLate(element ?? { kind: 'event', value, timestamp: t });
  }

  // --- firing -------------------------------------------------------------------------

  /** Emits a window's result; a session's is given as `s` (a discarding firing writes its reset back). */
  private fire(key: K, ns: number, start: number, end: number, acc: A, firing: Firing, s?: Session<A>): void {
    const result: WindowResult<K, R> = { key, start, end, value: this.agg.result(acc), firing };
    if (this.discarding) {
      if (s === undefined) this.contents.set(key, ns, this.create());
      else {
        s.acc = this.create();
        this.sessions.store(key, s);
      }
    }
    this.early?.reset(key, ns);
    this.out.event(result, end - 1);
  }

  private purge(key: K, ns: number): void {
    if (this.kind !== 2) this.contents.delete(key, ns);
    this.early?.reset(key, ns);
  }

  // --- early firings ------------------------------------------------------------------

  private readonly onEarlyTimer = (key: K, ns: number): void => {
    if (this.kind === 2) {
      const s = this.sessions.named(key, ns);
      if (s !== undefined && s.end - 1 > this.wm) this.fire(key, ns, s.start, s.end, s.acc, 'early', s);
      return;
    }
    const acc = this.contents.get(key, ns);
    if (acc !== undefined && ns + this.size - 1 > this.wm) this.fire(key, ns, ns, ns + this.size, acc, 'early');
  };

  // --- snapshots ----------------------------------------------------------------------

  private config(): SnapshotConfig {
    const { everyEvents, every, panes } = this.spec.trigger;
    return {
      window: { ...this.spec.window },
      allowedLateness: this.lateness,
      aggregate: this.agg.name ?? null,
      trigger: { everyEvents: everyEvents ?? null, every: every ?? null, panes },
    };
  }

  /** The snapshot's state, if it is a windowAggregate snapshot of this configuration; a StateError otherwise. */
  private check(snapshot: OperatorSnapshot): WindowSnapshotState {
    const fix = 'pass a snapshot taken by windowAggregate (engine.snapshot())';
    if (snapshot === null || typeof snapshot !== 'object') throw new StateError(`${NAME}: cannot restore ${show(snapshot)}; ${fix}`);
    if (snapshot.operator !== NAME) throw new StateError(`${NAME}: cannot restore a snapshot of ${show(snapshot.operator)}; ${fix}`);
    const s = snapshot.state as Partial<WindowSnapshotState> | null | undefined;
    if (s === null || typeof s !== 'object' || s.format !== FORMAT || s.config === undefined || s.backend === undefined) {
      throw new StateError(`${NAME}: the snapshot's state is not in the ${FORMAT} format (got ${show(s)}); ${fix}`);
    }
    const mine = this.config();
    for (const field of ['window', 'allowedLateness', 'aggregate', 'trigger'] as const) {
      const theirs = JSON.stringify(s.config[field]);
      if (theirs !== JSON.stringify(mine[field])) {
        throw new StateError(
          `${NAME}: the snapshot was taken with ${field} ${theirs} but this operator has ${JSON.stringify(mine[field])}; ` +
            'restore into an operator with the same window, aggregate, allowedLateness and trigger',
        );
      }
    }
    return s as WindowSnapshotState;
  }
}
