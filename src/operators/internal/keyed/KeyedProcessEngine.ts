import { InvalidArgumentError } from '../../../errors/InvalidArgumentError.js';
import { show } from '../../../errors/show.js';
import { StateError } from '../../../errors/StateError.js';
import { TidemarkError } from '../../../errors/TidemarkError.js';
import { MemoryStateBackend } from '../../../state/MemoryStateBackend.js';
import { describeState, type KeyedStates, type StateDescriptor, type StateDescriptors } from '../../../state/keyedState.js';
import type { StateBackend, StateSnapshot, TimerQueue, ValueCell } from '../../../state/StateBackend.js';
import type { Collector, Engine, OperatorSnapshot, ProcessingTime } from '../chain/engine.js';
import { Context, type ContextHost, type KeyedTimers } from './KeyedContext.js';
import { StateExpiry } from './StateExpiry.js';
import { stateHandles, type KeyedScope } from './stateSlots.js';

/** What `keyedProcess` counts (see `KeyedProcessMetrics`). */
export interface KeyedProcessCounters {
  events: number;
  behindWatermark: number;
  eventTimeTimers: number;
  processingTimeTimers: number;
  emitted: number;
  expired: number;
}

/** @internal What the engine needs, validated by `keyedProcess`. */
export interface KeyedProcessSpec<T, K, O> {
  readonly key: (value: T) => K;
  /** The declared state, by name, in declaration order. */
  readonly state: readonly (readonly [name: string, descriptor: StateDescriptor])[];
  readonly onEvent: (value: T, ctx: Context<K, O>) => void;
  readonly onTimer: ((timestamp: number, ctx: Context<K, O>) => void) | undefined;
  readonly id: string | undefined;
  readonly counters: KeyedProcessCounters;
  readonly backend: StateBackend | undefined;
}

/** @internal The configuration a snapshot records: a restore into another one is refused. */
interface SnapshotConfig {
  readonly id: string | null;
  /** Each declared state as code (`valueState({ ttl: … })`), by name, names sorted. */
  readonly state: readonly (readonly [name: string, declared: string])[];
}

/** @internal A keyedProcess snapshot's `state`. */
interface KeyedSnapshotState {
  readonly format: typeof FORMAT;
  readonly config: SnapshotConfig;
  readonly backend: StateSnapshot;
}

const NAME = 'keyedProcess';
const FORMAT = 'tidemark-keyed/1';
const EVENT_TIMERS = 'event-time-timers';
const PROCESSING_TIMERS = 'processing-time-timers';

/**
 * @internal The RxJS-free state machine of `keyedProcess`: Flink's `KeyedProcessOperator`. It
 * sets the current key for each event and timer, runs the user's callback with one reused
 * context, and keeps everything in the backend: the declared state (value cells, list rows,
 * map entries, TTL stamps), both timer queues, the TTL cleanups and its watermark. A
 * watermark first fires the event-time timers it reaches (in time order, ties in registration
 * order, including those the callbacks register at or below it), then cleans up the state that
 * expired by it, then is forwarded.
 */
export class KeyedProcessEngine<T, K, O> implements Engine<T, O>, KeyedScope<K>, ContextHost<O> {
  readonly name = NAME;
  key!: K;
  readonly expiry: StateExpiry<K>;
  readonly counters: KeyedProcessCounters;
  private wm = -Infinity;
  private out!: Collector<O>;
  private time: ProcessingTime | undefined = undefined;
  /** Whether a user callback is running (ctx is valid only then). */
  private active = false;
  /** What is being processed: an event, or a timer of either domain. */
  private element: 'event' | 'event-time' | 'processing-time' = 'event';
  private readonly ctx: Context<K, O>;
  private readonly backend: StateBackend;
  private readonly eventTimers: TimerQueue<K, number>;
  private readonly processingTimers: TimerQueue<K, number>;
  private readonly watermarkCell: ValueCell<number>;

  constructor(private readonly spec: KeyedProcessSpec<T, K, O>) {
    this.counters = spec.counters;
    const b = (this.backend = spec.backend ?? new MemoryStateBackend());
    this.eventTimers = b.timers(EVENT_TIMERS);
    this.processingTimers = b.timers(PROCESSING_TIMERS);
    this.watermarkCell = b.value('watermark', -Infinity);
    this.wm = this.watermarkCell.get();
    this.expiry = new StateExpiry<K>(b, (at) => this.time?.wakeAt(at));
    const state = stateHandles<K>(spec.state, this, b) as KeyedStates<StateDescriptors>;
    this.ctx = new Context<K, O>(this, state, this.timerService());
  }

  open(out: Collector<O>, time: ProcessingTime): void {
    this.out = out;
    this.time = time;
    this.wake();
  }

  onEvent(value: T, t: number): void {
    let key = this.spec.key(value);
    // One key for 0 and -0 (state Maps do not tell them apart): report it as 0 everywhere.
    if ((key as unknown) === 0) key = 0 as K;
    const c = this.counters;
    c.events++;
    if (t <= this.wm) c.behindWatermark++;
    const ctx = this.ctx;
    this.key = ctx.key = key;
    ctx.timestamp = t;
    this.element = 'event';
    this.active = true;
    try {
      this.spec.onEvent(value, ctx);
    } finally {
      this.active = false;
    }
  }

  /**
   * @internal Reads `key`'s declared state as plain values (interactive queries, `queryableState`):
   * as `onEvent` would see it at the current watermark (TTLs apply), from outside the callbacks.
   */
  query(key: K): Record<string, unknown> {
    if (this.active) throw new TidemarkError(`${NAME}: its state was queried from inside its own onEvent or onTimer; use ctx.state there`);
    const ctx = this.ctx;
    const saved = { key: this.key, ctxKey: ctx.key, timestamp: ctx.timestamp, element: this.element };
    this.key = ctx.key = key;
    ctx.timestamp = this.wm;
    this.element = 'event';
    this.active = true;
    try {
      const states = ctx.state as unknown as Record<string, { get(k?: unknown): unknown; entries?(): Iterable<[unknown, unknown]> }>;
      return Object.fromEntries(
        this.spec.state.map(([name, d]) => {
          const h = states[name]!;
          return [name, d.kind === 'map' ? new Map(h.entries!()) : d.kind === 'list' ? [...(h.get() as unknown[])] : h.get()];
        }),
      );
    } finally {
      this.key = saved.key;
      ctx.key = saved.ctxKey;
      ctx.timestamp = saved.timestamp;
      this.element = saved.element;
      this.active = false;
    }
  }

  onWatermark(t: number): void {
    if (!(t > this.wm)) return;
    this.wm = t;
    if (this.eventTimers.peek() <= t) this.eventTimers.advanceTo(t, this.fireEventTimer);
    this.expiry.advance('event-time', t);
    this.out.watermark(t);
  }

  onProcessingTime(now: number): void {
    if (this.processingTimers.peek() <= now) this.processingTimers.advanceTo(now, this.fireProcessingTimer);
    this.expiry.advance('processing-time', now);
    this.wake();
  }

  snapshot(): OperatorSnapshot {
    this.watermarkCell.set(this.wm);
    const state: KeyedSnapshotState = { format: FORMAT, config: this.config(), backend: this.backend.snapshot() };
    return { operator: NAME, state };
  }

  restore(snapshot: OperatorSnapshot): void {
    const s = this.checkSnapshot(snapshot);
    this.backend.restore(s.backend);
    this.wm = this.watermarkCell.get();
    // Before open() there is no clock yet: open() asks instead.
    this.wake();
  }

  // --- what the context and the state handles use ---------------------------------------

  get watermark(): number {
    return this.wm;
  }

  get processingTime(): number {
    return this.time!.now();
  }

  processingNow(): number {
    return this.time!.now();
  }

  eventNow(): number {
    return this.element === 'processing-time' ? this.wm : this.ctx.timestamp;
  }

  check(what: string): void {
    if (!this.active) {
      throw new TidemarkError(
        `${NAME}: ctx.${what} was used outside onEvent and onTimer; ctx belongs to the event or timer being processed: ` +
          'use it only while the callback runs (not later, in a promise or a timeout)',
      );
    }
  }

  emit(value: O, timestamp: number | undefined): void {
    this.check('emit()');
    const t = timestamp === undefined ? this.ctx.timestamp : timestamp;
    if (typeof t !== 'number' || t - t !== 0) {
      throw new InvalidArgumentError(
        `${NAME}: ctx.emit(value, timestamp): timestamp must be a finite number, got ${show(t)} (emitting ${show(value)}); ` +
          "give the output's event time, or leave it out for the event's (or the timer's) time",
      );
    }
    this.counters.emitted++;
    this.out.event(value, t);
  }

  // --- timers ----------------------------------------------------------------------------

  private readonly fireEventTimer = (time: number, key: K): void => this.fire(time, key, 'event-time');
  private readonly fireProcessingTimer = (time: number, key: K): void => this.fire(time, key, 'processing-time');

  private fire(time: number, key: K, domain: 'event-time' | 'processing-time'): void {
    if (domain === 'event-time') this.counters.eventTimeTimers++;
    else this.counters.processingTimeTimers++;
    const ctx = this.ctx;
    this.key = ctx.key = key;
    ctx.timestamp = time;
    ctx.timeDomain = this.element = domain;
    this.active = true;
    try {
      this.spec.onTimer!(time, ctx);
    } finally {
      this.active = false;
    }
  }

  private timerService(): KeyedTimers {
    const checked = (call: string, time: unknown, registers: boolean): number => {
      this.check(`timers.${call}()`);
      if (typeof time !== 'number' || time - time !== 0) {
        throw new InvalidArgumentError(`${NAME}: ctx.timers.${call}(time): time must be a finite number, got ${show(time)}`);
      }
      if (registers && this.spec.onTimer === undefined) {
        throw new InvalidArgumentError(
          `${NAME}: ctx.timers.${call}(${show(time)}) registers a timer, but there is no onTimer to call when it fires; ` +
            'add onTimer(timestamp, ctx) to the keyedProcess config',
        );
      }
      return time;
    };
    return Object.freeze({
      registerEventTime: (time: number) => this.eventTimers.register(checked('registerEventTime', time, true), this.key, 0),
      deleteEventTime: (time: number) => this.eventTimers.delete(checked('deleteEventTime', time, false), this.key, 0),
      registerProcessingTime: (time: number) => {
        this.processingTimers.register(checked('registerProcessingTime', time, true), this.key, 0);
        this.time?.wakeAt(time);
      },
      deleteProcessingTime: (time: number) => this.processingTimers.delete(checked('deleteProcessingTime', time, false), this.key, 0),
    });
  }

  /** Asks for a wake-up at the earliest pending processing-time timer or cleanup. */
  private wake(): void {
    if (this.time === undefined) return;
    const next = Math.min(this.processingTimers.peek(), this.expiry.nextProcessingTime());
    if (next < Infinity) this.time.wakeAt(next);
  }

  // --- snapshots -------------------------------------------------------------------------

  private config(): SnapshotConfig {
    const state = this.spec.state.map(([name, d]) => [name, describeState(d)] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return { id: this.spec.id ?? null, state };
  }

  /** The snapshot's state, if it is a keyedProcess snapshot of this configuration; a StateError otherwise. */
  private checkSnapshot(snapshot: OperatorSnapshot): KeyedSnapshotState {
    const fix = 'pass a snapshot taken by keyedProcess (engine.snapshot())';
    if (snapshot === null || typeof snapshot !== 'object') throw new StateError(`${NAME}: cannot restore ${show(snapshot)}; ${fix}`);
    if (snapshot.operator !== NAME) throw new StateError(`${NAME}: cannot restore a snapshot of ${show(snapshot.operator)}; ${fix}`);
    const s = snapshot.state as Partial<KeyedSnapshotState> | null | undefined;
    if (s === null || typeof s !== 'object' || s.format !== FORMAT || s.config === undefined || s.backend === undefined) {
      throw new StateError(`${NAME}: the snapshot's state is not in the ${FORMAT} format (got ${show(s)}); ${fix}`);
    }
    const mine = this.config();
    if (s.config.id !== mine.id) {
      throw new StateError(`${NAME}: the snapshot was taken by the operator with id ${show(s.config.id)}, this one has id ${show(mine.id)}; restore each operator from its own state`);
    }
    if (JSON.stringify(s.config.state) !== JSON.stringify(mine.state)) {
      throw new StateError(
        `${NAME}: the snapshot was taken with state ${describeAll(s.config.state)} but this operator declares ${describeAll(mine.state)}; ` +
          'restore into an operator that declares the same state: the same names, kinds and TTLs',
      );
    }
    const pending = (s.backend.timers?.[EVENT_TIMERS]?.length ?? 0) + (s.backend.timers?.[PROCESSING_TIMERS]?.length ?? 0);
    if (pending > 0 && this.spec.onTimer === undefined) {
      throw new StateError(`${NAME}: the snapshot has ${pending} pending timer(s), but this operator has no onTimer to run them; add onTimer(timestamp, ctx)`);
    }
    return s as KeyedSnapshotState;
  }
}

function describeAll(state: readonly (readonly [string, string])[]): string {
  return state.length === 0 ? '{}' : `{ ${state.map(([name, d]) => `${name}: ${d}`).join(', ')} }`;
}
