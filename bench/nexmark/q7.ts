import { boundedOutOfOrderness, filterEvents, tumbling, values, windowAggregate, withEventTime, type Aggregator, type WindowResult } from 'tidemark';
import { byWindow, type QueryOptions, type Reference, type StreamQuery } from '../query.js';
import { floorTo, ReferenceWindows } from '../referenceWindows.js';
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
