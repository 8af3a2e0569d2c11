import type { OrderedTable, ValueCell } from '../../../state/StateBackend.js';
import type { Timestamped } from '../../../time/elements.js';
import { MergingSessions, type Session } from './sessionMerge.js';
import type { Firing, WindowCore, WindowLayout } from './windowLayout.js';

const FIRE = 1;
const PURGE = 2;

/**
 * @internal Session windows: each key's live sessions in an ordered table by start
 * ({@link MergingSessions}), and a timer per session, re-armed lazily: extending a session
 * leaves its timer early, and the early timer re-arms itself at the session's current
 * `end − 1` when it fires. A session's namespace (timers, early panes) is the timestamp of
 * the event that opened it. Sessions due at one timer time fire together, in the order they
 * were opened (a merged session from its oldest part).
 */
export class SessionWindows<T, K, A> implements WindowLayout<T, K> {
  readonly name = 'sessions';
  private readonly sessions: MergingSessions<K, A>;
  /** The sequence number of the next session opened; in state at snapshots. */
  private seq: number;
  /** Sessions due at one timer time, fired together in `seq` order: their keys, sessions, and what is due (1 fire, 2 purge). */
  private readonly dueKeys: K[] = [];
  private readonly dueSessions: Session<A>[] = [];
  private readonly dueWhat: number[] = [];
  private dueCount = 0;

  constructor(
    private readonly core: WindowCore<T, K, A>,
    table: OrderedTable<K, Session<A>>,
    private readonly seqCell: ValueCell<number>,
    private readonly gap: number,
  ) {
    this.sessions = new MergingSessions(table, (a, b) => core.merge(a, b), core.sharesValues);
    this.seq = seqCell.get();
  }

  onEvent(key: K, value: T, t: number, element: Timestamped<T> | undefined): void {
    const core = this.core;
    const wm = core.wm;
    const sessions = this.sessions;
    let session = sessions.add(key, t, t + this.gap, core.lateness, wm);
    if (session === undefined) return core.late(value, t, element);
    if (session === null) {
      session = { start: t, end: t + this.gap, ns: t, seq: this.seq++, acc: core.create() };
      this.seqCell.set(this.seq);
      this.arm(key, session);
    } else {
      // Absorbed sessions' timers are left to fire: they find no session under their namespace.
      if (core.early !== undefined) for (const ns of sessions.absorbed) core.early.merge(key, ns, session.ns);
      // A session that fired and now ends later again needs a timer at or before its next due time.
      if (sessions.firedBefore && session.end - 1 > wm) this.arm(key, session);
    }
    session.acc = core.add(session.acc, value, t);
    sessions.storeAdded(key, session);
    if (session.end - 1 <= wm) this.fire(key, session, 'late');
    else if (core.early?.onEvent(key, session.ns, core.time)) this.fire(key, session, 'early');
  }

  advance(watermark: number): void {
    const timers = this.core.timers;
    // One timer time at a time, so that sessions due together fire in creation order.
    for (let at = timers.peek(); at <= watermark && at !== Infinity; at = timers.peek()) {
      timers.advanceTo(at, this.onTimer);
      this.fireDue();
    }
  }

  onEarlyTimer(key: K, ns: number): void {
    const s = this.sessions.named(key, ns);
    if (s !== undefined && s.end - 1 > this.core.wm) this.fire(key, s, 'early');
  }

  reset(): void {
    this.seq = this.seqCell.get();
  }

  /** Arms the session's next due time: its on-time firing, or its purge once it has fired. */
  private arm(key: K, s: Session<A>): void {
    const core = this.core;
    const due = s.end - 1 > core.wm ? s.end - 1 : s.end - 1 + core.lateness;
    core.timers.register(due, key, s.ns);
    core.timerAt(due);
  }

  /** Decides what a session timer means now; firings and purges wait in `due` for {@link fireDue}. */
  private readonly onTimer = (time: number, key: K | null, ns: number): void => {
    const s = this.sessions.named(key as K, ns);
    if (s === undefined) return; // the session merged into another, or was purged
    const fireAt = s.end - 1;
    const purgeAt = fireAt + this.core.lateness;
    if (time < fireAt || (time > fireAt && time < purgeAt)) {
      this.core.timers.register(time < fireAt ? fireAt : purgeAt, key, ns); // extended since armed
      return;
    }
    const fire = time === fireAt;
    const purge = !fire || this.core.lateness === 0;
    if (!purge) this.core.timers.register(purgeAt, key, ns);
    const i = this.dueCount++;
    this.dueKeys[i] = key as K;
    this.dueSessions[i] = s;
    this.dueWhat[i] = (fire ? FIRE : 0) | (purge ? PURGE : 0);
  };

  private fireDue(): void {
    const { dueKeys, dueSessions, dueWhat } = this;
    const n = this.dueCount;
    this.dueCount = 0;
    let inOrder = true; // timers mostly pop in the order their sessions opened: no sort then
    for (let i = 1; i < n && inOrder; i++) inOrder = dueSessions[i - 1]!.seq < dueSessions[i]!.seq;
    if (inOrder) for (let i = 0; i < n; i++) this.settle(dueKeys[i]!, dueSessions[i]!, dueWhat[i]!);
    else {
      const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => dueSessions[x]!.seq - dueSessions[y]!.seq);
      for (const i of order) this.settle(dueKeys[i]!, dueSessions[i]!, dueWhat[i]!);
    }
    // Slots are overwritten by the next firing (cheaper than setting the arrays' lengths); the
    // sessions are let go now.
    for (let i = 0; i < n; i++) dueSessions[i] = undefined!;
  }

  private settle(key: K, s: Session<A>, what: number): void {
    if ((what & FIRE) !== 0) this.fire(key, s, 'on-time');
    if ((what & PURGE) !== 0) {
      this.core.early?.reset(key, s.ns);
      this.sessions.delete(key, s);
    }
  }

  /** Emits a session's result; a discarding firing writes the reset session back. */
  private fire(key: K, s: Session<A>, firing: Firing): void {
    const core = this.core;
    core.emit(key, s.ns, s.start, s.end, s.acc, firing);
    if (core.discarding) {
      s.acc = core.create();
      this.sessions.store(key, s);
    }
  }
}
