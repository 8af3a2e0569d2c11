import type { Aggregator } from '../../time/aggregators.js';
import { windowsMeet } from '../../time/windowMath.js';

/**
 * @internal One live session window of a key, `[start, end)`, with its accumulator. It is
 * state (stored in the key's session list) and is updated in place as the session grows.
 */
export interface Session<A> {
  start: number;
  end: number;
  /** Names the session's timers and panes: the timestamp of the event that opened it. */
  readonly ns: number;
  /** `undefined` only between creation and the first add. */
  acc: A | undefined;
}

/** @internal What adding a window to a key's sessions did. */
export interface SessionChange<A> {
  /** The session the window is now part of. */
  readonly session: Session<A>;
  /** Sessions merged into `session` and removed from the list. */
  readonly absorbed: readonly Session<A>[];
  /** Whether `session` is new (the window met no live session). */
  readonly created: boolean;
  /** Whether `session` had already fired on time before it grew (`end − 1 <= watermark`). */
  readonly firedBefore: boolean;
}

const NONE: readonly never[] = [];

/**
 * @internal Adds the window `[start, end)` to a key's live sessions, in place: every session
 * that overlaps or touches it joins the earliest such session (Flink's `MergingWindowSet`),
 * whose accumulator absorbs the others'. Live sessions never meet each other, so one pass
 * finds all that meet the merged window. Returns `undefined` when the window meets no live
 * session and is itself past `end − 1 + lateness` (the event is late).
 */
export function addToSessions<T, A>(
  live: Session<A>[],
  start: number,
  end: number,
  agg: Aggregator<T, A, unknown>,
  lateness: number,
  watermark: number,
): SessionChange<A> | undefined {
  let target: Session<A> | undefined;
  let absorbed: Session<A>[] | undefined;
  for (const s of live) {
    if (!windowsMeet(s.start, s.end, start, end)) continue;
    if (target === undefined) target = s;
    else {
      absorbed ??= [];
      if (s.start < target.start) {
        absorbed.push(target);
        target = s;
      } else absorbed.push(s);
    }
  }
  if (target === undefined) {
    if (end - 1 + lateness <= watermark) return undefined;
    const session: Session<A> = { start, end, ns: start, acc: undefined };
    live.push(session);
    return { session, absorbed: NONE, created: true, firedBefore: false };
  }
  const firedBefore = target.end - 1 <= watermark;
  if (start < target.start) target.start = start;
  if (end > target.end) target.end = end;
  if (absorbed !== undefined) {
    for (const gone of absorbed) {
      if (gone.end > target.end) target.end = gone.end;
      target.acc = agg.merge!(target.acc as A, gone.acc as A);
      live.splice(live.indexOf(gone), 1);
    }
  }
  return { session: target, absorbed: absorbed ?? NONE, created: false, firedBefore };
}
