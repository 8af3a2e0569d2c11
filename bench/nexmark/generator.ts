import type { Auction, Bid, NexmarkEvent, Person } from './model.js';
import { drawKernels, EVENT_DRAWS, type DrawKernels } from './draws.js';
import { EventRandom, mix32 } from './random.js';

/**
 * A deterministic Nexmark event generator, after the Beam/Flink `NexmarkGenerator`: the same
 * mix (per 50 events: 1 person, 3 auctions, 46 bids), id spaces, hot auctions, sellers and
 * bidders, log-uniform prices, auction expiry, channels/urls and `extra` padding. Unlike the
 * Java generator (one `Random` for the whole stream), each event draws from a PRNG seeded
 * by a hash of its event id, so `eventAt(i)` needs nothing but `i`: any slice regenerates
 * identically, which lets the memory check stream 20 M events without holding them.
 *
 * How it is fast (~6.5–7 M events/CPU-s made and dropped, 6.4–6.8 M through an Observable in
 * the full bench run,
 * against 0.35 M/s for the first version, kept as the tests' oracle in
 * test/bench/nexmark/originalGenerator.ts, whose events these are exactly):
 * - `extra` padding, ~70 of a bid's ~100 bytes, is a substring of a 1 MiB text pool made
 *   once per seed, at an offset the event draws (as TPC-H's dbgen cuts its comments from a
 *   pool of text; decision 0017). A letter per draw had cost ~90 draws an event, and kept
 *   the generator at ~4.5 M events/CPU-s with every other part below tuned;
 * - the remaining draws are made in bulk by WebAssembly SIMD kernels (draws.ts): a bid's
 *   first 8 draws for a whole batch before the code that branches on them runs, and the
 *   letters and blanks of auctions' and people's words 16 at a time;
 * - a price's `Math.pow(10, x)` (~70 ns) is a product of three table entries, except
 *   within 1e-5 of a half-cent, where `Math.pow` decides (see `priceOf`);
 * - events are made in batches of 1,024: the characters of a batch's other strings go
 *   into one byte buffer, decoded to one string, of which each field is a `substring` (one
 *   `String.fromCharCode.apply(null, typedArray)` per string cost ~370 ns);
 * - the numbers and string ranges of a batch wait in typed arrays, so that each event's
 *   objects are built once with their final fields (the same shapes as before); ids and
 *   their derived numbers are int32 arithmetic (ids below 2^31).
 *
 * Made into an array (`slice`) the rate is much lower (~1.5 M/s for 2 M events): the
 * generation is the same, but every event survives, so the young-generation GC copies all
 * of them and the old generation grows by ~300 bytes per event.
 */

/** Generator knobs. Defaults are the Nexmark defaults where Nexmark has one. */
export interface NexmarkConfig {
  /** Event-time rate: events per event-time second (Nexmark's `firstEventRate`). */
  readonly eventsPerSecond: number;
  /**
   * Disorder (Nexmark's `outOfOrderGroupSize`): events are permuted within consecutive
   * groups of this many, so event times go back by at most `(size − 1) / eventsPerSecond` s.
   * 1 = in order.
   */
  readonly outOfOrderGroupSize: number;
  /** Event time of event 0, epoch ms (Nexmark's base time, 2015-07-15T00:00:00Z). */
  readonly baseTime: number;
  /** Seed of the whole stream. */
  readonly seed: number;
  /** 1 − 1/ratio of bids go to the current hot auction. */
  readonly hotAuctionRatio: number;
  /** 1 − 1/ratio of auctions are opened by the current hot seller. */
  readonly hotSellersRatio: number;
  /** 1 − 1/ratio of bids come from the current hot bidder. */
  readonly hotBiddersRatio: number;
  /** People considered active for picking sellers and bidders. */
  readonly numActivePeople: number;
  /** Auctions considered in flight for picking a (non-hot) auction to bid on. */
  readonly numInFlightAuctions: number;
  /** Average event sizes in bytes, reached with random `extra` padding. */
  readonly avgPersonByteSize: number;
  readonly avgAuctionByteSize: number;
  readonly avgBidByteSize: number;
}

export const DEFAULT_NEXMARK_CONFIG: NexmarkConfig = {
  eventsPerSecond: 10_000,
  outOfOrderGroupSize: 1,
  baseTime: 1_436_918_400_000,
  seed: 42,
  hotAuctionRatio: 2,
  hotSellersRatio: 4,
  hotBiddersRatio: 4,
  numActivePeople: 1000,
  numInFlightAuctions: 100,
  avgPersonByteSize: 200,
  avgAuctionByteSize: 500,
  avgBidByteSize: 100,
};

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
/** `extra` is at most this long (the first generator's character buffer). */
const MAX_EXTRA = 1024;
/** Letters in the text pool that `extra` padding is cut from (1 MiB). */
export const TEXT_POOL_CHARS = 1 << 20;
/** Mixed into the run's seed for the text pool's PRNG. */
export const TEXT_POOL_SEED = 0x3c6ef372;
const HOT_CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'];
const US_STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
const US_CITIES = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'];
const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];

const TWO_32 = 4294967296;
/** mulberry32's state step. */
const WEYL = 0x6d2b79f5;
const SPACE = 32;
/** Events made per batch. */
const BATCH_EVENTS = 1024;
/** Characters one event can add to its batch's text (an auction ≤ 19 + 99, a person ≤ 48; `extra` is cut from the pool). */
const MAX_EVENT_CHARS = 128;
/** Ids stay at or below this, for int32 arithmetic. */
const MAX_ID = 2 ** 31 - 1;
/** Out-of-order groups up to this size use a permutation table. */
const MAX_PERMUTATION = 1 << 20;
/** Numbers and string ranges kept per event of a batch. */
const NUMS = 7;
const STRS = 4;

const KIND_PERSON = 0;
const KIND_AUCTION = 1;
const KIND_BID = 2;

/** The last person id (base 0) created at or before event `eventId`. */
export function lastBase0PersonId(eventId: number): number {
  const epoch = Math.floor(eventId / TOTAL_PROPORTION);
  let offset = eventId % TOTAL_PROPORTION;
  if (offset >= PERSON_PROPORTION) offset = PERSON_PROPORTION - 1;
  return epoch * PERSON_PROPORTION + offset;
}

/** The last auction id (base 0) created at or before event `eventId` (−1 before the first). */
export function lastBase0AuctionId(eventId: number): number {
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
export function kindOf(eventId: number): NexmarkEvent['type'] {
  const rem = eventId % TOTAL_PROPORTION;
  return rem < PERSON_PROPORTION ? 'person' : rem < PERSON_PROPORTION + AUCTION_PROPORTION ? 'auction' : 'bid';
}

const bytesOf = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const FIRST_NAME_BYTES = FIRST_NAMES.map(bytesOf);
const LAST_NAME_BYTES = LAST_NAMES.map(bytesOf);
const AT_BYTES = bytesOf('@');
const DOT_COM_BYTES = bytesOf('.com');

/** Generates Nexmark events by position; see the module comment. */
export class NexmarkGenerator {
  readonly config: NexmarkConfig;
  private readonly interEventDelayUs: number;
  /** `mix32(seed)`, the first step of every event's seed. */
  private readonly seedHash: number;
  /** Channel names and urls: the hot ones, then the others by number (made on first use). */
  private readonly channelNames: (string | undefined)[] = new Array<string | undefined>(HOT_CHANNELS.length + CHANNELS_NUMBER).fill(undefined);
  private readonly channelUrls: string[] = new Array<string>(HOT_CHANNELS.length + CHANNELS_NUMBER).fill('');

  /** The text pool `extra` padding is cut from ({@link textPool}). */
  private readonly pool: string;
  /** The state of the current event's mulberry32 PRNG (`EventRandom`'s, inlined). */
  private r = 0;
  /** The characters of the batch's strings, and how many there are. */
  private readonly kernels: DrawKernels;
  private readonly bytes: Uint8Array;
  private pos = 0;
  /** Per event of the batch: its kind, id, time, numbers and string ranges `[start, end)`. */
  private readonly kinds = new Uint8Array(BATCH_EVENTS);
  private readonly times = new Float64Array(BATCH_EVENTS);
  private readonly nums = new Int32Array(BATCH_EVENTS * NUMS); // ids and prices (< 2^31)
  private readonly expires = new Float64Array(BATCH_EVENTS);
  private readonly strs = new Int32Array(BATCH_EVENTS * STRS * 2);
  /** Person `city` and `state`, by table index. */
  private readonly places = new Uint8Array(BATCH_EVENTS * 2);
  /** `eventIdAt` within an out-of-order group: `(r × 953) % size` for r < size. */
  private readonly permutation: Int32Array;
  // The config's numbers as fields (read per event).
  private readonly groupSize: number;
  private readonly hotAuctionRatio: number;
  private readonly hotBiddersRatio: number;
  private readonly hotSellersRatio: number;
  private readonly numActivePeople: number;
  private readonly numInFlightAuctions: number;
  /** Per event of the batch: its id, and its first draws (draws.ts). */
  private readonly ids = new Int32Array(BATCH_EVENTS);
  private draws: Uint32Array = new Uint32Array(0);
  /** A bid's `extra` (`nextExtra(32, avgBidByteSize)`): `base + nextInt(range)` letters (no draw if range is 0; none if −1). */
  private readonly bidExtraBase: number;
  private readonly bidExtraRange: number;

  /** `plainLetters` draws letters without WebAssembly (the same events, slower; for tests). */
  constructor(config: Partial<NexmarkConfig> = {}, plainLetters = false) {
    const c = (this.config = { ...DEFAULT_NEXMARK_CONFIG, ...config });
    if (!(c.eventsPerSecond > 0)) throw new RangeError(`NexmarkGenerator: eventsPerSecond must be positive, got ${c.eventsPerSecond}`);
    if (!Number.isInteger(c.outOfOrderGroupSize) || c.outOfOrderGroupSize < 1 || c.outOfOrderGroupSize % 953 === 0) {
      throw new RangeError(`NexmarkGenerator: outOfOrderGroupSize must be a positive integer not divisible by 953, got ${c.outOfOrderGroupSize}`);
    }
    this.interEventDelayUs = 1_000_000 / c.eventsPerSecond;
    this.seedHash = mix32(c.seed);
    this.kernels = drawKernels(BATCH_EVENTS * MAX_EVENT_CHARS, BATCH_EVENTS, plainLetters);
    this.bytes = this.kernels.bytes;
    this.pool = textPool(c.seed, this.kernels);
    const n = (this.groupSize = c.outOfOrderGroupSize);
    this.permutation = Int32Array.from({ length: Math.min(n, MAX_PERMUTATION) }, (_, r) => (r * 953) % n);
    this.hotAuctionRatio = c.hotAuctionRatio;
    this.hotBiddersRatio = c.hotBiddersRatio;
    this.hotSellersRatio = c.hotSellersRatio;
    this.numActivePeople = c.numActivePeople;
    this.numInFlightAuctions = c.numInFlightAuctions;
    const desired = c.avgBidByteSize - 32;
    const delta = Math.round(desired * 0.2);
    this.bidExtraBase = desired - delta;
    this.bidExtraRange = desired < 0 ? -1 : 2 * delta;
    HOT_CHANNELS.forEach((name, i) => {
      this.channelNames[i] = name;
      this.channelUrls[i] = baseUrl(new EventRandom(mix32(c.seed ^ (0x51ed270b + i))));
    });
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
    const out = new Array<NexmarkEvent>(1);
    this.fill(out, 0, position, 1);
    return out[0]!;
  }

  /** Events at positions `[from, to)`, as an array. */
  slice(from: number, to: number): NexmarkEvent[] {
    const n = Math.max(0, to - from);
    const out = new Array<NexmarkEvent>(n);
    this.fill(out, 0, from, n);
    return out;
  }

  /** Events at positions `[from, to)`, generated lazily (a batch at a time). */
  *stream(from: number, to: number): Generator<NexmarkEvent> {
    const batch = new Array<NexmarkEvent>(BATCH_EVENTS);
    for (let p = from; p < to; p += BATCH_EVENTS) {
      const n = Math.min(BATCH_EVENTS, to - p);
      this.fill(batch, 0, p, n);
      for (let i = 0; i < n; i++) yield batch[i]!;
    }
  }

  /** Writes the events at positions `[from, from + count)` into `out[at …]` (positions below 2^31 − outOfOrderGroupSize). */
  fill(out: NexmarkEvent[], at: number, from: number, count: number): void {
    // Ids stay below 2^31 (int32 arithmetic): a position's id is below its group's end.
    if (!(Number.isInteger(from) && from >= 0 && count >= 0 && from + count + this.groupSize <= MAX_ID + 1)) {
      throw new RangeError(`NexmarkGenerator: positions must be integers in [0, 2^31 − outOfOrderGroupSize), got [${from}, ${from + count})`);
    }
    for (let done = 0; done < count; done += BATCH_EVENTS) {
      const n = Math.min(BATCH_EVENTS, count - done);
      this.generateBatch(from + done, n);
      this.buildBatch(out, at + done, n);
    }
  }

  // --- a batch: numbers and characters first, then the objects ----------------------

  /** Draws the `max` (≤ BATCH_EVENTS) events from `from` on. */
  private generateBatch(from: number, max: number): void {
    const size = this.groupSize;
    const permuted = size > 1 && size <= MAX_PERMUTATION;
    const { ids, times } = this;
    const seeds = this.kernels.seeds;
    // Ids, seeds and times first. The position's group and its place in it: ids and positions are below 2^31, int32 arithmetic.
    let group = ((from / size) | 0) * size;
    let inGroup = from - group;
    for (let e = 0; e < max; e++) {
      const id = size === 1 ? from + e : permuted ? group + this.permutation[inGroup]! : this.eventIdAt(from + e);
      if (++inGroup === size) {
        group += size;
        inGroup = 0;
      }
      ids[e] = id;
      seeds[e] = mix32(mix32(id ^ this.seedHash)); // seedFor(id, seed) for id < 2^32
      times[e] = this.timestampForEvent(id);
    }
    // Then every event's first draws, at once.
    this.draws = this.kernels.eventDraws(max);
    this.pos = 0;
    for (let n = 0; n < max; n++) {
      const id = ids[n]!;
      this.r = seeds[n]!;
      const t = times[n]!;
      // lastBase0PersonId and lastBase0AuctionId, for the 1 / 3 / 46 mix
      const rem = id % TOTAL_PROPORTION;
      const epoch = ((id - rem) / TOTAL_PROPORTION) | 0;
      if (rem === 0) {
        this.kinds[n] = KIND_PERSON;
        this.person(n, epoch);
      } else if (rem < 4) {
        this.kinds[n] = KIND_AUCTION;
        this.auction(n, id, t, epoch, epoch * 3 + rem - 1);
      } else {
        this.kinds[n] = KIND_BID;
        this.bid(n, epoch, epoch * 3 + 2);
      }
    }
  }

  private buildBatch(out: NexmarkEvent[], at: number, n: number): void {
    const text = this.kernels.text(this.pos);
    const pool = this.pool;
    const { kinds, times, nums, expires, strs, places, channelNames, channelUrls } = this;
    for (let i = 0; i < n; i++) {
      const dateTime = times[i]!;
      const v = i * NUMS;
      const s = i * STRS * 2;
      const kind = kinds[i];
      if (kind === KIND_BID) {
        const bid: Bid = {
          auction: nums[v]!,
          bidder: nums[v + 1]!,
          price: nums[v + 2]!,
          channel: channelNames[nums[v + 3]!]!,
          url: channelUrls[nums[v + 3]!]!,
          dateTime,
          extra: pool.substring(strs[s]!, strs[s + 1]!),
        };
        out[at + i] = { type: 'bid', bid };
      } else if (kind === KIND_AUCTION) {
        const auction: Auction = {
          id: nums[v]!,
          itemName: text.substring(strs[s]!, strs[s + 1]!),
          description: text.substring(strs[s + 2]!, strs[s + 3]!),
          initialBid: nums[v + 1]!,
          reserve: nums[v + 2]!,
          dateTime,
          expires: expires[i]!,
          seller: nums[v + 4]!,
          category: nums[v + 5]!,
          extra: pool.substring(strs[s + 4]!, strs[s + 5]!),
        };
        out[at + i] = { type: 'auction', auction };
      } else {
        const person: Person = {
          id: nums[v]!,
          name: text.substring(strs[s]!, strs[s + 1]!),
          emailAddress: text.substring(strs[s + 2]!, strs[s + 3]!),
          creditCard: text.substring(strs[s + 4]!, strs[s + 5]!),
          city: US_CITIES[places[2 * i]!]!,
          state: US_STATES[places[2 * i + 1]!]!,
          dateTime,
          extra: pool.substring(strs[s + 6]!, strs[s + 7]!),
        };
        out[at + i] = { type: 'person', person };
      }
    }
  }

  // --- people, auctions, bids (the draws in the first generator's order) -------------

  /** `person` is `lastBase0PersonId(id)`. */
  private person(n: number, person: number): void {
    const s = n * STRS * 2;
    const strs = this.strs;
    let start = this.pos;
    this.copy(FIRST_NAME_BYTES[this.int(FIRST_NAMES.length)]!);
    this.bytes[this.pos++] = SPACE;
    this.copy(LAST_NAME_BYTES[this.int(LAST_NAMES.length)]!);
    strs[s] = start;
    strs[s + 1] = this.pos;
    start = this.pos;
    this.words(7, SPACE);
    this.copy(AT_BYTES);
    this.words(5, SPACE);
    this.copy(DOT_COM_BYTES);
    strs[s + 2] = start;
    strs[s + 3] = this.pos;
    start = this.pos;
    for (let g = 0; g < 4; g++) {
      if (g > 0) this.bytes[this.pos++] = SPACE;
      this.digits4(this.int(10_000));
    }
    strs[s + 4] = start;
    strs[s + 5] = this.pos;
    const city = this.int(US_CITIES.length);
    const state = this.int(US_STATES.length);
    this.places[2 * n] = city;
    this.places[2 * n + 1] = state;
    const size = 8 + (strs[s + 1]! - strs[s]!) + (strs[s + 3]! - strs[s + 2]!) + (strs[s + 5]! - strs[s + 4]!) + US_CITIES[city]!.length + US_STATES[state]!.length;
    this.extra(s + 6, size, this.config.avgPersonByteSize);
    this.nums[n * NUMS] = person + FIRST_PERSON_ID;
  }

  /** `person` and `auction` are `lastBase0PersonId(id)` and `lastBase0AuctionId(id)`. */
  private auction(n: number, id: number, t: number, person: number, auction: number): void {
    const c = this.config;
    const v = n * NUMS;
    const s = n * STRS * 2;
    const nums = this.nums;
    const strs = this.strs;
    nums[v + 4] = (this.int(this.hotSellersRatio) > 0 ? person - (person % HOT_SELLER_RATIO) : this.nextBase0PersonId(person)) + FIRST_PERSON_ID;
    nums[v + 5] = FIRST_CATEGORY_ID + this.int(NUM_CATEGORIES);
    const initialBid = this.price();
    nums[v + 1] = initialBid;
    this.expires[n] = t + this.nextAuctionLengthMs(id, t);
    strs[s] = this.pos;
    this.words(20, SPACE);
    strs[s + 1] = this.pos;
    strs[s + 2] = this.pos;
    this.words(100, SPACE);
    strs[s + 3] = this.pos;
    nums[v + 2] = initialBid + this.price();
    const size = 8 + (strs[s + 1]! - strs[s]!) + (strs[s + 3]! - strs[s + 2]!) + 8 + 8 + 8 + 8 + 8;
    this.extra(s + 4, size, c.avgAuctionByteSize);
    nums[v] = auction + FIRST_AUCTION_ID;
  }

  /** `person` and `auction` are `lastBase0PersonId(id)` and `lastBase0AuctionId(id)`. */
  private bid(n: number, person: number, auction: number): void {
    // A bid takes at most 8 draws before its `extra`: they were drawn for the whole batch
    // (draws.ts), d[n × 8 …]. Twice as fast as drawing on demand, where each coin flip waited for its draw.
    const s = this.r;
    const d = this.draws;
    let k = n * EVENT_DRAWS;
    const v = n * NUMS;
    const nums = this.nums;
    if (below(d[k++]!, this.hotAuctionRatio) > 0) {
      nums[v] = auction - (auction % HOT_AUCTION_RATIO) + FIRST_AUCTION_ID;
    } else {
      const min = Math.max(auction - this.numInFlightAuctions, 0); // nextBase0AuctionId
      nums[v] = min + below(d[k++]!, auction - min + 1 + AUCTION_ID_LEAD) + FIRST_AUCTION_ID;
    }
    if (below(d[k++]!, this.hotBiddersRatio) > 0) {
      nums[v + 1] = person - (person % HOT_BIDDER_RATIO) + 1 + FIRST_PERSON_ID;
    } else {
      const active = Math.min(person + 1, this.numActivePeople); // nextBase0PersonId
      nums[v + 1] = person + 1 - active + below(d[k++]!, active + PERSON_ID_LEAD) + FIRST_PERSON_ID;
    }
    nums[v + 2] = priceOf(d[k++]!);
    if (below(d[k++]!, HOT_CHANNELS_RATIO) > 0) {
      nums[v + 3] = below(d[k++]!, HOT_CHANNELS.length);
    } else {
      const ch = below(d[k++]!, CHANNELS_NUMBER);
      if (this.channelNames[HOT_CHANNELS.length + ch] === undefined) this.makeChannel(ch);
      nums[v + 3] = HOT_CHANNELS.length + ch;
    }
    // nextExtra(32, avgBidByteSize)
    let len = 0;
    if (this.bidExtraRange >= 0) {
      len = this.bidExtraBase;
      if (this.bidExtraRange > 0) len += below(d[k++]!, this.bidExtraRange);
      len = Math.min(len, MAX_EXTRA);
    }
    // … cut from the text pool at the next draw (the 9th at most, so not among the batch's 8)
    const at = n * STRS * 2;
    const from = below(draw((s + Math.imul(k - n * EVENT_DRAWS + 1, WEYL)) | 0), TEXT_POOL_CHARS - MAX_EXTRA + 1);
    this.strs[at] = from;
    this.strs[at + 1] = from + len;
  }

  /** A random person among the active ones, plus a few not yet created ("leads"); `last` = lastBase0PersonId. */
  private nextBase0PersonId(last: number): number {
    const numPeople = last + 1;
    const activePeople = Math.min(numPeople, this.numActivePeople);
    return numPeople - activePeople + this.int(activePeople + PERSON_ID_LEAD);
  }

  /** A random auction among those likely in flight, plus a few leads; `last` = lastBase0AuctionId. */
  private nextBase0AuctionId(last: number): number {
    const minAuction = Math.max(last - this.numInFlightAuctions, 0);
    return minAuction + this.int(last - minAuction + 1 + AUCTION_ID_LEAD);
  }

  /** Auction length: uniform with mean the time until `numInFlightAuctions` more auctions exist. */
  private nextAuctionLengthMs(eventId: number, t: number): number {
    const eventsForAuctions = Math.floor((this.config.numInFlightAuctions * TOTAL_PROPORTION) / AUCTION_PROPORTION);
    const horizonMs = this.timestampForEvent(eventId + eventsForAuctions) - t;
    return 1 + this.int(Math.max(horizonMs * 2, 1));
  }

  private makeChannel(n: number): void {
    const random = new EventRandom(mix32(this.config.seed ^ mix32(n + 0x7f4a7c15)));
    let url = baseUrl(random);
    if (random.nextInt(10) > 0) url = `${url}&channel_id=${Math.abs(reverseBits32(n))}`;
    this.channelNames[HOT_CHANNELS.length + n] = `channel-${n}`;
    this.channelUrls[HOT_CHANNELS.length + n] = url;
  }

  // --- the PRNG (mulberry32, exactly EventRandom's draws) ----------------------------

  private u32(): number {
    return draw((this.r = (this.r + WEYL) | 0));
  }

  /** `EventRandom.nextInt(n)`. */
  private int(n: number): number {
    return below(this.u32(), n);
  }

  private price(): number {
    return priceOf(this.u32());
  }

  // --- characters --------------------------------------------------------------------

  private copy(from: Uint8Array): void {
    this.bytes.set(from, this.pos);
    this.pos += from.length;
  }

  /** Four decimal digits of `x` < 10,000, zero-padded. */
  private digits4(x: number): void {
    const b = this.bytes;
    const p = this.pos;
    b[p] = 48 + Math.floor(x / 1000);
    b[p + 1] = 48 + (Math.floor(x / 100) % 10);
    b[p + 2] = 48 + (Math.floor(x / 10) % 10);
    b[p + 3] = 48 + (x % 10);
    this.pos = p + 4;
  }

  /** 3 to `maxLength − 1` letters and `blank`s, trimmed when `blank` is a space (Nexmark's `nextString`). */
  private words(maxLength: number, blank: number): void {
    const len = MIN_STRING_LENGTH + this.int(maxLength - MIN_STRING_LENGTH);
    // Each character takes one draw (a blank) or two (a letter): draw up to 2 × len at once.
    const tape = this.kernels.tape(2 * len, this.r);
    const b = this.bytes;
    const start = this.pos;
    const end = start + len;
    let k = 0;
    for (let p = start; p < end; p++) {
      const d = tape[k]!;
      if (d >= 128) {
        b[p] = blank;
        k++;
      } else {
        b[p] = tape[k + 1]! & 127;
        k += 2;
      }
    }
    this.r = (this.r + Math.imul(k, WEYL)) | 0;
    this.pos = blank === SPACE ? trim(b, start, end) : end;
  }

  /**
   * Padding so that `currentSize` plus its length averages `averageSize` (Nexmark's
   * `nextExtra`), cut from the text pool: its range in the pool goes to `strs[at]`, `strs[at + 1]`.
   */
  private extra(at: number, currentSize: number, averageSize: number): void {
    let from = 0;
    let len = 0;
    if (currentSize <= averageSize) {
      const desired = averageSize - currentSize;
      const delta = Math.round(desired * 0.2);
      len = Math.min(desired - delta + (delta === 0 ? 0 : this.int(2 * delta)), MAX_EXTRA);
      from = this.int(TEXT_POOL_CHARS - MAX_EXTRA + 1);
    }
    this.strs[at] = from;
    this.strs[at + 1] = from + len;
  }
}

/** Text pools by seed: each is 1 MiB, made once per process and seed. */
const pools = new Map<number, string>();

/**
 * The run's text pool: `TEXT_POOL_CHARS` letters, letter i being `97 + nextInt(26)` of the
 * i-th draw of `EventRandom(mix32(seed ^ TEXT_POOL_SEED))`. Each `extra` is a substring of it
 * at an offset the event draws, as TPC-H's dbgen cuts its comments from a pool of text:
 * the padding costs a draw and a substring instead of a draw per letter, and an event is
 * still a function of its id alone.
 */
function textPool(seed: number, kernels: DrawKernels): string {
  let pool = pools.get(seed);
  if (pool === undefined) {
    const chunk = 1 << 16; // within the kernels' buffer (BATCH_EVENTS × MAX_EVENT_CHARS)
    const parts: string[] = [];
    let state = mix32(seed ^ TEXT_POOL_SEED) | 0;
    for (let at = 0; at < TEXT_POOL_CHARS; at += chunk) {
      state = kernels.letters(0, chunk, state);
      parts.push(kernels.text(chunk));
    }
    pools.set(seed, (pool = parts.join('')));
  }
  return pool;
}

/** mulberry32's output for state `s` (the state after the step). */
function draw(s: number): number {
  let t = Math.imul(s ^ (s >>> 15), s | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

/** `nextInt(n)` from draw `u`. */
function below(u: number, n: number): number {
  return Math.floor((u / TWO_32) * n);
}

/** A log-uniform price in cents between $1 and $1,000,000 from draw `u` (Nexmark's `nextPrice`). */
export function priceOf(u: number): number {
  // 10^(6u / 2^32) from three tables, within 6.4e-16 (relative) of Math.pow: below 1e8 cents
  // both round alike unless near a half-cent, where Math.pow decides (p ≈ 2e-5). Checked
  // for all 2^32 values of u: the same price as Math.round(Math.pow(10, u / 2^32 × 6) × 100).
  const y = POW_HI[u >>> 21]! * POW_MID[(u >>> 10) & 2047]! * POW_LO[u & 1023]! * 100;
  const f = y - Math.floor(y);
  return f > 0.49999 && f < 0.50001 ? Math.round(Math.pow(10, (u / TWO_32) * 6) * 100) : Math.round(y);
}

/** 10^(6u / 2^32) = POW_HI[u >>> 21] × POW_MID[(u >>> 10) & 2047] × POW_LO[u & 1023] (for prices: `Math.pow` takes ~70 ns). */
const POW_HI = Float64Array.from({ length: 2048 }, (_, a) => Math.pow(10, (6 * a * 2 ** 21) / TWO_32));
const POW_MID = Float64Array.from({ length: 2048 }, (_, b) => Math.pow(10, (6 * b * 2 ** 10) / TWO_32));
const POW_LO = Float64Array.from({ length: 1024 }, (_, c) => Math.pow(10, (6 * c) / TWO_32));

/** Removes the spaces at both ends of `b[start, end)` (moving the rest left); returns the new end. */
function trim(b: Uint8Array, start: number, end: number): number {
  let from = start;
  while (from < end && b[from] === SPACE) from++;
  let to = end;
  while (to > from && b[to - 1] === SPACE) to--;
  if (from > start) b.copyWithin(start, from, to);
  return start + (to - from);
}

/** A channel url (made once per channel, so the plain way). */
function baseUrl(random: EventRandom): string {
  const part = (): string => {
    const len = MIN_STRING_LENGTH + random.nextInt(5 - MIN_STRING_LENGTH);
    let s = '';
    for (let i = 0; i < len; i++) s += random.nextInt(13) === 0 ? '_' : String.fromCharCode(97 + random.nextInt(26));
    return s;
  };
  return `https://www.nexmark.com/${part()}/${part()}/${part()}/item.htm?query=1`;
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
