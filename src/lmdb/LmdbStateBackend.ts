import { MemoryStateBackend, StateError } from 'tidemark';
import type { KeyedTable, MapTable, NamespaceTable, OrderedTable, StateBackend, StateSnapshot, TimerQueue, ValueCell } from 'tidemark';
import { Kind, encode, identity, str } from './internal/records.js';
import { DELTA, NONE, RESTORED, type Delta, type RestoredFrom, type StoreLink } from './internal/delta.js';

/** One structure of the backend: what its entries' identities start with. */
interface Structure {
  readonly kind: Kind;
  readonly name: Buffer;
}

/**
 * One entry of working state, as the memory tables hold it: its identity parts (`a`, `b`, `c`),
 * its insertion order (`s`, and `ks` for its key's order in ordered and map tables), its value,
 * the epoch it was last made dirty in (`e`), the epoch it was born in, and whether it was removed;
 * the checkpoint its version on disk was written by (`d`, {@link NONE}: none: what the refresh
 * cycle goes by) and the snapshot it was last sent in (`ps`).
 * Timer slots are operations instead (a registration or, `dead`, a removal), one per change.
 */
class Slot {
  e = 0;
  dead = false;
  d = NONE;
  ps = 0;
  constructor(
    readonly t: Structure,
    readonly a: unknown,
    readonly b: unknown,
    readonly c: unknown,
    readonly s: number,
    readonly ks: number,
    public v: unknown,
    readonly born: number,
  ) {}
}

/** The least number of entries a snapshot writes again for the refresh cycle (see `refresh`). */
const MIN_REFRESH = 64;

/** A queue's timer operations since the last confirmed checkpoint begin with this slot: the queue was rewritten. */
const RESET = Symbol('reset');

/** A timer operation a delta held, applied to the backend's view of the disk once it is confirmed: a reset (`ident` undefined), a registration or a removal. */
interface TimerOp {
  readonly queue: Structure;
  readonly ident: string | undefined;
  readonly live: boolean;
}

/**
 * The state backend of `tidemark/lmdb`: working state in memory (the memory backend's tables,
 * holding each entry with its insertion order), plus dirty tracking for incremental
 * checkpoints. It is handed out by {@link LmdbCheckpointStore.backend}; its `snapshot()` is
 * the change since the last committed checkpoint (copied — serialized — at the barrier), plus a
 * bounded share of entries written again so that the store can drop old versions (the refresh
 * cycle, see the LMDB guide), which only that store can commit; `restore()` takes the snapshots
 * the store's `latest()`/`load()` rebuild. Values are serialized at checkpoints, so `sharesValues` is false: operators write
 * every change back with `set`.
 *
 * @example
 * ```ts
 * import { openLmdbStore } from 'tidemark/lmdb';
 *
 * const store = await openLmdbStore({ path: '/tmp/tidemark-example-backend', fresh: true });
 * const backend = store.backend('counts');
 * backend.table<string, number, number>('sum').set('a', 0, 1);
 * await store.commit({ id: 1, pipeline: 'example', operators: { counts: backend.snapshot() }, sources: {} });
 * await store.close();
 * ```
 */
export class LmdbStateBackend implements StateBackend {
  /** Values are serialized at checkpoints: operators write every change back with `set`. */
  readonly sharesValues = false;
  private readonly inner = new MemoryStateBackend();
  private readonly structures = new Map<string, Structure>();
  private readonly tables = new Map<string, KeyedTable<unknown, unknown, unknown>>();
  private readonly orderedTables = new Map<string, OrderedTable<unknown, unknown>>();
  private readonly mapTables = new Map<string, MapTable<unknown, unknown, unknown>>();
  private readonly timerQueues = new Map<string, TimerQueue<unknown, unknown>>();
  private readonly cells = new Map<string, Slot>();
  /** Key orders of ordered and map tables: a key's place and its entry count. */
  private readonly keyOrders = new Map<string, Map<unknown, { ks: number; n: number }>>();
  /** Timer operations per queue since the last confirmed checkpoint, and the queues' slot lists (for compaction). */
  private readonly timerOps = new Map<string, number>();
  /** When a queue's operations are next counted against its size (see {@link makeTimers}). */
  private readonly timerRewriteAt = new Map<string, number>();
  /** Each queue in a memory backend of its own, so that one queue can be dumped alone. */
  private readonly timerHomes = new Map<string, MemoryStateBackend>();
  /** {@link touch} compacts the dirty list when it grows past this. */
  private compactAt = 4096;
  private seq = 0;
  /** While restoring a state rebuilt by the store: the insertion orders its entries have on disk. */
  private feedS: readonly number[] | undefined;
  private feedSi = 0;
  private feedKs: readonly number[] | undefined;
  private feedKi = 0;
  /** While restoring: the versions its entries have on disk. */
  private feedD: readonly number[] | undefined;
  private feedDi = 0;
  private epoch = 1;
  /** Slots made dirty in this epoch, in order. */
  private dirty: Slot[] = [];
  /**
   * Earlier snapshots not yet confirmed committed: their slots (the dirty list of their epoch) are
   * in every later delta too; `sent` is every slot their delta held.
   */
  private pending: { readonly snapshot: number; readonly slots: Slot[]; readonly sent: Slot[]; readonly timerOps: TimerOp[] }[] = [];
  /**
   * Per timer queue, its timers on disk as of the last confirmed checkpoint (identity as latin1 →
   * the checkpoint that wrote it): what a snapshot needs to leave out registrations of timers
   * already there (they keep their place), and the refresh cycle to see a queue with old ones.
   */
  private readonly timersOnDisk = new Map<Structure, Map<string, number>>();
  /** The last snapshot the store confirmed committed. */
  private confirmed = 0;
  /** Whether deltas are relative to nothing (the first checkpoint, or one after restoring a state the store's latest does not hold). */
  private full = true;
  private fullSince = 0;
  private lineage: string;
  private snapshots = 0;
  /** Every entry's slot (timers aside), in the order they were made: what the refresh cycle walks (removed ones are dropped from time to time). */
  private all: Slot[] = [];
  private allCompactAt = 4096;
  /** Where the refresh walk is in {@link all}. */
  private cursor = 0;
  /** The refresh cycle's checkpoint: entries written before it are written again. */
  private cycleFrom = 0;
  /** The checkpoint the store last confirmed. */
  private lastCheckpoint = 0;

  /** @internal Made by {@link LmdbCheckpointStore.backend}. */
  constructor(
    private readonly link: StoreLink,
    /** The operator id this backend holds the state of. */
    readonly operatorId: string,
  ) {
    this.lineage = link.newLineage(operatorId);
  }

  table<K, N, V>(name: string): KeyedTable<K, N, V> {
    let t = this.tables.get(name);
    if (t === undefined) this.tables.set(name, (t = this.makeTable(name)));
    return t as KeyedTable<K, N, V>;
  }

  ordered<K, V>(name: string): OrderedTable<K, V> {
    let t = this.orderedTables.get(name);
    if (t === undefined) this.orderedTables.set(name, (t = this.makeOrdered(name)));
    return t as OrderedTable<K, V>;
  }

  maps<K, MK, V>(name: string): MapTable<K, MK, V> {
    let t = this.mapTables.get(name);
    if (t === undefined) this.mapTables.set(name, (t = this.makeMaps(name)));
    return t as MapTable<K, MK, V>;
  }

  timers<K, N>(name: string): TimerQueue<K, N> {
    let t = this.timerQueues.get(name);
    if (t === undefined) this.timerQueues.set(name, (t = this.makeTimers(name)));
    return t as TimerQueue<K, N>;
  }

  value<V>(name: string, initial: V): ValueCell<V> {
    let slot = this.cells.get(name);
    if (slot === undefined) {
      slot = new Slot(this.structure(Kind.Value, name), undefined, undefined, undefined, this.seq++, 0, initial, this.epoch);
      this.cells.set(name, slot);
      this.born(slot);
      this.touch(slot);
    }
    const cell = slot;
    return {
      get: () => cell.v as V,
      set: (v: V) => {
        cell.v = v;
        this.touch(cell);
      },
    };
  }

  /**
   * The change since the last committed checkpoint, serialized now (later changes are not in
   * it), as a snapshot only the store that made this backend can commit (the StateSnapshot
   * fields are empty; the change is in `tidemark-lmdb`).
   */
  snapshot(): StateSnapshot {
    const complete = this.refresh();
    const slots = this.pending.length === 0 ? this.dirty : [...this.pending.flatMap((p) => p.slots), ...this.dirty];
    const snapshot = ++this.snapshots;
    const keys: Buffer[] = [];
    const values: (Buffer | null)[] = [];
    const sent: Slot[] = [];
    const timerOps: TimerOp[] = [];
    /** Timers this delta changed (identity → live), and queues it wrote anew: with the disk as confirmed, the state it applies to. */
    const changed = new Map<string, boolean>();
    const reset = new Set<Structure>();
    for (const slot of slots) {
      if (slot.v === RESET) {
        keys.push(identity(Kind.Timer, slot.t.name, []));
        values.push(null);
        reset.add(slot.t);
        timerOps.push({ queue: slot.t, ident: undefined, live: false });
        continue;
      }
      if (slot.t.kind === Kind.Timer) {
        const ident = this.identityOf(slot);
        const k = ident.toString('latin1');
        const onDisk = !reset.has(slot.t) && this.timersOnDisk.get(slot.t)?.has(k) === true;
        const live = changed.get(k) ?? onDisk;
        // A registration of a timer that is there keeps its place (its first registration's), and
        // a removal of one that is not changes nothing: neither is written.
        if (live !== slot.dead) continue;
        changed.set(k, !slot.dead);
        keys.push(ident);
        values.push(slot.dead ? null : this.payloadOf(slot));
        timerOps.push({ queue: slot.t, ident: k, live: !slot.dead });
        continue;
      }
      // A slot made dirty in several unconfirmed epochs is written once, with its value now.
      if (slot.ps === snapshot) continue;
      keys.push(this.identityOf(slot));
      values.push(slot.dead ? null : this.payloadOf(slot));
      slot.ps = snapshot;
      sent.push(slot);
    }
    const delta: Delta = {
      store: this.link.uid,
      operator: this.operatorId,
      lineage: this.lineage,
      snapshot,
      full: this.full,
      entries: this.liveEntries(),
      keys,
      values,
      complete,
    };
    this.pending.push({ snapshot, slots: this.dirty, sent, timerOps });
    this.dirty = [];
    this.epoch++;
    return { format: 'tidemark-state/1', tables: {}, timers: {}, values: {}, [DELTA]: delta } as StateSnapshot;
  }

  /**
   * One step of the refresh cycle, before a snapshot is taken: entries whose version on disk is
   * older than the cycle's checkpoint, and that this snapshot does not write anyway, are written
   * again — about half as many as changed since the last snapshot (at least {@link MIN_REFRESH}),
   * so a checkpoint costs what changed. When the walk over all entries is done, every live entry
   * has a version from the cycle's checkpoint on (timer queues with older timers are written
   * anew): the delta says so, and the store reads the state from there on and drops what is
   * older. Returns that checkpoint, or undefined while the walk goes on.
   */
  private refresh(): number | undefined {
    if (this.full) return undefined;
    const since = this.cycleFrom;
    let budget = Math.max(MIN_REFRESH, Math.ceil(this.dirty.length / 2));
    let steps = 16 * budget;
    while (this.cursor < this.all.length) {
      if (budget === 0 || steps-- === 0) return undefined;
      const slot = this.all[this.cursor++]!;
      // Removed, recent enough, or written by this snapshot anyway (dirty now, or in an unconfirmed one).
      if (slot.dead || slot.d >= since || slot.e === this.epoch || slot.ps > this.confirmed) continue;
      this.touch(slot);
      budget--;
    }
    for (const [name, home] of this.timerHomes) {
      const st = this.structure(Kind.Timer, name);
      const disk = this.timersOnDisk.get(st);
      if (disk === undefined) continue;
      for (const version of disk.values()) {
        if (version >= since) continue;
        this.rewriteTimers(name, home, st);
        break;
      }
    }
    this.startCycle(this.lastCheckpoint);
    return since;
  }

  /** Starts a refresh cycle towards `since` (entries written before it are written again). */
  private startCycle(since: number): void {
    this.compactAll();
    this.cursor = 0;
    this.cycleFrom = since;
  }

  /** A new entry's slot joins the refresh walk. */
  private born(slot: Slot): void {
    this.all.push(slot);
    if (this.all.length > this.allCompactAt) this.compactAll();
  }

  /** Drops removed entries from the refresh walk (keeping its place), so it stays within about twice the live entries. */
  private compactAll(): void {
    const all: Slot[] = [];
    let cursor = 0;
    for (let i = 0; i < this.all.length; i++) {
      if (i === this.cursor) cursor = all.length;
      const slot = this.all[i]!;
      if (!slot.dead) all.push(slot);
    }
    this.cursor = this.cursor >= this.all.length ? all.length : cursor;
    this.all = all;
    this.allCompactAt = Math.max(4096, 2 * all.length);
  }

  /** @internal The store committed this backend's snapshot `snapshot` (its lineage's) as checkpoint `checkpoint`. */
  confirm(lineage: string, snapshot: number, full: boolean, checkpoint: number): void {
    if (lineage !== this.lineage) return;
    const i = this.pending.findIndex((p) => p.snapshot === snapshot);
    if (i < 0) return;
    // Every slot that delta held has its version on disk from `checkpoint` on; so have its timers.
    const { sent, timerOps } = this.pending[i]!;
    for (const slot of sent) slot.d = checkpoint;
    for (const { queue, ident, live } of timerOps) {
      let disk = this.timersOnDisk.get(queue);
      if (disk === undefined) this.timersOnDisk.set(queue, (disk = new Map()));
      if (ident === undefined) disk.clear();
      else if (live) disk.set(ident, checkpoint);
      else disk.delete(ident);
    }
    this.confirmed = snapshot;
    this.lastCheckpoint = checkpoint;
    this.pending = this.pending.slice(i + 1);
    if (full && snapshot > this.fullSince) {
      this.full = false;
      this.startCycle(checkpoint);
    }
    for (const name of this.timerOps.keys()) this.timerOps.set(name, this.countTimerOps(name));
  }

  restore(snapshot: StateSnapshot): void {
    if (snapshot?.format !== 'tidemark-state/1') {
      throw new StateError(
        `LmdbStateBackend.restore: unknown snapshot format ${JSON.stringify(snapshot?.format)}; expected "tidemark-state/1". Restore only snapshots taken by a tidemark state backend.`,
      );
    }
    if ((snapshot as { [DELTA]?: unknown })[DELTA] !== undefined) {
      throw new StateError(
        `LmdbStateBackend.restore: this is an incremental snapshot (the change since the last checkpoint), which only its store can commit; restore the checkpoints that store.latest() or store.load(id) return`,
      );
    }
    const s = structuredClone(snapshot);
    const from = (snapshot as { [RESTORED]?: RestoredFrom })[RESTORED];
    const empty: StateSnapshot = { format: 'tidemark-state/1', tables: {}, timers: {}, values: {} };
    this.inner.restore(empty);
    for (const home of this.timerHomes.values()) home.restore(empty);
    for (const m of this.keyOrders.values()) m.clear();
    this.all = [...this.cells.values()];
    this.cursor = 0;
    this.dirty = [];
    this.pending = [];
    this.epoch++;
    this.lineage = this.link.newLineage(this.operatorId);
    // A state the store's latest checkpoint holds for this operator: deltas go on from it.
    // Any other: the next checkpoint writes it whole.
    const adopted = from !== undefined && this.link.adopt(this.operatorId, from, this.lineage);
    this.full = !adopted;
    this.fullSince = this.snapshots;
    // Entries get the insertion orders they have on disk (a state the store rebuilt says them), so
    // that those written later sort after them.
    const order = from?.order;
    if (order !== undefined) this.seq = Math.max(this.seq, order.next);
    try {
      for (const [name, rows] of Object.entries(s.tables)) {
        const t = this.table<unknown, unknown, unknown>(name);
        this.feed(order?.tables[name], order?.tableNamespaces[name], order?.versions.tables[name]);
        for (const [ns, entries] of rows) for (const [k, v] of entries) t.set(k, ns, v);
      }
      for (const [name, rows] of Object.entries(s.ordered ?? {})) {
        const t = this.ordered<unknown, unknown>(name);
        this.feed(undefined, order?.ordered[name], order?.versions.ordered[name]);
        for (const [k, entries] of rows) for (const [p, v] of entries) t.set(k, p, v);
      }
      for (const [name, rows] of Object.entries(s.maps ?? {})) {
        const t = this.maps<unknown, unknown, unknown>(name);
        this.feed(order?.maps[name]?.s, order?.maps[name]?.ks, order?.versions.maps[name]);
        for (const [k, entries] of rows) for (const [mk, v] of entries) t.set(k, mk, v);
      }
    } finally {
      this.feed(undefined, undefined);
    }
    this.timersOnDisk.clear();
    for (const [name, rows] of Object.entries(s.timers)) {
      const q = this.timers<unknown, unknown>(name);
      for (const [time, ns, k] of rows) q.register(time, k, ns);
      // Restored as committed: those timers are on disk, at the versions the store read.
      const versions = adopted ? order?.versions.timers[name] : undefined;
      if (versions === undefined) continue;
      const st = this.structure(Kind.Timer, name);
      const disk = new Map<string, number>();
      rows.forEach(([time, ns, k], i) => disk.set(identity(Kind.Timer, st.name, [time, k, ns]).toString('latin1'), versions[i] ?? NONE));
      this.timersOnDisk.set(st, disk);
    }
    for (const [name, v] of Object.entries(s.values)) {
      this.value(name, v).set(v);
      this.cells.get(name)!.d = order?.versions.values[name] ?? NONE;
    }
    if (adopted) {
      // Restored as committed: nothing is dirty, everything is on disk; a refresh cycle begins.
      this.lastCheckpoint = from.checkpoint;
      this.startCycle(from.checkpoint);
      this.dirty = [];
      for (const name of this.timerOps.keys()) this.timerOps.set(name, 0);
      this.epoch++;
    }
  }

  private entrySeq(): number {
    return this.feedS !== undefined ? this.feedS[this.feedSi++]! : this.seq++;
  }

  /** The version on disk of the entry being restored (NONE outside a restore from the store). */
  private entryVersion(): number {
    return this.feedD !== undefined ? (this.feedD[this.feedDi++] ?? NONE) : NONE;
  }

  private feed(s: readonly number[] | undefined, ks: readonly number[] | undefined, d?: readonly number[]): void {
    this.feedS = s;
    this.feedSi = 0;
    this.feedKs = ks;
    this.feedKi = 0;
    this.feedD = d;
    this.feedDi = 0;
  }

  // --- the structures --------------------------------------------------------------------

  private makeTable(name: string): KeyedTable<unknown, unknown, unknown> {
    const inner = this.inner.table<unknown, unknown, Slot>(name);
    const st = this.structure(Kind.Table, name);
    // Namespaces in the order the memory table has them: a namespace's place is its first
    // entry's since it last emptied (it leaves the table when empty, and joins it again at the end).
    const order = this.keyOrder(`t${name}`);
    const set = (k: unknown, ns: unknown, v: unknown, view: { get(k: unknown): Slot | undefined; set(k: unknown, s: Slot): void }): void => {
      const slot = view.get(k);
      if (slot !== undefined) {
        slot.v = v;
        this.touch(slot);
        return;
      }
      const fresh = new Slot(st, ns, k, undefined, this.entrySeq(), this.enter(order, ns), v, this.epoch);
      fresh.d = this.entryVersion();
      view.set(k, fresh);
      this.born(fresh);
      this.touch(fresh);
    };
    const remove = (slot: Slot | undefined): boolean => {
      if (slot === undefined) return false;
      slot.dead = true;
      this.touch(slot);
      this.leave(order, slot.a);
      return true;
    };
    const namespace = (ns: unknown): NamespaceTable<unknown, unknown> => {
      const view = inner.namespace(ns);
      const setter = { get: (k: unknown) => view.get(k), set: (k: unknown, s: Slot) => view.set(k, s) };
      return {
        get: (k) => view.get(k)?.v,
        set: (k, v) => set(k, ns, v, setter),
        delete: (k) => {
          if (remove(view.get(k))) view.delete(k);
        },
        keys: () => view.keys(),
        forEach: (f) => view.forEach((slot, k) => f(slot.v, k)),
        clear: () => {
          view.forEach((slot) => remove(slot));
          view.clear();
        },
        get size() {
          return view.size;
        },
      };
    };
    return {
      get: (k, ns) => inner.get(k, ns)?.v,
      set: (k, ns, v) => set(k, ns, v, { get: (key) => inner.get(key, ns), set: (key, s) => inner.set(key, ns, s) }),
      delete: (k, ns) => {
        if (remove(inner.get(k, ns))) inner.delete(k, ns);
      },
      keys: (ns) => inner.keys(ns),
      namespace,
      get size() {
        return inner.size;
      },
    };
  }

  private keyOrder(name: string): Map<unknown, { ks: number; n: number }> {
    let m = this.keyOrders.get(name);
    if (m === undefined) this.keyOrders.set(name, (m = new Map()));
    return m;
  }

  /** A key's first entry (it takes its place in the key order) or a further one. */
  private enter(order: Map<unknown, { ks: number; n: number }>, key: unknown): number {
    const o = order.get(key);
    if (o !== undefined) {
      o.n++;
      return o.ks;
    }
    const ks = this.feedKs !== undefined ? this.feedKs[this.feedKi++]! : this.seq++;
    order.set(key, { ks, n: 1 });
    return ks;
  }

  private leave(order: Map<unknown, { ks: number; n: number }>, key: unknown): void {
    const o = order.get(key);
    if (o !== undefined && --o.n === 0) order.delete(key);
  }

  private makeOrdered(name: string): OrderedTable<unknown, unknown> {
    const inner = this.inner.ordered<unknown, Slot>(name);
    const st = this.structure(Kind.Ordered, name);
    const order = this.keyOrder(`o${name}`);
    return {
      get: (k, p) => inner.get(k, p)?.v,
      set: (k, p, v) => {
        const slot = inner.get(k, p);
        if (slot !== undefined) {
          slot.v = v;
          this.touch(slot);
          return;
        }
        const fresh = new Slot(st, k, p, undefined, this.seq++, this.enter(order, k), v, this.epoch);
        fresh.d = this.entryVersion();
        inner.set(k, p, fresh);
        this.born(fresh);
        this.touch(fresh);
      },
      delete: (k, p) => {
        const slot = inner.get(k, p);
        if (slot === undefined) return;
        slot.dead = true;
        this.touch(slot);
        inner.delete(k, p);
        this.leave(order, k);
      },
      floor: (k, at) => inner.floor(k, at),
      lower: (k, at) => inner.lower(k, at),
      floorValue: (k, at) => inner.floorValue(k, at)?.v,
      lowerValue: (k, at) => inner.lowerValue(k, at)?.v,
      positions: (k, from, to) => inner.positions(k, from, to),
      keys: () => inner.keys(),
      get size() {
        return inner.size;
      },
    };
  }

  private makeMaps(name: string): MapTable<unknown, unknown, unknown> {
    const inner = this.inner.maps<unknown, unknown, Slot>(name);
    const st = this.structure(Kind.Map, name);
    const order = this.keyOrder(`m${name}`);
    const remove = (k: unknown, slot: Slot): void => {
      slot.dead = true;
      this.touch(slot);
      this.leave(order, k);
    };
    return {
      get: (k, mk) => inner.get(k, mk)?.v,
      set: (k, mk, v) => {
        const slot = inner.get(k, mk);
        if (slot !== undefined) {
          slot.v = v;
          this.touch(slot);
          return;
        }
        const fresh = new Slot(st, k, mk, undefined, this.entrySeq(), this.enter(order, k), v, this.epoch);
        fresh.d = this.entryVersion();
        inner.set(k, mk, fresh);
        this.born(fresh);
        this.touch(fresh);
      },
      delete: (k, mk) => {
        const slot = inner.get(k, mk);
        if (slot === undefined) return;
        remove(k, slot);
        inner.delete(k, mk);
      },
      entries: (k) => inner.entries(k).map(([mk, slot]) => [mk, slot.v] as const),
      mapKeys: (k) => inner.mapKeys(k),
      sizeOf: (k) => inner.sizeOf(k),
      clear: (k) => {
        for (const [, slot] of inner.entries(k)) remove(k, slot);
        inner.clear(k);
      },
      keys: () => inner.keys(),
      get size() {
        return inner.size;
      },
    };
  }

  private makeTimers(name: string): TimerQueue<unknown, unknown> {
    const home = new MemoryStateBackend();
    this.timerHomes.set(name, home);
    const inner = home.timers<unknown, unknown>(name);
    const st = this.structure(Kind.Timer, name);
    this.timerOps.set(name, 0);
    this.timerRewriteAt.set(name, 1024);
    const op = (time: number, key: unknown, ns: unknown, dead: boolean): void => {
      const slot = new Slot(st, time, key, ns, this.seq++, 0, undefined, this.epoch);
      slot.dead = dead;
      slot.e = this.epoch;
      this.dirty.push(slot);
      const n = (this.timerOps.get(name) ?? 0) + 1;
      this.timerOps.set(name, n);
      // A queue whose operations far outnumber its timers (timers that came and went since the
      // last checkpoint) is written whole instead: its operations stay within about twice its timers.
      if (n > (this.timerRewriteAt.get(name) ?? 1024)) this.rewriteTimers(name, home, st);
    };
    return {
      register: (time, key, ns) => {
        inner.register(time, key, ns);
        op(time, key, ns, false);
      },
      delete: (time, key, ns) => {
        inner.delete(time, key, ns);
        op(time, key, ns, true);
      },
      peek: () => inner.peek(),
      advanceTo: (until, fire) =>
        inner.advanceTo(until, (time, key, ns) => {
          op(time, key, ns, true);
          fire(time, key, ns);
        }),
      get size() {
        return inner.size;
      },
    };
  }

  /** Replaces a queue's pending timer operations by a reset and its timers now (in firing order). */
  private rewriteTimers(name: string, home: MemoryStateBackend, st: Structure): void {
    const drop = (slots: Slot[]): Slot[] => slots.filter((s) => s.t !== st);
    for (const p of this.pending) p.slots.splice(0, p.slots.length, ...drop(p.slots));
    this.dirty = drop(this.dirty);
    const reset = new Slot(st, undefined, undefined, undefined, this.seq++, 0, RESET, this.epoch);
    reset.e = this.epoch;
    this.dirty.push(reset);
    const rows = (home.snapshot().timers[name] ?? []) as readonly (readonly [number, unknown, unknown])[];
    for (const [time, ns, key] of rows) {
      const slot = new Slot(st, time, key, ns, this.seq++, 0, undefined, this.epoch);
      slot.e = this.epoch;
      this.dirty.push(slot);
    }
    this.timerOps.set(name, rows.length + 1);
    this.timerRewriteAt.set(name, Math.max(1024, 2 * (rows.length + 1)));
  }

  private countTimerOps(name: string): number {
    const st = this.structures.get(`${Kind.Timer}:${name}`);
    let n = this.dirty.reduce((c, s) => (s.t === st ? c + 1 : c), 0);
    for (const p of this.pending) n += p.slots.reduce((c, s) => (s.t === st ? c + 1 : c), 0);
    return n;
  }

  // --- dirty tracking --------------------------------------------------------------------

  private touch(slot: Slot): void {
    if (slot.e === this.epoch) return;
    slot.e = this.epoch;
    this.dirty.push(slot);
    // Entries that came and went since the last checkpoint need no record: drop them when they
    // pile up, so the list stays within about twice the live entries however long between checkpoints.
    if (this.dirty.length > this.compactAt) this.compactDirty();
  }

  /**
   * Drops the entries born and removed since the last snapshot (no snapshot has them, none
   * needs their removal): the list then holds about the live entries, however long between checkpoints.
   */
  private compactDirty(): void {
    const epoch = this.epoch;
    this.dirty = this.dirty.filter((s) => !(s.dead && s.born === epoch && s.t.kind !== Kind.Timer));
    this.compactAt = Math.max(4096, 2 * this.dirty.length);
  }

  private structure(kind: Kind, name: string): Structure {
    const id = `${kind}:${name}`;
    let st = this.structures.get(id);
    if (st === undefined) this.structures.set(id, (st = { kind, name: str(name) }));
    return st;
  }

  private identityOf(slot: Slot): Buffer {
    const { kind, name } = slot.t;
    switch (kind) {
      case Kind.Table:
        return identity(kind, name, [slot.a, slot.b]);
      case Kind.Ordered:
      case Kind.Map:
        return identity(kind, name, [slot.a, slot.b]);
      case Kind.Timer:
        return identity(kind, name, [slot.a, slot.b, slot.c]);
      default:
        return identity(kind, name, []);
    }
  }

  private payloadOf(slot: Slot): Buffer {
    switch (slot.t.kind) {
      case Kind.Table:
        return encode([slot.s, slot.v, slot.ks]);
      case Kind.Ordered:
      case Kind.Map:
        return encode([slot.s, slot.ks, slot.v]);
      case Kind.Timer:
        return encode([slot.s]);
      default:
        return encode([slot.v]);
    }
  }

  /** Entries held now, over all structures (the store checks what it rebuilds against it). */
  private liveEntries(): number {
    let n = this.cells.size;
    for (const t of this.tables.values()) n += t.size;
    for (const t of this.orderedTables.values()) n += t.size;
    for (const t of this.mapTables.values()) n += t.size;
    return n;
  }
}
