import type { KeyedTable, StateBackend, TimerQueue } from '../../../state/StateBackend.js';

/** @internal A state with a TTL, as {@link StateExpiry} cleans it up. */
export interface ExpiringState<K> {
  /** The state's declared name. */
  readonly name: string;
  /** The time domain of its TTL. */
  readonly domain: 'event-time' | 'processing-time';
  /**
   * Deletes `key`'s entries that expired by `now` (expiry `<= now`), and counts them; returns
   * the earliest expiry of the entries left, or `Infinity` when none is left.
   */
  sweep(key: K, now: number): number;
}

/**
 * @internal The cleanup of expired keyed state, all in the backend: per `(key, state)` at most
 * one pending cleanup timer, at the earliest expiry among that key's entries of that state
 * (`ttl:next` remembers it). When it fires, the state deletes what has expired and the next
 * cleanup is scheduled at the earliest expiry left. A rewrite that pushes an expiry later
 * leaves the timer where it is: it fires, finds the entry alive, and moves on. So a key
 * costs one timer per state, however often it is written, and state stays bounded by what
 * was written within the TTL.
 *
 * Event-time cleanups run when the watermark reaches them (after that watermark's timers);
 * processing-time ones on the engine's wake-ups (after its processing-time timers). Reads do
 * not wait for them: an expired entry reads as absent at once.
 */
export class StateExpiry<K> {
  private readonly eventTime: TimerQueue<K, string>;
  private readonly processingTime: TimerQueue<K, string>;
  /** `(key, state name)` → the time of the pending cleanup timer. */
  private readonly next: KeyedTable<K, string, number>;
  private readonly states = new Map<string, ExpiringState<K>>();

  constructor(
    backend: StateBackend,
    /** Asks for a processing-time wake-up at `time`. */
    private readonly wakeAt: (time: number) => void,
  ) {
    this.eventTime = backend.timers('ttl:event-time');
    this.processingTime = backend.timers('ttl:processing-time');
    this.next = backend.table('ttl:next');
  }

  /** Registers a state with a TTL, so that its cleanups find it. */
  add(state: ExpiringState<K>): void {
    this.states.set(state.name, state);
  }

  /** Makes sure a cleanup of `key`'s `state` runs at `at` or earlier. */
  schedule(state: ExpiringState<K>, key: K, at: number): void {
    const pending = this.next.get(key, state.name);
    if (pending !== undefined && pending <= at) return;
    const queue = this.queue(state.domain);
    if (pending !== undefined) queue.delete(pending, key, state.name);
    this.next.set(key, state.name, at);
    queue.register(at, key, state.name);
    if (state.domain === 'processing-time') this.wakeAt(at);
  }

  /** Cancels the pending cleanup of `key`'s `state` (it was cleared). */
  unschedule(state: ExpiringState<K>, key: K): void {
    const pending = this.next.get(key, state.name);
    if (pending === undefined) return;
    this.queue(state.domain).delete(pending, key, state.name);
    this.next.delete(key, state.name);
  }

  /** Runs the cleanups of `domain` due at `now`. */
  advance(domain: 'event-time' | 'processing-time', now: number): void {
    const queue = this.queue(domain);
    if (queue.peek() > now) return;
    queue.advanceTo(now, (_at, key, name) => {
      this.next.delete(key, name);
      const state = this.states.get(name)!;
      const left = state.sweep(key, now);
      if (left < Infinity) this.schedule(state, key, left);
    });
  }

  /** The earliest pending processing-time cleanup, or `Infinity`. */
  nextProcessingTime(): number {
    return this.processingTime.peek();
  }

  private queue(domain: 'event-time' | 'processing-time'): TimerQueue<K, string> {
    return domain === 'event-time' ? this.eventTime : this.processingTime;
  }
}
