import type { Auction, Bid } from '../nexmark/model.js';

/** One auction id's buffered rows: auctions and bids, each ascending by `dateTime` (ties in arrival order), live from its head. */
interface Slot {
  auctions: Auction[];
  ah: number;
  bids: Bid[];
  bh: number;
  /** Bounds of its rows' cleanup times (an auction's `dateTime + upper`, a bid's `dateTime`): at most the earliest live row's, at least the latest row's. */
  next: number;
  last: number;
}

/** Event time between sweeps of the slots no row has touched. */
const SWEEP_MS = 1_000;
/** A slot's array is compacted once its dead head is this long and more than half of it. */
const COMPACT = 64;

/**
 * The fastest correct single-pass loop we know for the interval join of auctions (left) with
 * their bids (right, `bid.auction = auction.id`) for `auction.dateTime <= bid.dateTime <=
 * auction.dateTime + upper`, with the semantics of `intervalJoin` (bounds 0 and `upper`) under
 * `boundedOutOfOrderness`: a row below the watermark is late and dropped; a buffered auction is
 * dead once the watermark reaches `dateTime + upper`, a buffered bid once it reaches the bid's
 * own `dateTime`; a new row meets the other side's live rows in ascending time (ties in arrival
 * order). `pair` decides (and makes) each output, or returns undefined to drop the pair.
 *
 * It is correct for any input, **including several auctions with one id**: the query is an
 * interval join, which does not say that auction ids are unique, so every bid is buffered until
 * the watermark passes it (a later auction of its id could still pair with it). An earlier best
 * loop joined a bid with "its" auction and never buffered it, which is right only for unique
 * ids (a Nexmark generator property, not the query's; see docs/performance.md).
 *
 * What makes it fast:
 * - **both sides of an id in one slot** (one `Map.get` per row), each side a plain array sorted
 *   by time: a row is appended (moved back past the few later rows when it is out of order),
 *   partners are a contiguous run of the other array;
 * - **cleanup is lazy and in bulk**: the dead rows of a side are a prefix of its array (a row's
 *   cleanup time is its time plus a constant), skipped by moving the slot's head when the slot is
 *   touched, cut off in place once long, and slots nobody touches swept once per second of event
 *   time; liveness is tested where rows meet;
 * - the sweep decides most slots without loading their rows: each slot bounds its rows'
 *   cleanup times (the earliest live one at least, the latest at most), so a slot whose rows
 *   are all dead is dropped, and one with none due is passed, from the slot alone;
 * - the watermark is recomputed only when the maximum timestamp grows.
 */
export class AuctionBidsJoin<O> {
  lateEvents = 0;
  private max = -Infinity;
  private wm = -Infinity;
  private readonly lag: number;
  private readonly slots = new Map<number, Slot>();
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
    const wm = this.wm;
    if (t < wm) {
      this.lateEvents++;
    } else {
      const slot = this.slotOf(a.id);
      // Partners: the live bids in [t, t + upper], in time order.
      const bids = slot.bids;
      let i = slot.bh;
      while (i < bids.length && bids[i]!.dateTime <= wm) i++;
      slot.bh = i;
      const last = t + this.upper;
      for (i = firstAtOrAbove(bids, i, t); i < bids.length; i++) {
        const b = bids[i]!;
        if (b.dateTime > last) break;
        const o = this.pair(a, b);
        if (o !== undefined) this.emit(o);
      }
      insertAuction(slot, a);
      bound(slot, last);
    }
    this.advance(t);
  }

  bid(b: Bid): void {
    const t = b.dateTime;
    const wm = this.wm;
    if (t < wm) {
      this.lateEvents++;
    } else {
      const slot = this.slotOf(b.auction);
      // Partners: the live auctions in [t − upper, t] (most ids have one), in time order.
      const auctions = slot.auctions;
      const upper = this.upper;
      let h = slot.ah;
      while (h < auctions.length && auctions[h]!.dateTime + upper <= wm) h++;
      slot.ah = h;
      for (let i = h; i < auctions.length; i++) {
        const a = auctions[i]!;
        const start = a.dateTime;
        if (start > t) break;
        if (t <= start + upper) {
          const o = this.pair(a, b);
          if (o !== undefined) this.emit(o);
        }
      }
      // Buffered: a later auction of this id could pair with it.
      const bids = slot.bids;
      let bh = slot.bh;
      while (bh < bids.length && bids[bh]!.dateTime <= wm) bh++;
      if (bh >= COMPACT && bh * 2 > bids.length) {
        bids.copyWithin(0, bh);
        bids.length -= bh;
        bh = 0;
      }
      slot.bh = bh;
      let j = bids.length;
      bids.push(b);
      while (j > bh && bids[j - 1]!.dateTime > t) {
        bids[j] = bids[j - 1]!;
        j--;
      }
      bids[j] = b;
      bound(slot, t);
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

  private slotOf(id: number): Slot {
    let slot = this.slots.get(id);
    if (slot === undefined) this.slots.set(id, (slot = { auctions: [], ah: 0, bids: [], bh: 0, next: Infinity, last: -Infinity }));
    return slot;
  }

  /** Drops the rows no partner can meet any more, and the slots left empty. */
  private sweep(): void {
    const wm = this.wm;
    const upper = this.upper;
    for (const [id, slot] of this.slots) {
      if (slot.last <= wm) {
        this.slots.delete(id);
        continue;
      }
      if (slot.next > wm) continue;
      const { auctions, bids } = slot;
      let ah = slot.ah;
      while (ah < auctions.length && auctions[ah]!.dateTime + upper <= wm) ah++;
      let bh = slot.bh;
      while (bh < bids.length && bids[bh]!.dateTime <= wm) bh++;
      if (ah === auctions.length && bh === bids.length) {
        this.slots.delete(id);
        continue;
      }
      if (ah > 0) auctions.splice(0, ah);
      if (bh > 0) bids.splice(0, bh);
      slot.ah = slot.bh = 0;
      slot.next = Math.min(auctions.length > 0 ? auctions[0]!.dateTime + upper : Infinity, bids.length > 0 ? bids[0]!.dateTime : Infinity);
    }
    this.nextSweep = wm + SWEEP_MS;
  }
}

/** Widens a slot's cleanup bounds by a row cleaned at `at`. */
function bound(slot: Slot, at: number): void {
  if (at < slot.next) slot.next = at;
  if (at > slot.last) slot.last = at;
}

/** The index of the first bid at `from` or later whose time is `>= t` (binary search). */
function firstAtOrAbove(bids: readonly Bid[], from: number, t: number): number {
  let lo = from;
  let hi = bids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bids[mid]!.dateTime < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts an auction after the live ones at or before its time (ties in arrival order). */
function insertAuction(slot: Slot, a: Auction): void {
  const auctions = slot.auctions;
  const t = a.dateTime;
  let j = auctions.length;
  auctions.push(a);
  while (j > slot.ah && auctions[j - 1]!.dateTime > t) {
    auctions[j] = auctions[j - 1]!;
    j--;
  }
  auctions[j] = a;
}
