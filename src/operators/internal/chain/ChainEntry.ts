import { Subscriber } from 'rxjs';
import type { ChainContext } from './Stage.js';

/**
 * @internal The subscriber that feeds a chain from its root Observable. It is chained into
 * the downstream subscriber (docs/decisions/0001-subclass-rxjs-subscriber.md), so a
 * downstream `take(1)` closes it and a synchronous source stops at once. Each notification
 * runs as one step of the chain ({@link ChainContext}): one that arrives re-entrantly, while
 * a step is running, runs after it.
 */
export abstract class ChainEntry<T> extends Subscriber<T> {
  constructor(protected readonly ctx: ChainContext) {
    super(ctx.subscriber);
  }

  /** Handles one input value; a throw errors the stream. */
  protected abstract onValue(value: T): void;

  /**
   * The input completed: flush the chain; a throw errors the stream instead of completing it.
   * The output completes after it, unless a stage holds the completion ({@link ChainContext.hold}).
   */
  protected abstract onEnd(): void;

  protected override _next(value: T): void {
    const ctx = this.ctx;
    if (ctx.busy) return this.nextLater(value);
    ctx.busy = true;
    try {
      this.onValue(value);
    } catch (err) {
      ctx.subscriber.error(err);
    } finally {
      ctx.busy = false;
    }
    if (ctx.hasWaiting) ctx.drain();
  }

  // Not inlined into _next: a closure there would make V8 allocate a context on every call.
  private nextLater(value: T): void {
    this.ctx.later(() => this._next(value));
  }

  protected override _complete(): void {
    const ctx = this.ctx;
    if (ctx.busy) return ctx.later(() => this._complete());
    try {
      ctx.busy = true;
      this.onEnd();
    } catch (err) {
      ctx.subscriber.error(err);
      return;
    } finally {
      ctx.busy = false;
    }
    ctx.complete();
  }

  protected override _error(err: unknown): void {
    const ctx = this.ctx;
    if (ctx.busy) return ctx.later(() => this._error(err));
    ctx.subscriber.error(err);
  }
}
