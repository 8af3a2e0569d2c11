import { InvalidArgumentError } from '../../../errors/InvalidArgumentError.js';
import { show } from '../../../errors/show.js';
import type { ListState, MapState, StateDescriptor, StateTtl, ValueState } from '../../../state/keyedState.js';
import type { MapTable, NamespaceTable, OrderedTable, StateBackend } from '../../../state/StateBackend.js';
import type { ExpiringState, StateExpiry } from './StateExpiry.js';

/** @internal What a state handle needs from the engine: the key being processed, the clocks, the cleanup. */
export interface KeyedScope<K> {
  /** The key of the event or timer being processed. */
  readonly key: K;
  /** Throws unless a callback (onEvent, onTimer) is running: `what` is the call, for the message. */
  check(what: string): void;
  /** The event time of the element being processed: the event's, the event-time timer's, else the watermark. */
  eventNow(): number;
  /** The processing time now. */
  processingNow(): number;
  readonly expiry: StateExpiry<K>;
  /** Counts the entries that cleanup removes. */
  readonly counters: { expired: number };
}

/** @internal A stored entry of a state with a TTL: the value and when it expires. */
type Stamped<V> = [value: V, expiresAt: number];

/**
 * @internal What every state handle shares: its name, its TTL and how to stamp and read
 * entries. Without a TTL an entry is the value itself; with one, a `[value, expiresAt]` pair,
 * visible while the element's time (event or processing time, per the TTL) is before
 * `expiresAt`.
 */
abstract class Slot<K, V> {
  readonly domain: 'event-time' | 'processing-time' | undefined;
  private readonly ms: number;

  constructor(
    readonly name: string,
    ttl: StateTtl | undefined,
    protected readonly scope: KeyedScope<K>,
  ) {
    this.domain = ttl === undefined ? undefined : ttl.eventTime !== undefined ? 'event-time' : 'processing-time';
    this.ms = ttl === undefined ? 0 : (ttl.eventTime ?? ttl.processingTime!);
    if (this.domain !== undefined) scope.expiry.add(this as unknown as ExpiringState<K>);
  }

  /** The current time of the TTL's domain. */
  protected now(): number {
    return this.domain === 'event-time' ? this.scope.eventNow() : this.scope.processingNow();
  }

  /** What to store for `value` written now; schedules its cleanup. */
  protected stamp(value: V, what: string): V | Stamped<V> {
    if (value === undefined) {
      throw new InvalidArgumentError(
        `keyedProcess: ctx.state.${this.name}.${what} got undefined; a state value cannot be undefined (it means "no value"): store null, or remove it (clear(), delete())`,
      );
    }
    if (this.domain === undefined) return value;
    const at = this.now() + this.ms;
    this.scope.expiry.schedule(this as unknown as ExpiringState<K>, this.scope.key, at);
    return [value, at];
  }

  /** The value of a stored entry, or `undefined` when absent or expired. */
  protected read(stored: V | Stamped<V> | undefined): V | undefined {
    if (stored === undefined || this.domain === undefined) return stored as V | undefined;
    const [value, at] = stored as Stamped<V>;
    return this.now() < at ? value : undefined;
  }

  /** Whether a stored entry expired by `now`, for cleanup; counts it. */
  protected expiredBy(stored: V | Stamped<V>, now: number): boolean {
    if ((stored as Stamped<V>)[1] > now) return false;
    this.scope.counters.expired++;
    return true;
  }

  protected unschedule(): void {
    if (this.domain !== undefined) this.scope.expiry.unschedule(this as unknown as ExpiringState<K>, this.scope.key);
  }
}

/** @internal `ctx.state.<name>` of a value state: one cell per key. */
class ValueSlot<K, V> extends Slot<K, V> implements ValueState<V> {
  private readonly cells: NamespaceTable<K, V | Stamped<V>>;

  constructor(name: string, ttl: StateTtl | undefined, scope: KeyedScope<K>, backend: StateBackend) {
    super(name, ttl, scope);
    this.cells = backend.table<K, number, V | Stamped<V>>(`value:${name}`).namespace(0);
  }

  get(): V | undefined {
    this.scope.check(`state.${this.name}.get()`);
    return this.read(this.cells.get(this.scope.key));
  }

  set(value: V): void {
    this.scope.check(`state.${this.name}.set()`);
    this.cells.set(this.scope.key, this.stamp(value, 'set(value)'));
  }

  clear(): void {
    this.scope.check(`state.${this.name}.clear()`);
    this.cells.delete(this.scope.key);
    this.unschedule();
  }

  sweep(key: K, now: number): number {
    const stored = this.cells.get(key);
    if (stored === undefined) return Infinity;
    if (!this.expiredBy(stored, now)) return (stored as Stamped<V>)[1];
    this.cells.delete(key);
    return Infinity;
  }
}

/** @internal `ctx.state.<name>` of a list state: each element an entry of an ordered table, at increasing positions. */
class ListSlot<K, V> extends Slot<K, V> implements ListState<V> {
  private readonly rows: OrderedTable<K, V | Stamped<V>>;

  constructor(name: string, ttl: StateTtl | undefined, scope: KeyedScope<K>, backend: StateBackend) {
    super(name, ttl, scope);
    this.rows = backend.ordered<K, V | Stamped<V>>(`list:${name}`);
  }

  add(value: V): void {
    this.scope.check(`state.${this.name}.add()`);
    const key = this.scope.key;
    const last = this.rows.lower(key, Infinity);
    this.rows.set(key, last === undefined ? 0 : last + 1, this.stamp(value, 'add(value)'));
  }

  get(): V[] {
    this.scope.check(`state.${this.name}.get()`);
    const key = this.scope.key;
    const out: V[] = [];
    // An empty list (the common case of a key's first event) costs one look-up, no position list.
    if (this.rows.lower(key, Infinity) === undefined) return out;
    for (const p of this.rows.positions(key, -Infinity, Infinity)) {
      const v = this.read(this.rows.get(key, p));
      if (v !== undefined) out.push(v);
    }
    return out;
  }

  set(values: readonly V[]): void {
    this.scope.check(`state.${this.name}.set()`);
    if (!Array.isArray(values)) {
      throw new InvalidArgumentError(`keyedProcess: ctx.state.${this.name}.set(values) takes an array of values, got ${show(values)}; use add(value) to append one`);
    }
    this.removeAll();
    values.forEach((v, i) => this.rows.set(this.scope.key, i, this.stamp(v, 'set(values)')));
  }

  clear(): void {
    this.scope.check(`state.${this.name}.clear()`);
    this.removeAll();
  }

  sweep(key: K, now: number): number {
    let earliest = Infinity;
    for (const p of this.rows.positions(key, -Infinity, Infinity)) {
      const stored = this.rows.get(key, p)!;
      if (this.expiredBy(stored, now)) this.rows.delete(key, p);
      else earliest = Math.min(earliest, (stored as Stamped<V>)[1]);
    }
    return earliest;
  }

  private removeAll(): void {
    const key = this.scope.key;
    if (this.rows.lower(key, Infinity) !== undefined) for (const p of this.rows.positions(key, -Infinity, Infinity)) this.rows.delete(key, p);
    this.unschedule();
  }
}

/** @internal `ctx.state.<name>` of a map state: each entry an entry of a map table. */
class MapSlot<K, MK, V> extends Slot<K, V> implements MapState<MK, V> {
  private readonly table: MapTable<K, MK, V | Stamped<V>>;

  constructor(name: string, ttl: StateTtl | undefined, scope: KeyedScope<K>, backend: StateBackend) {
    super(name, ttl, scope);
    this.table = backend.maps<K, MK, V | Stamped<V>>(`map:${name}`);
  }

  get(mapKey: MK): V | undefined {
    this.scope.check(`state.${this.name}.get()`);
    return this.read(this.table.get(this.scope.key, mapKey));
  }

  set(mapKey: MK, value: V): this {
    this.scope.check(`state.${this.name}.set()`);
    this.table.set(this.scope.key, mapKey, this.stamp(value, 'set(key, value)'));
    return this;
  }

  has(mapKey: MK): boolean {
    this.scope.check(`state.${this.name}.has()`);
    return this.read(this.table.get(this.scope.key, mapKey)) !== undefined;
  }

  delete(mapKey: MK): boolean {
    const had = this.has(mapKey);
    this.table.delete(this.scope.key, mapKey);
    return had;
  }

  keys(): IterableIterator<MK> {
    this.scope.check(`state.${this.name}.keys()`);
    if (this.domain === undefined) return this.table.mapKeys(this.scope.key)[Symbol.iterator]();
    return this.live().map(([k]) => k)[Symbol.iterator]();
  }

  values(): IterableIterator<V> {
    this.scope.check(`state.${this.name}.values()`);
    return this.live().map(([, v]) => v)[Symbol.iterator]();
  }

  entries(): IterableIterator<[MK, V]> {
    this.scope.check(`state.${this.name}.entries()`);
    return this.live()[Symbol.iterator]();
  }

  [Symbol.iterator](): IterableIterator<[MK, V]> {
    return this.entries();
  }

  clear(): void {
    this.scope.check(`state.${this.name}.clear()`);
    this.table.clear(this.scope.key);
    this.unschedule();
  }

  get size(): number {
    this.scope.check(`state.${this.name}.size`);
    return this.domain === undefined ? this.table.sizeOf(this.scope.key) : this.live().length;
  }

  sweep(key: K, now: number): number {
    let earliest = Infinity;
    for (const [mk, stored] of this.table.entries(key)) {
      if (this.expiredBy(stored, now)) this.table.delete(key, mk);
      else earliest = Math.min(earliest, (stored as Stamped<V>)[1]);
    }
    return earliest;
  }

  /** The current key's entries that have not expired, as `[key, value]` pairs. */
  private live(): [MK, V][] {
    const out: [MK, V][] = [];
    for (const [mk, stored] of this.table.entries(this.scope.key)) {
      const v = this.read(stored);
      if (v !== undefined) out.push([mk, v]);
    }
    return out;
  }
}

/** @internal The handles behind `ctx.state`, one per declared state, on `backend`. */
export function stateHandles<K>(declared: readonly (readonly [string, StateDescriptor])[], scope: KeyedScope<K>, backend: StateBackend): Record<string, unknown> {
  // fromEntries defines own properties: a state named "__proto__" is a state like any other.
  return Object.freeze(
    Object.fromEntries(
      declared.map(([name, d]) => [
        name,
        d.kind === 'value' ? new ValueSlot(name, d.ttl, scope, backend) : d.kind === 'list' ? new ListSlot(name, d.ttl, scope, backend) : new MapSlot(name, d.ttl, scope, backend),
      ]),
    ),
  );
}
