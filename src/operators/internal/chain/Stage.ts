import type { Subscriber } from 'rxjs';
import type { Barrier, WatermarkStatus } from '../../../time/elements.js';
import type { OperatorSnapshot } from './engine.js';

/**
 * @internal One operator inside a chain (Flink's chained operators): it receives events
 * as `(value, timestamp)` calls and watermarks as numbers, so that consecutive tidemark
 * operators pass elements without allocating element objects or crossing RxJS
 * subscribers. Element objects are made only where the chain meets RxJS.
 */
export interface Stage<T> {
  event(value: T, timestamp: number): void;
  watermark(timestamp: number): void;
  control(element: Barrier | WatermarkStatus): void;
  /** The input completed: flush (an engine fires everything at `+Infinity`), then pass it on. */
  finish(): void;
}

/**
 * @internal Receives the snapshot an operator with an `id` takes when a checkpoint barrier
 * passes it (Flink's uid: state is handed back by id on restore).
 */
export type SnapshotSink = (operatorId: string, checkpointId: number, snapshot: OperatorSnapshot) => void;

/**
 * @internal What every stage of one subscription shares: the downstream subscriber, the
 * chain's step lock, its completion, and where checkpoint snapshots go. A chain runs one step at a time (an input element, or a timer), to the
 * end: a step that causes another input to arrive re-entrantly (a subscriber pushing into
 * the source while it receives a result, or advancing a virtual clock) has that input wait
 * until the running step is done, as RxJS's own operators behave. Without it, a re-entrant
 * watermark could overtake the results and watermark of the step that delivered it.
 */
export class ChainContext {
  /** Whether a step is running. */
  busy = false;
  /**
   * Where operators with an `id` hand the snapshot they take at a checkpoint barrier. Unset
   * (no snapshots are taken) until a checkpoint coordinator sets it: the hook for end-to-end
   * checkpointing. Two-input stages use it today.
   */
  snapshots: SnapshotSink | undefined = undefined;
  private draining = false;
  private readonly waiting: (() => void)[] = [];
  private holds = 0;
  private ended = false;

  constructor(
    /** The chain's downstream RxJS subscriber: errors go here, teardowns are added here. */
    readonly subscriber: Subscriber<unknown>,
  ) {}

  /**
   * A stage with an input of its own (a join's right input) holds the chain's completion
   * until that input is done too: the root completing is then not the end of the output.
   */
  hold(): void {
    this.holds++;
  }

  /** Drops a {@link hold}; completes the subscriber if the root has completed and nothing else holds it. */
  release(): void {
    if (--this.holds === 0 && this.ended) this.subscriber.complete();
  }

  /** The root completed and the chain has finished: completes the subscriber, unless a stage {@link hold}s it. */
  complete(): void {
    this.ended = true;
    if (this.holds === 0) this.subscriber.complete();
  }

  /** Whether steps wait to run (check it after a step, then {@link drain}). */
  get hasWaiting(): boolean {
    return this.waiting.length > 0;
  }

  /** Queues a step that arrived while another was running. */
  later(step: () => void): void {
    this.waiting.push(step);
  }

  /** Runs `step` now, as one step (errors go downstream), or after the running one. */
  step(step: () => void): void {
    if (this.busy) return this.later(step);
    this.busy = true;
    try {
      step();
    } catch (err) {
      this.subscriber.error(err);
    } finally {
      this.busy = false;
    }
    if (this.waiting.length > 0) this.drain();
  }

  /** Runs the waiting steps in arrival order, and those they queue, until none wait or the subscriber closes. */
  drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.waiting.length > 0 && !this.subscriber.closed) this.waiting.shift()!();
      this.waiting.length = 0;
    } finally {
      this.draining = false;
    }
  }
}

/** @internal Makes a stage, given the stage after it. Called once per subscription. */
export type StageFactory<I, O> = (down: Stage<O>, ctx: ChainContext) => Stage<I>;

/** @internal A stage that forwards everything but events; subclasses implement `event`. */
export abstract class ForwardingStage<I, O> implements Stage<I> {
  constructor(protected readonly down: Stage<O>) {}
  abstract event(value: I, timestamp: number): void;
  watermark(timestamp: number): void {
    this.down.watermark(timestamp);
  }
  control(element: Barrier | WatermarkStatus): void {
    this.down.control(element);
  }
  finish(): void {
    this.down.finish();
  }
}
