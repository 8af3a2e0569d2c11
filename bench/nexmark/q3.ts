import { boundedOutOfOrderness, emits, filterEvents, keyedProcess, listState, valueState, values, withEventTime } from 'tidemark';
import { UniqueKeyJoin } from '../best/sellerJoin.js';
import type { QueryOptions, Reference, StreamQuery } from '../query.js';
import { eventTime, type Auction, type AuctionEvent, type NexmarkEvent, type Person, type PersonEvent } from './model.js';

/** Nexmark q3 keeps auctions of this category … */
export const Q3_CATEGORY = 10;
/** … by sellers in these states. */
export const Q3_STATES: readonly string[] = ['OR', 'ID', 'CA'];

/** A local item suggestion: the seller's name, city and state, and the auction's id (Flink's q3 columns). */
export interface LocalItem {
  readonly name: string;
  readonly city: string;
  readonly state: string;
  readonly id: number;
}

const localItem = (p: Person, a: Auction): LocalItem => ({ name: p.name, city: p.city, state: p.state, id: a.id });

/** q3's filters: sellers in OR, ID or CA, auctions in category 10. */
function q3Row(e: NexmarkEvent): e is PersonEvent | AuctionEvent {
  if (e.type === 'auction') return e.auction.category === Q3_CATEGORY;
  if (e.type === 'person') {
    const s = e.person.state;
    return s === 'OR' || s === 'ID' || s === 'CA';
  }
  return false;
}

/**
 * Nexmark q3, local item suggestion: auctions of category 10 joined with their seller when the
 * seller lives in Oregon, Idaho or California (`auction.seller = person.id`).
 *
 * Flink runs q3 as a regular (unbounded) join: every row stays in state, and an auction joins
 * its seller whichever of the two arrives first, however far apart in time. That is a
 * `keyedProcess` keyed by seller, not one of the time-bounded joins: `intervalJoin` and
 * `windowJoin` would miss a seller registered before the interval or window (most sellers
 * are: the hot seller is picked among the last 100 persons), and `temporalJoin` joins the
 * seller's version as of the auction's time, waiting for the watermark, so an auction whose
 * seller's row is later in event time would find none (Nexmark's q3 joins it anyway). The
 * person is the key's only row (ids are unique), kept in a value state; auctions that come
 * before it wait in a list state and are emitted when it comes, in arrival order.
 */
export const q3: StreamQuery<NexmarkEvent, LocalItem> = {
  name: 'q3',
  title: 'local item suggestion: auctions ⋈ sellers in OR/ID/CA (keyed join, unbounded state)',
  sink: 'collect',
  tidemark: (source, { bound }) =>
    source.pipe(
      withEventTime({ timestamp: eventTime, watermark: boundedOutOfOrderness(bound) }),
      filterEvents(q3Row),
      keyedProcess({
        key: (e) => (e.type === 'person' ? e.person.id : e.auction.seller),
        state: { seller: valueState<Person>(), pending: listState<Auction>() },
        output: emits<LocalItem>(),
        onEvent(e, ctx) {
          const { seller, pending } = ctx.state;
          if (e.type === 'person') {
            seller.set(e.person);
            for (const a of pending.get()) ctx.emit(localItem(e.person, a));
            pending.clear();
          } else {
            const p = seller.get();
            if (p !== undefined) ctx.emit(localItem(p, e.auction));
            else pending.add(e.auction);
          }
        },
      }),
      values(),
    ),
  best: (_options, emit) => new Q3Best(emit),
  straightforward: (options, emit) => new Q3Reference(options, emit),
  // Outputs in the order they were made: every version emits them in arrival order.
  canonical: (outputs) => [...outputs],
};

/** The loop as first written: the filters by event time (like the other references), one `Map` of `{ person, auctions }` per seller. */
class Q3Reference implements Reference<NexmarkEvent> {
  private readonly sellers = new Map<number, { person: Person | undefined; waiting: Auction[] }>();
  private readonly states = new Set(Q3_STATES);
  private max = -Infinity;
  private wm = -Infinity;
  private readonly lag: number;

  constructor(
    options: QueryOptions,
    private readonly emit: (r: LocalItem) => void,
  ) {
    this.lag = options.bound + 1;
  }

  push(e: NexmarkEvent): void {
    const t = eventTime(e);
    if (e.type === 'person' && this.states.has(e.person.state)) {
      const s = this.sellerOf(e.person.id);
      s.person = e.person;
      for (const a of s.waiting) this.emit(localItem(e.person, a));
      s.waiting = [];
    } else if (e.type === 'auction' && e.auction.category === Q3_CATEGORY) {
      const s = this.sellerOf(e.auction.seller);
      if (s.person !== undefined) this.emit(localItem(s.person, e.auction));
      else s.waiting.push(e.auction);
    }
    if (t > this.max) this.max = t;
    if (this.max - this.lag > this.wm) this.wm = this.max - this.lag;
  }

  end(): void {
    this.wm = Infinity;
  }

  private sellerOf(id: number): { person: Person | undefined; waiting: Auction[] } {
    let s = this.sellers.get(id);
    if (s === undefined) this.sellers.set(id, (s = { person: undefined, waiting: [] }));
    return s;
  }
}

/** The best loop: a switch on the event type (a bid costs one comparison), the filters inline, {@link UniqueKeyJoin}; no watermark (nothing here depends on it). */
class Q3Best implements Reference<NexmarkEvent> {
  private readonly join: UniqueKeyJoin<Auction, Person>;

  constructor(emit: (r: LocalItem) => void) {
    this.join = new UniqueKeyJoin((a, p) => emit(localItem(p, a)));
  }

  push(e: NexmarkEvent): void {
    if (e.type === 'bid') return;
    if (e.type === 'auction') {
      const a = e.auction;
      if (a.category === Q3_CATEGORY) this.join.left(a.seller, a);
    } else {
      const p = e.person;
      const s = p.state;
      if (s === 'OR' || s === 'ID' || s === 'CA') this.join.right(p.id, p);
    }
  }

  end(): void {}
}
