import type { ChainResult, ChainVariant } from './chainCost.js';
import type { GenerationResult } from './generation.js';
import type { Ratio } from './measure.js';
import type { MemoryResult } from './memoryCheck.js';
import type { ScaleDimension, ScaleResult } from './scaleJobs.js';

/**
 * The bench's markdown tables, from results (run.ts prints them as it goes; tables.ts
 * prints them from `--json` files, for docs/performance.md).
 */

/** One query's row as written to `--json`. */
export interface JsonRow {
  readonly query: string;
  readonly title: string;
  readonly events: number;
  readonly outputs: number;
  readonly params: string;
  readonly target: number;
  readonly tidemarkEventsPerSec: number;
  readonly bestEventsPerSec: number;
  readonly straightforwardEventsPerSec: number;
  readonly ratio: Ratio;
  readonly ratioStraightforward: Ratio;
  readonly bestSpeedup: Ratio;
  readonly peakHeapBytes: { readonly tidemark: number; readonly best: number; readonly straightforward: number };
  readonly cpuSeconds: { readonly tidemark: number[]; readonly best: number[]; readonly straightforward: number[] };
  readonly passes: { readonly tidemark: number; readonly best: number; readonly straightforward: number };
  readonly generationSeconds: number;
}

/** What `--json` writes. */
export interface BenchJson {
  readonly node: string;
  readonly cpus: number;
  readonly commit: string;
  readonly quick: boolean;
  /** `os.loadavg()` at the start and at the end of the run. */
  readonly load: { readonly start: readonly number[]; readonly end: readonly number[] };
  readonly method: string;
  readonly results: readonly JsonRow[];
  readonly generation: readonly GenerationResult[];
  readonly chain: ChainResult | undefined;
  readonly memory: readonly MemoryResult[];
}

export const fmtRate = (x: number): string => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : `${(x / 1e3).toFixed(0)} K`);
const fmtMB = (x: number): string => `${(x / 2 ** 20).toFixed(0)} MB`;
const fmtRatio = (r: Ratio): string => `${r.value.toFixed(2)} (${r.range[0].toFixed(2)}–${r.range[1].toFixed(2)})`;

/** A markdown table; columns from `numeric` on are right-aligned. */
export function markdown(head: readonly string[], body: readonly (readonly string[])[], numeric = 1): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => (i >= numeric ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i >= numeric ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(head), rule, ...body.map(line)].join('\n');
}

/** The main table: rates of the three sides, the best loop's speedup, both ratios with their spreads. */
export function resultsTable(rows: readonly JsonRow[]): string {
  const head = ['query', 'what', 'events', 'tidemark ev/CPU-s', 'best ev/CPU-s', 'straightforward ev/CPU-s', 'best ÷ straightforward', 'ratio vs best', 'target', 'ratio vs straightforward', 'peak heap tidemark / best'];
  const body = rows.map((r) => [
    r.query,
    r.title,
    r.events.toLocaleString('en-US'),
    fmtRate(r.tidemarkEventsPerSec),
    fmtRate(r.bestEventsPerSec),
    fmtRate(r.straightforwardEventsPerSec),
    `${r.bestSpeedup.value.toFixed(2)}×`,
    fmtRatio(r.ratio),
    `${r.ratio.value >= r.target ? '≥' : '<'} ${r.target}`,
    fmtRatio(r.ratioStraightforward),
    `${fmtMB(r.peakHeapBytes.tidemark)} / ${fmtMB(r.peakHeapBytes.best)}`,
  ]);
  return markdown(head, body, 2);
}

/** Quick and full runs side by side: each ratio (vs best) with its spread, and the difference. */
export function quickVsFullTable(quick: readonly JsonRow[], full: readonly JsonRow[]): string {
  const head = ['query', 'quick: events', 'quick: ratio vs best', 'full: events', 'full: ratio vs best', 'quick − full', 'quick: vs straightforward', 'full: vs straightforward'];
  const body = full.flatMap((f) => {
    const q = quick.find((x) => x.query === f.query);
    if (q === undefined) return [];
    const d = q.ratio.value - f.ratio.value;
    return [[f.query, q.events.toLocaleString('en-US'), fmtRatio(q.ratio), f.events.toLocaleString('en-US'), fmtRatio(f.ratio), `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(2)}`, fmtRatio(q.ratioStraightforward), fmtRatio(f.ratioStraightforward)]];
  });
  return markdown(head, body);
}

/** Per core, including generation, next to Flink's published per-core figures. */
export function generationTable(rows: readonly GenerationResult[]): string {
  const head = ['query', 'events', 'generator alone', 'tidemark incl. generation', 'best loop incl. generation', 'Flink 2.x per core (published)', 'tidemark ÷ Flink'];
  const body = rows.map((g) => {
    const flink = g.flinkPerCore;
    const flinkText = flink === undefined ? '—' : flink[0] === flink[1] ? `≈ ${fmtRate(flink[0])}` : `≈ ${fmtRate(flink[0])}–${fmtRate(flink[1])}`;
    const vs = flink === undefined ? '—' : `${(g.tidemarkEventsPerSec / ((flink[0] + flink[1]) / 2)).toFixed(0)}×`;
    return [g.query, g.events.toLocaleString('en-US'), fmtRate(g.generatorEventsPerSec), fmtRate(g.tidemarkEventsPerSec), fmtRate(g.bestEventsPerSec), flinkText, vs];
  });
  return markdown(head, body);
}

/** The RxJS-in-a-chain row. */
export function chainTable(chain: ChainResult): string {
  const base = chain.nsPerEvent['tidemark only'].median;
  const head = ['5-stage tidemark chain', 'CPU ns / event (median)', 'samples', 'vs tidemark only'];
  const body = (Object.keys(chain.nsPerEvent) as ChainVariant[]).map((v) => {
    const s = chain.nsPerEvent[v];
    return [v, s.median.toFixed(0), `${s.range[0].toFixed(0)}–${s.range[1].toFixed(0)}`, `${(s.median / base).toFixed(2)}×`];
  });
  return markdown(head, body);
}

export function memoryTable(results: readonly MemoryResult[]): string {
  const head = ['query', ...results[0]!.points.map((p) => `heap at ${(p.events / 1e6).toFixed(0)} M events`), 'growth', 'outputs', 'CPU-s incl. generation'];
  const body = results.map((m) => [
    m.query,
    ...m.points.map((p) => fmtMB(p.heapUsedBytes)),
    `×${m.growth.toFixed(2)} ${m.growth <= 2 ? '(bounded)' : '(NOT bounded)'}`,
    m.outputs.toLocaleString('en-US'),
    m.cpuSeconds.toFixed(1),
  ]);
  return markdown(head, body);
}

const perUnit = (bytes: number, units: number): string => (units > 0 ? `${Math.round(bytes / units).toLocaleString('en-US')}` : '—');
const ns = (eventsPerSec: number): string => (1e9 / eventsPerSec).toFixed(0);

/** The scale tables: one per dimension. */
export function scaleTables(results: readonly ScaleResult[]): string {
  const of = (d: ScaleDimension): ScaleResult[] => results.filter((r) => r.dimension === d);
  const parts: string[] = [];
  const keys = of('keys');
  if (keys.length > 0) {
    const head = ['keys', 'events', 'tidemark ev/CPU-s', 'best ev/CPU-s', 'ratio', 'heap B/key tidemark', 'heap B/key best'];
    const body = keys.map((r) => [r.value.toLocaleString('en-US'), r.events.toLocaleString('en-US'), fmtRate(r.tidemarkEventsPerSec), fmtRate(r.bestEventsPerSec), fmtRatio(r.ratio), perUnit(r.tidemarkHeapBytes, r.units), perUnit(r.bestHeapBytes, r.units)]);
    parts.push(`Tumbling 60 s count per key, by number of keys:\n\n${markdown(head, body)}`);
  }
  const slid = of('sliding');
  if (slid.length > 0) {
    const first = slid[0]!;
    const head = ['size/slide', 'events', 'tidemark ns/event', `÷ at ${first.value}`, 'best ns/event', `÷ at ${first.value}`, 'ratio', 'heap B/(key, window) tidemark', 'best'];
    const body = slid.map((r) => [
      String(r.value),
      r.events.toLocaleString('en-US'),
      ns(r.tidemarkEventsPerSec),
      `${(first.tidemarkEventsPerSec / r.tidemarkEventsPerSec).toFixed(2)}×`,
      ns(r.bestEventsPerSec),
      `${(first.bestEventsPerSec / r.bestEventsPerSec).toFixed(2)}×`,
      fmtRatio(r.ratio),
      perUnit(r.tidemarkHeapBytes, r.units),
      perUnit(r.bestHeapBytes, r.units),
    ]);
    parts.push(`Sliding-window count per key (100 keys, slide 1 s), by size/slide (target: tidemark flat within 1.5× from 2 to 100):\n\n${markdown(head, body)}`);
  }
  const sess = of('sessions');
  if (sess.length > 0) {
    const head = ['live sessions (target)', 'live sessions (measured)', 'events', 'tidemark ev/CPU-s', 'best ev/CPU-s', 'ratio', 'heap B/session tidemark', 'heap B/session best'];
    const body = sess.map((r) => [r.value.toLocaleString('en-US'), r.units.toLocaleString('en-US'), r.events.toLocaleString('en-US'), fmtRate(r.tidemarkEventsPerSec), fmtRate(r.bestEventsPerSec), fmtRatio(r.ratio), perUnit(r.tidemarkHeapBytes, r.units), perUnit(r.bestHeapBytes, r.units)]);
    parts.push(`Session count per key (gap 2 s, a key's events 1 s apart, keys replaced every 5 s), by live sessions:\n\n${markdown(head, body)}`);
  }
  return parts.join('\n\n');
}
