import type { TimerQueue } from '../StateBackend.js';
import { TimerHeap } from './TimerHeap.js';

/** @internal One timer: a flat record in the heap. `live` turns false when it fires or is deleted. */
interface TimerRecord<K, N> {
  readonly time: number;
  readonly seq: number;
  readonly key: K;
  readonly ns: N;
  live: boolean;
}

/**
 * @internal The live timers of one time, when there are several: looked up by scan while few,
 * through `(namespace, key)` maps once many (many keys' processing-time timers at one instant).
 */
interface Bucket<K, N> {
  recs: TimerRecord<K, N>[];
  live: number;
  byNs: Map<N, Map<K, TimerRecord<K, N>>> | undefined;
}

/** Past this many timers at one time, a bucket indexes them instead of scanning. */
const SCAN = 16;
/** Deleted records wait in the heap until they are this many and half of it, then go at once. */
const MIN_STALE = 32;

/**
 * @internal The memory backend's {@link TimerQueue}: one binary heap of flat timer records
 * ordered by (time, registration order), and an index by time (a record, or a bucket when
 * several share the time) for de-duplication and deletion. A timer costs one record, one heap
 * slot and one index entry; a deleted one is dropped from the heap once deleted records are
 * half of it (amortized O(1)), so cancelled timers never pile up, whether or not time
 * reaches them.
 */
export class MemoryTimerQueue<K, N> implements TimerQueue<K, N> {
  private readonly heap = new TimerHeap<TimerRecord<K, N>>();
  private index = new Map<number, TimerRecord<K, N> | Bucket<K, N>>();
  private count = 0;
  private seq = 0;
  /** Deleted records still in the heap. */
  private stale = 0;

  get size(): number {
    return this.count;
  }

  /** @internal Entries held (heap records, bucket slots), live or not: what a leak would grow. */
  get footprint(): number {
    let slots = 0;
    for (const v of this.index.values()) if (isBucket(v)) slots += v.recs.length;
    return this.heap.length + slots;
  }

  register(time: number, key: K, namespace: N): void {
    const at = this.index.get(time);
    if (at !== undefined && find(at, key, namespace) !== undefined) return;
    const rec: TimerRecord<K, N> = { time, seq: this.seq++, key, ns: namespace, live: true };
    this.heap.push(rec);
    this.count++;
    if (at === undefined) this.index.set(time, rec);
    else if (isBucket(at)) add(at, rec);
    else this.index.set(time, { recs: [at, rec], live: 2, byNs: undefined });
  }

  delete(time: number, key: K, namespace: N): void {
    const at = this.index.get(time);
    const rec = at === undefined ? undefined : find(at, key, namespace);
    if (rec === undefined) return;
    this.unindex(rec);
    this.count--;
    if (++this.stale >= MIN_STALE && this.stale * 2 > this.heap.length) {
      this.heap.retain((r) => r.live);
      this.stale = 0;
    }
  }

  peek(): number {
    for (let top = this.heap.peek(); top !== undefined; top = this.heap.peek()) {
      if (top.live) return top.time;
      this.heap.pop();
      this.stale--;
    }
    return Infinity;
  }

  advanceTo(until: number, fire: (time: number, key: K, namespace: N) => void): void {
    for (let top = this.heap.peek(); top !== undefined && top.time <= until; top = this.heap.peek()) {
      this.heap.pop();
      if (!top.live) {
        this.stale--;
        continue;
      }
      this.unindex(top);
      this.count--;
      fire(top.time, top.key, top.ns);
    }
  }

  /** Marks a live record dead and removes it from the index. */
  private unindex(rec: TimerRecord<K, N>): void {
    rec.live = false;
    const at = this.index.get(rec.time)!;
    if (!isBucket(at)) {
      this.index.delete(rec.time);
      return;
    }
    if (--at.live === 0) {
      this.index.delete(rec.time);
      return;
    }
    at.byNs?.get(rec.ns)?.delete(rec.key);
    if (at.recs.length > 2 * at.live + SCAN) at.recs = at.recs.filter((r) => r.live);
  }

  dump(): [number, N, K][] {
    const live: TimerRecord<K, N>[] = [];
    for (const v of this.index.values()) {
      if (!isBucket(v)) live.push(v);
      else for (const r of v.recs) if (r.live) live.push(r);
    }
    live.sort((a, b) => a.time - b.time || a.seq - b.seq);
    return live.map((r) => [r.time, r.ns, r.key]);
  }

  load(rows: ReadonlyArray<readonly [number, unknown, unknown]>): void {
    this.heap.clear();
    this.index = new Map();
    this.count = 0;
    this.stale = 0;
    for (const [t, ns, k] of rows) this.register(t, k as K, ns as N);
  }
}

function isBucket<K, N>(v: TimerRecord<K, N> | Bucket<K, N>): v is Bucket<K, N> {
  return (v as Bucket<K, N>).recs !== undefined;
}

/** The live record of `(key, namespace)` at this index entry. */
function find<K, N>(at: TimerRecord<K, N> | Bucket<K, N>, key: K, ns: N): TimerRecord<K, N> | undefined {
  if (!isBucket(at)) return same(at.key, key) && same(at.ns, ns) ? at : undefined;
  if (at.byNs !== undefined) return at.byNs.get(ns)?.get(key);
  for (const r of at.recs) if (r.live && same(r.key, key) && same(r.ns, ns)) return r;
  return undefined;
}

function add<K, N>(b: Bucket<K, N>, rec: TimerRecord<K, N>): void {
  b.recs.push(rec);
  b.live++;
  if (b.byNs === undefined && b.live > SCAN) {
    b.byNs = new Map();
    for (const r of b.recs) if (r.live) indexIn(b.byNs, r);
  } else if (b.byNs !== undefined) indexIn(b.byNs, rec);
}

function indexIn<K, N>(byNs: Map<N, Map<K, TimerRecord<K, N>>>, r: TimerRecord<K, N>): void {
  let keys = byNs.get(r.ns);
  if (keys === undefined) byNs.set(r.ns, (keys = new Map()));
  keys.set(r.key, r);
}

/** SameValueZero, as Map keys compare. */
function same(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}
