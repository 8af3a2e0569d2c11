import { StateError } from '../errors/StateError.js';
import { MemoryMapTable } from './memory/MemoryMapTable.js';
import { MemoryOrderedTable } from './memory/MemoryOrderedTable.js';
import { MemoryTable } from './memory/MemoryTable.js';
import { MemoryTimerQueue } from './memory/MemoryTimerQueue.js';
import type { KeyedTable, MapTable, OrderedTable, OrderedTableOptions, StateBackend, StateSnapshot, TimerQueue, ValueCell } from './StateBackend.js';

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
  /** `get` returns the stored value itself: a value changed in place is stored. */
  readonly sharesValues = true;
  private readonly tables = new Map<string, MemoryTable<unknown, unknown, unknown>>();
  private readonly orderedTables = new Map<string, MemoryOrderedTable<unknown, unknown>>();
  private readonly mapTables = new Map<string, MemoryMapTable<unknown, unknown, unknown>>();
  private readonly timerQueues = new Map<string, MemoryTimerQueue<unknown, unknown>>();
  private readonly cells = new Map<string, MemoryCell<unknown>>();

  table<K, N, V>(name: string): KeyedTable<K, N, V> {
    let t = this.tables.get(name);
    if (t === undefined) this.tables.set(name, (t = new MemoryTable()));
    return t as unknown as KeyedTable<K, N, V>;
  }

  ordered<K, V>(name: string, options?: OrderedTableOptions<V>): OrderedTable<K, V> {
    let t = this.orderedTables.get(name);
    if (t === undefined) this.orderedTables.set(name, (t = new MemoryOrderedTable(options as OrderedTableOptions<unknown> | undefined)));
    return t as unknown as OrderedTable<K, V>;
  }

  maps<K, MK, V>(name: string): MapTable<K, MK, V> {
    let t = this.mapTables.get(name);
    if (t === undefined) this.mapTables.set(name, (t = new MemoryMapTable()));
    return t as unknown as MapTable<K, MK, V>;
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
    const ordered: Record<string, [unknown, [number, unknown][]][]> = {};
    for (const [name, t] of this.orderedTables) ordered[name] = t.dump();
    const timers: Record<string, [number, unknown, unknown][]> = {};
    for (const [name, q] of this.timerQueues) timers[name] = q.dump();
    const values: Record<string, unknown> = {};
    for (const [name, c] of this.cells) values[name] = c.get();
    if (this.mapTables.size === 0) return structuredClone({ format: 'tidemark-state/1', tables, ordered, timers, values });
    // Only backends that have map tables write the field: other snapshots stay as they were.
    const maps: Record<string, [unknown, [unknown, unknown][]][]> = {};
    for (const [name, t] of this.mapTables) maps[name] = t.dump();
    return structuredClone({ format: 'tidemark-state/1', tables, ordered, maps, timers, values });
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
    for (const t of this.orderedTables.values()) t.load([]);
    for (const t of this.mapTables.values()) t.load([]);
    for (const q of this.timerQueues.values()) q.load([]);
    for (const [name, rows] of Object.entries(s.tables)) (this.table(name) as MemoryTable<unknown, unknown, unknown>).load(rows);
    for (const [name, rows] of Object.entries(s.ordered ?? {})) (this.ordered(name) as MemoryOrderedTable<unknown, unknown>).load(rows);
    for (const [name, rows] of Object.entries(s.maps ?? {})) (this.maps(name) as MemoryMapTable<unknown, unknown, unknown>).load(rows);
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

