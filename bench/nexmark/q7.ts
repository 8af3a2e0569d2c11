import { boundedOutOfOrderness, filterEvents, tumbling, values, windowAggregate, withEventTime, type Aggregator, type WindowResult } from 'tidemark';
import { byWindow, type QueryOptions, type Reference, type StreamQuery } from '../query.js';
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
  reference: (options, emit) => new Q7Reference(options, emit),
  canonical: (outputs) => [...outputs].sort(byWindow),
};

class Q7Reference implements Reference<NexmarkEvent> {
  private max = -Infinity;
  private wm = -Infinity;
  private readonly lag: number;
  /** Open windows: start → highest bid so far. */
  private readonly windows = new Map<number, HighestBid>();
  private nextFire = Infinity;
  lateEvents = 0;

  constructor(
    options: QueryOptions,
    private readonly emit: (r: WindowResult<undefined, HighestBid>) => void,
  ) {
    this.lag = options.bound + 1;
  }

  push(e: NexmarkEvent): void {
    const t = eventTime(e);
    if (e.type === 'bid') {
      const bid = e.bid;
      const start = t - (((t % Q7_SIZE) + Q7_SIZE) % Q7_SIZE);
      const last = start + Q7_SIZE - 1;
      if (last <= this.wm) {
        this.lateEvents++;
      } else {
        const acc = this.windows.get(start);
        if (acc === undefined) {
          this.windows.set(start, { price: bid.price, bids: [bid] });
          if (last < this.nextFire) this.nextFire = last;
        } else if (bid.price > acc.price) {
          acc.price = bid.price;
          acc.bids = [bid];
        } else if (bid.price === acc.price) {
          acc.bids.push(bid);
        }
      }
    }
    if (t > this.max) this.max = t;
    const w = this.max - this.lag;
    if (w > this.wm) {
      this.wm = w;
      if (w >= this.nextFire) this.fire();
    }
  }

  end(): void {
    this.wm = Infinity;
    this.fire();
  }

  private fire(): void {
    const due: number[] = [];
    let next = Infinity;
    for (const start of this.windows.keys()) {
      const last = start + Q7_SIZE - 1;
      if (last <= this.wm) due.push(start);
      else if (last < next) next = last;
    }
    this.nextFire = next;
    due.sort((a, b) => a - b);
    for (const start of due) {
      const value = this.windows.get(start)!;
      this.windows.delete(start);
      this.emit({ key: undefined, start, end: start + Q7_SIZE, value, firing: 'on-time' });
    }
  }
}
