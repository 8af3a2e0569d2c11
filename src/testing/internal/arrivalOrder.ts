import type { Timestamped } from 'tidemark';

/** @internal One generated event of `disorderedEvents`, before it is put in arrival order. */
export interface PlannedEvent<T> {
  readonly value: T;
  readonly timestamp: number;
  /** The delay of an on-time event: 0 to maxDisorder. */
  readonly delay: number;
  /** Whether it is meant to arrive beyond the bound, `maxDisorder + lateDelay` after its timestamp. */
  readonly late: boolean;
  readonly lateDelay: number;
  /** Its role (see {@link arrivalOrder}), from 0 to 7; shrinks towards 0, a plain event. */
  readonly roleRoll: number;
  /** Which of the edge keys a plain event aims its arrival at; negative for none. */
  readonly aim: number;
}

/** @internal Where timestamps and arrival keys may go. */
export interface ArrivalPlan {
  readonly maxDisorder: number;
  /** Leads only where their timestamp stays in this range; no leads without one. */
  readonly leadRange: { readonly min: number; readonly max: number } | undefined;
  /** Arrival keys that put the watermark at the window edges of a timestamp (when the windows are known). */
  readonly edgeKeys: ((timestamp: number) => readonly number[]) | undefined;
}

type Role = 'plain' | 'lead' | 'twin';
/** Of eight rolls: five plain events, two leads, one twin; after a late event, five leads. */
const ROLES: readonly Role[] = ['plain', 'plain', 'plain', 'plain', 'plain', 'lead', 'lead', 'twin'];
const ROLES_AFTER_LATE: readonly Role[] = ['plain', 'plain', 'plain', 'lead', 'lead', 'lead', 'lead', 'lead'];

/**
 * @internal Puts planned events in arrival order. Each event gets an arrival key — on time
 * between its timestamp and `timestamp + maxDisorder`, late beyond that — and events arrive by
 * key, equal keys newest first. If `a` arrives before an on-time `b`, then
 * `a.timestamp <= key(a) <= key(b) <= b.timestamp + maxDisorder`: `b` is within the bound.
 *
 * Roles put events where bugs are (late events are always plain; leads and twins are on time):
 * - plain: key `timestamp + delay` (late: `+ maxDisorder + lateDelay`), or, with `aim` and
 *   `edgeKeys`, one of the edge keys its own lateness allows;
 * - lead: takes the key of the last plain event as its timestamp (and key), so it arrives right
 *   before that one, which is then exactly its delay (or `maxDisorder + lateDelay`) behind the
 *   newest event: at the bound, or just beyond it;
 * - twin: takes the timestamp of the last plain event and no delay, so that event's window is
 *   not empty when its lead moves the watermark.
 */
export function arrivalOrder<T>(planned: readonly PlannedEvent<T>[], plan: ArrivalPlan): Timestamped<T>[] {
  const { maxDisorder: d, leadRange, edgeKeys } = plan;
  const timestamps: number[] = [];
  const keys: number[] = [];
  let last: { timestamp: number; key: number; late: boolean } | undefined;
  for (const p of planned) {
    const role = p.late ? 'plain' : (last?.late === true ? ROLES_AFTER_LATE : ROLES)[p.roleRoll] ?? 'plain';
    let t = p.timestamp;
    let key: number;
    if (role === 'lead' && last !== undefined && leadRange !== undefined && last.key >= leadRange.min && last.key <= leadRange.max) {
      t = key = last.key;
    } else if (role === 'twin' && last !== undefined) {
      t = key = last.timestamp;
    } else {
      key = t + (p.late ? d + p.lateDelay : p.delay);
      const aimed = p.aim < 0 || edgeKeys === undefined ? [] : edgeKeys(t).filter((k) => (p.late ? k > t + d : k >= t && k <= t + d));
      if (aimed.length > 0) key = aimed[p.aim % aimed.length]!;
      last = { timestamp: t, key, late: p.late };
    }
    timestamps.push(t);
    keys.push(key);
  }
  return planned
    .map((_, i) => i)
    .sort((a, b) => keys[a]! - keys[b]! || timestamps[b]! - timestamps[a]! || a - b)
    .map((i) => ({ kind: 'event', value: planned[i]!.value, timestamp: timestamps[i]! }));
}
