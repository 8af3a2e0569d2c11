import type { KeyedTable } from '../StateBackend.js';

const EMPTY: Iterable<never> = [];

/**
 * How many recently used namespaces a table remembers. A sliding window of size/slide = n
 * touches n namespaces per event, cyclically: a smaller round-robin cache would miss every time.
 */
const NS_CACHE = 8;

/** @internal The memory backend's {@link KeyedTable}: Maps by namespace, then key. */
export class MemoryTable<K, N, V> implements KeyedTable<K, N, V> {
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

