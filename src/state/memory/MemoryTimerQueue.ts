import type { TimerQueue } from '../StateBackend.js';
import { TimeHeap } from '../timerHeap.js';

/** @internal One timer; `live` turns false when it is deleted. */
interface Timer<K, N> {
  readonly ns: N;
  readonly key: K;
  live: boolean;
}

/** @internal All timers of one time: indexed by namespace, then key; fired in registration order. */
interface Bucket<K, N> {
  live: number;
  readonly byNamespace: Map<N, Map<K, Timer<K, N>>>;
  order: Timer<K, N>[];
}

/**
 * @internal The memory backend's {@link TimerQueue}: a heap of distinct times over buckets.
 * Deleting a timer frees it at once: an emptied bucket leaves the map, and the heap drops
 * the times of emptied buckets once they are half of it (amortized O(1) per delete), so
 * cancelled timers never pile up, whether or not time reaches them.
 */
export class MemoryTimerQueue<K, N> implements TimerQueue<K, N> {
  private readonly heap = new TimeHeap();
  private buckets = new Map<number, Bucket<K, N>>();
  private count = 0;
  /** Times in the heap whose bucket is gone. */
  private stale = 0;

  /** @internal Entries held (heap times, bucket timers), live or not: what a leak would grow. */
  get footprint(): number {
    let timers = 0;
    for (const b of this.buckets.values()) timers += b.order.length;
    return this.heap.length + timers;
  }

  get size(): number {
    return this.count;
  }

  register(time: number, key: K, namespace: N): void {
    let bucket = this.buckets.get(time);
    if (bucket === undefined) {
      this.buckets.set(time, (bucket = { live: 0, byNamespace: new Map(), order: [] }));
      this.heap.push(time);
    }
    let keys = bucket.byNamespace.get(namespace);
    if (keys === undefined) bucket.byNamespace.set(namespace, (keys = new Map()));
    if (keys.has(key)) return;
    const timer: Timer<K, N> = { ns: namespace, key, live: true };
    keys.set(key, timer);
    bucket.order.push(timer);
    bucket.live++;
    this.count++;
  }

  delete(time: number, key: K, namespace: N): void {
    const bucket = this.buckets.get(time);
    const keys = bucket?.byNamespace.get(namespace);
    const timer = keys?.get(key);
    if (timer === undefined) return;
    keys!.delete(key);
    if (keys!.size === 0) bucket!.byNamespace.delete(namespace);
    timer.live = false;
    bucket!.live--;
    this.count--;
    if (bucket!.live === 0) {
      this.buckets.delete(time);
      if (++this.stale > 32 && this.stale * 2 > this.heap.length) this.compact();
    } else if (bucket!.order.length > 2 * bucket!.live + 8) {
      bucket!.order = bucket!.order.filter((x) => x.live);
    }
  }

  peek(): number {
    for (;;) {
      const t = this.heap.peek();
      if (t === Infinity || this.buckets.has(t)) return t;
      this.heap.pop();
      this.stale--;
    }
  }

  advanceTo(until: number, fire: (time: number, key: K, namespace: N) => void): void {
    while (this.heap.length > 0 && this.heap.peek() <= until) {
      const time = this.heap.pop();
      const bucket = this.buckets.get(time);
      if (bucket === undefined) {
        this.stale--;
        continue;
      }
      this.buckets.delete(time);
      this.count -= bucket.live;
      for (const timer of bucket.order) if (timer.live) fire(time, timer.key, timer.ns);
    }
  }

  /** Rebuilds the heap from the live buckets' times. */
  private compact(): void {
    this.heap.clear();
    for (const t of this.buckets.keys()) this.heap.push(t);
    this.stale = 0;
  }

  dump(): [number, N, K][] {
    const rows: [number, N, K][] = [];
    const times = [...this.buckets.keys()].sort((a, b) => a - b);
    for (const t of times) for (const x of this.buckets.get(t)!.order) if (x.live) rows.push([t, x.ns, x.key]);
    return rows;
  }

  load(rows: ReadonlyArray<readonly [number, unknown, unknown]>): void {
    this.heap.clear();
    this.buckets = new Map();
    this.count = 0;
    this.stale = 0;
    for (const [t, ns, k] of rows) this.register(t, k as K, ns as N);
  }
}
