import { boundedOutOfOrderness, filterEvents, tumbling, values, windowAggregate, withEventTime, type Aggregator, type WindowResult } from 'tidemark';
import { byWindow, type QueryOptions, type Reference, type StreamQuery } from '../query.js';
import { floorTo, ReferenceWindows, takeDueWindows } from '../referenceWindows.js';
import { eventTime, isBid, type Bid, type BidEvent, type NexmarkEvent } from './model.js';

/** Nexmark q7 window: 10 s tumbling. */
export const Q7_SIZE = 10_000;

/** The highest price of a window and every bid at that price, in arrival order. */
export interface HighestBid {
  price: number;
  bids: Bid[];
}

/** Keeps the highest price seen and the bids at that price (Flink's q7 keeps them all). */
export function highestBid(): Aggregator<BidEvent, HighestBid, HighestBid> {
  return {
    create: () => ({ price: -Infinity, bids: [] }),
    add(acc, { bid }) {
      if (bid.price > acc.price) {
        acc.price = bid.price;
        acc.bids = [bid];
      } else if (bid.price === acc.price) {
        acc.bids.push(bid);
      }
      return acc;
    },
    result: (acc) => acc,
  };
}

/** Nexmark q7, highest bid: per 10 s tumbling window, the bid(s) with the highest price. */
export const q7: StreamQuery<NexmarkEvent, WindowResult<undefined, HighestBid>> = {
  name: 'q7',
  title: 'highest bid (tumbling 10 s)',
  sink: 'collect',
  tidemark: (source, { bound }) =>
    source.pipe(
      withEventTime({ timestamp: eventTime, watermark: boundedOutOfOrderness(bound) }),
      filterEvents(isBid),
      windowAggregate({ window: tumbling(Q7_SIZE), aggregate: highestBid() }),
      values(),
    ),
  best: (options, emit) => new Q7Best(options, emit),
  straightforward: (options, emit) => new Q7Reference(options, emit),
  canonical: (outputs) => [...outputs].sort(byWindow),
};

class Q7Reference implements Reference<NexmarkEvent> {
  /** Open windows: start → highest bid so far. */
  private readonly windows: ReferenceWindows<HighestBid>;
  lateEvents = 0;

  constructor(
    options: QueryOptions,
    private readonly emit: (r: WindowResult<undefined, HighestBid>) => void,
  ) {
    this.windows = new ReferenceWindows(Q7_SIZE, options, (start, value) => this.fire(start, value));
  }

  push(e: NexmarkEvent): void {
    const t = eventTime(e);
    const windows = this.windows;
    if (e.type === 'bid') {
      const bid = e.bid;
      const start = floorTo(t, Q7_SIZE);
      if (windows.hasFired(start)) {
        this.lateEvents++;
      } else {
        const acc = windows.get(start);
        if (acc === undefined) {
          windows.add(start, { price: bid.price, bids: [bid] });
        } else if (bid.price > acc.price) {
          acc.price = bid.price;
          acc.bids = [bid];
        } else if (bid.price === acc.price) {
          acc.bids.push(bid);
        }
      }
    }
    windows.advance(t);
  }

  end(): void {
    this.windows.end();
  }

  private fire(start: number, value: HighestBid): void {
    this.emit({ key: undefined, start, end: start + Q7_SIZE, value, firing: 'on-time' });
  }
}

/**
 * The best loop: the current window cached (an in-window bid costs two comparisons and a
 * price comparison: no modulo, no look-up), open windows by integer index (`start / size`),
 * the watermark recomputed only when the maximum timestamp grows.
 */
class Q7Best implements Reference<NexmarkEvent> {
  lateEvents = 0;
  private max = -Infinity;
  private wm = -Infinity;
  private readonly lag: number;
  private curStart = Infinity;
  private curEnd = -Infinity;
  private cur: HighestBid | undefined = undefined;
  /** Open windows by index: rarely more than two. */
  private readonly open = new Map<number, HighestBid>();
  private nextFire = Infinity;

  constructor(
    options: QueryOptions,
    private readonly emit: (r: WindowResult<undefined, HighestBid>) => void,
  ) {
    this.lag = options.bound + 1;
  }

  push(e: NexmarkEvent): void {
    let t: number;
    if (e.type === 'bid') {
      const bid = e.bid;
      t = bid.dateTime;
      const acc = t >= this.curStart && t < this.curEnd ? this.cur! : this.locate(t, bid);
      if (acc !== undefined) {
        if (bid.price > acc.price) {
          acc.price = bid.price;
          acc.bids = [bid];
        } else if (bid.price === acc.price) {
          acc.bids.push(bid);
        }
      }
    } else {
      t = e.type === 'auction' ? e.auction.dateTime : e.person.dateTime;
    }
    if (t > this.max) {
      this.max = t;
      const w = (this.wm = t - this.lag);
      if (w >= this.nextFire) this.fire();
    }
  }

  end(): void {
    this.wm = Infinity;
    this.fire();
  }

  /** Makes `t`'s window current, opening it (then `bid` is already in it: returns undefined); undefined if late. */
  private locate(t: number, bid: Bid): HighestBid | undefined {
    const start = floorTo(t, Q7_SIZE);
    if (start + Q7_SIZE - 1 <= this.wm) {
      this.lateEvents++;
      return undefined;
    }
    let acc = this.open.get(start / Q7_SIZE);
    const fresh = acc === undefined;
    if (acc === undefined) {
      this.open.set(start / Q7_SIZE, (acc = { price: bid.price, bids: [bid] }));
      if (start + Q7_SIZE - 1 < this.nextFire) this.nextFire = start + Q7_SIZE - 1;
    }
    this.curStart = start;
    this.curEnd = start + Q7_SIZE;
    this.cur = acc;
    return fresh ? undefined : acc;
  }

  private fire(): void {
    const { due, next } = takeDueWindows(this.open, Q7_SIZE, this.wm);
    this.nextFire = next;
    for (const [index, value] of due) {
      if (value === this.cur) {
        this.cur = undefined;
        this.curStart = Infinity;
        this.curEnd = -Infinity;
      }
      const start = index * Q7_SIZE;
      this.emit({ key: undefined, start, end: start + Q7_SIZE, value, firing: 'on-time' });
    }
  }
}
