import { boundedOutOfOrderness, count, filterEvents, mapEvents, sliding, tumbling, values, windowAggregate, withEventTime, type Aggregator, type WindowResult } from 'tidemark';
import { byWindow, type QueryOptions, type Reference, type StreamQuery } from '../query.js';
import { SlidingCounts } from '../best/slidingCounts.js';
import { floorTo, ReferenceWindows } from '../referenceWindows.js';
import { eventTime, isBid, type NexmarkEvent } from './model.js';

/** Nexmark q5 windows: the last 10 s, every 2 s. */
export const Q5_SIZE = 10_000;
export const Q5_SLIDE = 2_000;

/** The hot items of one sliding window: the auctions with the most bids. */
export interface HotItems {
  readonly start: number;
  readonly end: number;
  /** The auctions with `bids` bids, ascending. */
  readonly auctions: number[];
  readonly bids: number;
}

interface HotAccumulator {
  start: number;
  end: number;
  bids: number;
  auctions: number[];
}

/** Stage two: of one window's per-auction counts, the auctions with the highest count. */
export function hottest(): Aggregator<WindowResult<number, number>, HotAccumulator, HotItems> {
  return {
    create: () => ({ start: 0, end: 0, bids: -1, auctions: [] }),
    add(acc, r) {
      if (r.value > acc.bids) {
        acc.start = r.start;
        acc.end = r.end;
        acc.bids = r.value;
        acc.auctions = [r.key];
      } else if (r.value === acc.bids) {
        acc.auctions.push(r.key);
      }
      return acc;
    },
    result: (acc) => ({ start: acc.start, end: acc.end, auctions: acc.auctions.slice().sort((x, y) => x - y), bids: acc.bids }),
  };
}

/**
 * Nexmark q5, hot items: per sliding window (10 s every 2 s) the auction(s) with the most
 * bids. Two windowAggregates: bids per auction per sliding window; then, per window, the
 * maximum — every count of sliding window `[s, s+10 s)` has timestamp `s + 10 s − 1`, so a
 * 2 s tumbling window collects exactly one sliding window's counts.
 */
export const q5: StreamQuery<NexmarkEvent, HotItems> = {
  name: 'q5',
  title: 'hot items (sliding 10 s / 2 s, max bids)',
  sink: 'collect',
  tidemark: (source, { bound }) =>
    source.pipe(
      withEventTime({ timestamp: eventTime, watermark: boundedOutOfOrderness(bound) }),
      filterEvents(isBid),
      windowAggregate({ window: sliding(Q5_SIZE, Q5_SLIDE), key: (e) => e.bid.auction, aggregate: count() }),
      windowAggregate({ window: tumbling(Q5_SLIDE), aggregate: hottest() }),
      mapEvents((r) => r.value),
      values(),
    ),
  best: (options, emit) => new Q5Best(options, emit),
  straightforward: (options, emit) => new Q5Reference(options, emit),
  canonical: (outputs) => [...outputs].sort(byWindow),
};

class Q5Reference implements Reference<NexmarkEvent> {
  /** Open windows: start → auction → bids. */
  private readonly windows: ReferenceWindows<Map<number, number>>;
  lateEvents = 0;

  constructor(
    options: QueryOptions,
    private readonly emit: (r: HotItems) => void,
  ) {
    this.windows = new ReferenceWindows(Q5_SIZE, options, (start, counts) => this.fire(start, counts));
  }

  push(e: NexmarkEvent): void {
    const t = eventTime(e);
    const windows = this.windows;
    if (e.type === 'bid') {
      const auction = e.bid.auction;
      let assigned = false;
      for (let start = floorTo(t, Q5_SLIDE); start > t - Q5_SIZE; start -= Q5_SLIDE) {
        if (windows.hasFired(start)) continue;
        let counts = windows.get(start);
        if (counts === undefined) windows.add(start, (counts = new Map()));
        counts.set(auction, (counts.get(auction) ?? 0) + 1);
        assigned = true;
      }
      if (!assigned) this.lateEvents++;
    }
    windows.advance(t);
  }

  end(): void {
    this.windows.end();
  }

  private fire(start: number, counts: Map<number, number>): void {
    let bids = -1;
    let auctions: number[] = [];
    for (const [auction, n] of counts) {
      if (n > bids) {
        bids = n;
        auctions = [auction];
      } else if (n === bids) {
        auctions.push(auction);
      }
    }
    auctions.sort((x, y) => x - y);
    this.emit({ start, end: start + Q5_SIZE, auctions, bids });
  }
}

/**
 * The best loop: pane slicing (bench/best/slidingCounts.ts). A bid is counted once, into
 * its 2 s pane; a window that fires merges its 5 panes and takes the maximum.
 */
class Q5Best implements Reference<NexmarkEvent> {
  private readonly counts: SlidingCounts<number>;

  constructor(options: QueryOptions, emit: (r: HotItems) => void) {
    this.counts = new SlidingCounts<number>(Q5_SIZE, Q5_SLIDE, options.bound, (start, end, counts) => {
      let bids = -1;
      let auctions: number[] = [];
      for (const [auction, n] of counts) {
        if (n > bids) {
          bids = n;
          auctions = [auction];
        } else if (n === bids) {
          auctions.push(auction);
        }
      }
      auctions.sort((x, y) => x - y);
      emit({ start, end, auctions, bids });
    });
  }

  get lateEvents(): number {
    return this.counts.lateEvents;
  }

  push(e: NexmarkEvent): void {
    if (e.type === 'bid') {
      const bid = e.bid;
      this.counts.add(bid.auction, bid.dateTime);
      this.counts.advance(bid.dateTime);
    } else {
      this.counts.advance(e.type === 'auction' ? e.auction.dateTime : e.person.dateTime);
    }
  }

  end(): void {
    this.counts.end();
  }
}
