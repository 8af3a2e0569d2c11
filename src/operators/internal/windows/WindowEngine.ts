import { InvalidArgumentError } from '../../../errors/InvalidArgumentError.js';
import { show } from '../../../errors/show.js';
import { StateError } from '../../../errors/StateError.js';
import { MemoryStateBackend } from '../../../state/MemoryStateBackend.js';
import type { StateBackend, StateSnapshot, TimerQueue, ValueCell } from '../../../state/StateBackend.js';
import type { Aggregator } from '../../../time/aggregators.js';
import type { Timestamped } from '../../../time/elements.js';
import type { Trigger } from '../../../time/triggers.js';
import type { WindowAssigner, WindowResult } from '../../../time/windows.js';
import { EarlyFirings } from './EarlyFirings.js';
import type { Collector, Engine, OperatorSnapshot, ProcessingTime } from '../chain/engine.js';
import { PaneWindows } from './PaneWindows.js';
import { SessionWindows } from './SessionWindows.js';
import { sessionStart, type Session } from './sessionMerge.js';
import { SlidingWindows } from './SlidingWindows.js';
import type { Firing, WindowCore, WindowLayout } from './windowLayout.js';

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
  /** How the windows keep their state (panes, one accumulator per window, sessions). */
  readonly layout: string;
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

const NAME = 'windowAggregate';
const FORMAT = 'tidemark-window/2';

/**
 * @internal The RxJS-free state machine of `windowAggregate`: Flink's `WindowOperator`
 * with an `EventTimeTrigger` (plus Beam-style early firings). It keeps the watermark, checks
 * what the aggregator returns, counts late events and emits; how windows keep their state is
 * the layout's ({@link WindowLayout}): {@link PaneWindows} for tumbling windows and sliding
 * windows assembled from panes, {@link SlidingWindows} for sliding windows that cannot be
 * (no `merge`, or discarding panes), {@link SessionWindows} for sessions. All state lives in
 * the backend and is written back after every change, so that a backend that copies values
 * works.
 *
 * Output order: results that one watermark fires come in order of `end`; windows with the
 * same `end` in the order their state was created (a merged session counts from its oldest
 * part; a sliding window assembled from panes lists its keys pane by pane).
 */
export class WindowEngine<T, K, A, R> implements Engine<T, WindowResult<K, R>>, WindowCore<T, K, A> {
  readonly name = NAME;
  wm = -Infinity;
  time!: ProcessingTime;
  private out!: Collector<WindowResult<K, R>>;
  /** A lower bound of the earliest event-time timer: a watermark below it fires nothing. */
  private nextTimer = -Infinity;

  readonly lateness: number;
  readonly discarding: boolean;
  readonly sharesValues: boolean;
  readonly early: EarlyFirings<K> | undefined;
  readonly timers: TimerQueue<K | null, number>;
  private readonly backend: StateBackend;
  private readonly layout: WindowLayout<T, K>;
  private readonly watermarkCell: ValueCell<number>;
  private readonly keyOf: ((value: T) => K) | undefined;
  private readonly agg: Aggregator<T, A, R>;

  constructor(private readonly spec: WindowEngineSpec<T, K, A, R>) {
    const w = spec.window;
    this.lateness = spec.allowedLateness;
    this.keyOf = spec.key;
    this.agg = spec.aggregate;
    this.discarding = spec.trigger.panes === 'discarding';

    const b = (this.backend = spec.state ?? new MemoryStateBackend());
    this.sharesValues = b.sharesValues === true;
    this.timers = b.timers('timers');
    const fireEarly = spec.trigger.everyEvents !== undefined || spec.trigger.every !== undefined;
    this.early = fireEarly ? new EarlyFirings<K>(b, spec.trigger) : undefined;
    this.watermarkCell = b.value('watermark', -Infinity);
    this.wm = this.watermarkCell.get();
    if (w.type === 'session') this.layout = new SessionWindows<T, K, A>(this, b.ordered<K, Session<A>>('sessions', { positionOf: sessionStart }), b.value('session-seq', 0), w.gap);
    else if (w.type === 'tumbling') this.layout = new PaneWindows<T, K, A>(this, b.table('contents'), w.size, w.size, w.offset);
    // Sliding windows share panes when the aggregator merges and no firing discards what a pane holds.
    else if (typeof this.agg.merge === 'function' && !this.discarding) this.layout = new PaneWindows<T, K, A>(this, b.table('panes'), w.size, w.slide, w.offset);
    else this.layout = new SlidingWindows<T, K, A>(this, b.table('contents'), w.size, w.slide, w.offset);
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
    this.layout.onEvent(key, value, t, element);
  }

  onWatermark(t: number): void {
    if (!(t > this.wm)) return;
    this.wm = t;
    if (t >= this.nextTimer) {
      this.layout.advance(t);
      this.nextTimer = this.timers.peek();
    }
    this.out.watermark(t);
  }

  onProcessingTime(now: number): void {
    this.early?.advanceTo(now, this.time, this.onEarlyTimer);
  }

  snapshot(): OperatorSnapshot {
    this.watermarkCell.set(this.wm);
    const state: WindowSnapshotState = { format: FORMAT, config: this.config(), backend: this.backend.snapshot() };
    return { operator: NAME, state };
  }

  restore(snapshot: OperatorSnapshot): void {
    const s = this.check(snapshot);
    this.backend.restore(s.backend);
    this.wm = this.watermarkCell.get();
    this.nextTimer = -Infinity;
    this.layout.reset();
    // Before open() there is no clock yet: open() asks instead.
    if (this.time !== undefined) this.early?.wake(this.time);
  }

  // --- what layouts use (WindowCore) ---------------------------------------------------

  timerAt(time: number): void {
    if (time < this.nextTimer) this.nextTimer = time;
  }

  // An accumulator of `undefined` would read as "no window": refuse it instead of restarting the window.
  create(): A {
    const acc = this.agg.create();
    if (acc === undefined) throw this.undefinedAccumulator('create()', 'return the initial accumulator from create()');
    return acc;
  }

  add(acc: A, value: T, t: number): A {
    const next = this.agg.add(acc, value, t);
    if (next === undefined) throw this.undefinedAccumulator('add(acc, value)', 'return the updated accumulator from add()');
    return next;
  }

  merge(a: A, b: A): A {
    const merged = this.agg.merge!(a, b);
    if (merged === undefined) throw this.undefinedAccumulator('merge(a, b)', 'return the combined accumulator from merge()');
    return merged;
  }

  late(value: T, t: number, element: Timestamped<T> | undefined): void {
    const { counters, metrics, onLate } = this.spec;
    counters.lateEvents++;
    if (metrics !== undefined) metrics.lateEvents++;
    if (onLate === undefined) counters.droppedLateEvents++;
    else onLate(element ?? { kind: 'event', value, timestamp: t });
  }

  emit(key: K, ns: number, start: number, end: number, acc: A, firing: Firing): void {
    const result: WindowResult<K, R> = { key, start, end, value: this.agg.result(acc), firing };
    this.early?.reset(key, ns);
    this.out.event(result, end - 1);
  }

  private undefinedAccumulator(call: string, fix: string): InvalidArgumentError {
    return new InvalidArgumentError(`${NAME}: aggregate.${call} returned undefined; an accumulator must be a value (${fix})`);
  }

  private readonly onEarlyTimer = (key: K, ns: number): void => this.layout.onEarlyTimer(key, ns);

  // --- snapshots ----------------------------------------------------------------------

  private config(): SnapshotConfig {
    const { everyEvents, every, panes } = this.spec.trigger;
    return {
      window: { ...this.spec.window },
      layout: this.layout.name,
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
    for (const field of ['window', 'allowedLateness', 'aggregate', 'trigger', 'layout'] as const) {
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
