/**
 * The two-input pipeline (intervalJoin of two replayable JSON-lines sources, state in
 * tidemark/lmdb, exactly-once file sink) really SIGKILLed at seeded moments — some while a
 * checkpoint commits — and restarted until done: its output is the batch join, each pair once.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crashLoop, seeded } from '../../support/crashLoop.js';

interface Row {
  key: string;
  ts: number;
  id: number;
}

function rows(count: number, seed: number, firstId: number): Row[] {
  const random = seeded(seed);
  const out: Row[] = [];
  let t = 1_000_000;
  for (let i = 0; i < count; i++) {
    t += Math.floor(random() * 20);
    out.push({ key: `c${Math.floor(random() * 400)}`, ts: t - Math.floor(random() * 300), id: firstId + i });
  }
  return out;
}

function batchJoin(left: readonly Row[], right: readonly Row[]): string[] {
  const byKey = new Map<string, Row[]>();
  for (const r of right) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
  const pairs: string[] = [];
  for (const l of left) for (const r of byKey.get(l.key) ?? []) if (l.ts - 500 <= r.ts && r.ts <= l.ts + 1000) pairs.push(JSON.stringify({ order: l.id, payment: r.id }));
  return pairs.sort();
}

describe('a checkpointed intervalJoin pipeline under SIGKILL', () => {
  it('killed at 10 seeded moments (some during a commit) and restarted until done: the batch join, each pair once', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tidemark-join-crash-'));
    // Long enough that a run killed one or two commits (plus up to 90 ms) after it starts cannot
    // finish it, on a fast machine too (50 k rows each left room for only 6 kills on one).
    const left = rows(120_000, 11, 0);
    const right = rows(120_000, 12, 1_000_000);
    const files = { left: join(dir, 'orders.jsonl'), right: join(dir, 'payments.jsonl'), output: join(dir, 'pairs.jsonl') };
    writeFileSync(files.left, left.map((r) => JSON.stringify(r)).join('\n') + '\n');
    writeFileSync(files.right, right.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const args = ['--left', files.left, '--right', files.right, '--output', files.output, '--state', join(dir, 'state')];
    const result = await crashLoop('test/state/checkpoint/fixtures/joinPipeline.ts', args, { seed: 99, kills: 10, minMs: 10, maxMs: 90, by: 'commits' });
    expect(result.last.signal).toBeNull();
    expect(result.last.code, result.last.stderr).toBe(0);
    const out = readFileSync(files.output, 'utf8').split('\n').filter((l) => l !== '').sort();
    expect(new Set(out).size).toBe(out.length);
    expect(out).toEqual(batchJoin(left, right));
    expect(result.kills).toBeGreaterThanOrEqual(8);
    expect(result.killsDuringCommit).toBeGreaterThanOrEqual(2);
    console.log(`join pipeline: ${result.kills} kills (${result.killsDuringCommit} during a commit), ${result.runs} runs, ${out.length} pairs`);
  });
});
