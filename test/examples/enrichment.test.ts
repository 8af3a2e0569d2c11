import { describe, expect, it } from 'vitest';
import {
  DISCOUNT,
  OUT_OF_ORDERNESS,
  formatEnrichmentReport,
  generateData,
  nearChange,
  runEnrichmentExample,
  type CustomerChange,
  type EnrichmentData,
  type Order,
} from '../../examples/enrichment.js';

/**
 * The batch computation, independent of the join: per order, its customer's changes sorted by
 * time, the last one at or before the order's time (none, or a delete: no customer).
 */
function batch(data: EnrichmentData): { id: string; tier: string | undefined; total: number }[] {
  return data.orders.map((o) => {
    const changes = data.customers.filter((c) => c.customer === o.customer && c.at <= o.at).sort((a, b) => a.at - b.at);
    const last = changes.at(-1);
    const row = last === undefined || last.op === 'delete' ? undefined : last;
    return { id: o.id, tier: row?.tier, total: Math.round(o.amount * (1 - (row === undefined ? 0 : DISCOUNT[row.tier])) * 100) / 100 };
  });
}

const byId = <T extends { id: string }>(xs: readonly T[]) => [...xs].sort((a, b) => (a.id < b.id ? -1 : 1));
const summary = (report: ReturnType<typeof runEnrichmentExample>) => byId(report.enriched.map((e) => ({ id: e.order.id, tier: e.customer?.tier, total: e.total })));

/** What a withLatestFrom would answer: the customer's change that arrived last before the order did. */
function latestByArrival(o: Order, customers: readonly CustomerChange[]): CustomerChange | undefined {
  const seen = customers.filter((c) => c.customer === o.customer && c.arrivedAt <= o.arrivedAt);
  const last = seen.at(-1);
  return last?.op === 'delete' ? undefined : last;
}

/** Another arrival order within the bound: each element delayed by up to 4 s, by a seeded shuffle. */
function rearrive(data: EnrichmentData, seed: number): EnrichmentData {
  let s = seed;
  const next = () => ((s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0) / 4_294_967_296);
  const again = <T extends { at: number; arrivedAt: number }>(xs: readonly T[]) =>
    xs.map((x) => ({ ...x, arrivedAt: x.at + Math.floor(next() * (OUT_OF_ORDERNESS - 1_000)) })).sort((a, b) => a.arrivedAt - b.arrivedAt || a.at - b.at);
  return { customers: again(data.customers), orders: again(data.orders) };
}

describe('examples/enrichment', () => {
  const report = runEnrichmentExample();

  it('exhibits what it claims: out-of-order arrival, customers not signed up yet and closed, orders racing tier changes', () => {
    const { orders, customers } = report.data;
    expect(orders.filter((o, i) => i > 0 && o.at < orders[i - 1]!.at).length).toBeGreaterThan(30);
    expect(Math.max(...[...orders, ...customers].map((x) => x.arrivedAt - x.at))).toBeLessThan(OUT_OF_ORDERNESS);
    expect(customers.filter((c) => c.op === 'delete').length).toBeGreaterThanOrEqual(2);
    expect(report.enriched.filter((e) => e.customer === undefined).length).toBeGreaterThan(10);
    const swapped = orders.filter((o) => nearChange(o, customers)?.swapped === true);
    expect(swapped.length).toBeGreaterThanOrEqual(10);
  });

  it.each([undefined, 1, 2, 3])('its output equals the batch computation over the sorted data (seed %s)', (seed) => {
    const run = seed === undefined ? report : runEnrichmentExample(generateData(seed));
    expect(run.enriched).toHaveLength(run.data.orders.length);
    expect(summary(run)).toEqual(byId(batch(run.data)));
  });

  it('a withLatestFrom (the version that arrived last) would price many of these orders wrong', () => {
    const expected = new Map(batch(report.data).map((b) => [b.id, b.tier]));
    const wrong = report.data.orders.filter((o) => latestByArrival(o, report.data.customers)?.tier !== expected.get(o.id));
    expect(wrong.length).toBeGreaterThanOrEqual(10);
  });

  it.each([11, 12, 13])('its output is the same for another arrival order within the bound (shuffle %i)', (shuffle) => {
    const data = rearrive(report.data, shuffle);
    expect(data.orders).not.toEqual(report.data.orders);
    expect(summary(runEnrichmentExample(data))).toEqual(summary(report));
  });

  it('emits in event-time order, nothing late', () => {
    const at = report.enriched.map((e) => e.order.at);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(report.metrics).toEqual({ lateLeft: 0, lateRight: 0, droppedLateLeft: 0, droppedLateRight: 0 });
  });

  it('prints a readable line per order shown, fast', () => {
    const started = performance.now();
    const text = formatEnrichmentReport(runEnrichmentExample());
    expect(performance.now() - started).toBeLessThan(1_000);
    const lines = text.split('\n');
    expect(lines.filter((l) => /^ {2}12:\d\d:\d\d {2}o\d{3} {2}c\d\d ((\p{L}+ +(basic|silver|gold) +\$\d+\.\d\d( − \d+% = \$\d+\.\d\d)?)|( \(no customer record at this time\) {2}\$\d+\.\d\d))/u.test(l)).length).toBe(16);
    expect(text).toContain(`${report.enriched.length} orders enriched`);
  });
});
