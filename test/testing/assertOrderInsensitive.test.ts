import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collect, tumbling, windowAggregate } from 'tidemark';
import { assertOrderInsensitive, boundaryTimestamps, disorderedEvents } from 'tidemark/testing';
import { failureOf } from './fixtures/failureOf.js';
import { tinyTumbling } from './fixtures/tinyTumbling.js';

const events = disorderedEvents(fc.nat(9), { maxDisorder: 5, lateFraction: 0.2 });

describe('assertOrderInsensitive', () => {
  it('passes for a correct engine (late events of the input are left out)', () => {
    assertOrderInsensitive({ pipeline: { engine: () => tinyTumbling(10) }, events });
  });

  it('catches an operator that judges lateness by the newest timestamp instead of the watermark', () => {
    const { error, events: shrunk } = failureOf(() =>
      assertOrderInsensitive({ pipeline: { engine: () => tinyTumbling(10, { bug: 'late-by-max-timestamp' }) }, events }),
    );
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(/^assertOrderInsensitive: property failed after \d+ case\(s\)/);
    expect(shrunk.length).toBeLessThanOrEqual(2);
    expect(error.message).toContain('the output depends on the arrival order (maxDisorder 5):');
    expect(error.message).toMatch(/\n  arriving in timestamp order: (\d@\d+ ?)+\n  arriving in (the generated arrival order|another order within the bound): (\d@\d+ ?)+\n/);
    // The bug drops an event that arrives after a newer one: only the timestamp order counts it.
    expect(error.message).toMatch(/\n  output only in timestamp order: \{"end":\d+,"firing":"on-time","start":\d+,"values":\[[\d,]+\]\}@\d+/);
  });

  it.each([
    ['boundaryTimestamps(10), maxDisorder 3', disorderedEvents(fc.nat(9), { maxDisorder: 3, lateFraction: 0.2, timestamps: boundaryTimestamps(10) })],
    ['boundaries { size: 10 }, maxDisorder 5', disorderedEvents(fc.nat(9), { maxDisorder: 5, lateFraction: 0.2, boundaries: { size: 10 } })],
  ] as const)('catches a window that fires one tick early (%s): an event at end − 1 arriving right after end − 1 + maxDisorder re-opens it', (_, input) => {
    assertOrderInsensitive({ pipeline: { engine: () => tinyTumbling(10) }, events: input });
    const { error, events: shrunk } = failureOf(() => assertOrderInsensitive({ pipeline: { engine: () => tinyTumbling(10, { bug: 'fires-one-tick-early' }) }, events: input }));
    expect(shrunk.length).toBeLessThanOrEqual(4);
    // In timestamp order the window fires once; in the generated order it fires early, then again.
    expect(error.message).toMatch(/\n  output only in timestamp order: \(none\)\n  output only in the generated arrival order: \{"end":\d+,"firing":"on-time","start":-?\d+,"values":\[[\d,]+\]\}@-?\d+/);
  });

  it('compares after normalize: collect() keeps arrival order for equal timestamps, sorting makes it order-free', () => {
    const collecting = { operator: () => windowAggregate<number, undefined, [number, number][], number[]>({ window: tumbling(10), aggregate: collect() }) };
    const { error } = failureOf(() => assertOrderInsensitive({ pipeline: collecting, events }));
    expect(error.message).toContain('the output depends on the arrival order');
    assertOrderInsensitive({
      pipeline: collecting,
      events,
      normalize: (out) => out.map((e) => ({ ...e.value, value: [...e.value.value].sort((a, b) => a - b) })),
    });
  });
});
