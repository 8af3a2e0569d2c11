import type { OrderedTable, StateBackend, TimerQueue } from '../../../state/StateBackend.js';
import type { Timestamped } from '../../../time/elements.js';
import type { LateRows } from './joinOptions.js';
import { TwoInputCore } from './TwoInputCore.js';

/** @internal What the temporal-join engine needs, validated by `temporalJoin`. */
export interface TemporalJoinSpec<L, R, K, O> {
  readonly key: (event: L) => K;
  readonly tableKey: (row: R) => K;
  readonly select: (event: L, row: R | undefined) => O;
  readonly outer: 'left' | undefined;
  readonly isDelete: ((row: R) => boolean) | undefined;
  readonly late: LateRows<L, R>;
  readonly state: StateBackend | undefined;
}

/** @internal One version of a key's row: the row, or a delete (a tombstone). */
type Version<R> = { readonly row: R } | { readonly deleted: true };

/** @internal An event waiting for the table: its value and key. */
interface Waiting<L, K> {
  readonly value: L;
  readonly key: K;
}

const NAME = 'temporalJoin';
const TOMBSTONE: Version<never> = { deleted: true };
/** The one key of the waiting table: events wait by timestamp alone, so that they are released in timestamp then arrival order. */
const ALL = 0;

/**
 * @internal The RxJS-free state machine of `temporalJoin`: an event-time as-of join of a stream
 * with a changelog table (Flink's event-time temporal join). The table's rows are versions per
 * key by timestamp (an ordered table; a delete is a tombstone). An event joins the version of its
 * key with the greatest timestamp `<= event.ts`, once the table can no longer change it: when the
 * table's watermark (or, while the table is idle, the join's) has reached the event's timestamp.
 * An event that arrives when that is already so is answered at once; the others wait in state,
 * and each advance releases those it reaches, in timestamp order, ties in arrival order.
 *
 * State stays bounded: when the join's watermark reaches a version's timestamp, every older
 * version of that key is dropped (no event that is not late can need it), and so is the version
 * itself if it is a delete. So a key keeps its newest version at or below the watermark and the
 * versions after it.
 */
export class TemporalJoinEngine<L, R, K, O> extends TwoInputCore<L, R, O> {
  readonly name = NAME;
  protected readonly format = 'tidemark-temporal-join/1';
  protected readonly sameConfig = 'restore into a temporalJoin with the same outer and delete options';
  private readonly versions: OrderedTable<K, Version<R>>;
  private readonly waiting: OrderedTable<number, Waiting<L, K>[]>;
  /** When events may be answered: at their timestamp. */
  private readonly releases: TimerQueue<number, number>;
  /** When a version makes the older ones of its key unreachable: at its timestamp. */
  private readonly prunes: TimerQueue<K, number>;

  constructor(private readonly spec: TemporalJoinSpec<L, R, K, O>) {
    super(spec.state);
    const b = this.backend;
    this.versions = b.ordered('versions');
    this.waiting = b.ordered('waiting');
    this.releases = b.timers('release');
    this.prunes = b.timers('prune');
  }

  /** Up to where the table is complete: its watermark, or the join's when the table is idle (and so does not hold it back). */
  private ready(): number {
    return Math.max(this.watermarkOf(1), this.wm);
  }

  protected event1(value: L, t: number, element: Timestamped<L> | undefined): void {
    if (this.isLate(t)) return this.spec.late.left(value, t, element);
    const key = this.spec.key(value);
    if (t <= this.ready()) return this.answer(value, key, t);
    const list = this.waiting.get(ALL, t);
    if (list === undefined) this.waiting.set(ALL, t, [{ value, key }]);
    else {
      list.push({ value, key });
      this.waiting.set(ALL, t, list);
    }
    this.releases.register(t, ALL, t);
  }

  protected event2(row: R, t: number, element: Timestamped<R> | undefined): void {
    if (this.isLate(t)) return this.spec.late.right(row, t, element);
    const key = this.spec.tableKey(row);
    const deleted = this.spec.isDelete?.(row) === true;
    this.versions.set(key, t, deleted ? TOMBSTONE : { row });
    this.prunes.register(t, key, t);
  }

  protected onTime(): void {
    const ready = this.ready();
    if (ready >= this.releases.peek()) this.releases.advanceTo(ready, this.release);
    if (this.wm >= this.prunes.peek()) this.prunes.advanceTo(this.wm, this.prune);
  }

  private readonly release = (t: number): void => {
    const list = this.waiting.get(ALL, t);
    this.waiting.delete(ALL, t);
    if (list !== undefined) for (const { value, key } of list) this.answer(value, key, t);
  };

  /** Drops the versions of `key` below `t` (the watermark has reached `t`), and the one at `t` if it is a delete. */
  private readonly prune = (t: number, key: K): void => {
    const versions = this.versions;
    for (let p = versions.lower(key, t); p !== undefined; p = versions.lower(key, t)) versions.delete(key, p);
    const at = versions.get(key, t);
    if (at !== undefined && 'deleted' in at) versions.delete(key, t);
  };

  /** Joins an event with its key's version as of `t`. */
  private answer(value: L, key: K, t: number): void {
    const p = this.versions.floor(key, t);
    const version = p === undefined ? undefined : this.versions.get(key, p);
    if (version !== undefined && 'row' in version) this.out.event(this.spec.select(value, version.row), t);
    else if (this.spec.outer === 'left') this.out.event(this.spec.select(value, undefined), t);
  }

  protected config(): Readonly<Record<string, unknown>> {
    return { outer: this.spec.outer ?? 'inner', deletes: this.spec.isDelete !== undefined };
  }

  protected reset(): void {}
}
