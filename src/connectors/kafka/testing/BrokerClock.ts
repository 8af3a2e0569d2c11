/** A scheduled callback of {@link BrokerClock}; cancelling twice, or after it ran, is harmless. @internal */
export interface BrokerTimer {
  cancel(): void;
}

/**
 * The broker's wall clock and timers: the one file of tidemark/kafka/testing that reads the
 * time or sets a timer. A Kafka broker runs on processing time (session timeouts, rebalance
 * timeouts, transaction timeouts, fetch waits), so this is real time, not a virtual clock.
 * Every timer is tracked, and {@link BrokerClock.cancelAll} (which `close()` calls) leaves none.
 * @internal
 */
export class BrokerClock {
  private readonly live = new Set<ReturnType<typeof setTimeout>>();
  private stopped = false;

  /** Milliseconds since the epoch. */
  now(): number {
    return Date.now();
  }

  /** Runs `fn` once after `ms` milliseconds (never, once the clock is stopped). */
  after(ms: number, fn: () => void): BrokerTimer {
    if (this.stopped) return { cancel: () => {} };
    const handle = setTimeout(() => {
      this.live.delete(handle);
      fn();
    }, Math.max(0, ms));
    this.live.add(handle);
    return {
      cancel: () => {
        clearTimeout(handle);
        this.live.delete(handle);
      },
    };
  }

  /** Runs `fn` every `ms` milliseconds until cancelled; the interval does not keep the process alive. */
  every(ms: number, fn: () => void): BrokerTimer {
    const handle = setInterval(fn, ms);
    handle.unref();
    return { cancel: () => clearInterval(handle) };
  }

  /** A promise that resolves after `ms` milliseconds, or never once the clock is stopped. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  /**
   * Resolves once libuv has run the close callbacks of handles closed before the call (two
   * turns of the event loop: a closed socket or server stays listed by
   * `process.getActiveResourcesInfo()` until then). Works after {@link BrokerClock.cancelAll}.
   */
  closeCallbacksRun(): Promise<void> {
    return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
  }

  /** Timers scheduled and not yet run or cancelled. */
  get pending(): number {
    return this.live.size;
  }

  /** Cancels every timer and refuses new ones. */
  cancelAll(): void {
    this.stopped = true;
    for (const handle of this.live) clearTimeout(handle);
    this.live.clear();
  }
}
