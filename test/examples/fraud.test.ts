import { describe, expect, it } from 'vitest';
import {
  OUT_OF_ORDERNESS,
  RAPID,
  SMALL_THEN_LARGE,
  formatFraudReport,
  generateTransactions,
  runFraudExample,
  type Alert,
  type Txn,
} from '../../examples/fraud.js';

/**
 * The batch computation, independent of the detector: per card, the transactions sorted by
 * (time, id); rapid use when the transactions of the last 10 s (those less than 10 s before,
 * in that order) number 3 or more; small then large when a transaction over $500 comes less
 * than a minute after the last small one not yet matched.
 */
function batch(txns: readonly Txn[]): Alert[] {
  const alerts: Alert[] = [];
  const byCard = new Map<string, Txn[]>();
  for (const t of txns) byCard.set(t.card, [...(byCard.get(t.card) ?? []), t]);
  for (const [card, list] of byCard) {
    const sorted = [...list].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
    let armed: Txn | undefined;
    sorted.forEach((t, i) => {
      const recent = sorted.slice(0, i + 1).filter((u) => t.at - u.at < RAPID.within);
      if (recent.length >= RAPID.uses) alerts.push({ card, rule: 'rapid-use', at: t.at, txns: recent.map((u) => u.id) });
      if (t.amount > SMALL_THEN_LARGE.large && armed !== undefined && t.at - armed.at < SMALL_THEN_LARGE.within) {
        alerts.push({ card, rule: 'small-then-large', at: t.at, txns: [armed.id, t.id] });
        armed = undefined;
      }
      if (t.amount < SMALL_THEN_LARGE.small) armed = t;
    });
  }
  return alerts;
}

const canonical = (alerts: readonly Alert[]) => [...alerts].sort((a, b) => a.at - b.at || (a.card < b.card ? -1 : a.card > b.card ? 1 : a.rule < b.rule ? -1 : 1));

/** Deterministic shuffles of the arrival order within the bound: each transaction delayed by up to `bound`. */
function rearrive(txns: readonly Txn[], seed: number): Txn[] {
  let s = seed;
  const next = () => ((s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0) / 4_294_967_296);
  return txns
    .map((t) => ({ ...t, arrivedAt: t.at + Math.floor(next() * OUT_OF_ORDERNESS) }))
    .sort((a, b) => a.arrivedAt - b.arrivedAt || a.at - b.at);
}

describe('examples/fraud', () => {
  const report = runFraudExample();

  it('exhibits what it claims: out-of-order arrival, both rules, decoys that must not alert', () => {
    const txns = report.txns;
    expect(txns.filter((t, i) => i > 0 && t.at < txns[i - 1]!.at).length).toBeGreaterThan(100);
    expect(Math.max(...txns.map((t) => t.arrivedAt - t.at))).toBeLessThan(OUT_OF_ORDERNESS);
    expect(report.alerts.filter((a) => a.rule === 'rapid-use').length).toBeGreaterThanOrEqual(8);
    expect(report.alerts.filter((a) => a.rule === 'small-then-large').length).toBeGreaterThanOrEqual(8);
    // A decoy: a small transaction, then a large one more than a minute later, on the same card: no alert for the pair.
    const decoys = txns.filter((t) => t.amount === 900);
    expect(decoys.length).toBeGreaterThan(0);
    for (const large of decoys) {
      const small = txns.find((t) => t.card === large.card && t.amount === 0.5 && large.at - t.at > SMALL_THEN_LARGE.within);
      expect(small).toBeDefined();
      expect(report.alerts.some((a) => a.txns.includes(small!.id) && a.txns.includes(large.id))).toBe(false);
    }
  });

  it('catches the small-then-large pairs whose large transaction arrives first', () => {
    const byId = new Map(report.txns.map((t, i) => [t.id, { t, i }]));
    const swapped = report.alerts.filter((a) => a.rule === 'small-then-large' && byId.get(a.txns[1]!)!.i < byId.get(a.txns[0]!)!.i);
    expect(swapped.length).toBeGreaterThanOrEqual(3);
  });

  it.each([undefined, 1, 2, 3])('its alerts equal the batch computation over the sorted data (seed %s)', (seed) => {
    const run = seed === undefined ? report : runFraudExample(generateTransactions(seed));
    expect(canonical(run.alerts)).toEqual(canonical(batch(run.txns)));
  });

  it.each([11, 12, 13])('its alerts are the same for another arrival order within the bound (shuffle %i)', (shuffle) => {
    const again = runFraudExample(rearrive(report.txns, shuffle));
    expect(again.txns).not.toEqual(report.txns);
    expect(canonical(again.alerts)).toEqual(canonical(report.alerts));
  });

  it('emits alerts in event-time order, and keeps its state bounded: every buffered transaction and recent use is cleaned up', () => {
    const at = report.alerts.map((a) => a.at);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(report.metrics.events).toBe(report.txns.length);
    expect(report.metrics.expired).toBe(report.txns.length); // each use leaves the recent list through its TTL
    expect(report.metrics.emitted).toBe(report.alerts.length);
  });

  it('prints a readable alert per line, fast', () => {
    const started = performance.now();
    const text = formatFraudReport(runFraudExample());
    expect(performance.now() - started).toBeLessThan(1_000);
    const lines = text.split('\n');
    expect(lines.filter((l) => /^ {2}\d\d:\d\d:\d\d {2}card 4000-\d{4} {2}(rapid use: \d uses in \d+\.\d s|small then large: \$0\.\d\d at \d\d:\d\d:\d\d, then \$\d+\.\d\d \d+\.\d s later)/.test(l))).toHaveLength(report.alerts.length);
    expect(text).toContain(`${report.alerts.length} alerts (`);
  });
});
