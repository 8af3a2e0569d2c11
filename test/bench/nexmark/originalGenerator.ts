import { DEFAULT_NEXMARK_CONFIG, TEXT_POOL_CHARS, TEXT_POOL_SEED, type NexmarkConfig } from '../../../bench/nexmark/generator.js';
import type { Auction, Bid, NexmarkEvent, Person } from '../../../bench/nexmark/model.js';
import { EventRandom, mix32, seedFor } from '../../../bench/nexmark/random.js';

/**
 * The first Nexmark generator (bench/nexmark/generator.ts as of commit 2f187f9), kept
 * verbatim but for its name and imports as the oracle of the fast one: written for
 * clarity (one PRNG object and one string per call), ~0.35 M events/s. The tests check
 * that the fast generator produces exactly these events.
 *
 * One amendment since (decision 0017): `extra` padding is no longer a draw per letter but
 * a substring of the run's text pool, at an offset drawn after its length (`nextExtra`).
 */

/**
 * A deterministic Nexmark event generator, after the Beam/Flink `NexmarkGenerator`: the same
 * mix (per 50 events: 1 person, 3 auctions, 46 bids), id spaces, hot auctions, sellers and
 * bidders, log-uniform prices, auction expiry, channels/urls and `extra` padding. Unlike the
 * Java generator (one `Random` for the whole stream), each event draws from a PRNG seeded
 * by a hash of its event id, so `eventAt(i)` needs nothing but `i`: any slice regenerates
 * identically, which lets the memory check stream 20 M events without holding them.
 */

const PERSON_PROPORTION = 1;
const AUCTION_PROPORTION = 3;
const TOTAL_PROPORTION = 50; // + 46 bids
const FIRST_PERSON_ID = 1000;
const FIRST_AUCTION_ID = 1000;
const FIRST_CATEGORY_ID = 10;
const NUM_CATEGORIES = 5;
const PERSON_ID_LEAD = 10;
const AUCTION_ID_LEAD = 10;
const HOT_AUCTION_RATIO = 100;
const HOT_SELLER_RATIO = 100;
const HOT_BIDDER_RATIO = 100;
const HOT_CHANNELS_RATIO = 2;
const CHANNELS_NUMBER = 10_000;
const MIN_STRING_LENGTH = 3;
const HOT_CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'];
const US_STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
const US_CITIES = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'];
const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];

/** The last person id (base 0) created at or before event `eventId`. */
function lastBase0PersonId(eventId: number): number {
  const epoch = Math.floor(eventId / TOTAL_PROPORTION);
  let offset = eventId % TOTAL_PROPORTION;
  if (offset >= PERSON_PROPORTION) offset = PERSON_PROPORTION - 1;
  return epoch * PERSON_PROPORTION + offset;
}

/** The last auction id (base 0) created at or before event `eventId` (−1 before the first). */
function lastBase0AuctionId(eventId: number): number {
  let epoch = Math.floor(eventId / TOTAL_PROPORTION);
  let offset = eventId % TOTAL_PROPORTION;
  if (offset < PERSON_PROPORTION) {
    epoch--;
    offset = AUCTION_PROPORTION - 1;
  } else if (offset >= PERSON_PROPORTION + AUCTION_PROPORTION) {
    offset = AUCTION_PROPORTION - 1;
  } else {
    offset -= PERSON_PROPORTION;
  }
  return epoch * AUCTION_PROPORTION + offset;
}

/** The kind of event number `eventId` is, by the 1/3/46 mix. */
function kindOf(eventId: number): NexmarkEvent['type'] {
  const rem = eventId % TOTAL_PROPORTION;
  return rem < PERSON_PROPORTION ? 'person' : rem < PERSON_PROPORTION + AUCTION_PROPORTION ? 'auction' : 'bid';
}

/** Generates Nexmark events by position; see the module comment. */
export class OriginalNexmarkGenerator {
  readonly config: NexmarkConfig;
  private readonly interEventDelayUs: number;
  private readonly hotUrls: string[];
  private readonly channelCache = new Map<number, readonly [channel: string, url: string]>();
  private readonly chars = new Uint16Array(1024);
  /** Letter i is `97 + nextInt(26)` of the i-th draw of `EventRandom(mix32(seed ^ TEXT_POOL_SEED))`. */
  private readonly pool: string;

  constructor(config: Partial<NexmarkConfig> = {}) {
    const c = (this.config = { ...DEFAULT_NEXMARK_CONFIG, ...config });
    if (!(c.eventsPerSecond > 0)) throw new RangeError(`NexmarkGenerator: eventsPerSecond must be positive, got ${c.eventsPerSecond}`);
    if (!Number.isInteger(c.outOfOrderGroupSize) || c.outOfOrderGroupSize < 1 || c.outOfOrderGroupSize % 953 === 0) {
      throw new RangeError(`NexmarkGenerator: outOfOrderGroupSize must be a positive integer not divisible by 953, got ${c.outOfOrderGroupSize}`);
    }
    this.interEventDelayUs = 1_000_000 / c.eventsPerSecond;
    const poolRandom = new EventRandom(mix32(c.seed ^ TEXT_POOL_SEED));
    const letters = new Uint16Array(TEXT_POOL_CHARS);
    for (let i = 0; i < TEXT_POOL_CHARS; i++) letters[i] = 97 + poolRandom.nextInt(26);
    let pool = '';
    for (let i = 0; i < TEXT_POOL_CHARS; i += 4096) pool += String.fromCharCode.apply(null, letters.subarray(i, i + 4096) as unknown as number[]);
    this.pool = pool;
    this.hotUrls = HOT_CHANNELS.map((_, i) => this.baseUrl(new EventRandom(mix32(c.seed ^ (0x51ed270b + i)))));
  }

  /** The event number (id) emitted at `position`: positions permuted within out-of-order groups. */
  eventIdAt(position: number): number {
    const n = this.config.outOfOrderGroupSize;
    if (n === 1) return position;
    return Math.floor(position / n) * n + ((position % n) * 953) % n;
  }

  /** The event time of event number `eventId` (Nexmark's `timestampForEvent`). */
  timestampForEvent(eventId: number): number {
    return this.config.baseTime + Math.floor(Math.floor(eventId * this.interEventDelayUs) / 1000);
  }

  /** The largest amount by which an event's time can precede an earlier event's, in ms. */
  get maxDisorderMs(): number {
    const n = this.config.outOfOrderGroupSize;
    return n === 1 ? 0 : this.timestampForEvent(n - 1) - this.timestampForEvent(0) + 1;
  }

  /** The event at stream position `position` (0-based). */
  eventAt(position: number): NexmarkEvent {
    const id = this.eventIdAt(position);
    const random = new EventRandom(seedFor(id, this.config.seed));
    const t = this.timestampForEvent(id);
    const kind = kindOf(id);
    if (kind === 'person') return { type: 'person', person: this.person(id, random, t) };
    if (kind === 'auction') return { type: 'auction', auction: this.auction(id, random, t) };
    return { type: 'bid', bid: this.bid(id, random, t) };
  }

  /** Events at positions `[from, to)`, as an array. */
  slice(from: number, to: number): NexmarkEvent[] {
    const out = new Array<NexmarkEvent>(Math.max(0, to - from));
    for (let i = from; i < to; i++) out[i - from] = this.eventAt(i);
    return out;
  }

  /** Events at positions `[from, to)`, generated lazily. */
  *stream(from: number, to: number): Generator<NexmarkEvent> {
    for (let i = from; i < to; i++) yield this.eventAt(i);
  }

  // --- people, auctions, bids --------------------------------------------------------

  private person(id: number, random: EventRandom, t: number): Person {
    const name = `${pick(random, FIRST_NAMES)} ${pick(random, LAST_NAMES)}`;
    const emailAddress = `${this.nextString(random, 7)}@${this.nextString(random, 5)}.com`;
    const creditCard = [0, 1, 2, 3].map(() => String(random.nextInt(10_000)).padStart(4, '0')).join(' ');
    const city = pick(random, US_CITIES);
    const state = pick(random, US_STATES);
    const size = 8 + name.length + emailAddress.length + creditCard.length + city.length + state.length;
    const extra = this.nextExtra(random, size, this.config.avgPersonByteSize);
    return { id: lastBase0PersonId(id) + FIRST_PERSON_ID, name, emailAddress, creditCard, city, state, dateTime: t, extra };
  }

  private auction(id: number, random: EventRandom, t: number): Auction {
    const c = this.config;
    const seller =
      (random.nextInt(c.hotSellersRatio) > 0
        ? Math.floor(lastBase0PersonId(id) / HOT_SELLER_RATIO) * HOT_SELLER_RATIO
        : this.nextBase0PersonId(id, random)) + FIRST_PERSON_ID;
    const category = FIRST_CATEGORY_ID + random.nextInt(NUM_CATEGORIES);
    const initialBid = nextPrice(random);
    const expires = t + this.nextAuctionLengthMs(id, random, t);
    const itemName = this.nextString(random, 20);
    const description = this.nextString(random, 100);
    const reserve = initialBid + nextPrice(random);
    const size = 8 + itemName.length + description.length + 8 + 8 + 8 + 8 + 8;
    const extra = this.nextExtra(random, size, c.avgAuctionByteSize);
    return { id: lastBase0AuctionId(id) + FIRST_AUCTION_ID, itemName, description, initialBid, reserve, dateTime: t, expires, seller, category, extra };
  }

  private bid(id: number, random: EventRandom, t: number): Bid {
    const c = this.config;
    const auction =
      (random.nextInt(c.hotAuctionRatio) > 0
        ? Math.floor(lastBase0AuctionId(id) / HOT_AUCTION_RATIO) * HOT_AUCTION_RATIO
        : this.nextBase0AuctionId(id, random)) + FIRST_AUCTION_ID;
    const bidder =
      (random.nextInt(c.hotBiddersRatio) > 0
        ? Math.floor(lastBase0PersonId(id) / HOT_BIDDER_RATIO) * HOT_BIDDER_RATIO + 1
        : this.nextBase0PersonId(id, random)) + FIRST_PERSON_ID;
    const price = nextPrice(random);
    let channel: string;
    let url: string;
    if (random.nextInt(HOT_CHANNELS_RATIO) > 0) {
      const i = random.nextInt(HOT_CHANNELS.length);
      channel = HOT_CHANNELS[i]!;
      url = this.hotUrls[i]!;
    } else {
      [channel, url] = this.channel(random.nextInt(CHANNELS_NUMBER));
    }
    const extra = this.nextExtra(random, 8 + 8 + 8 + 8, c.avgBidByteSize);
    return { auction, bidder, price, channel, url, dateTime: t, extra };
  }

  /** A random person among the active ones, plus a few not yet created ("leads"). */
  private nextBase0PersonId(eventId: number, random: EventRandom): number {
    const numPeople = lastBase0PersonId(eventId) + 1;
    const activePeople = Math.min(numPeople, this.config.numActivePeople);
    return numPeople - activePeople + random.nextInt(activePeople + PERSON_ID_LEAD);
  }

  /** A random auction among those likely in flight, plus a few leads. */
  private nextBase0AuctionId(eventId: number, random: EventRandom): number {
    const maxAuction = lastBase0AuctionId(eventId);
    const minAuction = Math.max(maxAuction - this.config.numInFlightAuctions, 0);
    return minAuction + random.nextInt(maxAuction - minAuction + 1 + AUCTION_ID_LEAD);
  }

  /** Auction length: uniform with mean the time until `numInFlightAuctions` more auctions exist. */
  private nextAuctionLengthMs(eventId: number, random: EventRandom, t: number): number {
    const eventsForAuctions = Math.floor((this.config.numInFlightAuctions * TOTAL_PROPORTION) / AUCTION_PROPORTION);
    const horizonMs = this.timestampForEvent(eventId + eventsForAuctions) - t;
    return 1 + random.nextInt(Math.max(horizonMs * 2, 1));
  }

  private channel(n: number): readonly [string, string] {
    let c = this.channelCache.get(n);
    if (c === undefined) {
      const random = new EventRandom(mix32(this.config.seed ^ mix32(n + 0x7f4a7c15)));
      let url = this.baseUrl(random);
      if (random.nextInt(10) > 0) url = `${url}&channel_id=${Math.abs(reverseBits32(n))}`;
      this.channelCache.set(n, (c = [`channel-${n}`, url]));
    }
    return c;
  }

  private baseUrl(random: EventRandom): string {
    const part = (): string => this.nextString(random, 5, '_');
    return `https://www.nexmark.com/${part()}/${part()}/${part()}/item.htm?query=1`;
  }

  // --- strings (flat, not concatenated ropes, to keep pre-generated arrays compact) ---

  /** A random string of 3 to `maxLength − 1` letters and `blank`s, trimmed (Nexmark's `nextString`). */
  private nextString(random: EventRandom, maxLength: number, blank = ' '): string {
    const len = MIN_STRING_LENGTH + random.nextInt(maxLength - MIN_STRING_LENGTH);
    const b = blank.charCodeAt(0);
    const a = this.chars;
    for (let i = 0; i < len; i++) a[i] = random.nextInt(13) === 0 ? b : 97 + random.nextInt(26);
    const s = String.fromCharCode.apply(null, a.subarray(0, len) as unknown as number[]);
    return blank === ' ' ? s.trim() : s;
  }

  /** Padding so that `currentSize + extra.length` averages `averageSize` (Nexmark's `nextExtra`), cut from the text pool. */
  private nextExtra(random: EventRandom, currentSize: number, averageSize: number): string {
    if (currentSize > averageSize) return '';
    const desired = averageSize - currentSize;
    const delta = Math.round(desired * 0.2);
    const len = Math.min(desired - delta + (delta === 0 ? 0 : random.nextInt(2 * delta)), this.chars.length);
    const from = random.nextInt(TEXT_POOL_CHARS - this.chars.length + 1);
    return this.pool.slice(from, from + len);
  }
}

/** A log-uniform price in cents between $1 and $1,000,000 (Nexmark's `nextPrice`). */
function nextPrice(random: EventRandom): number {
  return Math.round(Math.pow(10, random.nextDouble() * 6) * 100);
}

function pick<T>(random: EventRandom, from: readonly T[]): T {
  return from[random.nextInt(from.length)]!;
}

/** Java's `Integer.reverse`: the 32 bits of `n` in reverse order, as a signed int. */
function reverseBits32(n: number): number {
  let r = 0;
  for (let i = 0; i < 32; i++) {
    r = (r << 1) | (n & 1);
    n >>>= 1;
  }
  return r | 0;
}
