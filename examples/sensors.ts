/**
 * The main example (`npm run example`): per-sensor temperature statistics in 5-minute
 * event-time windows, over an hour of readings from 12 sensors that arrive out of order,
 * some of them late, one sensor's minutes late.
 *
 *   readings (arrival order)
 *     → withEventTime(boundedOutOfOrderness(5 s))           stamps events, emits watermarks
 *     → windowAggregate(tumbling(5 min), key: sensor,
 *                       aggregate: stats, allowedLateness: 1 min)
 *     → values()                                            window results, in firing order
 *
 * Readings that are too late for their window go to the `tooLate` list (the `late` route);
 * readings with a broken timestamp go to the `rejected` list (the `deadLetter` route).
 *
 * The data is generated here, deterministically (a seeded PRNG: same seed, same output).
 * `runSensorsExample()` is exported so that test/examples/sensors.test.ts can check the
 * output against an independent batch computation.
 */
import { pathToFileURL } from 'node:url';
import { from } from 'rxjs';
import {
  boundedOutOfOrderness,
  tumbling,
  values,
  windowAggregate,
  withEventTime,
  type Aggregator,
  type DeadLetter,
  type Timestamped,
  type WindowResult,
} from 'tidemark';

// --- the data ------------------------------------------------------------------------------

/** One temperature reading, as a sensor sends it. */
export interface Reading {
  readonly sensor: string;
  /** Degrees Celsius, one decimal. */
  readonly celsius: number;
  /** When the reading was taken (event time), ms since the epoch. */
  readonly ts: number;
  /** When it reached us (processing time), ms since the epoch. Only used to order the input. */
  readonly arrivedAt: number;
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

/** 2024-03-01 08:00:00 UTC: the hour of data starts here. */
export const START = Date.UTC(2024, 2, 1, 8, 0, 0);
export const WINDOW = 5 * MINUTE;
export const OUT_OF_ORDERNESS = 5 * SECOND;
export const ALLOWED_LATENESS = 1 * MINUTE;

/** The sensors, with a typical temperature and how much it swings over the hour. */
export const SENSORS: readonly { id: string; base: number; swing: number }[] = [
  { id: 'cold-1', base: 3.5, swing: 0.8 },
  { id: 'cold-2', base: 4.2, swing: 1.1 },
  { id: 'freezer', base: -18.6, swing: 0.6 },
  { id: 'dock-a', base: 11.0, swing: 2.5 },
  { id: 'dock-b', base: 12.4, swing: 2.8 },
  { id: 'office1', base: 21.2, swing: 0.9 },
  { id: 'office2', base: 21.8, swing: 1.2 },
  { id: 'servers', base: 19.5, swing: 0.7 },
  { id: 'boiler', base: 31.0, swing: 3.5 },
  { id: 'roof', base: 7.8, swing: 4.0 },
  { id: 'bay', base: 10.1, swing: 2.2 },
  { id: 'lab', base: 22.4, swing: 0.5 },
];

/** A sensor reads every 10 s; jitter on the way to us is 50 ms to 4 s. */
const EVERY = 10 * SECOND;
/** `bay` has a flaky link: 10% of its readings are retried 20–58 s later. */
const FLAKY = { sensor: 'bay', share: 0.1, minDelay: 20 * SECOND, maxDelay: 58 * SECOND };
/** `dock-b` loses its connection, buffers its readings, and flushes them on reconnect. */
const OFFLINE = { sensor: 'dock-b', from: START + 21 * MINUTE + 30 * SECOND, until: START + 33 * MINUTE + 10 * SECOND };
/** `roof` has a firmware glitch: two of its readings come without a usable timestamp. */
const GLITCH = { sensor: 'roof', at: [START + 17 * MINUTE, START + 44 * MINUTE] };

/** mulberry32: a small, fast, seeded PRNG returning numbers in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An hour of readings from every sensor, in the order they arrive. Deterministic for a seed. */
export function generateReadings(seed = 20240301): Reading[] {
  const random = prng(seed);
  const readings: Reading[] = [];
  SENSORS.forEach(({ id, base, swing }, i) => {
    const phase = i * 0.7;
    for (let ts = START + i * 730; ts < START + 60 * MINUTE; ts += EVERY) {
      const hour = (ts - START) / (60 * MINUTE);
      const noise = (random() + random() + random() - 1.5) * 0.4;
      const celsius = Math.round((base + swing * Math.sin(2 * Math.PI * hour + phase) + noise) * 10) / 10;
      let arrivedAt = ts + 50 + Math.floor(random() * random() * 3_950);
      if (id === FLAKY.sensor && random() < FLAKY.share) {
        arrivedAt = ts + FLAKY.minDelay + Math.floor(random() * (FLAKY.maxDelay - FLAKY.minDelay));
      }
      if (id === OFFLINE.sensor && ts >= OFFLINE.from && ts < OFFLINE.until) {
        arrivedAt = OFFLINE.until + Math.floor((ts - OFFLINE.from) / 100); // the flush, oldest first
      }
      const glitch = id === GLITCH.sensor && GLITCH.at.some((g) => ts >= g && ts < g + EVERY);
      readings.push({ sensor: id, celsius, ts: glitch ? Number.NaN : ts, arrivedAt });
    }
  });
  // Array.prototype.sort is stable: readings that arrive at the same millisecond keep sensor order.
  return readings.sort((a, b) => a.arrivedAt - b.arrivedAt);
}

// --- the aggregation -----------------------------------------------------------------------

/** What each window reports. */
export interface Stats {
  readonly count: number;
  readonly avg: number;
  readonly min: number;
  readonly max: number;
}

/** The accumulator: a plain object (state must be structured-cloneable). */
interface StatsAcc {
  n: number;
  /** Sum in tenths of a degree: integers, so the sum is exact in any arrival order. */
  tenths: number;
  min: number;
  max: number;
}

/** A user-defined aggregator: count, average, minimum and maximum in one pass. */
export const stats: Aggregator<Reading, StatsAcc, Stats> = {
  create: () => ({ n: 0, tenths: 0, min: Infinity, max: -Infinity }),
  add: (acc, r) => {
    acc.n += 1;
    acc.tenths += Math.round(r.celsius * 10);
    acc.min = Math.min(acc.min, r.celsius);
    acc.max = Math.max(acc.max, r.celsius);
    return acc;
  },
  merge: (a, b) => ({ n: a.n + b.n, tenths: a.tenths + b.tenths, min: Math.min(a.min, b.min), max: Math.max(a.max, b.max) }),
  result: (acc) => ({ count: acc.n, avg: acc.tenths / acc.n / 10, min: acc.min, max: acc.max }),
};

// --- the pipeline --------------------------------------------------------------------------

/** Everything the example produced. */
export interface SensorsReport {
  /** The input, in arrival order. */
  readonly readings: readonly Reading[];
  /** Every window firing, in output order: on-time results and late re-firings. */
  readonly rows: readonly WindowResult<string, Stats>[];
  /** Readings too late even for the allowed lateness (the `late` route). */
  readonly tooLate: readonly Timestamped<Reading>[];
  /** Readings whose timestamp is not a finite number (the `deadLetter` route). */
  readonly rejected: readonly DeadLetter<Reading>[];
  /** The window operator's `metrics.lateEvents`: how many readings it found too late. */
  readonly lateEvents: number;
  /** Its `metrics.droppedLateEvents`: too-late readings dropped for want of a `late` route (0 here: there is one). */
  readonly droppedLateEvents: number;
  /** withEventTime's `metrics.behindWatermark`: readings that arrived behind the watermark already emitted. */
  readonly behindWatermark: number;
}

/** Runs the pipeline over the generated readings (synchronously: the input is an array). */
export function runSensorsExample(seed?: number): SensorsReport {
  const readings = generateReadings(seed);
  const rows: WindowResult<string, Stats>[] = [];
  const tooLate: Timestamped<Reading>[] = [];
  const rejected: DeadLetter<Reading>[] = [];
  // Operators keep counts in their `metrics`: keep a reference to read them.
  const stamp = withEventTime({
    timestamp: (r: Reading) => r.ts,
    watermark: boundedOutOfOrderness(OUT_OF_ORDERNESS),
    deadLetter: (d) => rejected.push(d),
  });
  const perWindow = windowAggregate({
    window: tumbling(WINDOW),
    key: (r: Reading) => r.sensor,
    aggregate: stats,
    allowedLateness: ALLOWED_LATENESS,
    late: (e) => tooLate.push(e),
  });

  from(readings)
    .pipe(stamp, perWindow, values())
    .subscribe((row) => rows.push(row));

  const { lateEvents, droppedLateEvents } = perWindow.metrics;
  return { readings, rows, tooLate, rejected, lateEvents, droppedLateEvents, behindWatermark: stamp.metrics.behindWatermark };
}

// --- the report ----------------------------------------------------------------------------

const hhmm = (t: number) => new Date(t).toISOString().slice(11, 16);
const hhmmss = (t: number) => new Date(t).toISOString().slice(11, 19);
const c1 = (x: number) => x.toFixed(1);

/** Renders the report as text tables. */
export function formatReport(report: SensorsReport): string {
  const { readings, rows, tooLate, rejected, lateEvents, droppedLateEvents, behindWatermark } = report;
  const out: string[] = [];
  const line = (s = '') => out.push(s);

  const windows = [...new Set(rows.map((r) => r.start))].sort((a, b) => a - b);
  const final = new Map<string, WindowResult<string, Stats>>(); // last firing per sensor and window
  const refired = new Set<string>();
  for (const r of rows) {
    final.set(`${r.key}@${r.start}`, r);
    if (r.firing === 'late') refired.add(`${r.key}@${r.start}`);
  }

  line(`tidemark example: ${SENSORS.length} sensors, ${hhmm(START)}–${hhmm(START + 60 * MINUTE)} UTC, ${readings.length} readings in arrival order`);
  let maxTs = -Infinity;
  let disordered = 0;
  for (const r of readings) {
    if (r.ts < maxTs) disordered++;
    if (r.ts > maxTs) maxTs = r.ts;
  }
  line(`${disordered} readings arrived after a reading taken later than them (out of order); ${behindWatermark} of them behind the watermark`);
  line('(an event behind the watermark still counts in a window that has not fired yet; for one that has, it is late)');
  line(`withEventTime(boundedOutOfOrderness(5 s)) → windowAggregate(tumbling(5 min), key: sensor, allowedLateness: 1 min)`);
  line(`${rows.filter((r) => r.firing === 'on-time').length} on-time window results, ${rows.filter((r) => r.firing === 'late').length} late re-firings`);
  line();
  // Readings of each sensor and window that came too late even for the allowed lateness.
  const lost = new Map<string, number>();
  for (const e of tooLate) {
    const id = `${e.value.sensor}@${e.timestamp - (e.timestamp % WINDOW)}`;
    lost.set(id, (lost.get(id) ?? 0) + 1);
  }
  line('Average °C per sensor and 5-minute window (final value)');
  line('  * = updated by a late re-firing   ! = readings of it too late even for the lateness (see below)   - = no result');
  line(['sensor  ', ...windows.map((w) => hhmm(w).padStart(8))].join(''));
  for (const { id } of SENSORS) {
    const cells = windows.map((w) => {
      const r = final.get(`${id}@${w}`);
      const marks = (refired.has(`${id}@${w}`) ? '*' : '') + (lost.has(`${id}@${w}`) ? '!' : '');
      return ((r === undefined ? '-' : c1(r.value.avg)) + marks.padEnd(2)).padStart(8);
    });
    line([id.padEnd(8), ...cells].join(''));
  }

  const detail = FLAKY.sensor;
  line();
  line(`Detail for ${detail}: every firing`);
  line('window          firing    count   avg    min    max');
  for (const r of rows.filter((x) => x.key === detail)) {
    const v = r.value;
    line(`${hhmm(r.start)}–${hhmm(r.end)}     ${r.firing.padEnd(8)} ${String(v.count).padStart(5)} ${c1(v.avg).padStart(6)} ${c1(v.min).padStart(6)} ${c1(v.max).padStart(6)}`);
  }

  const lateRows = rows.filter((r) => r.firing === 'late');
  line();
  line(`Late re-firings (readings after the window fired, within the 1-minute allowed lateness): ${lateRows.length} re-firings of ${refired.size} windows`);
  const previous = new Map<string, Stats>();
  for (const r of rows) {
    const id = `${r.key}@${r.start}`;
    const before = previous.get(id);
    if (r.firing === 'late') {
      const was = before === undefined ? 'no on-time result' : `count ${before.count}, avg ${c1(before.avg)}`;
      line(`  ${r.key.padEnd(8)} ${hhmm(r.start)}–${hhmm(r.end)}   ${was} → count ${r.value.count}, avg ${c1(r.value.avg)}`);
    }
    previous.set(id, r.value);
  }

  line();
  line(
    `Too late for the allowed lateness → the \`late\` list: ${tooLate.length} readings ` +
      `(metrics.lateEvents = ${lateEvents}, droppedLateEvents = ${droppedLateEvents})`,
  );
  const bySensor = new Map<string, Timestamped<Reading>[]>();
  for (const e of tooLate) bySensor.set(e.value.sensor, [...(bySensor.get(e.value.sensor) ?? []), e]);
  for (const [sensor, es] of bySensor) {
    const ts = es.map((e) => e.timestamp);
    const arrived = es.map((e) => e.value.arrivedAt);
    line(
      `  ${sensor.padEnd(8)} ${es.length} readings taken ${hhmmss(Math.min(...ts))}–${hhmmss(Math.max(...ts))}, ` +
        `arrived ${hhmmss(Math.min(...arrived))}–${hhmmss(Math.max(...arrived))}`,
    );
    for (const w of windows) {
      const n = lost.get(`${sensor}@${w}`);
      if (n === undefined) continue;
      const r = final.get(`${sensor}@${w}`);
      const of = n + (r?.value.count ?? 0);
      line(`    window ${hhmm(w)}–${hhmm(w + WINDOW)}: ${n} of its ${of} readings too late${r === undefined ? ' (all: no result)' : `, result from ${r.value.count}`}`);
    }
  }
  line();
  line(`Bad timestamps → the \`deadLetter\` list: ${rejected.length} readings`);
  for (const d of rejected) line(`  ${d.input.sensor.padEnd(8)} arrived ${hhmmss(d.input.arrivedAt)}: ${d.error.name}`);
  if (rejected[0] !== undefined) line(`  (message: ${rejected[0].error.message})`);

  const counted = [...final.values()].reduce((n, r) => n + r.value.count, 0);
  line();
  line(`Every reading is accounted for: ${counted} in window results + ${tooLate.length} too late + ${rejected.length} rejected = ${counted + tooLate.length + rejected.length} of ${readings.length}`);
  return out.join('\n');
}

if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) {
  console.log(formatReport(runSensorsExample()));
}
