/**
 * The Nexmark data model (as in the Beam and Flink Nexmark suites): people register,
 * open auctions and bid on them. Times are epoch milliseconds (numbers, not `Date`s);
 * prices are in cents.
 */

export interface Person {
  readonly id: number;
  readonly name: string;
  readonly emailAddress: string;
  readonly creditCard: string;
  readonly city: string;
  readonly state: string;
  readonly dateTime: number;
  readonly extra: string;
}

export interface Auction {
  readonly id: number;
  readonly itemName: string;
  readonly description: string;
  readonly initialBid: number;
  readonly reserve: number;
  readonly dateTime: number;
  readonly expires: number;
  readonly seller: number;
  readonly category: number;
  readonly extra: string;
}

export interface Bid {
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly channel: string;
  readonly url: string;
  readonly dateTime: number;
  readonly extra: string;
}

export interface PersonEvent {
  readonly type: 'person';
  readonly person: Person;
}
export interface AuctionEvent {
  readonly type: 'auction';
  readonly auction: Auction;
}
export interface BidEvent {
  readonly type: 'bid';
  readonly bid: Bid;
}

/** One event of the Nexmark stream (Flink's `Event`, as a tagged union). */
export type NexmarkEvent = PersonEvent | AuctionEvent | BidEvent;

/** The event time of a Nexmark event: its `dateTime`. */
export function eventTime(e: NexmarkEvent): number {
  return e.type === 'bid' ? e.bid.dateTime : e.type === 'auction' ? e.auction.dateTime : e.person.dateTime;
}

/** Whether the event is a bid (a type guard for `filterEvents`). */
export function isBid(e: NexmarkEvent): e is BidEvent {
  return e.type === 'bid';
}

/** Whether the event is a person (a type guard for `filterEvents`). */
export function isPerson(e: NexmarkEvent): e is PersonEvent {
  return e.type === 'person';
}

/** Whether the event is an auction (a type guard for `filterEvents`). */
export function isAuction(e: NexmarkEvent): e is AuctionEvent {
  return e.type === 'auction';
}
