import type { WindowResult } from 'tidemark';

/** A live session of one key; `next` chains the key's other live sessions (rare). */
interface Session<K> {
  readonly key: K;
  start: number;
  end: number;
  count: number;
  /** Merged into another session, or fired: its timer entries are stale. */
  dead: boolean;
  next: Session<K> | undefined;
}

/**
 * The fastest single-pass loop we know for a count per key in session windows (`[t, t + gap)`
 * per event, merged while they overlap or touch), with `boundedOutOfOrderness` semantics:
 *
 * - **sessions are updated in place**: a key's live session (usually one; others are
 *   chained) is found with one `Map.get`, and an event that meets it extends `start`/`end`
 *   and increments its count: no allocation, no timer work;
 * - **lazy timers**: a session gets one entry in a binary heap of `(end − 1, session)` when
 *   it opens; when the entry comes due and the session has grown since, it is pushed again
 *   at its current `end − 1`; entries of sessions merged away or fired are skipped;
 * - an event that meets no live session opens one, unless `t + gap − 1` is at or below the
 *   watermark (it is late and dropped, as in the library with no allowed lateness).
 */
export class SessionCounts<K> {
  lateEvents = 0;
  private max = -Infinity;
  private wm = -Infinity;
  private readonly lag: number;
  private readonly live = new Map<K, Session<K>>();
  private readonly heapTime: number[] = [];
  private readonly heapSession: Session<K>[] = [];

  constructor(
    private readonly gap: number,
    bound: number,
    private readonly emit: (r: WindowResult<K, number>) => void,
  ) {
    this.lag = bound + 1;
  }

  /** Live sessions, for memory measurements. */
  get liveSessions(): number {
    let n = 0;
    for (let s of this.live.values()) for (; s !== undefined; s = s.next!) n++;
    return n;
  }

  add(key: K, t: number): void {
    const end = t + this.gap;
    const s = this.live.get(key);
    if (s !== undefined && s.next === undefined && s.start <= end && t <= s.end) {
      // The common case: the key's only session absorbs the event.
      if (t < s.start) s.start = t;
      if (end > s.end) s.end = end;
      s.count++;
      return;
    }
    this.addSlow(key, t, end, s);
  }

  advance(t: number): void {
    if (t > this.max) {
      this.max = t;
      const w = (this.wm = t - this.lag);
      if (this.heapTime.length > 0 && this.heapTime[0]! <= w) this.fire();
    }
  }

  end(): void {
    this.wm = Infinity;
    this.fire();
  }

  /** Merges `[t, end)` with every live session of `key` it meets (several, or none). */
  private addSlow(key: K, t: number, end: number, first: Session<K> | undefined): void {
    let target: Session<K> | undefined;
    let start = t;
    let count = 1;
    // Unlink every session that meets [start, end), widening it as they merge.
    let kept: Session<K> | undefined;
    for (let s = first; s !== undefined; ) {
      const next = s.next;
      if (s.start <= end && start <= s.end) {
        if (s.start < start) start = s.start;
        if (s.end > end) end = s.end;
        count += s.count;
        if (target === undefined) target = s;
        else s.dead = true;
      } else {
        s.next = kept;
        kept = s;
      }
      s = next;
    }
    if (target === undefined) {
      if (end - 1 <= this.wm) {
        this.lateEvents++;
        if (kept !== undefined) this.live.set(key, kept); // the same sessions, relinked
        return;
      }
      target = { key, start, end, count, dead: false, next: undefined };
      this.push(end - 1, target);
    } else {
      // Merging can bridge to sessions met only after widening: merge again until stable.
      target.start = start;
      target.end = end;
      target.count = count;
      for (let again = true; again; ) {
        again = false;
        let rest: Session<K> | undefined;
        for (let s = kept; s !== undefined; ) {
          const next = s.next;
          if (s.start <= target.end && target.start <= s.end) {
            if (s.start < target.start) target.start = s.start;
            if (s.end > target.end) target.end = s.end;
            target.count += s.count;
            s.dead = true;
            again = true;
          } else {
            s.next = rest;
            rest = s;
          }
          s = next;
        }
        kept = rest;
      }
    }
    target.next = kept;
    this.live.set(key, target);
  }

  private fire(): void {
    const times = this.heapTime;
    const sessions = this.heapSession;
    while (times.length > 0 && times[0]! <= this.wm) {
      const time = times[0]!;
      const s = sessions[0]!;
      this.pop();
      if (s.dead) continue;
      if (s.end - 1 > time) {
        this.push(s.end - 1, s); // grown since: due later
        continue;
      }
      s.dead = true;
      this.unlink(s);
      this.emit({ key: s.key, start: s.start, end: s.end, value: s.count, firing: 'on-time' });
    }
  }

  private unlink(s: Session<K>): void {
    const head = this.live.get(s.key)!;
    if (head === s) {
      if (s.next === undefined) this.live.delete(s.key);
      else this.live.set(s.key, s.next);
      return;
    }
    let p = head;
    while (p.next !== s) p = p.next!;
    p.next = s.next;
  }

  private push(time: number, s: Session<K>): void {
    const times = this.heapTime;
    const sessions = this.heapSession;
    let i = times.length;
    times.push(time);
    sessions.push(s);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (times[parent]! <= time) break;
      times[i] = times[parent]!;
      sessions[i] = sessions[parent]!;
      i = parent;
    }
    times[i] = time;
    sessions[i] = s;
  }

  private pop(): void {
    const times = this.heapTime;
    const sessions = this.heapSession;
    const lastTime = times.pop()!;
    const lastSession = sessions.pop()!;
    const n = times.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && times[r]! < times[l]! ? r : l;
      if (times[c]! >= lastTime) break;
      times[i] = times[c]!;
      sessions[i] = sessions[c]!;
      i = c;
    }
    times[i] = lastTime;
    sessions[i] = lastSession;
  }
}
