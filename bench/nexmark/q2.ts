import { boundedOutOfOrderness, filterEvents, mapEvents, values, withEventTime } from 'tidemark';
import type { QueryOptions, Reference, StreamQuery } from '../query.js';
import { eventTime, type BidEvent, type NexmarkEvent } from './model.js';

/** Nexmark q2 keeps bids on auctions whose id is a multiple of this. */
export const AUCTION_SKIP = 123;

export interface AuctionPrice {
  readonly auction: number;
  readonly price: number;
}

/** Nexmark q2, selection: `(auction, price)` of the bids on every 123rd auction. */
export const q2: StreamQuery<NexmarkEvent, AuctionPrice> = {
  name: 'q2',
  title: 'filter auction % 123 = 0, project',
  sink: 'digest',
  digest: (r) => r.auction + r.price,
  tidemark: (source, { bound }) =>
    source.pipe(
      withEventTime({ timestamp: eventTime, watermark: boundedOutOfOrderness(bound) }),
      filterEvents((e): e is BidEvent => e.type === 'bid' && e.bid.auction % AUCTION_SKIP === 0),
      mapEvents(({ bid }) => ({ auction: bid.auction, price: bid.price })),
      values(),
    ),
  best: (options, emit) => new Q2Best(options, emit),
  straightforward: (options, emit) => new Q2Reference(options, emit),
  canonical: (outputs) => [...outputs],
};

class Q2Reference implements Reference<NexmarkEvent> {
  private max = -Infinity;
  private wm = -Infinity;
  private readonly lag: number;

  constructor(
    options: QueryOptions,
    private readonly emit: (r: AuctionPrice) => void,
  ) {
    this.lag = options.bound + 1;
  }

  push(e: NexmarkEvent): void {
    const t = eventTime(e);
    if (e.type === 'bid' && e.bid.auction % AUCTION_SKIP === 0) this.emit({ auction: e.bid.auction, price: e.bid.price });
    if (t > this.max) this.max = t;
    if (this.max - this.lag > this.wm) this.wm = this.max - this.lag;
  }

  end(): void {
    this.wm = Infinity;
  }
}

/** The same loop, with the watermark recomputed only when the maximum timestamp grows. */
class Q2Best implements Reference<NexmarkEvent> {
  private max = -Infinity;
  private wm = -Infinity;
  private readonly lag: number;

  constructor(
    options: QueryOptions,
    private readonly emit: (r: AuctionPrice) => void,
  ) {
    this.lag = options.bound + 1;
  }

  push(e: NexmarkEvent): void {
    const t = eventTime(e);
    if (e.type === 'bid' && e.bid.auction % AUCTION_SKIP === 0) this.emit({ auction: e.bid.auction, price: e.bid.price });
    if (t > this.max) {
      this.max = t;
      this.wm = t - this.lag;
    }
  }

  end(): void {
    this.wm = Infinity;
  }
}
