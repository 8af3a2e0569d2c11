import { show } from '../../../errors/show.js';
import { StateError } from '../../../errors/StateError.js';
import { MemoryStateBackend } from '../../../state/MemoryStateBackend.js';
import type { StateBackend, StateSnapshot, ValueCell } from '../../../state/StateBackend.js';
import { ACTIVE, IDLE, type ControlElement, type Timestamped } from '../../../time/elements.js';
import type { Collector, OperatorSnapshot, ProcessingTime, TwoInputEngine } from '../chain/engine.js';
import { WatermarkValve } from '../chain/WatermarkValve.js';

/** @internal Input 1 (left) and input 2 (right). */
export type Side = 0 | 1;

/** @internal The watermark progress an engine keeps across a snapshot. */
interface Progress {
  /** Each input's watermark (`+Infinity`: completed). */
  readonly inputs: readonly [number, number];
  readonly idle: readonly [boolean, boolean];
  /** The combined watermark emitted last. */
  readonly emitted: number;
  /** Whether the output was announced idle. */
  readonly idleOut: boolean;
}

/** @internal A join snapshot's `state`. */
interface JoinSnapshotState {
  readonly format: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly backend: StateSnapshot;
}

const START: Progress = { inputs: [-Infinity, -Infinity], idle: [false, false], emitted: -Infinity, idleOut: false };

/**
 * @internal What every join engine shares: two inputs' watermarks combined by a
 * {@link WatermarkValve} (the minimum over the inputs that are not idle; a `+Infinity` watermark
 * completes an input), status elements for the output, barriers forwarded once every running
 * input has delivered them (the adapter aligns them before they get here), lateness against the
 * combined watermark (Flink's `ts < watermark`), and snapshots that record the configuration and
 * refuse another. Subclasses handle events and fire what a watermark completes in {@link onTime},
 * which runs before that watermark is forwarded.
 */
export abstract class TwoInputCore<L, R, O> implements TwoInputEngine<L, R, O> {
  abstract readonly name: string;
  /** The combined watermark: the last one emitted. */
  protected wm = -Infinity;
  protected out!: Collector<O>;
  protected readonly backend: StateBackend;
  private valve = new WatermarkValve(2);
  private idleOut = false;
  /** Checkpoint id → a bit per input that delivered its barrier. In flight, not state: the adapter aligns barriers. */
  private readonly barriers = new Map<number, number>();
  private readonly progressCell: ValueCell<Progress>;

  constructor(state: StateBackend | undefined) {
    this.backend = state ?? new MemoryStateBackend();
    this.progressCell = this.backend.value<Progress>('progress', START);
  }

  /** The snapshot format (`'tidemark-interval-join/1'` …). */
  protected abstract readonly format: string;
  /** The configuration a snapshot records; a restore into another is refused. Plain JSON data. */
  protected abstract config(): Readonly<Record<string, unknown>>;
  /** What to say after a refused restore: which options must match. */
  protected abstract readonly sameConfig: string;
  protected abstract event1(value: L, timestamp: number, element: Timestamped<L> | undefined): void;
  protected abstract event2(value: R, timestamp: number, element: Timestamped<R> | undefined): void;
  /** Progress changed (an input's watermark or idleness): fire what `wm` completes; runs before `wm` is forwarded. */
  protected abstract onTime(): void;
  /** State was restored: forget caches of it. */
  protected abstract reset(): void;

  open(out: Collector<O>, _time: ProcessingTime): void {
    this.out = out;
  }

  onEvent1(value: L, timestamp: number, element?: Timestamped<L>): void {
    if (this.valve.isIdle(0)) this.setIdle(0, false);
    this.event1(value, timestamp, element);
  }

  onEvent2(value: R, timestamp: number, element?: Timestamped<R>): void {
    if (this.valve.isIdle(1)) this.setIdle(1, false);
    this.event2(value, timestamp, element);
  }

  onWatermark1(timestamp: number): void {
    this.inputWatermark(0, timestamp);
  }

  onWatermark2(timestamp: number): void {
    this.inputWatermark(1, timestamp);
  }

  onControl1(element: ControlElement): void {
    this.control(0, element);
  }

  onControl2(element: ControlElement): void {
    this.control(1, element);
  }

  snapshot(): OperatorSnapshot {
    const v = this.valve;
    this.progressCell.set({ inputs: [v.watermarkOf(0), v.watermarkOf(1)], idle: [v.isIdle(0), v.isIdle(1)], emitted: this.wm, idleOut: this.idleOut });
    const state: JoinSnapshotState = { format: this.format, config: this.config(), backend: this.backend.snapshot() };
    return { operator: this.name, state };
  }

  restore(snapshot: OperatorSnapshot): void {
    const s = this.check(snapshot);
    this.backend.restore(s.backend);
    const p = this.progressCell.get();
    const valve = new WatermarkValve(2);
    for (const side of [0, 1] as const) {
      valve.setWatermark(side, p.inputs[side]);
      if (p.inputs[side] === Infinity) valve.complete(side);
      else valve.setIdle(side, p.idle[side]);
    }
    this.valve = valve;
    this.wm = p.emitted;
    this.idleOut = p.idleOut;
    this.barriers.clear();
    this.reset();
  }

  /** Flink's lateness for joins: a timestamp below the combined watermark. */
  protected isLate(timestamp: number): boolean {
    return timestamp < this.wm;
  }

  /** An input's watermark (`+Infinity` once it completed). */
  protected watermarkOf(side: Side): number {
    return this.valve.watermarkOf(side);
  }

  private inputWatermark(side: Side, t: number): void {
    if (!(t > this.valve.watermarkOf(side))) return;
    this.valve.setWatermark(side, t);
    if (t === Infinity) {
      this.valve.complete(side);
      this.progress();
      // A barrier the completed input never delivered now has every running input's.
      for (const id of [...this.barriers.keys()]) this.releaseBarrier(id);
      return;
    }
    this.progress();
  }

  private setIdle(side: Side, idle: boolean): void {
    if (this.valve.isDone(side)) return;
    this.valve.setIdle(side, idle);
    this.progress();
  }

  private control(side: Side, element: ControlElement): void {
    switch (element.kind) {
      case 'status':
        return this.setIdle(side, element.idle);
      case 'watermark':
        return this.inputWatermark(side, element.timestamp);
      case 'barrier': {
        const id = element.checkpointId;
        this.barriers.set(id, (this.barriers.get(id) ?? 0) | (1 << side));
        return this.releaseBarrier(id);
      }
    }
  }

  private releaseBarrier(id: number): void {
    const votes = this.barriers.get(id)!;
    for (const side of [0, 1] as const) if (!this.valve.isDone(side) && (votes & (1 << side)) === 0) return;
    this.barriers.delete(id);
    this.out.control({ kind: 'barrier', checkpointId: id });
  }

  private progress(): void {
    const w = this.valve.watermark();
    const advanced = w > this.wm;
    if (advanced) this.wm = w;
    this.onTime();
    if (advanced) this.out.watermark(w);
    const idle = this.valve.allIdle();
    if (idle !== this.idleOut) {
      this.idleOut = idle;
      this.out.control(idle ? IDLE : ACTIVE);
    }
  }

  /** The snapshot's state, if it is one of this operator and configuration; a StateError otherwise. */
  private check(snapshot: OperatorSnapshot): JoinSnapshotState {
    const name = this.name;
    const fix = `pass a snapshot taken by ${name} (engine.snapshot())`;
    if (snapshot === null || typeof snapshot !== 'object') throw new StateError(`${name}: cannot restore ${show(snapshot)}; ${fix}`);
    if (snapshot.operator !== name) throw new StateError(`${name}: cannot restore a snapshot of ${show(snapshot.operator)}; ${fix}`);
    const s = snapshot.state as Partial<JoinSnapshotState> | null | undefined;
    if (s === null || typeof s !== 'object' || s.format !== this.format || s.config === null || typeof s.config !== 'object' || s.backend === undefined) {
      throw new StateError(`${name}: the snapshot's state is not in the ${this.format} format (got ${show(s)}); ${fix}`);
    }
    const mine = this.config();
    for (const field of Object.keys(mine)) {
      const theirs = JSON.stringify(s.config[field]);
      if (theirs !== JSON.stringify(mine[field])) {
        throw new StateError(`${name}: the snapshot was taken with ${field} ${theirs ?? 'undefined'} but this operator has ${JSON.stringify(mine[field])}; ${this.sameConfig}`);
      }
    }
    return s as JoinSnapshotState;
  }
}
