import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';

/**
 * A scheduler whose actions run one at a time, when the test says so (`step()`), in the order
 * they were scheduled, whatever their delay: a test can interleave checkpoints, crashes and
 * awaits between any two source slices.
 */
export class StepScheduler implements SchedulerLike {
  private readonly queue: { run: () => void; sub: Subscription }[] = [];
  private time = 0;

  now(): number {
    return this.time;
  }

  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, _delay?: number, state?: T): Subscription {
    const sub = new Subscription() as SchedulerAction<T>;
    sub.schedule = (next?: T) => this.schedule(work, 0, next);
    this.queue.push({ run: () => work.call(sub, state), sub });
    return sub;
  }

  /** Runs the next pending action; false when none was pending. */
  step(): boolean {
    for (;;) {
      const next = this.queue.shift();
      if (next === undefined) return false;
      if (next.sub.closed) continue;
      this.time++;
      next.run();
      return true;
    }
  }

  get pending(): number {
    return this.queue.filter((q) => !q.sub.closed).length;
  }
}

/** Lets promise callbacks (store commits, restores) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}
