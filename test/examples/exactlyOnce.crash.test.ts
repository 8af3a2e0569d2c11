/**
 * The crash example, black box: `examples/exactly-once.ts` is really SIGKILLed at seeded random
 * moments (some while a checkpoint commits) and restarted until it is done; OUT must then equal
 * the batch answer, every window exactly once. Also: a fresh or empty DIR, a second concurrent
 * run on one DIR, a damaged DIR.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crashLoop, runChild, seeded } from '../support/crashLoop.js';
import { PS, classify } from '../lmdb/dataPages.js';

const SCRIPT = 'examples/exactly-once.ts';

interface Payment {
  key: string;
  ts: number;
  amount: number;
}

function makeInput(path: string, lines: number, seed: number, keys = 25): Payment[] {
  const random = seeded(seed);
  const rows: Payment[] = [];
  let t = 1_700_000_000_000;
  for (let i = 0; i < lines; i++) {
    t += Math.floor(random() * 40);
    rows.push({ key: `k${Math.floor(random() * keys)}`, ts: t - Math.floor(random() * 1000), amount: Math.floor(random() * 100) });
  }
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return rows;
}

/** The batch answer: every (key, window) with its sum and count, as sorted lines. */
function batch(rows: readonly Payment[]): string[] {
  const windows = new Map<string, { key: string; start: number; end: number; sum: number; count: number }>();
  for (const r of rows) {
    const start = r.ts - (((r.ts % 10_000) + 10_000) % 10_000);
    const id = `${r.key}|${start}`;
    const w = windows.get(id) ?? { key: r.key, start, end: start + 10_000, sum: 0, count: 0 };
    w.sum += r.amount;
    w.count++;
    windows.set(id, w);
  }
  return [...windows.values()].map((w) => JSON.stringify(w)).sort();
}

function outputLines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').sort();
}

function workdir(): string {
  return mkdtempSync(join(tmpdir(), 'tidemark-exactly-once-'));
}

describe('examples/exactly-once.ts', () => {
  it('SIGKILLed at 14 seeded moments (some during a checkpoint commit), restarted until done: OUT is the batch answer, each window once', { timeout: 180_000 }, async () => {
    const dir = workdir();
    const input = join(dir, 'in.jsonl');
    const output = join(dir, 'out.jsonl');
    const rows = makeInput(input, 500_000, 42);
    const result = await crashLoop(SCRIPT, ['--input', input, '--output', output, '--state', join(dir, 'state')], { seed: 7, kills: 14, minMs: 20, maxMs: 180, by: 'commits' });
    expect(result.last.signal).toBeNull();
    expect(result.last.code, result.last.stderr).toBe(0);
    const out = outputLines(output);
    expect(new Set(out).size).toBe(out.length); // no duplicate
    expect(out).toEqual(batch(rows));
    expect(result.kills).toBeGreaterThanOrEqual(12);
    expect(result.killsDuringCommit).toBeGreaterThanOrEqual(3);
    console.log(`exactly-once example: ${result.kills} kills (${result.killsDuringCommit} during a commit), ${result.runs} runs`);
  });

  it('the exact command line, npm run example:exactly-once -- …: SIGKILL of its whole process group mid-run, then a re-run exits 0 with OUT exact', { timeout: 90_000 }, async () => {
    const dir = workdir();
    const input = join(dir, 'in.jsonl');
    const output = join(dir, 'out.jsonl');
    const rows = makeInput(input, 300_000, 21);
    const npm = (killAfter?: number) =>
      new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve, reject) => {
        const child = spawn('npm', ['run', '-s', 'example:exactly-once', '--', '--input', input, '--output', output, '--state', join(dir, 'state')], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
        // Killed once it has written output (it is mid-run), or after `killAfter` ms at the latest.
        const started = Date.now();
        const timer =
          killAfter === undefined
            ? undefined
            : setInterval(() => {
                if ((existsSync(output) && readFileSync(output).length > 0) || Date.now() - started > killAfter) process.kill(-child.pid!, 'SIGKILL');
              }, 20);
        child.on('error', reject);
        child.on('close', (code, signal) => {
          if (timer !== undefined) clearInterval(timer);
          resolve({ code, signal, stderr });
        });
      });
    const killed = await npm(20_000);
    expect(killed.signal).toBe('SIGKILL');
    const done = await npm();
    expect(done.code, done.stderr).toBe(0);
    expect(outputLines(output)).toEqual(batch(rows));
  });

  it('starts fresh in a missing or an empty DIR, and a re-run after the end keeps OUT exact', { timeout: 60_000 }, async () => {
    const dir = workdir();
    const input = join(dir, 'in.jsonl');
    const rows = makeInput(input, 2_000, 3);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    for (const state of [join(dir, 'missing'), empty]) {
      const output = join(dir, `out-${state.length}.jsonl`);
      writeFileSync(output, 'stale output of an earlier, unrelated run\n');
      const first = await runChild(SCRIPT, ['--input', input, '--output', output, '--state', state]);
      expect(first.code, first.stderr).toBe(0);
      expect(outputLines(output)).toEqual(batch(rows));
      const again = await runChild(SCRIPT, ['--input', input, '--output', output, '--state', state]);
      expect(again.code, again.stderr).toBe(0);
      expect(outputLines(output)).toEqual(batch(rows));
    }
  });

  it('a second run on the same DIR exits non-zero at once, saying the directory is in use; the first finishes exact', { timeout: 60_000 }, async () => {
    const dir = workdir();
    const input = join(dir, 'in.jsonl');
    const output = join(dir, 'out.jsonl');
    const other = join(dir, 'other-out.jsonl');
    const rows = makeInput(input, 600_000, 5);
    const args = (out: string) => ['--input', input, '--output', out, '--state', join(dir, 'state')];
    let firstDone = false;
    const first = runChild(SCRIPT, args(output)).then((r) => ((firstDone = true), r));
    await new Promise((r) => setTimeout(r, 1500));
    writeFileSync(other, 'untouched\n');
    const second = await runChild(SCRIPT, args(other));
    expect(second.code).not.toBe(0);
    expect(second.signal).toBeNull();
    expect(second.stderr).toMatch(/in use/);
    expect(readFileSync(other, 'utf8')).toBe('untouched\n');
    expect(firstDone).toBe(false); // the second ran while the first held the directory
    const done = await first;
    expect(done.code, done.stderr).toBe(0);
    expect(outputLines(output)).toEqual(batch(rows));
  });

  it('the exact command line, killed mid-run, then seeded garbage written over pages in the middle of DIR/data.mdb (B-tree pages, whole or in part, and pages no tree reaches): the re-run exits 1 with a message saying DIR is damaged, or exits 0 with OUT exact; never a signal', { timeout: 180_000 }, async () => {
    const dir = workdir();
    const input = join(dir, 'in.jsonl');
    // Many keys, so that the state spans a B-tree of several pages.
    const rows = makeInput(input, 150_000, 33, 20_000);
    const npm = (output: string, state: string, killOnOutput: boolean) =>
      new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve, reject) => {
        const child = spawn('npm', ['run', '-s', 'example:exactly-once', '--', '--input', input, '--output', output, '--state', state], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
        // Killed 600 ms after its first output (a few checkpoints later: pages freed and reused).
        let firstOutput: number | undefined;
        const timer = killOnOutput
          ? setInterval(() => {
              if (firstOutput === undefined && existsSync(output) && readFileSync(output).length > 0) firstOutput = Date.now();
              if (firstOutput !== undefined && Date.now() - firstOutput > 600) process.kill(-child.pid!, 'SIGKILL');
            }, 10)
          : undefined;
        child.on('error', reject);
        child.on('close', (code, signal) => {
          if (timer !== undefined) clearInterval(timer);
          resolve({ code, signal, stderr });
        });
      });
    const outcomes: string[] = [];
    for (const [seed, category, whole] of [
      [1, 'branch', true],
      [2, 'leaf', true],
      [3, 'leaf', false],
      [4, 'free-tree', true],
      [5, 'unreached', true],
    ] as const) {
      const state = join(dir, `state-${seed}`);
      const output = join(dir, `out-${seed}.jsonl`);
      const killed = await npm(output, state, true);
      expect(killed.signal).toBe('SIGKILL');
      const file = join(state, 'data.mdb');
      const pages = classify(readFileSync(file)).get(category)!;
      const random = seeded(seed);
      expect(pages.length, category).toBeGreaterThan(0);
      const page = pages[Math.floor(random() * pages.length)]!;
      const offset = whole ? 0 : Math.floor(random() * (PS - 64));
      const garbage = Buffer.from(Array.from({ length: whole ? PS : 48 }, () => Math.floor(random() * 256)));
      const b = readFileSync(file);
      garbage.copy(b, page * PS + offset);
      writeFileSync(file, b);
      const r = await npm(output, state, false);
      outcomes.push(`seed ${seed}: ${garbage.length} bytes at page ${page} (${category}) + ${offset}: exit ${r.code}${r.signal ?? ''} ${r.stderr.trim().split('\n')[0]}`);
      expect(r.signal, r.stderr).toBeNull();
      // The worker did not die by a signal either (the command would say so, and exit 1).
      expect(r.stderr).not.toMatch(/died with SIG/);
      if (r.code === 0) expect(outputLines(output)).toEqual(batch(rows));
      else {
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toMatch(new RegExp(`^exactly-once: openLmdbStore: ${state.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\S* (is not a usable LMDB data file|is damaged).*; restore the directory from a backup`, 'm'));
      }
      if (category === 'unreached') expect(r.code, r.stderr).toBe(0);
      if (whole && category !== 'unreached') expect(r.code, r.stderr).toBe(1);
    }
    console.log(outcomes.join('\n'));
  });

  it('a damaged DIR (overwritten, truncated, or garbage in the middle) is an exit 1 with a message, or an exit 0 with OUT still exact; never a signal', { timeout: 90_000 }, async () => {
    const dir = workdir();
    const input = join(dir, 'in.jsonl');
    const rows = makeInput(input, 20_000, 9);
    const damages: [string, (file: string) => void][] = [
      ['overwritten', (f) => writeFileSync(f, 'garbage')],
      ['truncated', (f) => writeFileSync(f, readFileSync(f).subarray(0, 10))],
      ['garbage in the middle', (f) => {
        const b = readFileSync(f);
        const random = seeded(b.length);
        for (let i = Math.floor(b.length / 3); i < Math.min(b.length, Math.floor(b.length / 3) + 4096); i++) b[i] = Math.floor(random() * 256);
        writeFileSync(f, b);
      }],
    ];
    for (const [what, damage] of damages) {
      const state = join(dir, `state-${what.length}`);
      const output = join(dir, `out-${what.length}.jsonl`);
      expect((await runChild(SCRIPT, ['--input', input, '--output', output, '--state', state])).code).toBe(0);
      for (const f of readdirSync(state)) if (existsSync(join(state, f)) && !f.startsWith('lock')) damage(join(state, f));
      const r = await runChild(SCRIPT, ['--input', input, '--output', output, '--state', state]);
      expect(r.signal, what).toBeNull();
      if (r.code === 0) expect(outputLines(output), what).toEqual(batch(rows));
      else {
        expect(r.code, what).toBe(1);
        expect(r.stderr, what).toMatch(/^exactly-once: \S+.*(damaged|corrupt|checksum|not a usable|invalid)/im);
      }
    }
  });
});
