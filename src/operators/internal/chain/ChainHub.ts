import { Observable } from 'rxjs';
import type { Barrier, WatermarkStatus } from '../../../time/elements.js';
import { ChainEntry } from './ChainEntry.js';
import { ChainObservable, ELEMENTS } from './ChainObservable.js';
import { SteppedStage } from './SteppedStage.js';
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
      if (this.failure !== undefined) branch.error(this.failure.error);
      else branch.complete();
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
    for (const branch of this.branches) branch.complete();
  }

  /** The upstream failed: every branch errors with it. */
  fail(err: unknown): void {
    this.ended = true;
    this.failure = { error: err };
    for (const branch of this.branches) branch.error(err);
  }
}

/**
 * @internal One branch of a {@link ChainHub}: the subscriber its chain's root is subscribed
 * with, chained to the branch's downstream subscriber (so unsubscribing or a `take` ends it).
 * The hub calls its stage methods, each one step of the branch's chain; its end and error are
 * the entry's (`complete()`, `error()`). Nothing calls its `next`.
 */
class HubBranch<T> extends ChainEntry<never> {
  private readonly steps: SteppedStage<T>;

  constructor(
    ctx: ChainContext,
    private readonly first: Stage<T>,
  ) {
    super(ctx);
    this.steps = new SteppedStage(ctx, first);
  }

  event(value: T, timestamp: number): void {
    if (!this.closed) this.steps.event(value, timestamp);
  }

  watermark(timestamp: number): void {
    if (!this.closed) this.steps.watermark(timestamp);
  }

  control(element: Barrier | WatermarkStatus): void {
    if (!this.closed) this.steps.control(element);
  }

  protected onValue(): void {}

  protected onEnd(): void {
    this.first.finish();
  }
}
