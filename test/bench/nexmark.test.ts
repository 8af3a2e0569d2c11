import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { runReference } from './runReference.js';
import { makeSink, measureQuery, verifySame } from '../../bench/measure.js';
import { generateMicroEvents, DEFAULT_MICRO_CONFIG, tumblingCount } from '../../bench/micro/tumblingCount.js';
import { kindOf, lastBase0AuctionId, NexmarkGenerator } from '../../bench/nexmark/generator.js';
import { eventTime, type NexmarkEvent } from '../../bench/nexmark/model.js';
import { NEXMARK_QUERIES } from '../../bench/nexmark/queries.js';
import type { QueryOptions, StreamQuery } from '../../bench/query.js';

/** Runs tidemark and both references; checks that the references drop the same number of late events. */
async function runAll<E, O>(query: StreamQuery<E, O>, events: readonly E[], options: QueryOptions) {
  const viaTidemark = await lastValueFrom(query.tidemark(from(events), options).pipe(toArray()));
  const run = (make: typeof query.best) => runReference(make, events, options);
  const best = run(query.best);
  const straightforward = run(query.straightforward);
  expect(best.lateEvents).toBe(straightforward.lateEvents);
  return { viaTidemark, best: best.outputs, straightforward: straightforward.outputs, lateEvents: best.lateEvents };
}

describe('Nexmark generator', () => {
  const gen = new NexmarkGenerator({ outOfOrderGroupSize: 100 });

  it('regenerates any slice identically, in any order', () => {
    const whole = gen.slice(0, 3_000);
    expect(gen.slice(1_234, 2_345)).toEqual(whole.slice(1_234, 2_345));
    expect(new NexmarkGenerator({ outOfOrderGroupSize: 100 }).eventAt(2_999)).toEqual(whole[2_999]);
    expect([...gen.stream(10, 20)]).toEqual(whole.slice(10, 20));
    expect(new NexmarkGenerator({ outOfOrderGroupSize: 100, seed: 43 }).slice(0, 100)).not.toEqual(whole.slice(0, 100));
  });

  it('has the 1 / 3 / 46 mix per 50 events and increasing ids', () => {
    const events = new NexmarkGenerator().slice(0, 5_000);
    const counts = { person: 0, auction: 0, bid: 0 };
    for (const e of events) counts[e.type]++;
    expect(counts).toEqual({ person: 100, auction: 300, bid: 4_600 });
    const people = events.flatMap((e) => (e.type === 'person' ? [e.person.id] : []));
    const auctions = events.flatMap((e) => (e.type === 'auction' ? [e.auction.id] : []));
    expect(people).toEqual(people.map((_, i) => 1_000 + i));
    expect(auctions).toEqual(auctions.map((_, i) => 1_000 + i));
    expect(kindOf(0)).toBe('person');
    expect(lastBase0AuctionId(4)).toBe(2);
  });

  it('stamps events at the configured rate, and permutes them only within out-of-order groups', () => {
    const inOrder = new NexmarkGenerator({ eventsPerSecond: 1_000 }).slice(0, 2_000);
    expect(inOrder.map(eventTime)).toEqual(inOrder.map((_, i) => 1_436_918_400_000 + i));
    const shuffled = gen.slice(0, 1_000);
    const ids = shuffled.map((_, i) => gen.eventIdAt(i));
    for (let g = 0; g < 1_000; g += 100) {
      expect(ids.slice(g, g + 100).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => g + i));
    }
    expect(ids.slice(0, 100)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(gen.maxDisorderMs).toBe(10);
  });

  it('makes half the bids on the hot auction, log-uniform prices and auctions that expire later', () => {
    const events = new NexmarkGenerator().slice(0, 50_000);
    const bids = events.flatMap((e) => (e.type === 'bid' ? [e.bid] : []));
    const hot = bids.filter((b) => (b.auction - 1_000) % 100 === 0).length / bids.length;
    expect(hot).toBeGreaterThan(0.48);
    expect(hot).toBeLessThan(0.53);
    const hotBidder = bids.filter((b) => (b.bidder - 1_000) % 100 === 1).length / bids.length;
    expect(hotBidder).toBeGreaterThan(0.73);
    const prices = bids.map((b) => b.price);
    expect(Math.min(...prices)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...prices)).toBeLessThanOrEqual(100_000_000);
    expect(Math.max(...prices)).toBeGreaterThan(50_000_000);
    // log-uniform over 6 decades: about a sixth of the prices in each decade
    const belowTenDollars = bids.filter((b) => b.price < 1_000).length / bids.length;
    expect(belowTenDollars).toBeGreaterThan(0.14);
    expect(belowTenDollars).toBeLessThan(0.19);
    const auctions = events.flatMap((e) => (e.type === 'auction' ? [e.auction] : []));
    expect(auctions.filter((a) => !(a.expires > a.dateTime))).toEqual([]);
  });
});

describe('Nexmark queries: tidemark output equals both hand-written references (best and straightforward)', () => {
  const slice = new NexmarkGenerator({ outOfOrderGroupSize: 100 }).slice(0, 40_000);
  // Disorder (up to 12 s) far beyond the watermark bound and the session gap: some events
  // are late for every query, and must be dropped alike.
  const lateSlice = new NexmarkGenerator({ eventsPerSecond: 1_000, outOfOrderGroupSize: 12_007, seed: 9 }).slice(0, 60_000);

  for (const { query } of NEXMARK_QUERIES) {
    it(`${query.name}: ${query.title}`, async () => {
      const { viaTidemark, best, straightforward } = await runAll(query, slice, { bound: 1_000 });
      expect(viaTidemark.length).toBeGreaterThan(0);
      expect(query.canonical(best)).toEqual(query.canonical(viaTidemark));
      expect(query.canonical(straightforward)).toEqual(query.canonical(viaTidemark));
      if (query.sink === 'digest') {
        // same order too
        expect(best).toEqual(viaTidemark);
        expect(straightforward).toEqual(viaTidemark);
      }
    });

    it(`${query.name}: with late events`, async () => {
      const { viaTidemark, best, straightforward, lateEvents } = await runAll(query, lateSlice, { bound: 5 });
      if (lateEvents !== undefined) expect(lateEvents).toBeGreaterThan(0);
      expect(query.canonical(best)).toEqual(query.canonical(viaTidemark));
      expect(query.canonical(straightforward)).toEqual(query.canonical(viaTidemark));
    });
  }

  it('q5 and q11 produce non-trivial results', async () => {
    const q5 = NEXMARK_QUERIES.find((q) => q.query.name === 'q5')!.query;
    const hot = (await runAll(q5, slice, { bound: 1_000 })).viaTidemark as { start: number; bids: number }[];
    expect(hot.length).toBe(new Set(hot.map((h) => h.start)).size);
    expect(hot.every((h) => h.bids > 1)).toBe(true);
    const q11 = NEXMARK_QUERIES.find((q) => q.query.name === 'q11')!.query;
    const sessions = (await runAll(q11, slice, { bound: 1_000 })).viaTidemark as { key: number; value: number }[];
    expect(new Set(sessions.map((s) => s.key)).size).toBeGreaterThan(100);
    expect(sessions.reduce((n, s) => n + s.value, 0)).toBe(slice.filter((e: NexmarkEvent) => e.type === 'bid').length);
  });
});

describe('micro-benchmark: tumbling count per key', () => {
  const config = { ...DEFAULT_MICRO_CONFIG, events: 50_000, keys: 200, windowMs: 5_000 };
  const events = generateMicroEvents(config);
  const query = tumblingCount(config.windowMs);

  it('equals both hand-written loops', async () => {
    const { viaTidemark, best, straightforward, lateEvents } = await runAll(query, events, { bound: config.boundMs });
    expect(lateEvents).toBe(0);
    expect(viaTidemark.reduce((n, r) => n + r.value, 0)).toBe(events.length);
    expect(query.canonical(best)).toEqual(query.canonical(viaTidemark));
    expect(query.canonical(straightforward)).toEqual(query.canonical(viaTidemark));
  });

  it('equals both hand-written loops when events are late', async () => {
    const { viaTidemark, best, straightforward, lateEvents } = await runAll(query, events, { bound: 100 });
    expect(lateEvents).toBeGreaterThan(0);
    expect(viaTidemark.reduce((n, r) => n + r.value, 0)).toBe(events.length - lateEvents!);
    expect(query.canonical(best)).toEqual(query.canonical(viaTidemark));
    expect(query.canonical(straightforward)).toEqual(query.canonical(viaTidemark));
  });

  it('displaces about 1% of events backwards by at most the bound', () => {
    let displaced = 0;
    let minShift = Infinity;
    let maxShift = -Infinity;
    for (let i = 0; i < events.length; i++) {
      const shift = config.baseTime + i - events[i]!.at;
      minShift = Math.min(minShift, shift);
      maxShift = Math.max(maxShift, shift);
      if (shift > 0) displaced++;
    }
    expect(minShift).toBe(0);
    expect(maxShift).toBeLessThanOrEqual(config.boundMs);
    expect(maxShift).toBeGreaterThan(config.boundMs * 0.9);
    expect(displaced / events.length).toBeGreaterThan(0.008);
    expect(displaced / events.length).toBeLessThan(0.012);
  });
});

describe('bench harness', () => {
  it('rejects outputs that differ', () => {
    const query = tumblingCount(1_000);
    const a = makeSink(query);
    const b = makeSink(query);
    a.push({ key: 'k', start: 0, end: 1_000, value: 2, firing: 'on-time' });
    b.push({ key: 'k', start: 0, end: 1_000, value: 3, firing: 'on-time' });
    expect(() => verifySame(query, a, b)).toThrow(/differ/);
  });

  it('measures a query against both references and verifies their outputs (no timing asserted)', async () => {
    const events = new NexmarkGenerator().slice(0, 5_000);
    const q7 = NEXMARK_QUERIES.find((q) => q.query.name === 'q7')!.query;
    const r = await measureQuery(q7, events, { bound: 1_000 }, { runs: 2, warmupRuns: 1, warmupEvents: 1_000, minSampleSeconds: 0, settleMs: 0, rewarmRuns: 1, rewarmEvents: 100 });
    expect(r.events).toBe(5_000);
    expect(r.outputs).toBe(1);
    expect(r.sides.tidemark.cpuSeconds).toHaveLength(2);
    for (const x of [r.ratio, r.ratioStraightforward, r.bestSpeedup]) {
      expect(Number.isFinite(x.value)).toBe(true);
      expect(x.range[0]).toBeLessThanOrEqual(x.range[1]);
    }
  });

  it('refuses a reference whose outputs differ', async () => {
    const events = new NexmarkGenerator().slice(0, 5_000);
    const q7 = NEXMARK_QUERIES.find((q) => q.query.name === 'q7')!.query;
    const broken = { ...q7, best: (options: QueryOptions, emit: (o: unknown) => void) => q7.best(options, (o) => emit({ ...(o as object), start: -1 })) };
    await expect(measureQuery(broken, events, { bound: 1_000 }, { runs: 1, warmupRuns: 1, warmupEvents: 5_000, minSampleSeconds: 0, settleMs: 0 })).rejects.toThrow(
      /q7: tidemark and best reference outputs differ/,
    );
  });
});
