import { boundedOutOfOrderness, connectEventTime, filterEvents, tumbling, values, windowJoin, withEventTime } from 'tidemark';
import { TumblingJoin } from '../best/tumblingJoin.js';
import type { QueryOptions, Reference, StreamQuery } from '../query.js';
import { floorTo, ReferenceWindows } from '../referenceWindows.js';
import { eventTime, isAuction, isPerson, type Auction, type AuctionEvent, type NexmarkEvent, type Person, type PersonEvent } from './model.js';

/** Nexmark q8 window: 10 s tumbling. */
export const Q8_SIZE = 10_000;

/** A new user who opened an auction in the window they registered in (Beam's `IdNameReserve`, with the window). */
export interface NewUser {
  readonly id: number;
  readonly name: string;
  readonly reserve: number;
  /** The window's start. */
  readonly start: number;
}

const newUser = (p: Person, a: Auction, start: number): NewUser => ({ id: p.id, name: p.name, reserve: a.reserve, start });

/**
 * Nexmark q8, monitor new users: the persons who opened an auction in the same 10 s tumbling
 * window they registered in — a window join of persons (left) and auctions (right) on
 * `person.id = auction.seller`, one row per (person, auction) pair as Beam's Query8 (Flink's SQL
 * form keeps one row per person and window; the join is the same).
 */
export const q8: StreamQuery<NexmarkEvent, NewUser> = {
  name: 'q8',
  title: 'new users: persons ⋈ auctions by seller, same 10 s window (window join)',
  sink: 'collect',
  tidemark: (source, { bound }) =>
    source.pipe(
      withEventTime({ timestamp: eventTime, watermark: boundedOutOfOrderness(bound) }),
      // What neither side of the join needs goes before the stream is split (bids: 92% of the events).
      filterEvents((e): e is PersonEvent | AuctionEvent => e.type !== 'bid'),
      connectEventTime((events) =>
        events.pipe(
          filterEvents(isPerson),
          windowJoin(events.pipe(filterEvents(isAuction)), {
            window: tumbling(Q8_SIZE),
            leftKey: ({ person }) => person.id,
            rightKey: ({ auction }) => auction.seller,
            select: ({ person }, { auction }, { start }) => newUser(person, auction, start),
          }),
          values(),
        ),
      ),
    ),
  best: (options, emit) => new Q8Best(options, emit),
  straightforward: (options, emit) => new Q8Reference(options, emit),
  canonical: (outputs) => [...outputs].sort((a, b) => a.start - b.start || a.id - b.id || a.reserve - b.reserve),
};

/** Open windows by start: seller id → the window's persons and auctions of that id. */
type Q8Window = Map<number, { persons: Person[]; auctions: Auction[] }>;

class Q8Reference implements Reference<NexmarkEvent> {
  private readonly windows: ReferenceWindows<Q8Window>;
  lateEvents = 0;

  constructor(
    options: QueryOptions,
    private readonly emit: (r: NewUser) => void,
  ) {
    this.windows = new ReferenceWindows(Q8_SIZE, options, (start, window) => this.fire(start, window));
  }

  push(e: NexmarkEvent): void {
    const t = eventTime(e);
    if (e.type !== 'bid') {
      const start = floorTo(t, Q8_SIZE);
      if (this.windows.hasFired(start)) {
        this.lateEvents++;
      } else {
        let window = this.windows.get(start);
        if (window === undefined) this.windows.add(start, (window = new Map()));
        const id = e.type === 'person' ? e.person.id : e.auction.seller;
        let rows = window.get(id);
        if (rows === undefined) window.set(id, (rows = { persons: [], auctions: [] }));
        if (e.type === 'person') rows.persons.push(e.person);
        else rows.auctions.push(e.auction);
      }
    }
    this.windows.advance(t);
  }

  end(): void {
    this.windows.end();
  }

  private fire(start: number, window: Q8Window): void {
    for (const { persons, auctions } of window.values()) for (const p of persons) for (const a of auctions) this.emit(newUser(p, a, start));
  }
}

/** The best loop: {@link TumblingJoin} (the current window cached, both sides of a key in one record), a bid only advancing the watermark. */
class Q8Best implements Reference<NexmarkEvent> {
  private readonly join: TumblingJoin<number, Person, Auction>;

  constructor(options: QueryOptions, emit: (r: NewUser) => void) {
    this.join = new TumblingJoin(Q8_SIZE, options.bound, (p, a, start) => emit(newUser(p, a, start)));
  }

  get lateEvents(): number {
    return this.join.lateEvents;
  }

  push(e: NexmarkEvent): void {
    let t: number;
    if (e.type === 'bid') {
      t = e.bid.dateTime;
    } else if (e.type === 'auction') {
      const a = e.auction;
      t = a.dateTime;
      this.join.addRight(a.seller, t, a);
    } else {
      const p = e.person;
      t = p.dateTime;
      this.join.addLeft(p.id, t, p);
    }
    this.join.advance(t);
  }

  end(): void {
    this.join.end();
  }
}
