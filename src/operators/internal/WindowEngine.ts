import { InvalidArgumentError } from '../../errors/InvalidArgumentError.js';
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
import { addToSessions, type Session } from './sessionMerge.js';

/** @internal What the window engine needs, validated by `windowAggregate`. */
export interface WindowEngineSpec<T, K, A, R> {
  readonly window: WindowAssigner;
  readonly key: ((value: T) => K) | undefined;
  readonly aggregate: Aggregator<T, A, R>;
  readonly allowedLateness: number;
  readonly trigger: Trigger;
  readonly onLate: ((event: Timestamped<T>) => void) | undefined;
  readonly metrics: { lateEvents: number } | undefined;
  readonly state: StateBackend | undefined;
}

type Firing = WindowResult<unknown, unknown>['firing'];

const NAME = 'windowAggregate';
/** The timer key of a tumbling or sliding window: one timer fires all keys of the window. */
const ALL_KEYS = null;
/** How many recently armed fixed windows the engine remembers (sliding windows: size/slide at a time). */
const ARMED_CACHE = 8;

/**
 * @internal The RxJS-free state machine of `windowAggregate`: Flink's `WindowOperator`
 * with an `EventTimeTrigger` (plus Beam-style early firings).
 *
 * State (all in the backend):
 * - tumbling and sliding windows: `contents` (key, window start) → accumulator, and one
 *   timer per window (not per key) at `end − 1` (fire every key) and at
 *   `end − 1 + allowedLateness` (purge every key);
 * - sessions: `sessions` key → the key's live sessions, each with its accumulator, and a
 *   timer per session, re-armed lazily: extending a session leaves its timer early, and
 *   the early timer re-arms itself at the session's current `end − 1` when it fires;
 * - early firings: see {@link EarlyFirings}.
 * A session's namespace is the timestamp of the event that opened it (unique among a key's
 * live sessions, which are disjoint).
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

  private readonly backend: StateBackend;
  private readonly contents: KeyedTable<K, number, A>;
  private readonly timers: TimerQueue<K | null, number>;
  private readonly sessions: KeyedTable<K, 0, Session<A>[]>;
  /** Present when the trigger fires early. */
  private readonly early: EarlyFirings<K> | undefined;
  private readonly watermarkCell: ValueCell<number>;

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
    this.sessions = b.table('sessions');
    const fireEarly = spec.trigger.everyEvents !== undefined || spec.trigger.every !== undefined;
    this.early = fireEarly ? new EarlyFirings<K>(b, spec.trigger) : undefined;
    this.watermarkCell = b.value('watermark', -Infinity);
    this.wm = this.watermarkCell.get();
  }

  open(out: Collector<WindowResult<K, R>>, time: ProcessingTime): void {
    this.out = out;
    this.time = time;
    this.early?.wake(time);
  }

  onEvent(value: T, t: number, element?: Timestamped<T>): void {
    const key = this.keyOf === undefined ? (undefined as K) : this.keyOf(value);
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
      this.timers.advanceTo(t, this.kind === 2 ? this.onSessionTimer : this.onWindowTimer);
      this.nextTimer = this.timers.peek();
    }
    this.out.watermark(t);
  }

  onProcessingTime(now: number): void {
    this.early?.advanceTo(now, this.time, this.onEarlyTimer);
  }

  snapshot(): OperatorSnapshot {
    this.watermarkCell.set(this.wm);
    return { operator: NAME, state: { window: this.spec.window, backend: this.backend.snapshot() } };
  }

  restore(snapshot: OperatorSnapshot): void {
    const s = snapshot.state as { window?: WindowAssigner; backend?: StateSnapshot } | undefined;
    if (snapshot.operator !== NAME || s?.backend === undefined) {
      throw new StateError(`${NAME}: cannot restore a snapshot of ${JSON.stringify(snapshot.operator)}; pass a snapshot taken by windowAggregate`);
    }
    if (JSON.stringify(s.window) !== JSON.stringify(this.spec.window)) {
      throw new StateError(
        `${NAME}: the snapshot was taken with window ${JSON.stringify(s.window)} but this operator uses ` +
          `${JSON.stringify(this.spec.window)}; restore into an operator with the same window`,
      );
    }
    this.backend.restore(s.backend);
    this.wm = this.watermarkCell.get();
    this.nextTimer = -Infinity;
    this.armed.fill(NaN);
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
    const live = this.sessions.get(key, 0) ?? [];
    const wm = this.wm;
    const change = addToSessions(live, t, t + this.size, this.agg, this.lateness, wm);
    if (change === undefined) return this.late(value, t, element);
    const { session, absorbed, firedBefore } = change;
    if (session.acc === undefined) session.acc = this.create();
    // Absorbed sessions' timers are left to fire: they find no session under their namespace.
    if (this.early !== undefined) for (const gone of absorbed) this.early.merge(key, gone.ns, session.ns);
    const fireAt = session.end - 1;
    // A new session, or one that fired and now ends later again, needs a timer at or before its next due time.
    if (change.created || (firedBefore && fireAt > wm)) this.armSession(key, session);
    this.sessions.set(key, 0, live);
    session.acc = this.add(session.acc, value, t);
    if (fireAt <= wm) this.fire(key, session.ns, session.start, session.end, session.acc, 'late');
    else if (this.early?.onEvent(key, session.ns, this.time)) this.fire(key, session.ns, session.start, session.end, session.acc, 'early');
  }

  /** Arms the session's next due time: its on-time firing, or its purge once it has fired. */
  private armSession(key: K, s: Session<A>): void {
    const due = s.end - 1 > this.wm ? s.end - 1 : s.end - 1 + this.lateness;
    this.timers.register(due, key, s.ns);
    if (due < this.nextTimer) this.nextTimer = due;
  }

  private readonly onSessionTimer = (time: number, key: K | null, ns: number): void => {
    const s = this.sessionOf(key as K, ns);
    if (s === undefined) return; // the session merged into another, or was purged
    const fireAt = s.end - 1;
    const purgeAt = fireAt + this.lateness;
    if (time < fireAt || (time > fireAt && time < purgeAt)) {
      this.timers.register(time < fireAt ? fireAt : purgeAt, key, ns); // extended since armed
      return;
    }
    if (time === fireAt) {
      this.fire(key as K, ns, s.start, s.end, s.acc as A, 'on-time');
      if (this.lateness > 0) return void this.timers.register(purgeAt, key, ns);
    }
    this.purge(key as K, ns);
    const rest = this.sessions.get(key as K, 0)!.filter((x) => x.ns !== ns);
    if (rest.length === 0) this.sessions.delete(key as K, 0);
    else this.sessions.set(key as K, 0, rest);
  };

  private sessionOf(key: K, ns: number): Session<A> | undefined {
    const live = this.sessions.get(key, 0);
    if (live !== undefined) for (const s of live) if (s.ns === ns) return s;
    return undefined;
  }

  private accOf(key: K, ns: number): A | undefined {
    return this.kind === 2 ? this.sessionOf(key, ns)?.acc : this.contents.get(key, ns);
  }

  // An accumulator of `undefined` would read as "no window": refuse it instead of restarting the window.
  private create(): A {
    const acc = this.agg.create();
    if (acc === undefined) throw this.undefinedAccumulator('create()');
    return acc;
  }

  private add(acc: A, value: T, t: number): A {
    const next = this.agg.add(acc, value, t);
    if (next === undefined) throw this.undefinedAccumulator('add(acc, value)');
    return next;
  }

  private undefinedAccumulator(call: string): InvalidArgumentError {
    return new InvalidArgumentError(
      `${NAME}: aggregate.${call} returned undefined; an accumulator must be a value ` +
        '(return the initial accumulator from create(), and the updated one from add())',
    );
  }

  private late(value: T, t: number, element: Timestamped<T> | undefined): void {
    if (this.spec.metrics !== undefined) this.spec.metrics.lateEvents++;
    this.spec.onLate?.(element ?? { kind: 'event', value, timestamp: t });
  }

  // --- firing -------------------------------------------------------------------------

  private fire(key: K, ns: number, start: number, end: number, acc: A, firing: Firing): void {
    const result: WindowResult<K, R> = { key, start, end, value: this.agg.result(acc), firing };
    if (this.discarding) {
      if (this.kind === 2) this.sessionOf(key, ns)!.acc = this.create();
      else this.contents.set(key, ns, this.create());
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
    const acc = this.accOf(key, ns);
    if (acc === undefined) return;
    let start = ns;
    let end = ns + this.size;
    if (this.kind === 2) {
      const s = this.sessionOf(key, ns)!;
      start = s.start;
      end = s.end;
    }
    if (end - 1 > this.wm) this.fire(key, ns, start, end, acc, 'early');
  };
}
