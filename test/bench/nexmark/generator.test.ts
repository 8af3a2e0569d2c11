import { describe, expect, it } from 'vitest';
import { NexmarkGenerator, priceOf, type NexmarkConfig } from '../../../bench/nexmark/generator.js';
import { OriginalNexmarkGenerator } from './originalGenerator.js';

/** The fast generator must make exactly the events of the first (plain) one. */
describe('NexmarkGenerator (fast) against the original generator', () => {
  const configs: Partial<NexmarkConfig>[] = [
    {},
    { outOfOrderGroupSize: 100 },
    { eventsPerSecond: 1_000, outOfOrderGroupSize: 12_007, seed: 9 },
    { eventsPerSecond: 333, seed: -5, hotAuctionRatio: 3, hotBiddersRatio: 1, numActivePeople: 7, numInFlightAuctions: 3, avgBidByteSize: 20 },
  ];

  for (const config of configs) {
    it(`equal events for ${JSON.stringify(config)}`, () => {
      const fast = new NexmarkGenerator(config);
      const original = new OriginalNexmarkGenerator(config);
      expect(fast.slice(0, 20_000)).toEqual(original.slice(0, 20_000));
      // deep in the stream, across a batch boundary, one at a time and lazily
      const from = 123_456_789;
      expect(fast.slice(from, from + 3_000)).toEqual(original.slice(from, from + 3_000));
      expect(fast.eventAt(2 ** 31 - 20_000)).toEqual(original.eventAt(2 ** 31 - 20_000));
      expect([...fast.stream(999, 3_100)]).toEqual(original.slice(999, 3_100));
    });
  }

  it('makes the same events without WebAssembly', () => {
    const config = { outOfOrderGroupSize: 100 };
    expect(new NexmarkGenerator(config, true).slice(0, 10_000)).toEqual(new NexmarkGenerator(config).slice(0, 10_000));
  });

  it('refuses positions outside [0, 2^31 − outOfOrderGroupSize)', () => {
    const gen = new NexmarkGenerator({ outOfOrderGroupSize: 100 });
    expect(gen.slice(2 ** 31 - 102, 2 ** 31 - 100)).toHaveLength(2);
    expect(() => gen.slice(2 ** 31 - 102, 2 ** 31 - 99)).toThrow(/NexmarkGenerator: positions must be integers in \[0, 2\^31 − outOfOrderGroupSize\)/);
    expect(() => gen.eventAt(-1)).toThrow(RangeError);
  });
});

describe('priceOf', () => {
  it('is Nexmark’s nextPrice, Math.round(10^(6u / 2^32) × 100), without Math.pow (checked for all 2^32 u offline; here 2^22 of them)', () => {
    let mismatches = 0;
    for (let i = 0; i < 2 ** 22; i++) {
      const u = (i * 1024 + (Math.imul(i, 0x9e3779b1) >>> 22)) >>> 0;
      if (priceOf(u) !== Math.round(Math.pow(10, (u / 2 ** 32) * 6) * 100)) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect([priceOf(0), priceOf(2 ** 32 - 1)]).toEqual([100, 100_000_000]);
  });
});
