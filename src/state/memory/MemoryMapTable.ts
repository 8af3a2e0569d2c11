import type { MapTable } from '../StateBackend.js';

const NONE: readonly never[] = [];

/**
 * @internal The memory backend's {@link MapTable}: a `Map` per key, of that key's entries. A key
 * whose map empties leaves the table, so that the table holds only keys with entries.
 */
export class MemoryMapTable<K, MK, V> implements MapTable<K, MK, V> {
  private byKey = new Map<K, Map<MK, V>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(key: K, mapKey: MK): V | undefined {
    return this.byKey.get(key)?.get(mapKey);
  }

  set(key: K, mapKey: MK, value: V): void {
    let m = this.byKey.get(key);
    if (m === undefined) this.byKey.set(key, (m = new Map()));
    const before = m.size;
    m.set(mapKey, value);
    this.count += m.size - before;
  }

  delete(key: K, mapKey: MK): void {
    const m = this.byKey.get(key);
    if (m === undefined || !m.delete(mapKey)) return;
    this.count--;
    if (m.size === 0) this.byKey.delete(key);
  }

  entries(key: K): readonly (readonly [MK, V])[] {
    const m = this.byKey.get(key);
    return m === undefined ? NONE : [...m];
  }

  mapKeys(key: K): readonly MK[] {
    const m = this.byKey.get(key);
    return m === undefined ? NONE : [...m.keys()];
  }

  sizeOf(key: K): number {
    return this.byKey.get(key)?.size ?? 0;
  }

  clear(key: K): void {
    const m = this.byKey.get(key);
    if (m === undefined) return;
    this.count -= m.size;
    this.byKey.delete(key);
  }

  keys(): Iterable<K> {
    return [...this.byKey.keys()];
  }

  dump(): [K, [MK, V][]][] {
    return [...this.byKey].map(([k, m]) => [k, [...m]]);
  }

  load(rows: ReadonlyArray<readonly [unknown, ReadonlyArray<readonly [unknown, unknown]>]>): void {
    this.byKey = new Map();
    this.count = 0;
    for (const [k, entries] of rows) for (const [mk, v] of entries) this.set(k as K, mk as MK, v as V);
  }
}
