import type { Auction, Bid } from '../nexmark/model.js';

/**
 * The fastest single-pass loop we know for the interval join of auctions (left) with their bids
 * (right, `bid.auction = auction.id`) for `auction.dateTime <= bid.dateTime <= auction.dateTime
 * + upper`, with the semantics of `intervalJoin` (bounds 0 and `upper`) under
 * `boundedOutOfOrderness`: a row below the watermark is late and dropped; a buffered auction is
 * dropped once the watermark reaches `dateTime + upper`, a buffered bid once it reaches the
 * bid's own `dateTime`; an auction meets the buffered bids in ascending time (ties in arrival
 * order). `pair` decides (and makes) each output, or returns undefined to drop the pair.
 *
 * What makes it fast: auction ids are unique (a primary key), so
 * - a bid whose auction has come is joined at once and **never buffered** (no other auction
 *   of that id can come): one hash look-up per bid; only bids that come before their auction
 *   (out of order, or on an auction not opened yet) wait, in a list per auction id;
 * - cleanup is lazy: liveness is tested exactly where a row is met (`dateTime + upper > wm`
 *   for an auction, `dateTime > wm` for a bid), and the buffers are swept of dead rows in bulk,
 *   auctions from a queue in arrival order, waiting bids once per second of event time;
 * - the watermark is recomputed only when the maximum timestamp grows.
 */
/** Event time between sweeps of the buffers. */
const SWEEP_MS = 1_000;

export class AuctionBidsJoin<O> {
  lateEvents = 0;
  private max = -Infinity;
  private wm = -Infinity;
  private readonly lag: number;
  /** Live (or not yet swept) auctions by id. */
  private readonly auctions = new Map<number, Auction>();
  /** The auctions in arrival order, from `head`, for sweeping. */
  private queue: Auction[] = [];
  private head = 0;
  /** Bids that came before their auction, by auction id, in arrival order. */
  private readonly waiting = new Map<number, Bid[]>();
  private nextSweep = -Infinity;

  constructor(
    private readonly upper: number,
    bound: number,
    private readonly pair: (auction: Auction, bid: Bid) => O | undefined,
    private readonly emit: (output: O) => void,
  ) {
    this.lag = bound + 1;
  }

  auction(a: Auction): void {
    const t = a.dateTime;
    if (t < this.wm) {
      this.lateEvents++;
    } else {
      const bids = this.waiting.get(a.id);
      if (bids !== undefined) {
        this.waiting.delete(a.id);
        this.meet(a, bids);
      }
      this.auctions.set(a.id, a);
      this.queue.push(a);
    }
    this.advance(t);
  }

  bid(b: Bid): void {
    const t = b.dateTime;
    if (t < this.wm) {
      this.lateEvents++;
    } else {
      const a = this.auctions.get(b.auction);
      if (a === undefined) {
        const bids = this.waiting.get(b.auction);
        if (bids === undefined) this.waiting.set(b.auction, [b]);
        else bids.push(b);
      } else {
        const start = a.dateTime;
        if (t >= start && t <= start + this.upper && start + this.upper > this.wm) {
          const o = this.pair(a, b);
          if (o !== undefined) this.emit(o);
        }
      }
    }
    this.advance(t);
  }

  /** Event time `t` of any other event seen. */
  advance(t: number): void {
    if (t > this.max) {
      this.max = t;
      const w = (this.wm = t - this.lag);
      if (w >= this.nextSweep) this.sweep();
    }
  }

  end(): void {
    this.wm = Infinity;
  }

  /** An arriving auction meets the bids that waited for it: the live ones in its interval, by time. */
  private meet(a: Auction, bids: Bid[]): void {
    const start = a.dateTime;
    const last = start + this.upper;
    const wm = this.wm;
    let partners: Bid[] = [];
    let sorted = true;
    for (const b of bids) {
      const t = b.dateTime;
      if (t > wm && t >= start && t <= last) {
        if (partners.length > 0 && t < partners[partners.length - 1]!.dateTime) sorted = false;
        partners.push(b);
      }
    }
    if (!sorted) partners = partners.sort((x, y) => x.dateTime - y.dateTime); // stable: ties stay in arrival order
    for (const b of partners) {
      const o = this.pair(a, b);
      if (o !== undefined) this.emit(o);
    }
  }

  /** Drops the rows no partner can meet any more. */
  private sweep(): void {
    const wm = this.wm;
    const queue = this.queue;
    let h = this.head;
    while (h < queue.length && queue[h]!.dateTime + this.upper <= wm) {
      const a = queue[h++]!;
      if (this.auctions.get(a.id) === a) this.auctions.delete(a.id);
    }
    if (h > 4096 && h * 2 > queue.length) {
      this.queue = queue.slice(h);
      h = 0;
    }
    this.head = h;
    for (const [id, bids] of this.waiting) if (bids.every((b) => b.dateTime <= wm)) this.waiting.delete(id);
    this.nextSweep = wm + SWEEP_MS;
  }
}
