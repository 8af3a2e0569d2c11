/** @internal One live session window of a key: `[start, end)`, its state under `ns`. */
export interface Session {
  readonly start: number;
  readonly end: number;
  readonly ns: number;
}

/** @internal The outcome of adding the window `[start, end)` to a key's live sessions. */
export interface SessionMerge {
  /** The key's live sessions afterwards. */
  readonly sessions: readonly Session[];
  /** The session the new window ends up in (merged, or new with `ns = start`). */
  readonly target: Session;
  /** Live sessions folded into `target` (their state must move into it). */
  readonly absorbed: readonly Session[];
  /** Whether `target` is a new session (the window met no live session). */
  readonly created: boolean;
}

/**
 * @internal Merges `[start, end)` into a key's live sessions: every session that overlaps
 * or touches it joins the earliest such session (Flink's `MergingWindowSet`). Live
 * sessions never meet each other, so one pass finds all that meet the merged window.
 */
export function mergeSession(live: readonly Session[], start: number, end: number): SessionMerge {
  let target: Session | undefined;
  const absorbed: Session[] = [];
  const rest: Session[] = [];
  let lo = start;
  let hi = end;
  for (const s of live) {
    if (s.start <= end && start <= s.end) {
      if (target === undefined) target = s;
      else if (s.start < target.start) {
        absorbed.push(target);
        target = s;
      } else absorbed.push(s);
      if (s.start < lo) lo = s.start;
      if (s.end > hi) hi = s.end;
    } else {
      rest.push(s);
    }
  }
  const merged: Session = { start: lo, end: hi, ns: target === undefined ? start : target.ns };
  rest.push(merged);
  return { sessions: rest, target: merged, absorbed, created: target === undefined };
}
