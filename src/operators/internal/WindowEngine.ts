import { StateError } from '../../errors/StateError.js';
import { MemoryStateBackend } from '../../state/MemoryStateBackend.js';
import type { KeyedTable, StateBackend, StateSnapshot, TimerQueue, ValueCell } from '../../state/StateBackend.js';
import type { Aggregator } from '../../time/aggregators.js';
import type { Timestamped } from '../../time/elements.js';
import type { Trigger } from '../../time/triggers.js';
import { windowStart } from '../../time/windowMath.js';
import type { WindowAssigner, WindowResult } from '../../time/windows.js';
import type { Collector, Engine, OperatorSnapshot, ProcessingTime } from './engine.js';
import { mergeSession, type Session } from './sessionMerge.js';

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
const NO_SESSIONS: readonly Session[] = [];

/**
 * @internal The RxJS-free state machine of `windowAggregate`: Flink's `WindowOperator`
 * with an `EventTimeTrigger` (plus Beam-style early firings).
 *
 * State (all in the backend): `contents` (key, window namespace) → accumulator;
 * `timers` at `end − 1` (fire) and `end − 1 + allowedLateness` (purge); for sessions,
 * `sessions` key → the key's live windows; for early firings, `pane` (events since the
 * last firing) and `pending` (the pane's processing-time timer) with `early-timers`.
 * The namespace of a tumbling or sliding window is its start; of a session, the timestamp
 * of the event that opened it (unique among a key's live sessions, which are disjoint).
 */
export class WindowEngine<T, K, A, R> implements Engine<T, WindowResult<K, R>> {
  readonly name = NAME;
  private out!: Collector<WindowResult<K, R>>;
  private time!: ProcessingTime;
  private wm = -Infinity;
  /** A lower bound of the earliest event-time timer: a watermark below it fires nothing. */
  private nextTimer = -Infinity;

  private readonly backend: StateBackend;
  private readonly contents: KeyedTable<K, number, A>;
  private readonly timers: TimerQueue<K, number>;
  private readonly sessions: KeyedTable<K, 0, readonly Session[]>;
  private readonly pane: KeyedTable<K, number, number>;
  private readonly pending: KeyedTable<K, number, number>;
  private readonly earlyTimers: TimerQueue<K, number>;
  private readonly watermarkCell: ValueCell<number>;
  private readonly lateCount: ValueCell<number>;

  private readonly kind: 0 | 1 | 2; // tumbling | sliding | session
  private readonly size: number;
  private readonly slide: number;
  private readonly offset: number;
  private readonly lateness: number;
  private readonly keyOf: ((value: T) => K) | undefined;
  private readonly agg: Aggregator<T, A, R>;
  private readonly early: boolean;
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
    this.early = spec.trigger.everyEvents !== undefined || spec.trigger.every !== undefined;
    this.discarding = spec.trigger.panes === 'discarding';

    const b = (this.backend = spec.state ?? new MemoryStateBackend());
    this.contents = b.table('contents');
    this.timers = b.timers('timers');
    this.sessions = b.table('sessions');
    this.pane = b.table('pane');
    this.pending = b.table('pending');
    this.earlyTimers = b.timers('early-timers');
    this.watermarkCell = b.value('watermark', -Infinity);
    this.lateCount = b.value('late-events', 0);
    this.wm = this.watermarkCell.get();
  }

  open(out: Collector<WindowResult<K, R>>, time: ProcessingTime): void {
    this.out = out;
    this.time = time;
    this.wakeForEarlyTimers();
  }

  /** The operator's current watermark. */
  get currentWatermark(): number {
    return this.wm;
  }

  onEvent(value: T, t: number, element?: Timestamped<T>): void {
    const key = this.keyOf === undefined ? (undefined as K) : this.keyOf(value);
    if (this.kind === 0) {
      const start = windowStart(t, this.size, this.offset);
      const end = start + this.size;
      if (end - 1 + this.lateness <= this.wm) this.late(value, t, element);
      else this.add(key, start, start, end, value, t);
    } else if (this.kind === 1) {
      let assigned = false;
      let isLate = false;
      for (let start = windowStart(t, this.slide, this.offset); start > t - this.size; start -= this.slide) {
        const end = start + this.size;
        if (end - 1 + this.lateness <= this.wm) isLate = true;
        else {
          assigned = true;
          this.add(key, start, start, end, value, t);
        }
      }
      if (isLate && !assigned) this.late(value, t, element);
    } else {
      this.sessionEvent(key, value, t, element);
    }
  }

  onWatermark(t: number): void {
    if (!(t > this.wm)) return;
    this.wm = t;
    if (t >= this.nextTimer) {
      this.timers.advanceTo(t, this.onTimer);
      this.nextTimer = this.timers.peek();
    }
    this.out.watermark(t);
  }

  onProcessingTime(now: number): void {
    this.earlyTimers.advanceTo(now, this.onEarlyTimer);
    this.wakeForEarlyTimers();
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
    this.wakeForEarlyTimers();
  }

  // --- adding -------------------------------------------------------------------------

  private add(key: K, ns: number, start: number, end: number, value: T, t: number): void {
    let acc = this.contents.get(key, ns);
    if (acc === undefined) {
      acc = this.agg.create();
      this.registerTimers(key, ns, end);
    }
    this.addToAccumulator(key, ns, start, end, acc, value, t);
  }

  private addToAccumulator(key: K, ns: number, start: number, end: number, acc: A, value: T, t: number): void {
    acc = this.agg.add(acc, value, t);
    this.contents.set(key, ns, acc);
    if (end - 1 <= this.wm) this.fire(key, ns, start, end, acc, 'late');
    else if (this.early) this.onPaneEvent(key, ns, start, end, acc);
  }

  private registerTimers(key: K, ns: number, end: number): void {
    const fireAt = end - 1;
    if (fireAt > this.wm) this.timers.register(fireAt, key, ns);
    if (this.lateness > 0) this.timers.register(fireAt + this.lateness, key, ns);
    if (fireAt < this.nextTimer) this.nextTimer = fireAt;
  }

  private deleteTimers(key: K, ns: number, end: number): void {
    this.timers.delete(end - 1, key, ns);
    if (this.lateness > 0) this.timers.delete(end - 1 + this.lateness, key, ns);
  }

  private late(value: T, t: number, element: Timestamped<T> | undefined): void {
    this.lateCount.set(this.lateCount.get() + 1);
    if (this.spec.metrics !== undefined) this.spec.metrics.lateEvents++;
    this.spec.onLate?.(element ?? { kind: 'event', value, timestamp: t });
  }

  // --- sessions -----------------------------------------------------------------------

  private sessionEvent(key: K, value: T, t: number, element: Timestamped<T> | undefined): void {
    const live = this.sessions.get(key, 0) ?? NO_SESSIONS;
    const m = mergeSession(live, t, t + this.size);
    if (m.created) {
      if (m.target.end - 1 + this.lateness <= this.wm) return this.late(value, t, element);
      this.sessions.set(key, 0, m.sessions);
      return this.add(key, m.target.ns, m.target.start, m.target.end, value, t);
    }
    // The event bridges or extends live sessions: fold them into the earliest one.
    const ns = m.target.ns;
    let acc = this.contents.get(key, ns) as A;
    let events = this.early ? (this.pane.get(key, ns) ?? 0) : 0;
    for (const gone of m.absorbed) {
      acc = this.agg.merge!(acc, this.contents.get(key, gone.ns) as A);
      if (this.early) events += this.pane.get(key, gone.ns) ?? 0;
      this.deleteTimers(key, gone.ns, gone.end);
      this.purge(key, gone.ns);
    }
    if (this.early && events > 0) this.pane.set(key, ns, events);
    const before = live.find((s) => s.ns === ns)!;
    if (before.end !== m.target.end) {
      this.deleteTimers(key, ns, before.end);
      this.registerTimers(key, ns, m.target.end);
    }
    this.sessions.set(key, 0, m.sessions);
    this.addToAccumulator(key, ns, m.target.start, m.target.end, acc, value, t);
  }

  private sessionOf(key: K, ns: number): Session | undefined {
    const live = this.sessions.get(key, 0);
    return live === undefined ? undefined : live.find((s) => s.ns === ns);
  }

  // --- firing -------------------------------------------------------------------------

  private readonly onTimer = (time: number, key: K, ns: number): void => {
    let start = ns;
    let end = ns + this.size;
    if (this.kind === 2) {
      const s = this.sessionOf(key, ns);
      if (s === undefined) return;
      start = s.start;
      end = s.end;
    }
    if (time === end - 1) {
      const acc = this.contents.get(key, ns);
      if (acc !== undefined) this.fire(key, ns, start, end, acc, 'on-time');
    }
    if (time === end - 1 + this.lateness) {
      this.purge(key, ns);
      if (this.kind === 2) this.dropSession(key, ns);
    }
  };

  private fire(key: K, ns: number, start: number, end: number, acc: A, firing: Firing): void {
    const result: WindowResult<K, R> = { key, start, end, value: this.agg.result(acc), firing };
    if (this.discarding) this.contents.set(key, ns, this.agg.create());
    if (this.early) this.resetPane(key, ns);
    this.out.event(result, end - 1);
  }

  private purge(key: K, ns: number): void {
    this.contents.delete(key, ns);
    if (this.early) this.resetPane(key, ns);
  }

  private dropSession(key: K, ns: number): void {
    const rest = this.sessions.get(key, 0)!.filter((s) => s.ns !== ns);
    if (rest.length === 0) this.sessions.delete(key, 0);
    else this.sessions.set(key, 0, rest);
  }

  // --- early firings ------------------------------------------------------------------

  private onPaneEvent(key: K, ns: number, start: number, end: number, acc: A): void {
    const n = (this.pane.get(key, ns) ?? 0) + 1;
    const { everyEvents, every } = this.spec.trigger;
    if (everyEvents !== undefined && n >= everyEvents) return this.fire(key, ns, start, end, acc, 'early');
    this.pane.set(key, ns, n);
    if (every !== undefined && this.pending.get(key, ns) === undefined) {
      const at = this.time.now() + every;
      this.pending.set(key, ns, at);
      this.earlyTimers.register(at, key, ns);
      this.time.wakeAt(at);
    }
  }

  private resetPane(key: K, ns: number): void {
    this.pane.delete(key, ns);
    const at = this.pending.get(key, ns);
    if (at !== undefined) {
      this.pending.delete(key, ns);
      this.earlyTimers.delete(at, key, ns);
    }
  }

  private readonly onEarlyTimer = (_time: number, key: K, ns: number): void => {
    this.pending.delete(key, ns);
    const acc = this.contents.get(key, ns);
    if (acc === undefined || (this.pane.get(key, ns) ?? 0) === 0) return;
    let start = ns;
    let end = ns + this.size;
    if (this.kind === 2) {
      const s = this.sessionOf(key, ns)!;
      start = s.start;
      end = s.end;
    }
    if (end - 1 > this.wm) this.fire(key, ns, start, end, acc, 'early');
  };

  private wakeForEarlyTimers(): void {
    const next = this.earlyTimers.peek();
    // Before open() there is no clock yet: open() asks again.
    if (next < Infinity && this.time !== undefined) this.time.wakeAt(next);
  }
}
