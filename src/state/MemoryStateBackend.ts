import { StateError } from '../errors/StateError.js';
import type { KeyedTable, StateBackend, StateSnapshot, TimerQueue, ValueCell } from './StateBackend.js';
import { TimeHeap } from './timerHeap.js';

/**
 * The in-memory state backend, the default of every stateful operator. State is held in
 * `Map`s by namespace, then key; snapshots are deep copies made with `structuredClone`.
 *
 * @example
 * ```ts
 * import { MemoryStateBackend } from 'tidemark';
 * const backend = new MemoryStateBackend();
 * backend.table<string, number, number>('sum').set('a', 0, 1);
 * const copy = new MemoryStateBackend();
 * copy.restore(backend.snapshot());
 * copy.table<string, number, number>('sum').get('a', 0); // 1
 * ```
 */
export class MemoryStateBackend implements StateBackend {
  private readonly tables = new Map<string, MemoryTable<unknown, unknown, unknown>>();
  private readonly timerQueues = new Map<string, MemoryTimerQueue<unknown, unknown>>();
  private readonly cells = new Map<string, MemoryCell<unknown>>();

  table<K, N, V>(name: string): KeyedTable<K, N, V> {
    let t = this.tables.get(name);
    if (t === undefined) this.tables.set(name, (t = new MemoryTable()));
    return t as unknown as KeyedTable<K, N, V>;
  }

  timers<K, N>(name: string): TimerQueue<K, N> {
    let t = this.timerQueues.get(name);
    if (t === undefined) this.timerQueues.set(name, (t = new MemoryTimerQueue()));
    return t as unknown as TimerQueue<K, N>;
  }

  value<V>(name: string, initial: V): ValueCell<V> {
    let c = this.cells.get(name);
    if (c === undefined) this.cells.set(name, (c = new MemoryCell<unknown>(initial)));
    return c as MemoryCell<V>;
  }

  snapshot(): StateSnapshot {
    const tables: Record<string, [unknown, [unknown, unknown][]][]> = {};
    for (const [name, t] of this.tables) tables[name] = t.dump();
    const timers: Record<string, [number, unknown, unknown][]> = {};
    for (const [name, q] of this.timerQueues) timers[name] = q.dump();
    const values: Record<string, unknown> = {};
    for (const [name, c] of this.cells) values[name] = c.get();
    return structuredClone({ format: 'tidemark-state/1', tables, timers, values });
  }

  restore(snapshot: StateSnapshot): void {
    if (snapshot?.format !== 'tidemark-state/1') {
      throw new StateError(
        `MemoryStateBackend.restore: unknown snapshot format ${JSON.stringify(snapshot?.format)}; ` +
          'expected "tidemark-state/1". Restore only snapshots taken by a tidemark state backend.',
      );
    }
    const s = structuredClone(snapshot);
    for (const t of this.tables.values()) t.load([]);
    for (const q of this.timerQueues.values()) q.load([]);
    for (const [name, rows] of Object.entries(s.tables)) (this.table(name) as MemoryTable<unknown, unknown, unknown>).load(rows);
    for (const [name, rows] of Object.entries(s.timers)) (this.timers(name) as MemoryTimerQueue<unknown, unknown>).load(rows);
    for (const [name, v] of Object.entries(s.values)) this.value(name, v).set(v);
  }
}

class MemoryCell<V> implements ValueCell<V> {
  constructor(private v: V) {}
  get(): V {
    return this.v;
  }
  set(value: V): void {
    this.v = value;
  }
}

const EMPTY: Iterable<never> = [];

/**
 * How many recently used namespaces a table remembers. A sliding window of size/slide = n
 * touches n namespaces per event, cyclically: a smaller round-robin cache would miss every time.
 */
const NS_CACHE = 8;

class MemoryTable<K, N, V> implements KeyedTable<K, N, V> {
  private byNamespace = new Map<N, Map<K, V>>();
  // Consecutive accesses mostly hit the same few namespaces (the open windows): a tiny
  // round-robin cache in front of the namespace Map.
  private readonly cachedNs: (N | undefined)[] = new Array<N | undefined>(NS_CACHE).fill(undefined);
  private readonly cachedMap: (Map<K, V> | undefined)[] = new Array<Map<K, V> | undefined>(NS_CACHE).fill(undefined);
  private nextSlot = 0;
  /** The slot of the last hit: a `get` and the `set` after it ask for the same namespace. */
  private lastSlot = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  private ns(namespace: N): Map<K, V> | undefined {
    const last = this.lastSlot;
    if (this.cachedNs[last] === namespace && this.cachedMap[last] !== undefined) return this.cachedMap[last];
    for (let i = 0; i < NS_CACHE; i++) {
      if (this.cachedNs[i] === namespace && this.cachedMap[i] !== undefined) {
        this.lastSlot = i;
        return this.cachedMap[i];
      }
    }
    const m = this.byNamespace.get(namespace);
    if (m !== undefined) this.remember(namespace, m);
    return m;
  }

  private remember(namespace: N, m: Map<K, V>): void {
    const slot = this.nextSlot;
    this.cachedNs[slot] = namespace;
    this.cachedMap[slot] = m;
    this.lastSlot = slot;
    this.nextSlot = (slot + 1) % NS_CACHE;
  }

  private forget(namespace: N): void {
    for (let i = 0; i < NS_CACHE; i++) {
      if (this.cachedNs[i] === namespace) {
        this.cachedNs[i] = undefined;
        this.cachedMap[i] = undefined;
      }
    }
  }

  get(key: K, namespace: N): V | undefined {
    const m = this.ns(namespace);
    return m === undefined ? undefined : m.get(key);
  }

  set(key: K, namespace: N, value: V): void {
    let m = this.ns(namespace);
    if (m === undefined) {
      this.byNamespace.set(namespace, (m = new Map()));
      this.remember(namespace, m);
    }
    const before = m.size;
    m.set(key, value);
    this.count += m.size - before;
  }

  delete(key: K, namespace: N): void {
    const m = this.ns(namespace);
    if (m === undefined || !m.delete(key)) return;
    this.count--;
    if (m.size === 0) {
      this.byNamespace.delete(namespace);
      this.forget(namespace);
    }
  }

  keys(namespace: N): Iterable<K> {
    const m = this.byNamespace.get(namespace);
    return m === undefined ? EMPTY : [...m.keys()];
  }

  dump(): [N, [K, V][]][] {
    return [...this.byNamespace].map(([ns, m]) => [ns, [...m]]);
  }

  load(rows: ReadonlyArray<readonly [unknown, ReadonlyArray<readonly [unknown, unknown]>]>): void {
    this.byNamespace = new Map();
    this.cachedNs.fill(undefined);
    this.cachedMap.fill(undefined);
    this.count = 0;
    for (const [ns, entries] of rows) {
      const m = new Map(entries as [K, V][]);
      this.byNamespace.set(ns as N, m);
      this.count += m.size;
    }
  }
}

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
  readonly order: Timer<K, N>[];
}

class MemoryTimerQueue<K, N> implements TimerQueue<K, N> {
  private readonly heap = new TimeHeap();
  private buckets = new Map<number, Bucket<K, N>>();
  private count = 0;

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
    timer.live = false;
    bucket!.live--;
    this.count--;
    // An emptied bucket stays in the heap until peek() or advanceTo() reaches it.
  }

  peek(): number {
    for (;;) {
      const t = this.heap.peek();
      if (t === Infinity || this.buckets.get(t)!.live > 0) return t;
      this.buckets.delete(t);
      this.heap.pop();
    }
  }

  advanceTo(until: number, fire: (time: number, key: K, namespace: N) => void): void {
    while (this.heap.length > 0 && this.heap.peek() <= until) {
      const time = this.heap.pop();
      const bucket = this.buckets.get(time)!;
      this.buckets.delete(time);
      this.count -= bucket.live;
      for (const timer of bucket.order) if (timer.live) fire(time, timer.key, timer.ns);
    }
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
    for (const [t, ns, k] of rows) this.register(t, k as K, ns as N);
  }
}
