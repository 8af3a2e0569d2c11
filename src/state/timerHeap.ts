/** @internal A binary min-heap of numbers: the distinct pending timer times. */
export class TimeHeap {
  private readonly items: number[] = [];

  get length(): number {
    return this.items.length;
  }

  peek(): number {
    return this.items.length === 0 ? Infinity : this.items[0]!;
  }

  push(t: number): void {
    const a = this.items;
    let i = a.length;
    a.push(t);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]! <= t) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = t;
  }

  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    const n = a.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && a[r]! < a[l]! ? r : l;
        if (a[c]! >= last) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }

  clear(): void {
    this.items.length = 0;
  }
}
