import type { OrderedTable, OrderedTableOptions } from '../StateBackend.js';

/**
 * @internal A key's entries, ascending by position, in runs of at most {@link RUN} so that
 * an insertion moves at most a run's worth of elements: a key with many entries (tens of
 * thousands of live sessions) costs O(log n + RUN) per change, not O(n).
 */
interface Chunk<V> {
  pos: number[];
  val: V[];
}

/** @internal A key with one entry (most keys: one live session), kept without arrays. */
interface Single<V> {
  p: number;
  v: V;
}

/**
 * @internal What the table holds per key: its runs; or its one entry, wrapped with its
 * position ({@link Single}), or — when the table knows where a value's position is
 * ({@link OrderedTableOptions.positionOf}) and the value is stored there — the value itself.
 */
type Entry<V> = Chunk<V>[] | Single<V> | V;

/** The longest run before it splits in two. */
const RUN = 256;

/**
 * @internal The memory backend's {@link OrderedTable}: per key one entry, or a list of sorted
 * runs. A key's one entry is held without a wrapper when it sits at its own position
 * (`positionOf`): a lookup then loads the value and nothing else, as a hand-written `Map` of
 * sessions does.
 */
export class MemoryOrderedTable<K, V> implements OrderedTable<K, V> {
  private byKey = new Map<K, Entry<V>>();
  private count = 0;
  private readonly positionOf: ((value: V) => number) | undefined;

  constructor(options?: OrderedTableOptions<V>) {
    this.positionOf = options?.positionOf;
  }

  get size(): number {
    return this.count;
  }

  get(key: K, position: number): V | undefined {
    const chunks = this.byKey.get(key);
    if (chunks === undefined) return undefined;
    if (!Array.isArray(chunks)) return this.posOf(chunks) === position ? this.valOf(chunks) : undefined;
    const c = chunks[chunkOf(chunks, position)]!;
    const i = atOrBelow(c.pos, position);
    return i >= 0 && c.pos[i] === position ? c.val[i] : undefined;
  }

  set(key: K, position: number, value: V): void {
    let chunks = this.byKey.get(key);
    if (chunks === undefined) {
      this.byKey.set(key, this.single(position, value));
      this.count++;
      return;
    }
    if (!Array.isArray(chunks)) {
      const p = this.posOf(chunks);
      if (p === position) {
        if (this.positionOf === undefined) (chunks as Single<V>).v = value;
        else if (chunks !== value) this.byKey.set(key, this.single(position, value));
        return;
      }
      const v = this.valOf(chunks);
      const first = p < position;
      chunks = [{ pos: first ? [p, position] : [position, p], val: first ? [v, value] : [value, v] }];
      this.byKey.set(key, chunks);
      this.count++;
      return;
    }
    const ci = chunkOf(chunks, position);
    const c = chunks[ci]!;
    const i = atOrBelow(c.pos, position);
    if (i >= 0 && c.pos[i] === position) {
      c.val[i] = value;
      return;
    }
    if (i === c.pos.length - 1) {
      c.pos.push(position);
      c.val.push(value);
    } else {
      c.pos.splice(i + 1, 0, position);
      c.val.splice(i + 1, 0, value);
    }
    this.count++;
    if (c.pos.length > RUN) {
      const half = c.pos.length >> 1;
      chunks.splice(ci + 1, 0, { pos: c.pos.splice(half), val: c.val.splice(half) });
    }
  }

  delete(key: K, position: number): void {
    const chunks = this.byKey.get(key);
    if (chunks === undefined) return;
    if (!Array.isArray(chunks)) {
      if (this.posOf(chunks) !== position) return;
      this.byKey.delete(key);
      this.count--;
      return;
    }
    const ci = chunkOf(chunks, position);
    const c = chunks[ci]!;
    const i = atOrBelow(c.pos, position);
    if (i < 0 || c.pos[i] !== position) return;
    if (i === 0) {
      // The head of a run (the oldest entry, dropped first as time passes): shift is O(1) in V8
      // (it trims the array's start in place), where splice moves the rest of the run.
      c.pos.shift();
      c.val.shift();
    } else {
      c.pos.splice(i, 1);
      c.val.splice(i, 1);
    }
    this.count--;
    if (c.pos.length === 0) chunks.splice(ci, 1);
    if (chunks.length === 0) this.byKey.delete(key);
    // Back to one entry: keep it without arrays again (unless it is away from its own position).
    else if (chunks.length === 1 && chunks[0]!.pos.length === 1) {
      const one = this.single(chunks[0]!.pos[0]!, chunks[0]!.val[0]!);
      if (!Array.isArray(one)) this.byKey.set(key, one);
    }
  }

  floor(key: K, at: number): number | undefined {
    const chunks = this.byKey.get(key);
    if (chunks === undefined) return undefined;
    if (!Array.isArray(chunks)) {
      const p = this.posOf(chunks);
      return p <= at ? p : undefined;
    }
    for (let ci = chunkOf(chunks, at); ci >= 0; ci--) {
      const c = chunks[ci]!;
      const i = atOrBelow(c.pos, at);
      if (i >= 0) return c.pos[i];
    }
    return undefined;
  }

  lower(key: K, at: number): number | undefined {
    const chunks = this.byKey.get(key);
    if (chunks === undefined) return undefined;
    if (!Array.isArray(chunks)) {
      const p = this.posOf(chunks);
      return p < at ? p : undefined;
    }
    for (let ci = chunkOf(chunks, at); ci >= 0; ci--) {
      const c = chunks[ci]!;
      let i = atOrBelow(c.pos, at);
      if (i >= 0 && c.pos[i] === at) i--;
      if (i >= 0) return c.pos[i];
    }
    return undefined;
  }

  floorValue(key: K, at: number): V | undefined {
    const chunks = this.byKey.get(key);
    if (chunks === undefined) return undefined;
    if (!Array.isArray(chunks)) return this.posOf(chunks) <= at ? this.valOf(chunks) : undefined;
    const p = this.floor(key, at);
    return p === undefined ? undefined : this.get(key, p);
  }

  lowerValue(key: K, at: number): V | undefined {
    const chunks = this.byKey.get(key);
    if (chunks === undefined) return undefined;
    if (!Array.isArray(chunks)) return this.posOf(chunks) < at ? this.valOf(chunks) : undefined;
    const p = this.lower(key, at);
    return p === undefined ? undefined : this.get(key, p);
  }

  positions(key: K, from: number, to: number): readonly number[] {
    const chunks = this.byKey.get(key);
    const out: number[] = [];
    if (chunks === undefined || !(from <= to)) return out;
    if (!Array.isArray(chunks)) {
      const p = this.posOf(chunks);
      if (p >= from && p <= to) out.push(p);
      return out;
    }
    for (let ci = chunkOf(chunks, from); ci < chunks.length; ci++) {
      const p = chunks[ci]!.pos;
      for (let i = Math.max(0, atOrBelow(p, from)); i < p.length; i++) {
        if (p[i]! > to) return out;
        if (p[i]! >= from) out.push(p[i]!);
      }
    }
    return out;
  }

  keys(): Iterable<K> {
    return [...this.byKey.keys()];
  }

  dump(): [K, [number, V][]][] {
    return [...this.byKey].map(([k, chunks]) => [
      k,
      Array.isArray(chunks) ? chunks.flatMap((c) => c.pos.map((p, i): [number, V] => [p, c.val[i]!])) : [[this.posOf(chunks), this.valOf(chunks)]],
    ]);
  }

  load(rows: ReadonlyArray<readonly [unknown, ReadonlyArray<readonly [number, unknown]>]>): void {
    this.byKey = new Map();
    this.count = 0;
    for (const [k, entries] of rows) for (const [p, v] of entries) this.set(k as K, p, v as V);
  }

  /** The position of a key's one entry. */
  private posOf(one: Single<V> | V): number {
    return this.positionOf === undefined ? (one as Single<V>).p : this.positionOf(one as V);
  }

  /** The value of a key's one entry. */
  private valOf(one: Single<V> | V): V {
    return this.positionOf === undefined ? (one as Single<V>).v : (one as V);
  }

  /** How a key's one entry is held: the value itself when it sits at its own position (an array never: it would read as runs). */
  private single(position: number, value: V): Entry<V> {
    const positionOf = this.positionOf;
    if (positionOf === undefined) return { p: position, v: value };
    return positionOf(value) === position && !Array.isArray(value) ? value : [{ pos: [position], val: [value] }];
  }
}

/** The index of the chunk whose range holds `at` (the last whose first position is <= at; 0 if none). */
function chunkOf<V>(chunks: readonly Chunk<V>[], at: number): number {
  let hi = chunks.length - 1;
  if (chunks[hi]!.pos[0]! <= at) return hi; // the last run: where entries mostly go, in time order
  if (hi === 0 || at < chunks[1]!.pos[0]!) return 0; // the first: where the oldest are dropped
  let lo = 1;
  hi--;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (chunks[mid]!.pos[0]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The index of the last element `<= at` in ascending `a`, or −1. */
function atOrBelow(a: readonly number[], at: number): number {
  let hi = a.length;
  if (hi === 0 || a[hi - 1]! <= at) return hi - 1; // at or past the end: an append, or the newest entry
  let lo = 0;
  hi--;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
