import { boundedOutOfOrderness, connectEventTime, filterEvents, intervalJoin, values, withEventTime } from 'tidemark';
import { AuctionBidsJoin } from '../best/auctionBids.js';
import type { QueryOptions, Reference, StreamQuery } from '../query.js';
import { eventTime, isAuction, isBid, type Auction, type Bid, type NexmarkEvent } from './model.js';

/**
 * The interval join's upper bound: a bid pairs with its auction up to this long after the
 * auction opened. Nexmark's auctions last at most twice the time its next 1,666 events take
 * (generator.ts, `nextAuctionLengthMs`): 333 ms at the bench's 10,000 events/s, 3.3 s at
 * 1,000/s, so at these rates the bound never cuts an auction short.
 */
export const AUCTION_BIDS_UPPER = 10_000;

/** A bid placed while its auction was open. */
export interface AuctionBid {
  readonly auction: number;
  readonly seller: number;
  readonly bidder: number;
  readonly price: number;
}

/** The pair's output if the bid falls in the auction's lifetime (Nexmark q4/q6's `B.dateTime BETWEEN A.dateTime AND A.expires`). */
function inLifetime(a: Auction, b: Bid): AuctionBid | undefined {
  return b.dateTime <= a.expires ? { auction: a.id, seller: a.seller, bidder: b.bidder, price: b.price } : undefined;
}

const defined = <T>(x: T | undefined): x is T => x !== undefined;

/**
 * Bids during their auction's lifetime: each auction (left) joined with the bids on it (right,
 * `bid.auction = auction.id`) placed between its opening and its expiry — the join at the heart
 * of Nexmark q4 and q6 ("winning bids"), here as an interval join: `intervalJoin` with bounds
 * `[0, 10 s]` (an auction's bids come after it opens, and within the longest auction), each
 * pair kept if the bid is no later than the auction's `expires`. Late rows (behind the
 * watermark) are dropped, as `intervalJoin` drops them.
 */
export const auctionBids: StreamQuery<NexmarkEvent, AuctionBid> = {
  name: 'auctionBids',
  title: 'bids ⋈ their auction within its lifetime (interval join [0, 10 s])',
  sink: 'digest',
  digest: (r) => r.auction + r.price,
  tidemark: (source, { bound }) =>
    source.pipe(
      withEventTime({ timestamp: eventTime, watermark: boundedOutOfOrderness(bound) }),
      connectEventTime((events) =>
        events.pipe(
          filterEvents(isAuction),
          intervalJoin(events.pipe(filterEvents(isBid)), {
            leftKey: ({ auction }) => auction.id,
            rightKey: ({ bid }) => bid.auction,
            lowerBound: 0,
            upperBound: AUCTION_BIDS_UPPER,
            select: ({ auction }, { bid }) => inLifetime(auction, bid),
          }),
          filterEvents(defined),
          values(),
        ),
      ),
    ),
  best: (options, emit) => new AuctionBidsBest(options, emit),
  straightforward: (options, emit) => new AuctionBidsReference(options, emit),
  canonical: (outputs) => [...outputs],
};

/**
 * The loop as first written: both inputs buffered per auction id (every row, as the interval
 * join does), a new row meeting the other side's live rows in its interval sorted by time;
 * dead rows swept once per second of event time.
 */
class AuctionBidsReference implements Reference<NexmarkEvent> {
  lateEvents = 0;
  private readonly auctions = new Map<number, Auction[]>();
  private readonly bids = new Map<number, Bid[]>();
  private max = -Infinity;
  private wm = -Infinity;
  private readonly lag: number;
  private nextSweep = -Infinity;

  constructor(
    options: QueryOptions,
    private readonly emit: (r: AuctionBid) => void,
  ) {
    this.lag = options.bound + 1;
  }

  push(e: NexmarkEvent): void {
    const t = eventTime(e);
    const wm = this.wm;
    if (e.type === 'auction') {
      const a = e.auction;
      if (t < wm) this.lateEvents++;
      else {
        const partners = (this.bids.get(a.id) ?? []).filter((b) => b.dateTime > wm && b.dateTime >= t && b.dateTime <= t + AUCTION_BIDS_UPPER);
        for (const b of partners.sort((x, y) => x.dateTime - y.dateTime)) this.output(a, b);
        this.buffer(this.auctions, a.id, a);
      }
    } else if (e.type === 'bid') {
      const b = e.bid;
      if (t < wm) this.lateEvents++;
      else {
        const partners = (this.auctions.get(b.auction) ?? []).filter((a) => a.dateTime + AUCTION_BIDS_UPPER > wm && a.dateTime <= t && t <= a.dateTime + AUCTION_BIDS_UPPER);
        for (const a of partners.sort((x, y) => x.dateTime - y.dateTime)) this.output(a, b);
        this.buffer(this.bids, b.auction, b);
      }
    }
    if (t > this.max) this.max = t;
    if (this.max - this.lag > this.wm) this.wm = this.max - this.lag;
    if (this.wm >= this.nextSweep) this.sweep();
  }

  end(): void {
    this.wm = Infinity;
  }

  private output(a: Auction, b: Bid): void {
    const o = inLifetime(a, b);
    if (o !== undefined) this.emit(o);
  }

  private buffer<V>(rows: Map<number, V[]>, id: number, row: V): void {
    const list = rows.get(id);
    if (list === undefined) rows.set(id, [row]);
    else list.push(row);
  }

  private sweep(): void {
    const wm = this.wm;
    for (const [id, list] of this.auctions) {
      const live = list.filter((a) => a.dateTime + AUCTION_BIDS_UPPER > wm);
      if (live.length === 0) this.auctions.delete(id);
      else this.auctions.set(id, live);
    }
    for (const [id, list] of this.bids) {
      const live = list.filter((b) => b.dateTime > wm);
      if (live.length === 0) this.bids.delete(id);
      else this.bids.set(id, live);
    }
    this.nextSweep = wm + 1_000;
  }
}

/** The best loop: {@link AuctionBidsJoin} (a bid whose auction has come is joined and never buffered; lazy cleanup), a switch on the event type. */
class AuctionBidsBest implements Reference<NexmarkEvent> {
  private readonly join: AuctionBidsJoin<AuctionBid>;

  constructor(options: QueryOptions, emit: (r: AuctionBid) => void) {
    this.join = new AuctionBidsJoin(AUCTION_BIDS_UPPER, options.bound, inLifetime, emit);
  }

  get lateEvents(): number {
    return this.join.lateEvents;
  }

  push(e: NexmarkEvent): void {
    if (e.type === 'bid') this.join.bid(e.bid);
    else if (e.type === 'auction') this.join.auction(e.auction);
    else this.join.advance(e.person.dateTime);
  }

  end(): void {
    this.join.end();
  }
}
