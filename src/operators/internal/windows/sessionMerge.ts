import type { OrderedTable } from '../../../state/StateBackend.js';

/**
 * @internal One live session window of a key, `[start, end)`, with its accumulator: the
 * value stored in the sessions table at position `start` (the table's `positionOf`,
 * {@link sessionStart}).
 */
export interface Session<A> {
  start: number;
  end: number;
  /** Names the session's timers and panes: the timestamp of the event that opened it (inside `[start, end)` for life). */
  readonly ns: number;
  /** When it was opened, among all sessions of the operator; a merged session keeps the earliest. Orders ties in firing. */
  seq: number;
  acc: A;
}

const NONE: readonly never[] = [];

/** @internal Where a session is stored in its table: the table's `positionOf`. */
export const sessionStart = (s: Session<unknown>): number => s.start;

/**
 * @internal A key's live session windows (Flink's `MergingWindowSet`), in an ordered table by
 * start: live sessions of a key never overlap or touch, so those that meet a new window
 * `[s, e)` are the consecutive ones ending at the last session that starts at or before `e`,
 * found in O(log n). Every change is written back to the table, so a backend that copies
 * values sees all of them.
 */
export class MergingSessions<K, A> {
  /** What the last {@link add} that met a session did: the namespaces it merged away (removed from the table)… */
  absorbed: readonly number[] = NONE;
  /** …and whether the session had already fired on time before it grew (`end − 1 <= watermark`). */
  firedBefore = false;
  /** Whether the session of the last {@link add} left its place in the table (it must be stored). */
  private moved = false;

  constructor(
    private readonly table: OrderedTable<K, Session<A>>,
    private readonly mergeAccs: (a: A, b: A) => A,
    /** The backend hands out stored values: a session changed in place in its place needs no `set`. */
    private readonly sharesValues: boolean,
  ) {}

  /**
   * Adds the window `[start, end)` of a new event: every session that overlaps or touches it
   * joins the earliest such session, whose accumulator absorbs the others'. Returns that
   * session, not yet stored (the caller adds its event, then {@link store}s it; {@link absorbed}
   * and {@link firedBefore} say what happened); `null` when the window meets no live session
   * (the caller opens one), and `undefined` when, moreover, it is itself past
   * `end − 1 + lateness` (the event is late).
   */
  add(key: K, start: number, end: number, lateness: number, watermark: number): Session<A> | null | undefined {
    const table = this.table;
    let target = table.floorValue(key, end);
    if (target === undefined || target.end < start) {
      this.moved = true;
      return end - 1 + lateness <= watermark ? undefined : null;
    }
    // Walk back over the earlier sessions that still meet the window: the last one is the target.
    // Earlier sessions end before target.start (live sessions never touch): only a window that
    // starts before it can meet them.
    let absorbed: Session<A>[] | undefined;
    if (start < target.start) {
      for (let earlier = table.lowerValue(key, target.start); earlier !== undefined && earlier.end >= start; earlier = table.lowerValue(key, earlier.start)) {
        (absorbed ??= []).push(target);
        target = earlier;
      }
    }
    this.firedBefore = target.end - 1 <= watermark;
    // A session that starts earlier leaves its place first: the table may read a stored
    // value's position from the value (`positionOf`), so it must not change while stored.
    const startsEarlier = start < target.start;
    if (startsEarlier) {
      table.delete(key, target.start);
      target.start = start;
    }
    if (end > target.end) target.end = end;
    this.moved = startsEarlier || absorbed !== undefined || !this.sharesValues;
    if (absorbed === undefined) {
      this.absorbed = NONE;
      return target;
    }
    // Absorbed sessions come latest first; fold them in start order.
    for (let i = absorbed.length - 1; i >= 0; i--) {
      const gone = absorbed[i]!;
      if (gone.end > target.end) target.end = gone.end;
      if (gone.seq < target.seq) target.seq = gone.seq;
      target.acc = this.mergeAccs(target.acc, gone.acc);
      table.delete(key, gone.start);
    }
    this.absorbed = absorbed.map((s) => s.ns);
    return target;
  }

  /** Writes back the session the last {@link add} returned (or opened), unless it is already stored as it is. */
  storeAdded(key: K, s: Session<A>): void {
    if (this.moved) this.table.set(key, s.start, s);
  }

  /** Writes a session (new or changed) back. */
  store(key: K, s: Session<A>): void {
    this.table.set(key, s.start, s);
  }

  /** The live session of `key` named `ns`, if it still is one (not merged into another, not purged). */
  named(key: K, ns: number): Session<A> | undefined {
    const s = this.table.floorValue(key, ns);
    return s !== undefined && s.ns === ns ? s : undefined;
  }

  delete(key: K, s: Session<A>): void {
    this.table.delete(key, s.start);
  }
}
