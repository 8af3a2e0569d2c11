/**
 * Enrichment with a stream–table join (`npm run example:enrichment`): orders joined with the
 * customer table **as of the order's time**, with `temporalJoin`, over ten minutes of orders and
 * customer changes that arrive out of order, interleaved.
 *
 *   customer changelog (sign-ups, tier changes, closed accounts; up to 4 s late)
 *     → withEventTime(boundedOutOfOrderness(5 s))                      ─┐
 *   orders (up to 4 s late)                                            │ table
 *     → withEventTime(boundedOutOfOrderness(5 s))                      │
 *     → temporalJoin(customers, key: customer, outer: 'left', deletes) ◄┘
 *     → values()                                                        each order with the customer's tier at its time
 *
 * An order is priced with the discount of the customer's tier at the moment of the order, even
 * when the change of tier (just before or just after it) arrives later or earlier than the
 * order: the join holds an order until the table's watermark reaches the order's time. A
 * `withLatestFrom` would price by whatever version happened to arrive last; the test
 * (test/examples/enrichment.test.ts) counts the orders it would get wrong here, and checks the
 * output against a batch computation over the sorted data. Orders of a customer not signed up
 * yet, or whose account is closed (a delete in the changelog), are kept (`outer: 'left'`) and
 * flagged.
 *
 * The data is generated here from a fixed seed: every run prints the same.
 */
import { pathToFileURL } from 'node:url';
import { Subject } from 'rxjs';
import { boundedOutOfOrderness, temporalJoin, values, withEventTime, type JoinMetrics } from 'tidemark';

// --- the data ------------------------------------------------------------------------------

export type Tier = 'basic' | 'silver' | 'gold';

/** A change of the customer table: a customer's current row from `at` on, or its deletion. */
export interface CustomerChange {
  readonly op: 'upsert' | 'delete';
  readonly customer: string;
  readonly name: string;
  readonly tier: Tier;
  /** When the change took effect (event time), ms since the epoch. */
  readonly at: number;
  /** When it reached us (processing time): only used to order the input. */
  readonly arrivedAt: number;
}

/** An order. */
export interface Order {
  readonly id: string;
  readonly customer: string;
  /** Dollars, two decimals. */
  readonly amount: number;
  readonly at: number;
  readonly arrivedAt: number;
}

/** An order with what the table said about its customer at the order's time. */
export interface EnrichedOrder {
  readonly order: Order;
  /** The customer's row as of the order's time; `undefined`: not signed up yet, or closed. */
  readonly customer: CustomerChange | undefined;
  /** The amount after the tier's discount (undiscounted without a customer row). */
  readonly total: number;
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
/** 2024-03-01 12:00:00 UTC. */
export const START = Date.UTC(2024, 2, 1, 12, 0, 0);
export const OUT_OF_ORDERNESS = 5 * SECOND;
export const DISCOUNT: Readonly<Record<Tier, number>> = { basic: 0, silver: 0.05, gold: 0.1 };
const TIERS: readonly Tier[] = ['basic', 'silver', 'gold'];
const NAMES = ['Ada', 'Bruno', 'Chen', 'Dara', 'Emeka', 'Farah', 'Goran', 'Hana', 'Ines', 'Jonas', 'Kiri', 'Lena'];

/** A seeded linear congruential generator returning numbers in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0) / 4_294_967_296;
}

/** The generated ten minutes: customer changes and orders, each in arrival order. */
export interface EnrichmentData {
  readonly customers: readonly CustomerChange[];
  readonly orders: readonly Order[];
}

/**
 * Twelve customers, each signing up in the first two minutes (three of them only later, so
 * their first orders find no row), changing tier every one to three minutes, and a few
 * closing their account; about 300 orders, some of them 0.5–2 s after a tier change of their
 * customer, so that the change and the order often arrive the other way round. Everything
 * arrives 0–4 s after it happened.
 */
export function generateData(seed = 20240301): EnrichmentData {
  const random = lcg(seed);
  const delay = () => Math.floor(random() * 4 * SECOND);
  const changes: Omit<CustomerChange, 'arrivedAt'>[] = [];
  const orders: Omit<Order, 'id' | 'arrivedAt'>[] = [];
  NAMES.forEach((name, i) => {
    const customer = `c${String(i + 1).padStart(2, '0')}`;
    let t = START + (i % 4 === 3 ? 3 * MINUTE : 0) + Math.floor(random() * 2 * MINUTE);
    let tier = TIERS[Math.floor(random() * 3)]!;
    changes.push({ op: 'upsert', customer, name, tier, at: t });
    const closes = i % 5 === 4;
    const end = closes ? START + 7 * MINUTE : START + 10 * MINUTE;
    for (t += MINUTE + Math.floor(random() * 2 * MINUTE); t < end; t += MINUTE + Math.floor(random() * 2 * MINUTE)) {
      tier = TIERS[(TIERS.indexOf(tier) + 1 + Math.floor(random() * 2)) % 3]!;
      changes.push({ op: 'upsert', customer, name, tier, at: t });
      // An order just after the change: it must get the new tier, whichever arrives first.
      orders.push({ customer, amount: 0, at: t + 500 + Math.floor(random() * 1_500) });
      // And one just before it: the old tier.
      orders.push({ customer, amount: 0, at: t - 500 - Math.floor(random() * 1_500) });
    }
    if (closes) changes.push({ op: 'delete', customer, name, tier, at: end });
  });
  for (let k = 0; k < 240; k++) orders.push({ customer: `c${String(1 + Math.floor(random() * NAMES.length)).padStart(2, '0')}`, amount: 0, at: START + Math.floor(random() * 10 * MINUTE) });
  const byArrival = <T extends { at: number; arrivedAt: number }>(xs: T[]) => xs.sort((a, b) => a.arrivedAt - b.arrivedAt || a.at - b.at);
  return {
    customers: byArrival(changes.map((c) => ({ ...c, arrivedAt: c.at + delay() }))),
    orders: byArrival(
      orders
        .sort((a, b) => a.at - b.at)
        .map((o, i) => ({ ...o, id: `o${String(i + 1).padStart(3, '0')}`, amount: Math.round((5 + random() * 195) * 100) / 100, arrivedAt: o.at + delay() })),
    ),
  };
}

// --- the pipeline --------------------------------------------------------------------------

/** What a run produced: the enriched orders in output order, and the join's late counts. */
export interface EnrichmentReport {
  readonly data: EnrichmentData;
  readonly enriched: readonly EnrichedOrder[];
  readonly metrics: Readonly<JoinMetrics>;
}

/** The price of an order for a customer row (or none). */
export function priced(order: Order, customer: CustomerChange | undefined): EnrichedOrder {
  const discount = customer === undefined ? 0 : DISCOUNT[customer.tier];
  return { order, customer, total: Math.round(order.amount * (1 - discount) * 100) / 100 };
}

/**
 * Runs the join synchronously, feeding orders and customer changes interleaved in the order
 * they arrived (ties: the change first), as two live inputs would.
 */
export function runEnrichmentExample(data: EnrichmentData = generateData()): EnrichmentReport {
  const orders$ = new Subject<Order>();
  const customers$ = new Subject<CustomerChange>();
  const stamp = { watermark: boundedOutOfOrderness(OUT_OF_ORDERNESS) };
  const join = temporalJoin(customers$.pipe(withEventTime({ timestamp: (c: CustomerChange) => c.at, ...stamp })), {
    key: (o: Order) => o.customer,
    tableKey: (c) => c.customer,
    isDelete: (c) => c.op === 'delete',
    outer: 'left',
    select: priced,
  });
  const enriched: EnrichedOrder[] = [];
  orders$.pipe(withEventTime({ timestamp: (o: Order) => o.at, ...stamp }), join, values()).subscribe((e) => enriched.push(e));
  let c = 0;
  for (const o of data.orders) {
    while (c < data.customers.length && data.customers[c]!.arrivedAt <= o.arrivedAt) customers$.next(data.customers[c++]!);
    orders$.next(o);
  }
  while (c < data.customers.length) customers$.next(data.customers[c++]!);
  orders$.complete();
  customers$.complete();
  return { data, enriched, metrics: join.metrics };
}

// --- the printout --------------------------------------------------------------------------

const clock = (t: number) => new Date(t).toISOString().slice(11, 19);
const dollars = (x: number) => `$${x.toFixed(2)}`;

/** One enriched order as a line of text. */
export function formatOrder({ order, customer, total }: EnrichedOrder): string {
  const who = customer === undefined ? `${order.customer}  (no customer record at this time)` : `${order.customer} ${customer.name.padEnd(6)} ${customer.tier.padEnd(6)}`;
  const price = customer === undefined || DISCOUNT[customer.tier] === 0 ? dollars(total) : `${dollars(order.amount)} − ${DISCOUNT[customer.tier] * 100}% = ${dollars(total)}`;
  return `${clock(order.at)}  ${order.id}  ${who}  ${price}`;
}

/**
 * The tier change of the order's customer within 2 s of the order, if any, and whether the two
 * arrived the other way round (the order first though it came after the change, or the reverse).
 */
export function nearChange(order: Order, customers: readonly CustomerChange[]): { change: CustomerChange; swapped: boolean } | undefined {
  const change = customers.find((c) => c.customer === order.customer && c.op === 'upsert' && Math.abs(order.at - c.at) <= 2 * SECOND && customers.some((p) => p.customer === c.customer && p.at < c.at));
  return change === undefined ? undefined : { change, swapped: order.at > change.at !== order.arrivedAt > change.arrivedAt };
}

/** The whole printout: a summary, the first orders, the orders just around a tier change. */
export function formatEnrichmentReport(report: EnrichmentReport, shown = 8): string {
  const { data, enriched, metrics } = report;
  const outOfOrder = data.orders.filter((o, i) => i > 0 && o.at < data.orders[i - 1]!.at).length;
  const noRecord = enriched.filter((e) => e.customer === undefined).length;
  const revenue = enriched.reduce((sum, e) => sum + e.total, 0);
  const around = enriched.flatMap((e) => {
    const near = nearChange(e.order, data.customers);
    return near === undefined ? [] : [{ e, ...near }];
  });
  const swapped = around.filter((a) => a.swapped);
  const note = ({ e, change }: (typeof around)[number]) =>
    `${e.order.at < change.at ? 'before' : 'after'} the change to ${change.tier} at ${clock(change.at)}.${String(change.at % SECOND).padStart(3, '0')}, arrived ${e.order.arrivedAt < change.arrivedAt ? 'before' : 'after'} it`;
  const lines = [
    `${data.orders.length} orders and ${data.customers.length} customer changes, 12:00–12:10 UTC; ` +
      `${outOfOrder} orders arrived after a later one (up to 4 s out of order; watermark bound ${OUT_OF_ORDERNESS / SECOND} s).`,
    '',
    `The first ${shown} orders in output (event-time) order, each with its customer as of the order's time:`,
    ...enriched.slice(0, shown).map((e) => `  ${formatOrder(e)}`),
    '',
    `${around.length} orders were placed within 2 s of a tier change of their customer; in ${swapped.length} of them the order and the change arrived the other way round, and the order still got the tier of its time:`,
    ...swapped.slice(0, shown).map((a) => `  ${formatOrder(a.e)}   (${note(a)})`),
    '',
    `${enriched.length} orders enriched, ${noRecord} without a customer record at their time (not signed up yet, or closed); ` +
      `revenue after discounts ${dollars(revenue)}; late: ${metrics.lateLeft} orders, ${metrics.lateRight} customer changes.`,
  ];
  return lines.join('\n');
}

if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) {
  console.log(formatEnrichmentReport(runEnrichmentExample()));
}
