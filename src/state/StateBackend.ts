/**
 * The state API: every stateful operator keeps all of its state (window contents, timers,
 * its watermark) behind these interfaces, so a checkpoint sees all of it and a durable
 * backend can replace the in-memory one.
 *
 * State is keyed and namespaced as in Flink: a value lives at `(key, namespace)`, where
 * the namespace is typically a window. Values must be structured-cloneable
 * (numbers, strings, plain objects, arrays, Maps …): snapshots copy them.
 *
 * @packageDocumentation
 */

/**
 * Keyed, namespaced value state: `(key, namespace) → value`.
 *
 * @example
 * ```ts
 * import { MemoryStateBackend } from 'tidemark';
 * const counts = new MemoryStateBackend().table<string, number, number>('counts');
 * counts.set('sensor-1', 0, 5);
 * counts.get('sensor-1', 0); // 5
 * ```
 */
export interface KeyedTable<K, N, V> {
  /** The value at `(key, namespace)`, or `undefined` when there is none. */
  get(key: K, namespace: N): V | undefined;
  /** Stores `value` at `(key, namespace)`, replacing any value there. */
  set(key: K, namespace: N, value: V): void;
  /** Removes the value at `(key, namespace)`, if any. */
  delete(key: K, namespace: N): void;
  /** The keys that have a value in `namespace`, in insertion order. */
  keys(namespace: N): Iterable<K>;
  /**
   * One namespace of the table, addressed by key alone: the same state, without finding the
   * namespace on every access. An operator holds the view of the window it is filling.
   */
  namespace(namespace: N): NamespaceTable<K, V>;
  /** Number of `(key, namespace)` entries held. */
  readonly size: number;
}

/**
 * One namespace of a {@link KeyedTable} (see {@link KeyedTable.namespace}): `key → value`.
 * It stays valid while the namespace empties and fills again.
 *
 * @example
 * ```ts
 * import { MemoryStateBackend } from 'tidemark';
 * const counts = new MemoryStateBackend().table<string, number, number>('counts');
 * const window0 = counts.namespace(0);
 * window0.set('sensor-1', 5);
 * console.log(counts.get('sensor-1', 0), window0.size);
 * // output:
 * // 5 1
 * ```
 */
export interface NamespaceTable<K, V> {
  /** The value of `key` in this namespace, or `undefined`. */
  get(key: K): V | undefined;
  /** Stores `value` for `key` in this namespace. */
  set(key: K, value: V): void;
  /** Removes `key`'s value from this namespace, if any. */
  delete(key: K): void;
  /** The keys that have a value here, in insertion order (a copy). */
  keys(): Iterable<K>;
  /**
   * Calls `f` for each `(value, key)` here, in insertion order, without copying. `f` may `set`
   * keys that are already here (a discarding window resets its accumulators), nothing else.
   */
  forEach(f: (value: V, key: K) => void): void;
  /** Removes every key of this namespace (a window purged at once). */
  clear(): void;
  /** Number of keys with a value here. */
  readonly size: number;
}

/**
 * How an {@link OrderedTable}'s values relate to their positions: hints a backend may use to
 * hold them more cheaply, never a change of what the table means.
 *
 * @example
 * ```ts
 * import { MemoryStateBackend } from 'tidemark';
 * interface Visit { start: number; pages: number }
 * const visits = new MemoryStateBackend().ordered<string, Visit>('visits', { positionOf: (v) => v.start });
 * visits.set('ada', 100, { start: 100, pages: 3 });
 * console.log(visits.floorValue('ada', 150));
 * // output:
 * // { start: 100, pages: 3 }
 * ```
 */
export interface OrderedTableOptions<V> {
  /**
   * Where a value holds its own position, when values are stored there: the memory backend
   * then keeps a key's only entry without a wrapper (one object fewer per key, and one memory
   * load fewer per lookup). A value stored elsewhere is still stored, wrapped. A value that
   * `get` handed out must not have its position changed in place while it is stored: delete
   * it at its old position first, then store it at its new one.
   */
  readonly positionOf?: (value: V) => number;
}

/**
 * Keyed state ordered by a number within each key: `(key, position) → value`, with lookups
 * of neighbours (Java's `NavigableMap` verbs): a key's sessions by start, a join's rows by
 * time, a table's versions by timestamp. Positions are numbers, not NaN.
 *
 * @example
 * ```ts
 * import { MemoryStateBackend } from 'tidemark';
 * const versions = new MemoryStateBackend().ordered<string, string>('versions');
 * versions.set('eur', 10, 'v1');
 * versions.set('eur', 20, 'v2');
 * console.log(versions.floor('eur', 15), versions.lower('eur', 10), [...versions.positions('eur', 0, 30)]);
 * // output:
 * // 10 undefined [ 10, 20 ]
 * ```
 */
export interface OrderedTable<K, V> {
  /** The value at `(key, position)`, or `undefined` when there is none. */
  get(key: K, position: number): V | undefined;
  /** Stores `value` at `(key, position)`, replacing what was there. */
  set(key: K, position: number, value: V): void;
  /** Removes the value at `(key, position)`, if any. */
  delete(key: K, position: number): void;
  /** The greatest position of `key` that is `<= at`, if any. */
  floor(key: K, at: number): number | undefined;
  /** The greatest position of `key` that is `< at`, if any. */
  lower(key: K, at: number): number | undefined;
  /** The value at {@link floor}`(key, at)`, if any: one lookup instead of two. */
  floorValue(key: K, at: number): V | undefined;
  /** The value at {@link lower}`(key, at)`, if any. */
  lowerValue(key: K, at: number): V | undefined;
  /** The positions of `key` in `[from, to]`, ascending (a copy: the table may change while it is read). */
  positions(key: K, from: number, to: number): readonly number[];
  /** The keys that have entries, in the order they got their first one. */
  keys(): Iterable<K>;
  /** Number of `(key, position)` entries held. */
  readonly size: number;
}

/**
 * Keyed maps: each key has a map of its own, `(key, mapKey) → value`, read entry by entry and
 * iterated per key (a {@link KeyedTable} iterates a namespace's keys, not a key's namespaces).
 * Each entry is stored on its own, so a backend that copies values copies one entry per access,
 * never the whole map: `keyedProcess`'s map state. Map keys compare as `Map` keys do
 * (SameValueZero); values are never `undefined` (it means "no entry").
 *
 * @example
 * ```ts
 * import { MemoryStateBackend } from 'tidemark';
 * const spent = new MemoryStateBackend().maps<string, string, number>('spent');
 * spent.set('card-1', 'books', 12);
 * spent.set('card-1', 'travel', 300);
 * spent.set('card-2', 'books', 5);
 * console.log(spent.get('card-1', 'travel'), spent.entries('card-1'), spent.sizeOf('card-2'), spent.size);
 * // output:
 * // 300 [ [ 'books', 12 ], [ 'travel', 300 ] ] 1 3
 * ```
 */
export interface MapTable<K, MK, V> {
  /** The value of `mapKey` in `key`'s map, or `undefined` when there is none. */
  get(key: K, mapKey: MK): V | undefined;
  /** Stores `value` for `mapKey` in `key`'s map, replacing what was there (and keeping its place in the order). */
  set(key: K, mapKey: MK, value: V): void;
  /** Removes `mapKey` from `key`'s map, if it is there. */
  delete(key: K, mapKey: MK): void;
  /** The entries of `key`'s map, in insertion order (a copy: the table may change while it is read). */
  entries(key: K): readonly (readonly [mapKey: MK, value: V])[];
  /** The map keys of `key`'s map, in insertion order (a copy). */
  mapKeys(key: K): readonly MK[];
  /** Number of entries in `key`'s map (0 when it has none). */
  sizeOf(key: K): number;
  /** Removes every entry of `key`'s map. */
  clear(key: K): void;
  /** The keys that have entries, in the order they got their first one (a copy). */
  keys(): Iterable<K>;
  /** Number of `(key, mapKey)` entries held, over all keys. */
  readonly size: number;
}

/**
 * Timers ordered by time; ties fire in registration order. Registering the same
 * `(time, key, namespace)` twice keeps one timer.
 *
 * @example
 * ```ts
 * import { MemoryStateBackend } from 'tidemark';
 * const timers = new MemoryStateBackend().timers<string, number>('window-end');
 * timers.register(9, 'a', 0);
 * timers.advanceTo(10, (time, key) => console.log(time, key));
 * // output:
 * // 9 a
 * ```
 */
export interface TimerQueue<K, N> {
  /** Registers a timer for `(key, namespace)` at event time `time` (once, however often it is registered). */
  register(time: number, key: K, namespace: N): void;
  /** Removes the pending timer `(time, key, namespace)`, if any. */
  delete(time: number, key: K, namespace: N): void;
  /** The earliest pending time, or `Infinity` when there is none. */
  peek(): number;
  /**
   * Fires, in order, every timer with `time <= until`, including timers that the
   * callback registers at or before `until`.
   */
  advanceTo(until: number, fire: (time: number, key: K, namespace: N) => void): void;
  /** Number of pending timers. */
  readonly size: number;
}

/**
 * One non-keyed value of operator state (an operator's watermark, a counter).
 *
 * @example
 * ```ts
 * import { MemoryStateBackend } from 'tidemark';
 * const wm = new MemoryStateBackend().value('watermark', -Infinity);
 * wm.set(10);
 * ```
 */
export interface ValueCell<V> {
  /** The current value (the `initial` one until the first `set`). */
  get(): V;
  /** Replaces the value. */
  set(value: V): void;
}

/** A backend's state as plain, structured-cloneable data. */
export interface StateSnapshot {
  /** The snapshot format and its version; `restore` refuses any other. */
  readonly format: 'tidemark-state/1';
  /** Keyed tables by name: each namespace with its `[key, value]` entries. */
  readonly tables: Record<string, ReadonlyArray<readonly [namespace: unknown, entries: ReadonlyArray<readonly [key: unknown, value: unknown]>]>>;
  /** Ordered tables by key, each key's entries ascending by position (absent in snapshots without any). */
  readonly ordered?: Record<string, ReadonlyArray<readonly [key: unknown, entries: ReadonlyArray<readonly [position: number, value: unknown]>]>>;
  /** Map tables by name: each key with its map's `[mapKey, value]` entries in insertion order (absent in snapshots without any). */
  readonly maps?: Record<string, ReadonlyArray<readonly [key: unknown, entries: ReadonlyArray<readonly [mapKey: unknown, value: unknown]>]>>;
  /** Timer queues by name: pending timers in firing order. */
  readonly timers: Record<string, ReadonlyArray<readonly [time: number, namespace: unknown, key: unknown]>>;
  /** Value cells by name. */
  readonly values: Record<string, unknown>;
}

/**
 * Where an operator's state lives. {@link MemoryStateBackend} is the default; a durable
 * backend (LMDB) implements the same interface.
 */
export interface StateBackend {
  /**
   * `true` when `get` hands out the stored value itself, so that a value changed in place is
   * already stored (the memory backend). Operators may then skip writing back a value they
   * changed in place. Absent or `false` (a backend that copies or serializes values): every
   * change is written back with `set`.
   */
  readonly sharesValues?: boolean | undefined;
  /** The keyed table called `name`, created empty on first use. */
  table<K, N, V>(name: string): KeyedTable<K, N, V>;
  /**
   * The ordered table called `name`, created empty on first use (with the `options` of that
   * first call; a backend may ignore them).
   */
  ordered<K, V>(name: string, options?: OrderedTableOptions<V>): OrderedTable<K, V>;
  /** The map table called `name`, created empty on first use. */
  maps<K, MK, V>(name: string): MapTable<K, MK, V>;
  /** The timer queue called `name`, created empty on first use. */
  timers<K, N>(name: string): TimerQueue<K, N>;
  /** The value cell called `name`, holding `initial` when it is first used. */
  value<V>(name: string, initial: V): ValueCell<V>;
  /** A deep copy of all state, independent of later changes. */
  snapshot(): StateSnapshot;
  /** Replaces all state with a snapshot's (which is not kept or changed). */
  restore(snapshot: StateSnapshot): void;
}
