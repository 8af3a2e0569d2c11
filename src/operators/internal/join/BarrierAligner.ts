import type { Barrier, StreamElement } from '../../../time/elements.js';
import type { Side } from './TwoInputCore.js';

/** @internal What an input held by the aligner still has to deliver: its elements, then maybe its end. */
export type Held = StreamElement<unknown> | typeof END;

/** @internal A held input's completion. */
export const END: unique symbol = Symbol('end of input');

/** @internal What the {@link BarrierAligner} drives. */
export interface AlignmentTarget {
  /** Handles an item of an input that is not held (again), as if it had just arrived. */
  process(side: Side, item: Held): void;
  /** Both inputs delivered `barrier` (or the other one completed): snapshot, forward one barrier. */
  aligned(barrier: Barrier): void;
  /** Whether the input has completed. */
  isDone(side: Side): boolean;
}

/**
 * @internal Aligns the checkpoint barriers of two inputs, as Flink's aligned checkpoints do:
 * an input that delivers a barrier is held — what it delivers next is buffered, in order —
 * until the other input delivers the same barrier or completes. Then the target snapshots and
 * forwards one barrier, and the held elements are handled, in order (a barrier among them
 * holds that input again). So the snapshot has seen exactly the elements before the barrier
 * on both inputs.
 *
 * A barrier of a newer checkpoint on the other input gives the pending one up (Flink aborts
 * it: it is never forwarded) and is aligned instead; a barrier older than the pending one is
 * dropped, its checkpoint given up. The buffer is in-flight data, not state: it follows the
 * barrier, so on restore the sources replay it.
 */
export class BarrierAligner {
  private pending: { readonly side: Side; readonly barrier: Barrier } | undefined = undefined;
  private readonly held: [Held[], Held[]] = [[], []];
  private readonly heads: [number, number] = [0, 0];
  private readonly draining: [boolean, boolean] = [false, false];

  constructor(private readonly target: AlignmentTarget) {}

  /** Whether `side` is held: its items must go to {@link hold}, not be handled. */
  holds(side: Side): boolean {
    return this.pending !== undefined && this.pending.side === side;
  }

  /** Buffers an item of a held input. */
  hold(side: Side, item: Held): void {
    this.held[side].push(item);
  }

  /** A barrier arrived on `side` (which is not held). */
  barrier(side: Side, barrier: Barrier): void {
    const p = this.pending;
    if (p === undefined) {
      if (this.target.isDone(side === 0 ? 1 : 0)) this.target.aligned(barrier);
      else this.pending = { side, barrier };
      return;
    }
    if (p.side === side) return this.hold(side, barrier); // not reached: a held input's items are buffered
    if (barrier.checkpointId === p.barrier.checkpointId) {
      this.pending = undefined;
      this.target.aligned(barrier);
    } else if (barrier.checkpointId > p.barrier.checkpointId) {
      this.pending = { side, barrier };
    } else {
      return;
    }
    this.drain(p.side);
  }

  /** `side` completed: a barrier pending on the other input is aligned. */
  done(side: Side): void {
    const p = this.pending;
    if (p === undefined || p.side === side) return;
    this.pending = undefined;
    this.target.aligned(p.barrier);
    this.drain(p.side);
  }

  /** Handles the items held for `side`, in order, until none are left or it is held again. */
  private drain(side: Side): void {
    if (this.draining[side]) return;
    this.draining[side] = true;
    const queue = this.held[side];
    try {
      while (this.heads[side] < queue.length && !this.holds(side)) {
        const item = queue[this.heads[side]]!;
        queue[this.heads[side]++] = undefined as unknown as Held;
        this.target.process(side, item);
      }
    } finally {
      this.draining[side] = false;
      if (this.heads[side] === queue.length) {
        queue.length = 0;
        this.heads[side] = 0;
      }
    }
  }
}
