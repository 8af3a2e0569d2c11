import { describe, expect, it } from 'vitest';
import {
  ALLOWED_LATENESS,
  OUT_OF_ORDERNESS,
  WINDOW,
  formatReport,
  generateReadings,
  runSensorsExample,
  type Reading,
  type Stats,
} from '../../examples/sensors.js';

/** Stats computed directly from a list of readings (no accumulator, no merge). */
function batchStats(rs: readonly Reading[]): Stats {
  const tenths = rs.reduce((s, r) => s + Math.round(r.celsius * 10), 0);
  return {
    count: rs.length,
    avg: tenths / rs.length / 10,
    min: Math.min(...rs.map((r) => r.celsius)),
    max: Math.max(...rs.map((r) => r.celsius)),
  };
}

interface Expected {
  firings: { key: string; start: number; end: number; value: Stats; firing: 'on-time' | 'late' }[];
  tooLate: Reading[];
  rejected: Reading[];
}

/**
 * An independent oracle: replays the arrival order with the watermark recomputed from
 * its definition (max timestamp seen so far − bound − 1) and the window assignment
 * recomputed simply (floor to 5 minutes), and derives every firing per window.
 */
function oracle(readings: readonly Reading[]): Expected {
  const tooLate: Reading[] = [];
  const rejected: Reading[] = [];
  const windows = new Map<string, { key: string; start: number; accepted: Reading[]; hadOnTime: boolean; lateFirings: Stats[] }>();
  let maxTs = -Infinity;
  for (const r of readings) {
    if (!Number.isFinite(r.ts)) {
      rejected.push(r);
      continue;
    }
    const watermark = maxTs - OUT_OF_ORDERNESS - 1;
    const start = Math.floor(r.ts / WINDOW) * WINDOW;
    const end = start + WINDOW;
    if (end - 1 + ALLOWED_LATENESS <= watermark) {
      tooLate.push(r);
    } else {
      const id = `${r.sensor}@${start}`;
      let w = windows.get(id);
      if (w === undefined) windows.set(id, (w = { key: r.sensor, start, accepted: [], hadOnTime: false, lateFirings: [] }));
      w.accepted.push(r);
      if (end - 1 <= watermark) w.lateFirings.push(batchStats(w.accepted));
      else w.hadOnTime = true;
    }
    maxTs = Math.max(maxTs, r.ts);
  }
  const firings: Expected['firings'] = [];
  for (const w of windows.values()) {
    const end = w.start + WINDOW;
    const lateCount = w.lateFirings.length;
    const onTime = w.accepted.slice(0, w.accepted.length - lateCount);
    if (w.hadOnTime) firings.push({ key: w.key, start: w.start, end, value: batchStats(onTime), firing: 'on-time' });
    for (const value of w.lateFirings) firings.push({ key: w.key, start: w.start, end, value, firing: 'late' });
  }
  return { firings, tooLate, rejected };
}

const byWindow = (a: { key: string; start: number }, b: { key: string; start: number }) =>
  a.start - b.start || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

describe('examples/sensors', () => {
  const report = runSensorsExample();

  it('exhibits what it claims: disorder, late re-firings, too-late readings, bad timestamps', () => {
    expect(report.readings.length).toBe(12 * 360);
    expect(report.rows.filter((r) => r.firing === 'late').length).toBeGreaterThan(0);
    expect(report.tooLate.length).toBeGreaterThan(0);
    expect(report.rejected.length).toBe(2);
    expect(report.rows.some((r) => r.firing === 'early')).toBe(false);
  });

  it.each([undefined, 1, 2, 3])('every firing equals the batch computation over the readings that had arrived (seed %s)', (seed) => {
    const run = seed === undefined ? report : runSensorsExample(seed);
    const expected = oracle(run.readings);
    // Per window, the firings come in order (on-time, then each late re-firing);
    // a stable sort by window keeps that order on both sides.
    const actual = [...run.rows].sort(byWindow);
    expect(actual).toEqual([...expected.firings].sort(byWindow));
    expect(run.tooLate.map((e) => e.value)).toEqual(expected.tooLate);
  });

  it('routes too-late readings to the late list and bad timestamps to the dead letters, each exactly once', () => {
    const expected = oracle(report.readings);
    expect(report.tooLate.map((e) => e.value)).toEqual(expected.tooLate);
    expect(report.tooLate.every((e) => e.timestamp === e.value.ts)).toBe(true);
    expect(report.lateEvents).toBe(expected.tooLate.length);
    expect(report.droppedLateEvents).toBe(0); // the late route took every one
    expect(report.behindWatermark).toBeGreaterThanOrEqual(report.lateEvents);
    expect(report.rejected.map((d) => d.input)).toEqual(expected.rejected);
    expect(report.rejected.every((d) => d.operator === 'withEventTime' && d.error.name === 'InvalidTimestampError')).toBe(true);
    // Nothing is lost or counted twice: the final firing of each window counts its readings.
    const finals = new Map(report.rows.map((r) => [`${r.key}@${r.start}`, r.value.count]));
    const counted = [...finals.values()].reduce((a, b) => a + b, 0);
    expect(counted + report.tooLate.length + report.rejected.length).toBe(report.readings.length);
  });

  it('emits results in watermark order: each on-time result after every earlier window', () => {
    const onTime = report.rows.filter((r) => r.firing === 'on-time').map((r) => r.end);
    expect(onTime).toEqual([...onTime].sort((a, b) => a - b));
  });

  it('is deterministic for a seed and differs for another', () => {
    expect(generateReadings()).toEqual(generateReadings());
    expect(runSensorsExample().rows).toEqual(report.rows);
    expect(generateReadings(7)).not.toEqual(generateReadings());
  });

  it('marks in the table every window whose readings went to the late list, and says how many of its readings', () => {
    const text = formatReport(report);
    const lost = new Map<string, number>();
    for (const e of report.tooLate) {
      const id = `${e.value.sensor}@${Math.floor(e.timestamp / WINDOW) * WINDOW}`;
      lost.set(id, (lost.get(id) ?? 0) + 1);
    }
    expect(lost.size).toBeGreaterThan(0);
    const rows = text.split('\n');
    for (const [id, n] of lost) {
      const [sensor, start] = id.split('@') as [string, string];
      const hhmm = new Date(Number(start)).toISOString().slice(11, 16);
      const tableRow = rows.find((l) => l.startsWith(sensor.padEnd(8)) && l.includes('!'));
      expect(tableRow, id).toBeDefined();
      expect(text).toContain(`window ${hhmm}–`);
      expect(text).toMatch(new RegExp(`window ${hhmm}–\\d\\d:\\d\\d: ${n} of its \\d+ readings too late`));
    }
  });

  it('prints a report that accounts for every reading', () => {
    const text = formatReport(report);
    expect(text).toContain(`the \`late\` list: ${report.tooLate.length} readings`);
    expect(text).toContain(`= ${report.readings.length} of ${report.readings.length}`);
  });
});
