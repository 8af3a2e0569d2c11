import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateError } from 'tidemark';
import { openLmdbStore } from 'tidemark/lmdb';
import { open } from 'lmdb';
import { holdInChild, openInChild } from './childProcess.js';
import { tmpDir } from './tmpDir.js';

const DAMAGED = 'restore the directory from a backup, or open it with { fresh: true } to discard its state';

/** A store in a new directory with three checkpoints of a table holding a recognisable marker. */
async function populated(): Promise<string> {
  const dir = tmpDir();
  const store = await openLmdbStore({ path: dir, probe: false });
  const b = store.backend('sums');
  const t = b.table<string, number, string>('t');
  for (let id = 1; id <= 3; id++) {
    for (let k = 0; k < 300; k++) t.set(`key-${k}`, 0, `MARKER-${id}-${k}-${'x'.repeat(40)}`);
    await store.commit({ id, pipeline: 'p', operators: { sums: b.snapshot() }, sources: { in: id } });
  }
  await store.close();
  return dir;
}

function overwrite(file: string, offset: number, bytes: Buffer): void {
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, bytes, 0, bytes.length, offset);
  fs.closeSync(fd);
}

/** Bytes that are not all zero nor LMDB's structures: a fixed pattern (tests stay deterministic). */
function garbage(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + 7) & 0xff;
  return b;
}

describe('a second process', () => {
  it('opening a directory in use gets a StateError at once, and the first keeps committing', async () => {
    const dir = tmpDir();
    const store = await openLmdbStore({ path: dir });
    const b = store.backend('op');
    b.value('n', 0).set(1);
    await store.commit({ id: 1, pipeline: 'p', operators: { op: b.snapshot() }, sources: {} });
    const started = Date.now();
    const second = await openInChild(dir);
    expect(second.signal).toBeNull();
    expect(second.code).toBe(2);
    expect(second.result).toMatchObject({ ok: false, name: 'StateError' });
    expect(second.result?.message).toBe(`openLmdbStore: the state directory ${path.resolve(dir)} is in use by process ${process.pid}; one process at a time can use a state directory`);
    expect(Date.now() - started).toBeLessThan(10_000);
    b.value('n', 0).set(2);
    await store.commit({ id: 2, pipeline: 'p', operators: { op: b.snapshot() }, sources: {} });
    expect(((await store.latest())!.operators['op'] as { values: unknown }).values).toEqual({ n: 2 });
    await store.close();
    // Closed: the directory is free again.
    expect((await openInChild(dir)).result).toMatchObject({ ok: true, latest: 2 });
  });

  it('this process opening it twice gets a StateError; a holder that was killed leaves a lock that is taken over', async () => {
    const dir = tmpDir();
    const store = await openLmdbStore({ path: dir });
    await expect(openLmdbStore({ path: dir })).rejects.toThrow(
      new StateError(`openLmdbStore: the state directory ${path.resolve(dir)} is in use by this process (it is already open here; close that store first); one process at a time can use a state directory`),
    );
    await store.close();
    const holder = await holdInChild(dir);
    await expect(openLmdbStore({ path: dir })).rejects.toThrow(`is in use by process ${holder.pid}`);
    const gone = new Promise((r) => holder.on('close', r));
    holder.kill('SIGKILL');
    await gone;
    const after = await openLmdbStore({ path: dir });
    expect(await after.retained()).toEqual([]);
    await after.close();
  });
});

describe('a holder killed a moment ago', () => {
  it('is not waited for while it lingers as a zombie (its parent has not reaped it yet)', async () => {
    const dir = tmpDir();
    const fixture = fileURLToPath(new URL('./fixtures/openStore.ts', import.meta.url));
    // The shell starts the holder in the background and becomes `sleep`, which never reaps it.
    const parent = spawn('sh', ['-c', `"${process.execPath}" --import tsx "${fixture}" "${dir}" '{}' hold & exec sleep 60`], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await new Promise<void>((resolve) => parent.stdout.on('data', (d: Buffer) => d.toString().includes('open') && resolve()));
      const holder = (JSON.parse(fs.readFileSync(path.join(dir, 'tidemark.lock'), 'utf8')) as { pid: number }).pid;
      process.kill(holder, 'SIGKILL');
      for (let i = 0; i < 100 && !fs.readFileSync(`/proc/${holder}/stat`, 'utf8').includes(') Z'); i++) await new Promise((r) => setTimeout(r, 20));
      expect(fs.readFileSync(`/proc/${holder}/stat`, 'utf8')).toContain(') Z');
      const started = Date.now();
      const store = await openLmdbStore({ path: dir });
      expect(Date.now() - started).toBeLessThan(2_000);
      await store.close();
    } finally {
      parent.kill('SIGKILL');
    }
  });
});

describe('a damaged or foreign directory', () => {
  const cases: [what: string, damage: (dir: string) => void, message: RegExp][] = [
    ['data.mdb truncated to half', (dir) => fs.truncateSync(path.join(dir, 'data.mdb'), Math.floor(fs.statSync(path.join(dir, 'data.mdb')).size / 2)), /(is not a usable LMDB data file \(truncated: the (main|free-page) tree's root page \d+ lies beyond the file's end \(\d+ pages\)\)|is damaged \(reading it killed a probe process with SIGBUS\))/],
    ['data.mdb truncated to 100 bytes', (dir) => fs.truncateSync(path.join(dir, 'data.mdb'), 100), /is not a usable LMDB data file \(it is 100 bytes long, shorter than two meta pages\)/],
    ['data.mdb emptied', (dir) => fs.truncateSync(path.join(dir, 'data.mdb'), 0), /is not a usable LMDB data file \(it is 0 bytes long/],
    ['its meta pages overwritten', (dir) => overwrite(path.join(dir, 'data.mdb'), 0, garbage(8192)), /is not a usable LMDB data file \(meta page 0 lacks LMDB's magic number/],
    ['the second meta page overwritten', (dir) => overwrite(path.join(dir, 'data.mdb'), 4096, garbage(4096)), /is not a usable LMDB data file \(meta page 1 lacks LMDB's magic number/],
    ['all of it overwritten with zeros', (dir) => fs.writeFileSync(path.join(dir, 'data.mdb'), Buffer.alloc(fs.statSync(path.join(dir, 'data.mdb')).size)), /meta page 0 lacks LMDB's magic number \(0x0, flags 0x0\)/],
    ['every page after the meta pages overwritten', (dir) => overwrite(path.join(dir, 'data.mdb'), 8192, garbage(fs.statSync(path.join(dir, 'data.mdb')).size - 8192)), /(has been overwritten|is damaged \(reading it)/],
  ];
  for (const [what, damage, message] of cases) {
    it(`${what}: a StateError naming the fix, never a signal`, async () => {
      const dir = await populated();
      damage(dir);
      const r = await openInChild(dir);
      expect(r.signal, r.stderr).toBeNull();
      expect(r.result, r.stderr).toMatchObject({ ok: false, name: 'StateError' });
      expect(r.result!.message).toMatch(message);
      expect(r.result!.message).toContain(DAMAGED);
    });
  }

  it('a value changed on disk fails its checksum before the store opens (LMDB itself cannot tell)', async () => {
    const dir = await populated();
    const file = path.join(dir, 'data.mdb');
    const data = fs.readFileSync(file);
    // Every copy: a page LMDB freed may still hold an earlier one (not read, so not checked).
    let copies = 0;
    for (let at = data.indexOf('MARKER-3-17-'); at >= 0; at = data.indexOf('MARKER-3-17-', at + 1), copies++) overwrite(file, at + 7, Buffer.from('9'));
    expect(copies).toBeGreaterThan(0);
    const r = await openInChild(dir);
    expect(r.signal).toBeNull();
    expect(r.result).toMatchObject({ ok: false, name: 'StateError' });
    expect(r.result!.message).toBe(`openLmdbStore: ${path.resolve(dir)} is damaged: a state entry of operator "sums" (checkpoint 3) fails its checksum; ${DAMAGED}`);
  });

  it('a directory holding other files, or an LMDB environment tidemark did not write, is refused and left alone', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    await expect(openLmdbStore({ path: dir })).rejects.toThrow(new StateError(`openLmdbStore: ${path.resolve(dir)} is not a tidemark state directory (it holds notes.txt); give an empty or new directory`));
    await expect(openLmdbStore({ path: dir, fresh: true })).rejects.toThrow(StateError);
    expect(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    const foreign = tmpDir();
    const db = open({ path: foreign });
    await db.put('user', { data: 1 });
    await db.close();
    await expect(openLmdbStore({ path: foreign })).rejects.toThrow(new StateError(`openLmdbStore: ${path.resolve(foreign)} holds an LMDB environment that tidemark did not write; give an empty or new directory`));
    // Nothing was written into it.
    const again = open({ path: foreign });
    expect([...again.getKeys()]).toEqual(['user']);
    await again.close();
  });

  it('a path that is a file is refused; a missing or empty directory starts fresh', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'file');
    fs.writeFileSync(file, '');
    await expect(openLmdbStore({ path: file })).rejects.toThrow(new StateError(`openLmdbStore: ${file} is not a directory; give the path of a state directory (it is created if missing)`));
    const missing = path.join(dir, 'a', 'b');
    const store = await openLmdbStore({ path: missing });
    expect(await store.latest()).toBeUndefined();
    await store.close();
  });

  it('{ fresh: true } discards existing state; without it, state is never dropped', async () => {
    const dir = await populated();
    const kept = await openLmdbStore({ path: dir });
    expect(await kept.retained()).toEqual([1, 2, 3]);
    await kept.close();
    const fresh = await openLmdbStore({ path: dir, fresh: true });
    expect(await fresh.retained()).toEqual([]);
    await fresh.close();
  });
});

describe('a checkpoint of another pipeline', () => {
  it('is refused when the store is opened for a pipeline, and so is committing one', async () => {
    const dir = tmpDir();
    const a = await openLmdbStore({ path: dir, pipeline: 'in|windows(10s)' });
    await a.commit({ id: 1, pipeline: 'in|windows(10s)', operators: {}, sources: {} });
    await expect(a.commit({ id: 2, pipeline: 'in|windows(1m)', operators: {}, sources: {} })).rejects.toThrow(
      new StateError(
        `LmdbCheckpointStore.commit: checkpoint 2 in ${path.resolve(dir)} belongs to pipeline "in|windows(1m)", not to this one ("in|windows(10s)"); use another state directory, or open it with { fresh: true } to discard its state`,
      ),
    );
    await a.close();
    await expect(openLmdbStore({ path: dir, pipeline: 'in|windows(1m)' })).rejects.toThrow(
      new StateError(
        `openLmdbStore: the checkpoints in ${path.resolve(dir)} belong to pipeline "in|windows(10s)", not to "in|windows(1m)"; use another state directory, or open it with { fresh: true } to discard its state`,
      ),
    );
    // The refusal left the directory usable.
    const b = await openLmdbStore({ path: dir, pipeline: 'in|windows(10s)' });
    expect(await b.retained()).toEqual([1]);
    await b.close();
  });
});

describe('a full disk', () => {
  // A real one: a 1 MiB tmpfs (needs root; skipped where mounting is not allowed).
  const mount = path.join(tmpDir('tidemark-lmdb-disk-'), 'small');
  let mounted = false;
  beforeAll(() => {
    fs.mkdirSync(mount, { recursive: true });
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mount], { stdio: 'ignore' });
      mounted = true;
    } catch {
      mounted = false;
    }
  });
  afterAll(() => {
    if (mounted) execFileSync('umount', [mount], { stdio: 'ignore' });
  });

  it('fails the commit with a StateError; the last checkpoint stays, and reopening finds it', async (ctx) => {
    if (!mounted) ctx.skip();
    const dir = path.join(mount, 'state');
    const store = await openLmdbStore({ path: dir });
    const b = store.backend('op');
    const t = b.table<number, number, string>('t');
    t.set(0, 0, 'small');
    await store.commit({ id: 1, pipeline: 'p', operators: { op: b.snapshot() }, sources: { in: 1 } });
    for (let i = 0; i < 20_000; i++) t.set(i, 0, 'x'.repeat(100));
    const full = store.commit({ id: 2, pipeline: 'p', operators: { op: b.snapshot() }, sources: { in: 2 } });
    await expect(full).rejects.toThrow(StateError);
    await expect(full).rejects.toThrow(/^LmdbCheckpointStore\.commit: checkpoint 2 was not written: the disk is full \(.*\); free space on the disk that holds .*\. The last committed checkpoint is unchanged$/);
    await expect(store.commit({ id: 3, pipeline: 'p', operators: {}, sources: {} })).rejects.toThrow(/an earlier commit failed .*; close the store and open it again/);
    expect(await store.retained()).toEqual([1]);
    await store.close();
    const again = await openLmdbStore({ path: dir });
    const latest = await again.latest();
    expect(latest?.sources).toEqual({ in: 1 });
    expect((latest!.operators['op'] as { tables: unknown }).tables).toEqual({ t: [[0, [[0, 'small']]]] });
    await again.close();
  });
});
