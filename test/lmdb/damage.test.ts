/**
 * Garbage in the middle of a real store's data.mdb, seeded: whole pages or byte ranges of the
 * main B-tree's branch and leaf pages, of overflow pages (large values), of the free-page tree, and
 * of pages no tree reaches. Each damaged copy is used in a child process as a restarted pipeline
 * uses it (open, restore the latest checkpoint, commit one more, reopen and read it back), with the
 * probe child and without it (the page walk alone): a StateError that names the directory and the
 * fix, or a run whose data is exactly the undamaged store's — never a signal.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLmdbStore } from 'tidemark/lmdb';
import { seeded } from '../support/crashLoop.js';
import { CATEGORIES, PS, classify, type Category } from './dataPages.js';
import { tmpDir } from './tmpDir.js';

const USE = fileURLToPath(new URL('./fixtures/useStore.ts', import.meta.url));
const FIX = 'restore the directory from a backup, or open it with { fresh: true } to discard its state';

interface Used {
  readonly signal: NodeJS.Signals | null;
  readonly code: number | null;
  readonly stderr: string;
  readonly result: { ok: boolean; name?: string; message?: string; digest?: string; rereadExact?: boolean } | undefined;
}

function use(dir: string, options: object): Promise<Used> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', USE, dir, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'], cwd: fileURLToPath(new URL('../..', import.meta.url)) });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code, signal) => {
      let result: Used['result'];
      try {
        result = JSON.parse(out.trim().split('\n').at(-1) ?? '') as Used['result'];
      } catch {
        result = undefined;
      }
      resolve({ code, signal, stderr: err, result });
    });
  });
}

/** Three checkpoints of 600 keys, every seventh value 6 KB (overflow pages), some 20 KB; a third of the keys changed per checkpoint (free pages). */
async function populate(dir: string): Promise<void> {
  const store = await openLmdbStore({ path: dir, probe: false });
  const b = store.backend('sums');
  const t = b.table<string, number, string>('t');
  const q = b.timers<string, number>('ends');
  for (let id = 1; id <= 3; id++) {
    for (let k = id === 1 ? 0 : id - 2; k < 600; k += id === 1 ? 1 : 3) t.set(`key-${k}`, 0, `v${id}-${k}-${'x'.repeat(k % 7 === 0 ? 6000 : k % 31 === 0 ? 20_000 : 40)}`);
    for (let k = 0; k < 100; k++) q.register(id * 1000 + k, `key-${k}`, 0);
    await store.commit({ id, pipeline: 'p', operators: { sums: b.snapshot() }, sources: { in: id } });
  }
  await store.close();
}

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

describe('garbage in the middle of data.mdb (seeded)', () => {
  let original: string;
  let pages: Map<Category, number[]>;
  let baseline: string;

  beforeAll(async () => {
    // Not a tmpDir(): those go after each test, this one is every test's.
    original = fs.mkdtempSync(path.join(os.tmpdir(), 'tidemark-lmdb-damage-'));
    await populate(original);
    pages = classify(fs.readFileSync(path.join(original, 'data.mdb')));
    for (const c of CATEGORIES) expect(pages.get(c)!.length, c).toBeGreaterThan(0);
    // The undamaged store, used the same way: what every run that succeeds must read.
    const copy = tmpDir('tidemark-lmdb-damage-');
    fs.cpSync(original, copy, { recursive: true });
    const r = await use(copy, {});
    expect(r.result, r.stderr).toMatchObject({ ok: true, rereadExact: true });
    baseline = r.result!.digest!;
  }, 60_000);
  afterAll(() => fs.rmSync(original, { recursive: true, force: true }));

  for (const seed of SEEDS) {
    const category = CATEGORIES[seed % CATEGORIES.length]!;
    const whole = Math.floor(seed / CATEGORIES.length) % 2 === 0;
    it(`seed ${seed}: ${whole ? 'a whole page' : 'a byte range'} of ${category === 'unreached' ? 'a page no tree reaches' : `a ${category} page`}`, { timeout: 60_000 }, async () => {
      const random = seeded(seed);
      const candidates = pages.get(category)!;
      const page = candidates[Math.floor(random() * candidates.length)]!;
      const offset = whole ? 0 : Math.floor(random() * (PS - 64));
      const length = whole ? PS : 1 + Math.floor(random() * 64);
      const garbage = Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
      console.log(`seed ${seed}: ${length} bytes of garbage at page ${page} (${category}) + ${offset}`);
      for (const options of [{}, { probe: false }]) {
        const dir = tmpDir('tidemark-lmdb-damage-');
        fs.cpSync(original, dir, { recursive: true });
        const fd = fs.openSync(path.join(dir, 'data.mdb'), 'r+');
        fs.writeSync(fd, garbage, 0, length, page * PS + offset);
        fs.closeSync(fd);
        const r = await use(dir, options);
        const label = `seed ${seed}, ${JSON.stringify(options)}: ${r.stderr}`;
        console.log(`  ${JSON.stringify(options)}: ${r.signal ?? (r.result?.ok ? 'ok, data exact' : r.result?.message)}`);
        expect(r.signal, label).toBeNull();
        expect(r.result, label).toBeDefined();
        if (r.result!.ok) {
          // The damage hit bytes nothing reads: the data is exactly the undamaged store's.
          expect(r.result!.digest, label).toBe(baseline);
          expect(r.result!.rereadExact, label).toBe(true);
        } else {
          expect(r.result!.name, label).toBe('StateError');
          expect(r.result!.message, label).toMatch(/^openLmdbStore: .*(is not a usable LMDB data file \(.+\)|is damaged: .+ fails its checksum|is damaged \(reading it .+\)); restore the directory/);
          expect(r.result!.message, label).toContain(path.resolve(dir));
          expect(r.result!.message, label).toContain(FIX);
        }
        // A whole page of garbage where a tree reads is always found; a page no tree reaches is never read.
        if (whole && category !== 'unreached') expect(r.result!.ok, label).toBe(false);
        if (category === 'unreached') expect(r.result!.ok, label).toBe(true);
      }
    });
  }
});
