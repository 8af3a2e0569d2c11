import type { Subscriber } from 'rxjs';
import type { Barrier, WatermarkStatus } from '../../../time/elements.js';

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
 * @internal What every stage of one subscription shares: the downstream subscriber, and the
 * chain's step lock. A chain runs one step at a time (an input element, or a timer), to the
 * end: a step that causes another input to arrive re-entrantly (a subscriber pushing into
 * the source while it receives a result, or advancing a virtual clock) has that input wait
 * until the running step is done, as RxJS's own operators behave. Without it, a re-entrant
 * watermark could overtake the results and watermark of the step that delivered it.
 */
export class ChainContext {
  /** Whether a step is running. */
  busy = false;
  private draining = false;
  private readonly waiting: (() => void)[] = [];

  constructor(
    /** The chain's downstream RxJS subscriber: errors go here, teardowns are added here. */
    readonly subscriber: Subscriber<unknown>,
  ) {}

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
