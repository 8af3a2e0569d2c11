import { Observable, Subscriber } from 'rxjs';
import type { Barrier, WatermarkStatus } from '../../../time/elements.js';
import { ChainObservable, ELEMENTS } from './ChainObservable.js';
import type { ChainContext, Stage } from './Stage.js';

/**
 * @internal Where one chain fans out into several (`connectEventTime`): the last stage of the
 * upstream chain, handing each call to every branch in subscription order. A branch is a chain
 * over {@link ChainHub.shared}; its first stage receives the calls directly (no element objects,
 * no RxJS subscriber between), each call one step of the branch's own chain, so a re-entrant
 * input waits for the running step as it would behind a subscriber.
 */
export class ChainHub<T> implements Stage<T> {
  /** Copied on change, so that a branch leaving while a call is handed out skips no other. */
  private branches: readonly HubBranch<T>[] = [];
  private ended = false;
  /** What the upstream failed with, for branches that subscribe after (as an RxJS Subject keeps it). */
  private failure: { readonly error: unknown } | undefined = undefined;

  /** The stream the branches are built on: a chain whose entry is this hub. */
  readonly shared: Observable<unknown> = new ChainObservable(
    new Observable<unknown>((subscriber) => this.attach(subscriber as HubBranch<T>)),
    (first, ctx) => new HubBranch<T>(ctx, first as Stage<T>),
    [],
    ELEMENTS,
  );

  private attach(branch: HubBranch<T>): () => void {
    // Late subscribers see the end at once, or the error: the stream has no elements left to hand them.
    if (this.ended) {
      if (this.failure !== undefined) branch.fail(this.failure.error);
      else branch.end();
      return () => {};
    }
    this.branches = [...this.branches, branch];
    return () => {
      this.branches = this.branches.filter((b) => b !== branch);
    };
  }

  event(value: T, timestamp: number): void {
    const to = this.branches;
    for (let i = 0; i < to.length; i++) to[i]!.event(value, timestamp);
  }

  watermark(timestamp: number): void {
    const to = this.branches;
    for (let i = 0; i < to.length; i++) to[i]!.watermark(timestamp);
  }

  control(element: Barrier | WatermarkStatus): void {
    const to = this.branches;
    for (let i = 0; i < to.length; i++) to[i]!.control(element);
  }

  finish(): void {
    this.ended = true;
    for (const branch of this.branches) branch.end();
  }

  /** The upstream failed: every branch errors with it. */
  fail(err: unknown): void {
    this.ended = true;
    this.failure = { error: err };
    for (const branch of this.branches) branch.fail(err);
  }
}

/**
 * @internal One branch of a {@link ChainHub}: the subscriber its chain's root is subscribed
 * with, chained to the branch's downstream subscriber (so unsubscribing or a `take` ends it),
 * and the caller of its first stage.
 */
class HubBranch<T> extends Subscriber<never> {
  constructor(
    private readonly ctx: ChainContext,
    private readonly first: Stage<T>,
  ) {
    super(ctx.subscriber);
  }

  event(value: T, timestamp: number): void {
    const ctx = this.ctx;
    if (this.closed) return;
    if (ctx.busy) return this.eventLater(value, timestamp);
    ctx.busy = true;
    try {
      this.first.event(value, timestamp);
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
    if (this.closed) return;
    if (ctx.busy) return this.watermarkLater(timestamp);
    ctx.busy = true;
    try {
      this.first.watermark(timestamp);
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
    if (!this.closed) this.ctx.step(() => this.first.control(element));
  }

  /** The shared stream completed: flush this branch's chain, then complete it (unless a stage holds it). */
  end(): void {
    if (this.closed) return;
    const ctx = this.ctx;
    if (ctx.busy) return ctx.later(() => this.end());
    try {
      ctx.busy = true;
      this.first.finish();
    } catch (err) {
      ctx.subscriber.error(err);
      return;
    } finally {
      ctx.busy = false;
    }
    ctx.complete();
  }

  /** The shared stream failed: the branch's chain errors with it. */
  fail(err: unknown): void {
    if (this.closed) return;
    const ctx = this.ctx;
    if (ctx.busy) return ctx.later(() => this.fail(err));
    ctx.subscriber.error(err);
  }
}
