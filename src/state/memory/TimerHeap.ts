/** @internal What {@link TimerHeap} orders: by time, then by `seq` (registration order). */
export interface Timed {
  readonly time: number;
  readonly seq: number;
}

/** @internal A binary min-heap of timer records, ordered by (time, seq): ties pop in registration order. */
export class TimerHeap<T extends Timed> {
  private items: T[] = [];

  get length(): number {
    return this.items.length;
  }

  /** The first record, or `undefined` when empty. */
  peek(): T | undefined {
    return this.items[0];
  }

  push(x: T): void {
    const a = this.items;
    let i = a.length;
    a.push(x);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = a[parent]!;
      if (p.time < x.time || (p.time === x.time && p.seq < x.seq)) break;
      a[i] = p;
      i = parent;
    }
    a[i] = x;
  }

  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) this.siftDown(0, last);
    return top;
  }

  /** The records, in heap order (a copy). */
  toArray(): T[] {
    return this.items.slice();
  }

  /** Replaces the records with `sorted`, which must be in (time, seq) order (a sorted array is a heap). */
  replaceSorted(sorted: T[]): void {
    this.items = sorted;
  }

  clear(): void {
    this.items.length = 0;
  }

  private siftDown(from: number, x: T): void {
    const a = this.items;
    const n = a.length;
    let i = from;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(a[r]!, a[l]!) ? r : l;
      if (!before(a[c]!, x)) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = x;
  }
}

function before(a: Timed, b: Timed): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
