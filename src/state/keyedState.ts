import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { show } from '../errors/show.js';

/**
 * How long keyed state lives: `ttl` after it was last **written** (Flink's `StateTtlConfig` with
 * `OnCreateAndWrite`; reads do not extend it), in event time or in processing time. An expired
 * value reads as absent, and is deleted soon after, so state stays bounded by what was written
 * within the last `ttl`. A list or map state expires element by element, entry by entry.
 *
 * - `{ eventTime: ms }`: a value written while `keyedProcess` handles an element of event time
 *   `t` expires at `t + ms`. The element's event time is the event's timestamp, or the
 *   event-time timer's time; in a processing-time timer, it is the operator's watermark. The
 *   value reads as absent for elements of event time `>= t + ms`, and is deleted once the
 *   watermark reaches `t + ms` (after that watermark's timers have run).
 * - `{ processingTime: ms }`: a value written at processing time `p` (the scheduler's `now()`)
 *   expires at `p + ms`: it reads as absent from then on, and is deleted on the operator's next
 *   processing-time wake-up at or after `p + ms`.
 *
 * ```
 * ttl: { eventTime: 10 }        set(x) in onEvent of a@3       → expires at 13
 * get() in onEvent of b@12 → x   (12 < 13)      get() in onTimer(13) → undefined
 * W(13): the cell is deleted (after the timers at 13 ran)
 * ```
 *
 * @example
 * ```ts
 * import { listState, valueState, type StateTtl } from 'tidemark';
 * const tenSeconds: StateTtl = { eventTime: 10_000 };
 * const recent = listState<number>({ ttl: tenSeconds });
 * const session = valueState<string>({ ttl: { processingTime: 30 * 60_000 } });
 * ```
 */
export type StateTtl =
  | {
      /** Time to live in event time: a positive integer (milliseconds by convention). */
      readonly eventTime: number;
      /** Not with `eventTime`: one time domain per state. */
      readonly processingTime?: undefined;
    }
  | {
      /** Time to live in processing time (scheduler time), in ms: a positive number. */
      readonly processingTime: number;
      /** Not with `processingTime`: one time domain per state. */
      readonly eventTime?: undefined;
    };

/**
 * Options of {@link valueState}, {@link listState} and {@link mapState}.
 *
 * @example
 * ```ts
 * import { valueState, type KeyedStateOptions } from 'tidemark';
 * const options: KeyedStateOptions = { ttl: { eventTime: 60_000 } };
 * const lastSmall = valueState<number>(options);
 * ```
 */
export interface KeyedStateOptions {
  /** How long a value lives after it was written. @defaultValue forever (until cleared) */
  ttl?: StateTtl | undefined;
}

/**
 * A value state declared for `keyedProcess` ({@link valueState}): one value per key.
 *
 * @example
 * ```ts
 * import { valueState, type ValueStateDescriptor } from 'tidemark';
 * const count: ValueStateDescriptor<number> = valueState<number>();
 * ```
 */
export interface ValueStateDescriptor<V> {
  /** The kind of state. */
  readonly kind: 'value';
  /** Its time to live, if any. */
  readonly ttl: StateTtl | undefined;
  /** Never set: it carries the value type `V`, so that `ctx.state` is typed from the declaration. */
  readonly valueType?: V;
}

/**
 * A list state declared for `keyedProcess` ({@link listState}): a list of values per key.
 *
 * @example
 * ```ts
 * import { listState, type ListStateDescriptor } from 'tidemark';
 * const seen: ListStateDescriptor<string> = listState<string>();
 * ```
 */
export interface ListStateDescriptor<V> {
  /** The kind of state. */
  readonly kind: 'list';
  /** Its time to live (element by element), if any. */
  readonly ttl: StateTtl | undefined;
  /** Never set: it carries the element type `V`, so that `ctx.state` is typed from the declaration. */
  readonly elementType?: V;
}

/**
 * A map state declared for `keyedProcess` ({@link mapState}): a map per key.
 *
 * @example
 * ```ts
 * import { mapState, type MapStateDescriptor } from 'tidemark';
 * const perMerchant: MapStateDescriptor<string, number> = mapState<string, number>();
 * ```
 */
export interface MapStateDescriptor<MK, V> {
  /** The kind of state. */
  readonly kind: 'map';
  /** Its time to live (entry by entry), if any. */
  readonly ttl: StateTtl | undefined;
  /** Never set: it carries the map key type `MK`. */
  readonly keyType?: MK;
  /** Never set: it carries the value type `V`. */
  readonly valueType?: V;
}

/**
 * Any declared keyed state.
 *
 * @example
 * ```ts
 * import { mapState, valueState, type StateDescriptor } from 'tidemark';
 * const declared: StateDescriptor[] = [valueState<number>(), mapState<string, boolean>()];
 * ```
 */
export type StateDescriptor = ValueStateDescriptor<unknown> | ListStateDescriptor<unknown> | MapStateDescriptor<unknown, unknown>;

/**
 * The `state` option of `keyedProcess`: named keyed state, declared up front.
 *
 * @example
 * ```ts
 * import { listState, valueState, type StateDescriptors } from 'tidemark';
 * const state = { count: valueState<number>(), recent: listState<number>() } satisfies StateDescriptors;
 * ```
 */
export type StateDescriptors = { readonly [name: string]: StateDescriptor };

/**
 * The current key's value state (`ctx.state.<name>` for a {@link valueState}).
 *
 * @example
 * ```ts
 * import type { ValueState } from 'tidemark';
 * function increment(count: ValueState<number>): number {
 *   const n = (count.get() ?? 0) + 1;
 *   count.set(n);
 *   return n;
 * }
 * ```
 */
export interface ValueState<V> {
  /** The value, or `undefined` when there is none (never set, cleared, or expired). */
  get(): V | undefined;
  /** Replaces the value (and, with a TTL, restarts its time to live). `undefined` is refused: use `clear()`. */
  set(value: V): void;
  /** Removes the value. */
  clear(): void;
}

/**
 * The current key's list state (`ctx.state.<name>` for a {@link listState}).
 *
 * @example
 * ```ts
 * import type { ListState } from 'tidemark';
 * function keepLastThree(recent: ListState<number>, t: number): number[] {
 *   recent.add(t);
 *   const all = recent.get();
 *   if (all.length > 3) recent.set(all.slice(-3));
 *   return recent.get();
 * }
 * ```
 */
export interface ListState<V> {
  /** Appends a value (with a TTL, the value's time to live starts now). `undefined` is refused. */
  add(value: V): void;
  /** The values, in insertion order: a new array (empty when there are none), without expired values. */
  get(): V[];
  /** Replaces the list with `values` (an empty array clears it). */
  set(values: readonly V[]): void;
  /** Removes every value. */
  clear(): void;
}

/**
 * The current key's map state (`ctx.state.<name>` for a {@link mapState}): JavaScript's `Map`
 * verbs. Iteration is over a copy taken when it starts, in insertion order, without expired
 * entries; the map may change while it is iterated.
 *
 * @example
 * ```ts
 * import type { MapState } from 'tidemark';
 * function total(spent: MapState<string, number>): number {
 *   let sum = 0;
 *   for (const [, amount] of spent) sum += amount;
 *   return sum;
 * }
 * ```
 */
export interface MapState<MK, V> {
  /** The value of `key`, or `undefined`. */
  get(key: MK): V | undefined;
  /** Sets the value of `key` (with a TTL, restarts the entry's time to live); returns this map state. `undefined` is refused. */
  set(key: MK, value: V): this;
  /** Whether `key` has a value. */
  has(key: MK): boolean;
  /** Removes `key`; whether it had a value. */
  delete(key: MK): boolean;
  /** The keys, in insertion order. */
  keys(): IterableIterator<MK>;
  /** The values, in insertion order. */
  values(): IterableIterator<V>;
  /** The `[key, value]` entries, in insertion order. */
  entries(): IterableIterator<[MK, V]>;
  /** The entries, as `entries()`. */
  [Symbol.iterator](): IterableIterator<[MK, V]>;
  /** Removes every entry. */
  clear(): void;
  /** The number of entries (with a TTL, counting them means reading them). */
  readonly size: number;
}

/**
 * What `ctx.state` holds for declared state `S`: each name's {@link ValueState},
 * {@link ListState} or {@link MapState}, for the key being processed.
 *
 * @example
 * ```ts
 * import { listState, valueState, type KeyedStates } from 'tidemark';
 * const state = { count: valueState<number>(), recent: listState<number>() };
 * type Handles = KeyedStates<typeof state>; // { count: ValueState<number>; recent: ListState<number> }
 * ```
 */
export type KeyedStates<S extends StateDescriptors> = {
  readonly [N in keyof S]: S[N] extends ValueStateDescriptor<infer V>
    ? ValueState<V>
    : S[N] extends ListStateDescriptor<infer V>
      ? ListState<V>
      : S[N] extends MapStateDescriptor<infer MK, infer V>
        ? MapState<MK, V>
        : never;
};

/**
 * Declares a value state for `keyedProcess`: one value of type `V` per key, read with `get()`,
 * written with `set(v)`, removed with `clear()` (Flink's `ValueState`). Values must be
 * structured-cloneable (snapshots copy them); write every change back with `set`.
 *
 * ```
 * a@1 (key x): count.set(1)     b@2 (key y): count.get() → undefined     c@3 (key x): count.get() → 1
 * ```
 *
 * @example
 * ```ts
 * import { valueState } from 'tidemark';
 * const state = { count: valueState<number>(), lastSeen: valueState<number>({ ttl: { eventTime: 60_000 } }) };
 * ```
 * @param options - `ttl`, if the value should expire ({@link StateTtl}).
 * @returns a declaration to put in `keyedProcess`'s `state`, under a name.
 * @throws InvalidArgumentError for a bad `ttl`.
 */
export function valueState<V>(options: KeyedStateOptions = {}): ValueStateDescriptor<V> {
  return Object.freeze({ kind: 'value', ttl: checkTtl('valueState', 'ttl', optionsOf('valueState', options).ttl) });
}

/**
 * Declares a list state for `keyedProcess`: a list of values of type `V` per key, appended to
 * with `add(v)`, read with `get()` (an array, in insertion order), replaced with `set(values)`,
 * removed with `clear()` (Flink's `ListState`). Each element is stored on its own, so `add` does
 * not copy the list on a backend that copies values; with a TTL, each element expires on its own.
 *
 * ```
 * a@1: recent.add(1)    b@4: recent.add(4)    c@9: recent.get() → [1, 4]
 * ```
 *
 * @example
 * ```ts
 * import { listState } from 'tidemark';
 * const state = { uses: listState<number>({ ttl: { eventTime: 10_000 } }) };
 * ```
 * @param options - `ttl`, if elements should expire ({@link StateTtl}).
 * @returns a declaration to put in `keyedProcess`'s `state`, under a name.
 * @throws InvalidArgumentError for a bad `ttl`.
 */
export function listState<V>(options: KeyedStateOptions = {}): ListStateDescriptor<V> {
  return Object.freeze({ kind: 'list', ttl: checkTtl('listState', 'ttl', optionsOf('listState', options).ttl) });
}

/**
 * Declares a map state for `keyedProcess`: a map from `MK` to `V` per key, with the `Map` verbs
 * `get`, `set`, `has`, `delete`, `keys`, `values`, `entries`, `clear` and `size` (Flink's
 * `MapState`). Each entry is stored on its own: reading or writing one entry never copies the
 * whole map on a backend that copies values; with a TTL, each entry expires on its own. Map keys
 * compare as `Map` keys do; keys and values must be structured-cloneable.
 *
 * ```
 * a@1: spent.set('books', 12)    b@2: spent.set('food', 3)    c@5: [...spent.keys()] → ['books', 'food']
 * ```
 *
 * @example
 * ```ts
 * import { mapState } from 'tidemark';
 * const state = { pending: mapState<number, string[]>() }; // event time → the events at that time
 * ```
 * @param options - `ttl`, if entries should expire ({@link StateTtl}).
 * @returns a declaration to put in `keyedProcess`'s `state`, under a name.
 * @throws InvalidArgumentError for a bad `ttl`.
 */
export function mapState<MK, V>(options: KeyedStateOptions = {}): MapStateDescriptor<MK, V> {
  return Object.freeze({ kind: 'map', ttl: checkTtl('mapState', 'ttl', optionsOf('mapState', options).ttl) });
}

function optionsOf(api: string, options: unknown): KeyedStateOptions {
  if (options !== null && typeof options === 'object') return options;
  throw new InvalidArgumentError(`${api}: expected an options object such as { ttl: { eventTime: 60_000 } }, or nothing, got ${show(options)}`);
}

/** @internal Validates a TTL: `undefined`, `{ eventTime: n }` or `{ processingTime: n }`; returns a frozen copy. */
export function checkTtl(api: string, option: string, ttl: unknown): StateTtl | undefined {
  if (ttl === undefined) return undefined;
  const t = ttl as { eventTime?: unknown; processingTime?: unknown } | null;
  const fix = 'use { eventTime: ms } or { processingTime: ms }';
  if (t === null || typeof t !== 'object') throw new InvalidArgumentError(`${api}: ${option} must be an object, got ${show(ttl)}; ${fix}`);
  const extra = Object.keys(t).filter((k) => k !== 'eventTime' && k !== 'processingTime');
  if (extra.length > 0) throw new InvalidArgumentError(`${api}: ${option} has an unknown field ${show(extra[0])} in ${show(ttl)}; ${fix}`);
  if (t.eventTime !== undefined && t.processingTime !== undefined) {
    throw new InvalidArgumentError(`${api}: ${option} has both eventTime and processingTime in ${show(ttl)}; a state expires in one time domain: ${fix}`);
  }
  if (t.eventTime !== undefined) {
    const ms = t.eventTime;
    if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms <= 0) {
      throw new InvalidArgumentError(
        `${api}: ${option}.eventTime must be a positive integer (event time is integral: milliseconds by convention), got ${show(ms)}`,
      );
    }
    return Object.freeze({ eventTime: ms });
  }
  if (t.processingTime !== undefined) {
    const ms = t.processingTime;
    if (typeof ms !== 'number' || !(ms > 0) || !Number.isFinite(ms)) {
      throw new InvalidArgumentError(`${api}: ${option}.processingTime must be a positive finite number of ms, got ${show(ms)}`);
    }
    return Object.freeze({ processingTime: ms });
  }
  throw new InvalidArgumentError(`${api}: ${option} must give eventTime or processingTime, got ${show(ttl)}; ${fix}`);
}

/** @internal A declaration as code: `valueState({ ttl: { eventTime: 10 } })`, for messages. */
export function describeState(d: StateDescriptor): string {
  const ttl = d.ttl === undefined ? '' : d.ttl.eventTime !== undefined ? `{ ttl: { eventTime: ${d.ttl.eventTime} } }` : `{ ttl: { processingTime: ${d.ttl.processingTime} } }`;
  return `${d.kind}State(${ttl})`;
}
