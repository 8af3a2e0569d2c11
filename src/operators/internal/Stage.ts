import type { Subscriber } from 'rxjs';
import type { Barrier, WatermarkStatus } from '../../time/elements.js';

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

/** @internal What every stage of one subscription shares. */
export interface ChainContext {
  /** The chain's downstream RxJS subscriber: errors go here, teardowns are added here. */
  readonly subscriber: Subscriber<unknown>;
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
