import { boundedOutOfOrderness, filterEvents, mapEvents, values, withEventTime } from 'tidemark';
import type { QueryOptions, Reference, StreamQuery } from '../query.js';
import { eventTime, isBid, type Bid, type NexmarkEvent } from './model.js';

/** Dollars to euros, as in Nexmark q1. */
export const EUROS_PER_DOLLAR = 0.908;

/** A copy of `b` with its price in euros: q1's per-bid work, the same in both versions. */
export function inEuros(b: Bid): Bid {
  return {
    auction: b.auction,
    bidder: b.bidder,
    price: b.price * EUROS_PER_DOLLAR,
    channel: b.channel,
    url: b.url,
    dateTime: b.dateTime,
    extra: b.extra,
  };
}

/** Nexmark q1, currency conversion: every bid, its price converted to euros. */
export const q1: StreamQuery<NexmarkEvent, Bid> = {
  name: 'q1',
  title: 'currency map (price × 0.908)',
  sink: 'digest',
  digest: (b) => b.price,
  tidemark: (source, { bound }) =>
    source.pipe(
      withEventTime({ timestamp: eventTime, watermark: boundedOutOfOrderness(bound) }),
      filterEvents(isBid),
      mapEvents(({ bid }) => inEuros(bid)),
      values(),
    ),
  best: (options, emit) => new Q1Best(options, emit),
  straightforward: (options, emit) => new Q1Reference(options, emit),
  canonical: (outputs) => [...outputs],
};

class Q1Reference implements Reference<NexmarkEvent> {
  private max = -Infinity;
  private wm = -Infinity;
  private readonly lag: number;

  constructor(
    options: QueryOptions,
    private readonly emit: (b: Bid) => void,
  ) {
    this.lag = options.bound + 1;
  }

  push(e: NexmarkEvent): void {
    const t = eventTime(e);
    if (e.type === 'bid') this.emit(inEuros(e.bid));
    if (t > this.max) this.max = t;
    if (this.max - this.lag > this.wm) this.wm = this.max - this.lag;
  }

  end(): void {
    this.wm = Infinity;
  }
}

/** The same loop, with the watermark recomputed only when the maximum timestamp grows. */
class Q1Best implements Reference<NexmarkEvent> {
  private max = -Infinity;
  private wm = -Infinity;
  private readonly lag: number;

  constructor(
    options: QueryOptions,
    private readonly emit: (b: Bid) => void,
  ) {
    this.lag = options.bound + 1;
  }

  push(e: NexmarkEvent): void {
    const t = eventTime(e);
    if (e.type === 'bid') this.emit(inEuros(e.bid));
    if (t > this.max) {
      this.max = t;
      this.wm = t - this.lag;
    }
  }

  end(): void {
    this.wm = Infinity;
  }
}
