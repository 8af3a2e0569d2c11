/**
 * Fraud detection with keyed state and timers (`npm run example:fraud`): Flink's
 * `KeyedProcessFunction` fraud detector, in event time, over an hour of card transactions
 * that arrive out of order.
 *
 *   transactions (arrival order, up to 4 s late)
 *     → withEventTime(boundedOutOfOrderness(5 s))       stamps events, emits watermarks
 *     → keyedProcess(key: card, the detector below)     alerts, as events
 *     → values()
 *
 * Two rules, per card:
 * - rapid use: three or more uses within 10 s of event time (the uses of the last 10 s are a
 *   list state whose TTL is 10 s: it holds exactly them);
 * - small then large: a transaction under $1 (a card thief's test) followed within a minute by
 *   one over $500 (a value state, cleared by a timer one minute after the small transaction).
 *
 * Transactions arrive out of order, and the rules depend on order ("followed by"). So the
 * detector first buffers each transaction (a map state, by event time) until the watermark
 * passes it, and runs the rules from an event-time timer, in event-time order (ties by id):
 * the alerts are the same for any arrival order within the bound, and equal a batch
 * computation over the sorted data (test/examples/fraud.test.ts checks that). Three pairs of
 * the data are a small and a large transaction 1–2 s apart whose large one arrives first: a
 * detector that ran the rules in arrival order would miss them.
 *
 * The data is generated here from a fixed seed: every run prints the same.
 */
import { pathToFileURL } from 'node:url';
import { from } from 'rxjs';
import { boundedOutOfOrderness, emits, keyedProcess, listState, mapState, valueState, values, withEventTime, type KeyedProcessMetrics } from 'tidemark';

// --- the data ------------------------------------------------------------------------------

/** A card transaction. */
export interface Txn {
  readonly id: string;
  readonly card: string;
  /** Dollars, two decimals. */
  readonly amount: number;
  /** When it happened (event time), ms since the epoch. */
  readonly at: number;
  /** When it reached us (processing time): only used to order the input. */
  readonly arrivedAt: number;
}

/** What the detector emits. */
export interface Alert {
  readonly card: string;
  readonly rule: 'rapid-use' | 'small-then-large';
  /** The event time of the transaction that completed the pattern. */
  readonly at: number;
  /** The transactions that make up the pattern, in event-time order. */
  readonly txns: readonly string[];
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
/** 2024-03-01 09:00:00 UTC. */
export const START = Date.UTC(2024, 2, 1, 9, 0, 0);
export const OUT_OF_ORDERNESS = 5 * SECOND;
export const RAPID = { uses: 3, within: 10 * SECOND };
export const SMALL_THEN_LARGE = { small: 1, large: 500, within: MINUTE };

/** mulberry32: a small, fast, seeded PRNG returning numbers in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * An hour of transactions of 150 cards (about 12 each, some small, some large), with fraud
 * patterns mixed in: bursts of 3 to 5 uses seconds apart, a small transaction followed 10–50 s
 * later by a large one, three small-then-large pairs 1–2 s apart whose large one arrives first,
 * and decoys that must not alert (a large one 61–90 s after a small one, two uses close
 * together). Each arrives 0–4 s after it happened, in arrival order.
 */
export function generateTransactions(seed = 20240301): Txn[] {
  const random = prng(seed);
  // `delay`: how long after it happened a transaction arrives (random when not given).
  const draft: (Omit<Txn, 'id' | 'arrivedAt'> & { delay?: number })[] = [];
  const cards = Array.from({ length: 150 }, (_, i) => `4000-${String(1000 + i * 37).padStart(4, '0')}`);
  const cents = (x: number) => Math.round(x * 100) / 100;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const at = () => START + Math.floor(random() * 55 * MINUTE);
  for (const card of cards) {
    for (let t = START + Math.floor(random() * 5 * MINUTE); t < START + 60 * MINUTE; t += Math.floor(MINUTE + random() * 9 * MINUTE)) {
      const r = random();
      draft.push({ card, at: t, amount: cents(r < 0.03 ? 0.1 + random() * 0.89 : r < 0.06 ? 600 + random() * 900 : 3 + random() * 150) });
    }
  }
  for (let i = 0; i < 8; i++) {
    const card = pick(cards);
    const from = at();
    const n = 3 + Math.floor(random() * 3);
    for (let k = 0, t = from; k < n; k++, t += SECOND + Math.floor(random() * 2 * SECOND)) draft.push({ card, at: t, amount: cents(20 + random() * 80) });
  }
  for (let i = 0; i < 8; i++) {
    const card = pick(cards);
    const t = at();
    draft.push({ card, at: t, amount: cents(0.1 + random() * 0.8) });
    draft.push({ card, at: t + 10 * SECOND + Math.floor(random() * 40 * SECOND), amount: cents(550 + random() * 1_500) });
  }
  for (let i = 0; i < 3; i++) {
    // The large one 1–2 s after the small one, arriving first: only event-time order sees the pattern.
    const card = pick(cards);
    const t = at();
    draft.push({ card, at: t, amount: cents(0.1 + random() * 0.8), delay: 3_900 });
    draft.push({ card, at: t + SECOND + Math.floor(random() * SECOND), amount: cents(700 + random() * 800), delay: 0 });
  }
  for (let i = 0; i < 4; i++) {
    const card = pick(cards);
    const t = at();
    draft.push({ card, at: t, amount: cents(0.5) });
    draft.push({ card, at: t + 61 * SECOND + Math.floor(random() * 29 * SECOND), amount: cents(900) }); // too late to match
    draft.push({ card, at: t + 2 * MINUTE, amount: cents(40) });
    draft.push({ card, at: t + 2 * MINUTE + 4 * SECOND, amount: cents(15) }); // two uses: not rapid
  }
  draft.sort((a, b) => a.at - b.at);
  return draft
    .map(({ delay, ...d }, i) => ({ ...d, id: `t${String(i + 1).padStart(4, '0')}`, arrivedAt: d.at + (delay ?? Math.floor(random() * 4 * SECOND)) }))
    .sort((a, b) => a.arrivedAt - b.arrivedAt || a.at - b.at);
}

// --- the detector --------------------------------------------------------------------------

/** The fraud detector: `keyedProcess` keyed by card. */
export function fraudDetector() {
  return keyedProcess({
    key: (t: Txn) => t.card,
    state: {
      /** Transactions waiting for the watermark, by event time. */
      pending: mapState<number, Txn[]>(),
      /** The card's uses of the last 10 s of event time: a TTL keeps exactly those. */
      recent: listState<string>({ ttl: { eventTime: RAPID.within } }),
      /** The last small transaction, until it is followed by a large one or a minute has passed. */
      small: valueState<{ id: string; at: number }>(),
    },
    output: emits<Alert>(),
    onEvent(txn, ctx) {
      const { pending } = ctx.state;
      pending.set(ctx.timestamp, [...(pending.get(ctx.timestamp) ?? []), txn]);
      ctx.timers.registerEventTime(ctx.timestamp); // fires when the watermark reaches it: every earlier transaction is in
    },
    onTimer(t, ctx) {
      const { pending, recent, small } = ctx.state;
      const due = (pending.get(t) ?? []).sort((a, b) => (a.id < b.id ? -1 : 1));
      pending.delete(t);
      for (const txn of due) {
        // Rapid use: the recent list holds the uses written less than 10 s before t.
        recent.add(txn.id);
        const uses = recent.get();
        if (uses.length >= RAPID.uses) ctx.emit({ card: ctx.key, rule: 'rapid-use', at: t, txns: uses });
        // Small then large.
        const armed = small.get();
        if (txn.amount > SMALL_THEN_LARGE.large && armed !== undefined && t - armed.at < SMALL_THEN_LARGE.within) {
          ctx.emit({ card: ctx.key, rule: 'small-then-large', at: t, txns: [armed.id, txn.id] });
          small.clear();
        }
        if (txn.amount < SMALL_THEN_LARGE.small) {
          // A new small transaction re-arms the card: drop the old one's clearing timer, unless
          // transactions wait at that time (timers are unique per key and time: it is theirs too).
          if (armed !== undefined && !pending.has(armed.at + SMALL_THEN_LARGE.within)) ctx.timers.deleteEventTime(armed.at + SMALL_THEN_LARGE.within);
          small.set({ id: txn.id, at: t });
          ctx.timers.registerEventTime(t + SMALL_THEN_LARGE.within);
        }
      }
      // The timer a minute after the small transaction: the card is no longer armed.
      const armed = small.get();
      if (armed !== undefined && armed.at + SMALL_THEN_LARGE.within <= t) small.clear();
    },
  });
}

// --- running it ----------------------------------------------------------------------------

/** What a run gives: the input, the alerts in the order they were emitted, and the detector's metrics. */
export interface FraudReport {
  readonly txns: readonly Txn[];
  readonly alerts: readonly Alert[];
  readonly metrics: Readonly<KeyedProcessMetrics>;
}

/** Runs the detector over `txns` (by default the generated hour), synchronously. */
export function runFraudExample(txns: readonly Txn[] = generateTransactions()): FraudReport {
  const detector = fraudDetector();
  const alerts: Alert[] = [];
  from(txns)
    .pipe(withEventTime({ timestamp: (t) => t.at, watermark: boundedOutOfOrderness(OUT_OF_ORDERNESS) }), detector, values())
    .subscribe((a) => alerts.push(a));
  return { txns, alerts, metrics: detector.metrics };
}

const clock = (t: number) => new Date(t).toISOString().slice(11, 19);
const dollars = (x: number) => `$${x.toFixed(2)}`;
const seconds = (ms: number) => `${(ms / SECOND).toFixed(1)} s`;

/** One alert as a line of text. */
export function formatAlert(alert: Alert, byId: ReadonlyMap<string, Txn>): string {
  const txns = alert.txns.map((id) => byId.get(id)!);
  const what =
    alert.rule === 'rapid-use'
      ? `rapid use: ${txns.length} uses in ${seconds(alert.at - txns[0]!.at)} (${txns.map((t) => dollars(t.amount)).join(', ')})`
      : `small then large: ${dollars(txns[0]!.amount)} at ${clock(txns[0]!.at)}, then ${dollars(txns[1]!.amount)} ${seconds(txns[1]!.at - txns[0]!.at)} later`;
  return `${clock(alert.at)}  card ${alert.card}  ${what}`;
}

/** The whole printout. */
export function formatFraudReport(report: FraudReport): string {
  const byId = new Map(report.txns.map((t) => [t.id, t]));
  const outOfOrder = report.txns.filter((t, i) => i > 0 && t.at < report.txns[i - 1]!.at).length;
  const rapid = report.alerts.filter((a) => a.rule === 'rapid-use').length;
  const lines = [
    `${report.txns.length} transactions of ${new Set(report.txns.map((t) => t.card)).size} cards, 09:00–10:00 UTC; ` +
      `${outOfOrder} arrived after a later one (up to 4 s out of order; watermark bound ${OUT_OF_ORDERNESS / SECOND} s).`,
    '',
    `${report.alerts.length} alerts (${rapid} rapid use, ${report.alerts.length - rapid} small then large), in event-time order:`,
    ...report.alerts.map((a) => `  ${formatAlert(a, byId)}`),
    '',
    `keyedProcess metrics: ${report.metrics.events} events, ${report.metrics.eventTimeTimers} timers fired, ` +
      `${report.metrics.expired} expired list entries cleaned up, ${report.metrics.emitted} alerts emitted.`,
  ];
  return lines.join('\n');
}

if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) {
  console.log(formatFraudReport(runFraudExample()));
}
