import type { Barrier, WatermarkStatus } from '../../../time/elements.js';
import type { ChainContext, Stage } from './Stage.js';

/**
 * @internal Calls `target` with each call as one step of `ctx`'s chain: a call that arrives
 * while a step of it runs (re-entrantly) waits until it is done, and a throw errors the chain's
 * subscriber — what {@link ChainEntry} does for notifications, for stage calls from outside the
 * chain (a join's right input, a branch of `connectEventTime`). `finish` is passed on as a step
 * too; a caller that ends the chain itself does not call it.
 */
export class SteppedStage<T> implements Stage<T> {
  constructor(
    private readonly ctx: ChainContext,
    private readonly target: Stage<T>,
  ) {}

  event(value: T, timestamp: number): void {
    const ctx = this.ctx;
    if (ctx.busy) return this.eventLater(value, timestamp);
    ctx.busy = true;
    try {
      this.target.event(value, timestamp);
    } catch (err) {
      ctx.subscriber.error(err);
    } finally {
      ctx.busy = false;
    }
    if (ctx.hasWaiting) ctx.drain();
  }

  // Not inlined into event: a closure there would make V8 allocate a context on every call.
  private eventLater(value: T, timestamp: number): void {
    this.ctx.later(() => this.event(value, timestamp));
  }

  watermark(timestamp: number): void {
    const ctx = this.ctx;
    if (ctx.busy) return this.watermarkLater(timestamp);
    ctx.busy = true;
    try {
      this.target.watermark(timestamp);
    } catch (err) {
      ctx.subscriber.error(err);
    } finally {
      ctx.busy = false;
    }
    if (ctx.hasWaiting) ctx.drain();
  }

  private watermarkLater(timestamp: number): void {
    this.ctx.later(() => this.watermark(timestamp));
  }

  control(element: Barrier | WatermarkStatus): void {
    this.ctx.step(() => this.target.control(element));
  }

  finish(): void {
    this.ctx.step(() => this.target.finish());
  }
}
