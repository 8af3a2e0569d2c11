import { MemoryStateBackend, type KeyedTable, type MapTable, type OrderedTable, type OrderedTableOptions, type StateBackend, type StateSnapshot, type TimerQueue, type ValueCell } from 'tidemark';

/**
 * A state backend that copies every value on the way in and out (`structuredClone` on each
 * `get` and `set`), as a durable backend such as LMDB does by serializing. Run an operator on
 * it to prove that its state access is correct for such a backend: an operator that changes a
 * value after `set`, or changes what `get` returned without `set`ting it back, loses that
 * change here, as it would on disk. Keys and namespaces are kept as they are.
 *
 * ```
 * memory backend:   get(k) → the stored object itself; mutations stick
 * copying backend:  get(k) → a fresh copy;  only set(k, v) stores
 * ```
 *
 * @example
 * ```ts
 * import { collect, session, windowAggregate } from 'tidemark';
 * import { CopyingStateBackend } from 'tidemark/testing';
 *
 * const sessions = windowAggregate({ window: session(30_000), aggregate: collect<string>(), state: () => new CopyingStateBackend() });
 * ```
 */
export class CopyingStateBackend implements StateBackend {
  private readonly inner = new MemoryStateBackend();

  table<K, N, V>(name: string): KeyedTable<K, N, V> {
    const t = this.inner.table<K, N, V>(name);
    return {
      get: (key, namespace) => copy(t.get(key, namespace)),
      set: (key, namespace, value) => t.set(key, namespace, copy(value)),
      delete: (key, namespace) => t.delete(key, namespace),
      keys: (namespace) => t.keys(namespace),
      namespace: (namespace) => {
        const ns = t.namespace(namespace);
        return {
          get: (key) => copy(ns.get(key)),
          set: (key, value) => ns.set(key, copy(value)),
          delete: (key) => ns.delete(key),
          keys: () => ns.keys(),
          forEach: (f) => ns.forEach((value, key) => f(copy(value), key)),
          clear: () => ns.clear(),
          get size() {
            return ns.size;
          },
        };
      },
      get size() {
        return t.size;
      },
    };
  }

  ordered<K, V>(name: string, options?: OrderedTableOptions<V>): OrderedTable<K, V> {
    const t = this.inner.ordered<K, V>(name, options);
    return {
      get: (key, position) => copy(t.get(key, position)),
      set: (key, position, value) => t.set(key, position, copy(value)),
      delete: (key, position) => t.delete(key, position),
      floor: (key, at) => t.floor(key, at),
      lower: (key, at) => t.lower(key, at),
      floorValue: (key, at) => copy(t.floorValue(key, at)),
      lowerValue: (key, at) => copy(t.lowerValue(key, at)),
      positions: (key, from, to) => t.positions(key, from, to),
      keys: () => t.keys(),
      get size() {
        return t.size;
      },
    };
  }

  maps<K, MK, V>(name: string): MapTable<K, MK, V> {
    const t = this.inner.maps<K, MK, V>(name);
    return {
      get: (key, mapKey) => copy(t.get(key, mapKey)),
      set: (key, mapKey, value) => t.set(key, mapKey, copy(value)),
      delete: (key, mapKey) => t.delete(key, mapKey),
      entries: (key) => t.entries(key).map(([mk, v]) => [mk, copy(v)] as const),
      mapKeys: (key) => t.mapKeys(key),
      sizeOf: (key) => t.sizeOf(key),
      clear: (key) => t.clear(key),
      keys: () => t.keys(),
      get size() {
        return t.size;
      },
    };
  }

  timers<K, N>(name: string): TimerQueue<K, N> {
    return this.inner.timers<K, N>(name);
  }

  value<V>(name: string, initial: V): ValueCell<V> {
    const c = this.inner.value<V>(name, copy(initial));
    return { get: () => copy(c.get()), set: (v) => c.set(copy(v)) };
  }

  snapshot(): StateSnapshot {
    return this.inner.snapshot();
  }

  restore(snapshot: StateSnapshot): void {
    this.inner.restore(snapshot);
  }
}

function copy<V>(value: V): V {
  return value === undefined || typeof value !== 'object' || value === null ? value : structuredClone(value);
}
