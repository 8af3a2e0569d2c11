import type { KeyedTable, NamespaceTable } from '../StateBackend.js';

const EMPTY: Iterable<never> = [];

/**
 * @internal The memory backend's {@link KeyedTable}: namespaces by value, each a Map by key.
 * A namespace's entry is its {@link MemoryNamespace} view, which an operator can hold: it
 * leaves the table when it empties and joins it again on its next `set`.
 */
export class MemoryTable<K, N, V> implements KeyedTable<K, N, V> {
  private byNamespace = new Map<N, MemoryNamespace<K, N, V>>();
  /** @internal Entries in all namespaces (namespaces keep it up to date). */
  count = 0;
  /** @internal Bumped by `load`: views made before it find their namespace again. */
  generation = 0;

  get size(): number {
    return this.count;
  }

  get(key: K, namespace: N): V | undefined {
    return this.byNamespace.get(namespace)?.map.get(key);
  }

  set(key: K, namespace: N, value: V): void {
    this.namespace(namespace).set(key, value);
  }

  delete(key: K, namespace: N): void {
    this.byNamespace.get(namespace)?.delete(key);
  }

  keys(namespace: N): Iterable<K> {
    const ns = this.byNamespace.get(namespace);
    return ns === undefined ? EMPTY : ns.keys();
  }

  namespace(namespace: N): MemoryNamespace<K, N, V> {
    return this.byNamespace.get(namespace) ?? new MemoryNamespace(this, namespace);
  }

  /** @internal The namespace's view in the table, if it holds entries. */
  attached(name: N): MemoryNamespace<K, N, V> | undefined {
    return this.byNamespace.get(name);
  }

  /** @internal A namespace's first entry: its view joins the table. */
  attach(ns: MemoryNamespace<K, N, V>): void {
    this.byNamespace.set(ns.name, ns);
  }

  /** @internal A namespace emptied (through any of its views): it leaves the table. */
  detach(ns: MemoryNamespace<K, N, V>): void {
    if (this.byNamespace.get(ns.name)?.map === ns.map) this.byNamespace.delete(ns.name);
  }

  dump(): [N, [K, V][]][] {
    return [...this.byNamespace].map(([ns, view]) => [ns, [...view.map]]);
  }

  load(rows: ReadonlyArray<readonly [unknown, ReadonlyArray<readonly [unknown, unknown]>]>): void {
    this.byNamespace = new Map();
    this.count = 0;
    this.generation++;
    for (const [name, entries] of rows) {
      const ns = new MemoryNamespace<K, N, V>(this, name as N);
      ns.map = new Map(entries as [K, V][]);
      this.byNamespace.set(name as N, ns);
      this.count += ns.map.size;
    }
  }
}

/**
 * @internal One namespace of a {@link MemoryTable}. While it holds entries it is the table's
 * own entry for the namespace; an empty view (or one from before a restore) looks the
 * namespace up again, so that several views of one namespace always agree.
 */
export class MemoryNamespace<K, N, V> implements NamespaceTable<K, V> {
  map = new Map<K, V>();
  private generation: number;

  constructor(
    private readonly table: MemoryTable<K, N, V>,
    readonly name: N,
  ) {
    this.generation = table.generation;
  }

  get size(): number {
    return this.current().size;
  }

  get(key: K): V | undefined {
    return this.current().get(key);
  }

  set(key: K, value: V): void {
    const m = this.current();
    const before = m.size;
    if (before === 0) this.table.attach(this);
    m.set(key, value);
    this.table.count += m.size - before;
  }

  delete(key: K): void {
    const m = this.current();
    if (!m.delete(key)) return;
    this.table.count--;
    if (m.size === 0) this.table.detach(this);
  }

  keys(): Iterable<K> {
    return [...this.current().keys()];
  }

  forEach(f: (value: V, key: K) => void): void {
    this.current().forEach(f);
  }

  clear(): void {
    const m = this.current();
    if (m.size === 0) return;
    this.table.count -= m.size;
    this.table.detach(this);
    this.map = new Map();
  }

  /** The namespace's Map: this view's own while it holds entries, else whatever view holds them now. */
  private current(): Map<K, V> {
    if (this.map.size > 0 && this.generation === this.table.generation) return this.map;
    const there = this.table.attached(this.name);
    if (there !== undefined && there !== this) this.map = there.map;
    else if (this.generation !== this.table.generation) this.map = new Map();
    this.generation = this.table.generation;
    return this.map;
  }
}
