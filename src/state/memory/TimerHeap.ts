/** @internal One timer registration, as {@link TimerHeap} hands it out when asked for all of them. */
export interface TimerRecord<K, N> {
  readonly time: number;
  /** Registration order: ties in time pop in it. */
  readonly seq: number;
  readonly key: K;
  readonly ns: N;
}

/**
 * @internal A binary min-heap of timer registrations, ordered by (time, seq): ties pop in
 * registration order. It is four parallel arrays (times, seqs, keys, namespaces) rather than
 * an array of records, as a hand-written loop's heap is: a registration allocates nothing,
 * and sifting compares numbers held next to each other instead of loading a record per
 * comparison (a heap of many timers is mostly cache misses otherwise).
 */
export class TimerHeap<K, N> {
  private times: number[] = [];
  private seqs: number[] = [];
  private keys: K[] = [];
  private nss: N[] = [];

  get length(): number {
    return this.times.length;
  }

  /** The first registration's time (the heap must not be empty). */
  get topTime(): number {
    return this.times[0]!;
  }

  get topSeq(): number {
    return this.seqs[0]!;
  }

  get topKey(): K {
    return this.keys[0]!;
  }

  get topNs(): N {
    return this.nss[0]!;
  }

  push(time: number, seq: number, key: K, ns: N): void {
    const { times, seqs, keys, nss } = this;
    let i = times.length;
    times.push(time);
    seqs.push(seq);
    keys.push(key);
    nss.push(ns);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent]!;
      if (pt < time || (pt === time && seqs[parent]! < seq)) break;
      this.move(parent, i);
      i = parent;
    }
    times[i] = time;
    seqs[i] = seq;
    keys[i] = key;
    nss[i] = ns;
  }

  /** Removes the first registration (none when empty). */
  pop(): void {
    const { times, seqs, keys, nss } = this;
    if (times.length === 0) return;
    const time = times.pop()!;
    const seq = seqs.pop()!;
    const key = keys.pop()!;
    const ns = nss.pop()!;
    const n = times.length;
    if (n === 0) return;
    // Sift the last registration down from the root.
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let ct = times[l]!;
      if (r < n) {
        const rt = times[r]!;
        if (rt < ct || (rt === ct && seqs[r]! < seqs[l]!)) {
          c = r;
          ct = rt;
        }
      }
      if (ct > time || (ct === time && seqs[c]! >= seq)) break;
      this.move(c, i);
      i = c;
    }
    // Written out, as in push: through a helper storing into this.times… it read 5% slower (q11).
    times[i] = time;
    seqs[i] = seq;
    keys[i] = key;
    nss[i] = ns;
  }

  /** The registrations, in heap order (copies). */
  toArray(): TimerRecord<K, N>[] {
    return this.times.map((time, i) => ({ time, seq: this.seqs[i]!, key: this.keys[i]!, ns: this.nss[i]! }));
  }

  /** Replaces the registrations with `sorted`, which must be in (time, seq) order (a sorted array is a heap). */
  replaceSorted(sorted: readonly TimerRecord<K, N>[]): void {
    this.times = sorted.map((r) => r.time);
    this.seqs = sorted.map((r) => r.seq);
    this.keys = sorted.map((r) => r.key);
    this.nss = sorted.map((r) => r.ns);
  }

  clear(): void {
    this.times = [];
    this.seqs = [];
    this.keys = [];
    this.nss = [];
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from]!;
    this.seqs[to] = this.seqs[from]!;
    this.keys[to] = this.keys[from]!;
    this.nss[to] = this.nss[from]!;
  }
}
