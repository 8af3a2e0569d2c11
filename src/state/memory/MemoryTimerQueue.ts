import type { TimerQueue } from '../StateBackend.js';
import { TimerHeap, type TimerRecord } from './TimerHeap.js';

/** @internal A `delete`: it cancels the registrations of its `(time, key, ns)` made before it (`seq` smaller). */
interface Tombstone<K, N> {
  readonly key: K;
  readonly ns: N;
  readonly seq: number;
}

/** Compaction runs once the heap holds more than this many records (then twice the unique ones). */
const MIN_COMPACT = 64;
/** Past this many records fired at one time, duplicates are found through maps instead of a scan. */
const SCAN = 16;

/**
 * @internal The memory backend's {@link TimerQueue}: one binary heap of flat registration
 * records ordered by (time, registration order), without an index. A timer is unique per
 * `(time, key, namespace)`, and that is settled lazily, where it is cheap:
 *
 * - `register` only pushes a record (no lookup): a second registration of a pending timer is
 *   a duplicate record, skipped when its time fires (records of one time pop together, and the
 *   first — the registration that counts — fires);
 * - `delete` leaves a tombstone that cancels the earlier registrations of its timer, so a
 *   timer registered again after it is live;
 * - once the heap holds twice the unique timers it held after the last compaction, or the
 *   tombstones are half of it, one O(n) pass drops duplicates, cancelled records and
 *   tombstones: memory stays within about twice the live timers, at amortized O(1) per call.
 *
 * A timer that opens and fires (a session's, a window's) costs one record and two heap
 * operations, no map operations: as a hand-written loop's heap of due times does.
 */
export class MemoryTimerQueue<K, N> implements TimerQueue<K, N> {
  private readonly heap = new TimerHeap<K, N>();
  private seq = 0;
  private tombstones = new Map<number, Tombstone<K, N>[]>();
  private tombstoneCount = 0;
  private compactAt = MIN_COMPACT;
  /** The timers fired at the current time of {@link advanceTo} (see {@link isFiredDuplicate}): the first `groupSize` keys and namespaces. */
  private readonly groupKeys: K[] = [];
  private readonly groupNss: N[] = [];
  /** For each record of the group, the registration counter when it fired: a record of the same timer registered before that is a duplicate. */
  private readonly groupFiredAt: number[] = [];
  private groupSize = 0;
  /** The group's slots by `(namespace, key)`, once the group is large. */
  private groupIndex: Map<N, Map<K, number>> | undefined;

  /** The number of pending timers (exact; O(n), for tests and diagnostics). */
  get size(): number {
    return this.pending().length;
  }

  /** @internal Entries held (records and tombstones), live or not: what a leak would grow. */
  get footprint(): number {
    return this.heap.length + this.tombstoneCount;
  }

  register(time: number, key: K, namespace: N): void {
    this.heap.push(time, this.seq++, key, namespace);
    if (this.heap.length > this.compactAt) this.compact();
  }

  delete(time: number, key: K, namespace: N): void {
    const stone: Tombstone<K, N> = { key, ns: namespace, seq: this.seq++ };
    const at = this.tombstones.get(time);
    if (at === undefined) this.tombstones.set(time, [stone]);
    else at.push(stone);
    if (++this.tombstoneCount >= MIN_COMPACT / 2 && this.tombstoneCount * 2 > this.heap.length) this.compact();
  }

  peek(): number {
    const heap = this.heap;
    for (; heap.length > 0; heap.pop()) {
      if (!this.isCancelled(heap.topTime, heap.topSeq, heap.topKey, heap.topNs)) return heap.topTime;
    }
    return Infinity;
  }

  advanceTo(until: number, fire: (time: number, key: K, namespace: N) => void): void {
    const heap = this.heap;
    let groupTime = NaN;
    this.resetGroup();
    while (heap.length > 0 && heap.topTime <= until) {
      const time = heap.topTime;
      const seq = heap.topSeq;
      const key = heap.topKey;
      const ns = heap.topNs;
      heap.pop();
      if (time !== groupTime) {
        if (this.tombstoneCount !== 0) this.dropTombstones(groupTime);
        groupTime = time;
        this.resetGroup();
      } else if (this.isFiredDuplicate(seq, key, ns)) continue;
      if (this.isCancelled(time, seq, key, ns)) continue;
      this.addToGroup(key, ns);
      fire(time, key, ns);
    }
    // Every record of the last time has popped (when `fire` throws, its tombstones stay: records
    // of that time may still wait behind it).
    if (this.tombstoneCount !== 0) this.dropTombstones(groupTime);
    this.resetGroup();
  }

  dump(): [number, N, K][] {
    return this.pending().map((r) => [r.time, r.ns, r.key]);
  }

  load(rows: ReadonlyArray<readonly [number, unknown, unknown]>): void {
    this.heap.clear();
    this.tombstones = new Map();
    this.tombstoneCount = 0;
    this.compactAt = MIN_COMPACT;
    for (const [t, ns, k] of rows) this.heap.push(t, this.seq++, k as K, ns as N);
    this.compact();
  }

  /** Whether a `delete` made after the registration `seq` of `(time, key, ns)` cancels it. */
  private isCancelled(time: number, seq: number, key: K, ns: N): boolean {
    if (this.tombstoneCount === 0) return false;
    const stones = this.tombstones.get(time);
    if (stones === undefined) return false;
    for (const s of stones) if (s.seq > seq && same(s.key, key) && same(s.ns, ns)) return true;
    return false;
  }

  /** Whether a registration of the same timer made before `seq` already fired at this time. */
  private isFiredDuplicate(seq: number, key: K, ns: N): boolean {
    let slot: number | undefined;
    if (this.groupIndex !== undefined) slot = this.groupIndex.get(ns)?.get(key);
    else {
      const { groupKeys, groupNss } = this;
      for (let i = 0; i < this.groupSize; i++) if (same(groupKeys[i], key) && same(groupNss[i], ns)) slot = i;
    }
    return slot !== undefined && seq < this.groupFiredAt[slot]!;
  }

  private addToGroup(key: K, ns: N): void {
    const slot = this.groupSize++;
    this.groupKeys[slot] = key;
    this.groupNss[slot] = ns;
    this.groupFiredAt[slot] = this.seq;
    if (this.groupIndex !== undefined) indexIn(this.groupIndex, key, ns, slot);
    else if (this.groupSize > SCAN) {
      this.groupIndex = new Map();
      for (let i = 0; i < this.groupSize; i++) indexIn(this.groupIndex, this.groupKeys[i]!, this.groupNss[i]!, i);
    }
  }

  /** Forgets the fired group (slots are overwritten, not cleared: setting an array's length costs more than the group). */
  private resetGroup(): void {
    this.groupSize = 0;
    if (this.groupIndex !== undefined) {
      this.groupIndex = undefined;
      this.groupKeys.length = 0; // a large group: let its keys go
      this.groupNss.length = 0;
      this.groupFiredAt.length = 0;
    }
  }

  /** Tombstones of a time that has fired can cancel nothing any more. */
  private dropTombstones(time: number): void {
    const stones = this.tombstones.get(time);
    if (stones === undefined) return;
    this.tombstones.delete(time);
    this.tombstoneCount -= stones.length;
  }

  /** The pending timers, one record each (the first registration), in firing order. */
  private pending(): TimerRecord<K, N>[] {
    const sorted = this.heap.toArray().sort((a, b) => a.time - b.time || a.seq - b.seq);
    const out: TimerRecord<K, N>[] = [];
    let time = NaN;
    let seen = new Map<N, Set<K>>();
    for (const r of sorted) {
      if (r.time !== time) {
        time = r.time;
        seen = new Map();
      }
      let keys = seen.get(r.ns);
      if (keys === undefined) seen.set(r.ns, (keys = new Set()));
      if (keys.has(r.key)) continue;
      // A cancelled record still stands for its timer against later duplicates: those were
      // cancelled too (the tombstone came after them) unless registered after the tombstone.
      if (this.isCancelled(r.time, r.seq, r.key, r.ns)) continue;
      keys.add(r.key);
      out.push(r);
    }
    return out;
  }

  /** Drops duplicates, cancelled records and tombstones (O(n)). */
  private compact(): void {
    const live = this.pending();
    this.heap.replaceSorted(live);
    this.tombstones = new Map();
    this.tombstoneCount = 0;
    this.compactAt = Math.max(MIN_COMPACT, 2 * live.length);
  }
}

function indexIn<K, N>(byNs: Map<N, Map<K, number>>, key: K, ns: N, slot: number): void {
  let keys = byNs.get(ns);
  if (keys === undefined) byNs.set(ns, (keys = new Map()));
  keys.set(key, slot);
}

/** SameValueZero, as Map keys compare. */
function same(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}
