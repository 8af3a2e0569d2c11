import { boundedOutOfOrderness, count, filterEvents, session, values, windowAggregate, withEventTime, type WindowResult } from 'tidemark';
import { byWindow, type QueryOptions, type Reference, type StreamQuery } from '../query.js';
import { SessionCounts } from '../best/sessionCounts.js';
import { eventTime, isBid, type NexmarkEvent } from './model.js';

/** Nexmark q11 session gap: 10 s. */
export const Q11_GAP = 10_000;

/** Nexmark q11, user sessions: bids per bidder per session (10 s gap). */
export const q11: StreamQuery<NexmarkEvent, WindowResult<number, number>> = {
  name: 'q11',
  title: 'bids per bidder session (gap 10 s)',
  sink: 'collect',
  tidemark: (source, { bound }) =>
    source.pipe(
      withEventTime({ timestamp: eventTime, watermark: boundedOutOfOrderness(bound) }),
      filterEvents(isBid),
      windowAggregate({ window: session(Q11_GAP), key: (e) => e.bid.bidder, aggregate: count() }),
      values(),
    ),
  best: (options, emit) => new Q11Best(options, emit),
  straightforward: (options, emit) => new Q11Reference(options, emit),
  canonical: (outputs) => [...outputs].sort(byWindow),
};

interface Session {
  start: number;
  end: number;
  bids: number;
}

/**
 * Sessions per bidder (a key's live sessions are disjoint; a new `[t, t + gap)` absorbs
 * every live session it overlaps or touches), fired from a lazy min-heap of
 * `(end − 1, bidder)`: an entry whose session has since grown or fired is skipped.
 */
class Q11Reference implements Reference<NexmarkEvent> {
  private max = -Infinity;
  private wm = -Infinity;
  private readonly lag: number;
  private readonly live = new Map<number, Session[]>();
  private readonly heapTime: number[] = [];
  private readonly heapBidder: number[] = [];
  lateEvents = 0;

  constructor(
    options: QueryOptions,
    private readonly emit: (r: WindowResult<number, number>) => void,
  ) {
    this.lag = options.bound + 1;
  }

  push(e: NexmarkEvent): void {
    const t = eventTime(e);
    if (e.type === 'bid') this.add(e.bid.bidder, t);
    if (t > this.max) this.max = t;
    const w = this.max - this.lag;
    if (w > this.wm) {
      this.wm = w;
      if (this.heapTime.length > 0 && this.heapTime[0]! <= w) this.fire();
    }
  }

  end(): void {
    this.wm = Infinity;
    this.fire();
  }

  private add(bidder: number, t: number): void {
    let start = t;
    let end = t + Q11_GAP;
    let sessions = this.live.get(bidder);
    let bids = 1;
    let merged = false;
    if (sessions !== undefined) {
      for (let i = 0; i < sessions.length; ) {
        const s = sessions[i]!;
        if (s.start <= end && start <= s.end) {
          if (s.start < start) start = s.start;
          if (s.end > end) end = s.end;
          bids += s.bids;
          merged = true;
          sessions[i] = sessions[sessions.length - 1]!;
          sessions.pop();
        } else {
          i++;
        }
      }
    }
    if (!merged && end - 1 <= this.wm) {
      this.lateEvents++;
      return;
    }
    if (sessions === undefined) this.live.set(bidder, (sessions = []));
    sessions.push({ start, end, bids });
    this.schedule(end - 1, bidder);
  }

  private fire(): void {
    const times = this.heapTime;
    while (times.length > 0 && times[0]! <= this.wm) {
      const time = times[0]!;
      const bidder = this.heapBidder[0]!;
      this.pop();
      const sessions = this.live.get(bidder);
      if (sessions === undefined) continue;
      for (let i = 0; i < sessions.length; i++) {
        const s = sessions[i]!;
        if (s.end - 1 !== time) continue;
        sessions[i] = sessions[sessions.length - 1]!;
        sessions.pop();
        if (sessions.length === 0) this.live.delete(bidder);
        this.emit({ key: bidder, start: s.start, end: s.end, value: s.bids, firing: 'on-time' });
        break;
      }
    }
  }

  private schedule(time: number, bidder: number): void {
    const times = this.heapTime;
    const bidders = this.heapBidder;
    let i = times.length;
    times.push(time);
    bidders.push(bidder);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (times[parent]! <= time) break;
      times[i] = times[parent]!;
      bidders[i] = bidders[parent]!;
      i = parent;
    }
    times[i] = time;
    bidders[i] = bidder;
  }

  private pop(): void {
    const times = this.heapTime;
    const bidders = this.heapBidder;
    const lastTime = times.pop()!;
    const lastBidder = bidders.pop()!;
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
      bidders[i] = bidders[c]!;
      i = c;
    }
    times[i] = lastTime;
    bidders[i] = lastBidder;
  }
}

/** The best loop (bench/best/sessionCounts.ts: sessions updated in place, lazy timers) over bids. */
class Q11Best implements Reference<NexmarkEvent> {
  private readonly sessions: SessionCounts<number>;

  constructor(options: QueryOptions, emit: (r: WindowResult<number, number>) => void) {
    this.sessions = new SessionCounts(Q11_GAP, options.bound, emit);
  }

  get lateEvents(): number {
    return this.sessions.lateEvents;
  }

  push(e: NexmarkEvent): void {
    if (e.type === 'bid') {
      const bid = e.bid;
      this.sessions.add(bid.bidder, bid.dateTime);
      this.sessions.advance(bid.dateTime);
    } else {
      this.sessions.advance(e.type === 'auction' ? e.auction.dateTime : e.person.dateTime);
    }
  }

  end(): void {
    this.sessions.end();
  }
}
