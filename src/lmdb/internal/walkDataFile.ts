import * as fs from 'node:fs';

/** LMDB's page header (64-bit builds): page number, txn id, pad, flags, then lower/upper (or an overflow page's page count). */
const PAGEHDRSZ = 24;
const NODESIZE = 8;
const P_BRANCH = 0x01;
const P_LEAF = 0x02;
const P_OVERFLOW = 0x04;
const P_META = 0x08;
const P_LEAF2 = 0x20;
const F_BIGDATA = 0x01;
const F_SUBDATA = 0x02;
const F_DUPDATA = 0x04;
const MDB_REVERSEKEY = 0x02;
const MDB_DUPSORT = 0x04;
const MDB_INTEGERKEY = 0x08;
export const P_INVALID = 0xffffffffffffffffn;
/** LMDB's cursor stack is 32 pages deep: no tree is deeper. */
const MAX_DEPTH = 32;

/** @internal A tree as an MDB_db record (in a meta page, or a sub-database's node) describes it. */
export interface TreeRoot {
  readonly flags: number;
  readonly depth: number;
  readonly entries: bigint;
  readonly root: bigint;
}

/** @internal What a walk needs of the meta page in force. */
export interface WalkedFile {
  readonly file: string;
  readonly size: number;
  readonly pageSize: number;
  readonly lastPage: bigint;
  readonly free: TreeRoot;
  readonly main: TreeRoot;
}

/** @internal A page (or record) that does not hold what LMDB would read from it. */
export class PageDamage extends Error {}

/**
 * @internal Walks every page LMDB reads through (both trees of the meta page in force: the
 * free-page tree a write transaction reads, the main tree with its sub-databases and overflow
 * pages) with bounds-checked reads, the way `mdb_chk` does, so that what would make lmdb-js
 * dereference garbage (and die by SIGSEGV or SIGBUS) is found without it: every page must lie
 * inside the file and below the last page, be reached once, say it is that page and of the kind
 * and depth its tree puts there; every node must lie inside its page, keys in order and inside
 * their parent's bounds, overflow pages must say they are and how many; a tree's entry count
 * must match its leaves; free-list records must name pages that exist. Calls `record` with each
 * main-tree record's key and value (views, valid during the call). Throws a {@link PageDamage}
 * saying what is wrong.
 */
export function walkDataFile(meta: WalkedFile, record: (key: Buffer, value: Buffer) => void): void {
  const { pageSize: ps, lastPage } = meta;
  const filePages = BigInt(Math.floor(meta.size / ps));
  const seen = new Uint8Array(Number(filePages < lastPage + 1n ? filePages : lastPage + 1n));
  const fd = fs.openSync(meta.file, 'r');
  const damage = (what: string): never => {
    throw new PageDamage(what);
  };
  /** Reads `n` pages at `pgno`: into `into` (one page), or a new buffer. */
  const read = (pgno: bigint, n: number, into?: Buffer): Buffer => {
    const b = into ?? Buffer.allocUnsafe(n * ps);
    const got = fs.readSync(fd, b, 0, n * ps, Number(pgno) * ps);
    if (got < n * ps) damage(`page ${pgno} is cut short by the file's end`);
    return b;
  };
  const claim = (pgno: bigint, n: number, tree: string): void => {
    if (pgno < 2n) damage(`the ${tree} tree points at meta page ${pgno}`);
    if (pgno + BigInt(n) - 1n > lastPage) damage(`the ${tree} tree points at page ${pgno + BigInt(n) - 1n}, past the last page ${lastPage}`);
    if (pgno + BigInt(n) > filePages) damage(`truncated: the ${tree} tree's page ${pgno + BigInt(n) - 1n} lies beyond the file's end (${filePages} pages)`);
    for (let i = 0; i < n; i++) {
      const p = Number(pgno) + i;
      if (seen[p] !== 0) damage(`page ${p} is reached twice in the ${tree} tree`);
      seen[p] = 1;
    }
  };

  const walk = (tree: TreeRoot, name: string, onLeaf: (key: Buffer, value: Buffer, flags: number) => void): void => {
    if (tree.root === P_INVALID) {
      if (tree.depth !== 0 || tree.entries !== 0n) damage(`the ${name} tree has no root but ${tree.entries} entries`);
      return;
    }
    if (tree.depth < 1 || tree.depth > MAX_DEPTH) damage(`the ${name} tree is ${tree.depth} pages deep`);
    const integer = (tree.flags & MDB_INTEGERKEY) !== 0;
    const ordered = (tree.flags & MDB_REVERSEKEY) === 0;
    const cmp = (a: Buffer, b: Buffer): number => (integer && a.length === 8 && b.length === 8 ? (a.readBigUInt64LE(0) < b.readBigUInt64LE(0) ? -1 : a.readBigUInt64LE(0) > b.readBigUInt64LE(0) ? 1 : 0) : Buffer.compare(a, b));
    let entries = 0n;
    /** One page buffer per level of this tree (a sub-database's walk has its own). */
    const pages: Buffer[] = [];
    const visit = (pgno: bigint, level: number, lo: Buffer | undefined, hi: Buffer | undefined): void => {
      claim(pgno, 1, name);
      const page = read(pgno, 1, (pages[level] ??= Buffer.allocUnsafe(ps)));
      const flags = page.readUInt16LE(0x12);
      const where = `page ${pgno} of the ${name} tree`;
      if (page.readBigUInt64LE(0) !== pgno) damage(`${where} says it is page ${page.readBigUInt64LE(0)}`);
      const leaf = level === tree.depth;
      const kind = flags & (P_BRANCH | P_LEAF | P_OVERFLOW | P_META);
      if (kind !== (leaf ? P_LEAF : P_BRANCH)) damage(`${where} has flags 0x${flags.toString(16)} where a ${leaf ? 'leaf' : 'branch'} page belongs`);
      const lower = page.readUInt16LE(0x14);
      const upper = page.readUInt16LE(0x16);
      if ((lower & 1) !== 0 || lower > upper || PAGEHDRSZ + upper > ps) damage(`${where} has its free space at ${lower}–${upper}`);
      const n = lower >> 1;
      if (n === 0) damage(`${where} is empty`);
      if (leaf && (flags & P_LEAF2) !== 0) {
        // Fixed-size keys (a sub-database of MDB_DUPFIXED values), no nodes.
        if (PAGEHDRSZ + n * page.readUInt16LE(0x10) > ps) damage(`${where} holds more fixed-size keys than fit`);
        entries += BigInt(n);
        return;
      }
      let prev: Buffer | undefined;
      const children: [bigint, Buffer | undefined][] = [];
      for (let i = 0; i < n; i++) {
        const at = PAGEHDRSZ + page.readUInt16LE(PAGEHDRSZ + 2 * i);
        if (at < PAGEHDRSZ + upper || at + NODESIZE > ps) damage(`${where}'s node ${i} lies outside the page's node space`);
        const nodeFlags = page.readUInt16LE(at + 4);
        const ksize = page.readUInt16LE(at + 6);
        const keyEnd = at + NODESIZE + ksize;
        if (keyEnd > ps) damage(`${where}'s node ${i} has a key past the page's end`);
        const key = page.subarray(at + NODESIZE, keyEnd);
        if (!leaf && i === 0) {
          if (ksize !== 0) damage(`${where}'s first node has a key`);
        } else if (ordered) {
          // In order within the page; the first and the last inside the parent's bounds (so all are).
          if (prev !== undefined && cmp(prev, key) >= 0) damage(`${where}'s keys are out of order at node ${i}`);
          else if (prev === undefined && lo !== undefined && cmp(key, lo) < 0) damage(`${where}'s node ${i} has a key below its parent's bounds`);
          if (i === n - 1 && hi !== undefined && cmp(key, hi) >= 0) damage(`${where}'s node ${i} has a key above its parent's bounds`);
          prev = key;
        }
        const lo16 = page.readUInt16LE(at);
        const hi16 = page.readUInt16LE(at + 2);
        if (!leaf) {
          children.push([BigInt(lo16) | (BigInt(hi16) << 16n) | (BigInt(nodeFlags) << 32n), i === 0 ? lo : Buffer.from(key)]);
          continue;
        }
        const dsize = lo16 | (hi16 << 16);
        let value: Buffer;
        if ((nodeFlags & F_BIGDATA) !== 0) {
          if (keyEnd + 8 > ps) damage(`${where}'s node ${i} has an overflow page number past the page's end`);
          const ov = page.readBigUInt64LE(keyEnd);
          const count = Math.floor((PAGEHDRSZ - 1 + dsize) / ps) + 1;
          claim(ov, count, name);
          const o = read(ov, count);
          if (o.readBigUInt64LE(0) !== ov || (o.readUInt16LE(0x12) & P_OVERFLOW) === 0 || o.readUInt32LE(0x14) !== count) {
            damage(`overflow page ${ov} (of ${where}) is not the ${count}-page overflow run its node says`);
          }
          value = o.subarray(PAGEHDRSZ, PAGEHDRSZ + dsize);
        } else {
          if (keyEnd + dsize > ps) damage(`${where}'s node ${i} has a value past the page's end`);
          value = page.subarray(keyEnd, keyEnd + dsize);
        }
        onLeaf(key, value, nodeFlags);
      }
      if (leaf) {
        entries += BigInt(n);
        return;
      }
      for (let i = 0; i < children.length; i++) visit(children[i]![0], level + 1, children[i]![1], i + 1 < children.length ? children[i + 1]![1] : hi);
    };
    visit(tree.root, 1, undefined, undefined);
    if ((tree.flags & MDB_DUPSORT) === 0 && entries !== tree.entries) damage(`the ${name} tree has ${entries} entries in its leaves, its root record says ${tree.entries}`);
  };

  try {
    walk(meta.free, 'free-page', (key, value) => {
      if (key.length !== 8 || value.length < 8) damage(`a free-page record has a ${key.length}-byte key and a ${value.length}-byte value`);
      const n = value.readBigUInt64LE(0);
      if ((n + 1n) * 8n > BigInt(value.length)) damage(`a free-page record lists ${n} pages in ${value.length} bytes`);
      for (let i = 1; i <= Number(n); i++) {
        let entry = value.readBigInt64LE(8 * i);
        let count = 1n;
        if (entry === 0n) continue;
        if (entry < 0n) {
          // A run: its length (negated), then its first page.
          count = -entry;
          if (++i > Number(n)) damage('a free-page record ends inside a run');
          entry = value.readBigInt64LE(8 * i);
        }
        if (entry < 2n || entry + count - 1n > lastPage) damage(`a free-page record lists page ${entry}${count > 1n ? ` (+${count - 1n})` : ''}, outside pages 2–${lastPage}`);
      }
    });
    walk(meta.main, 'main', (key, value, flags) => {
      if ((flags & F_SUBDATA) !== 0) {
        if (value.length < 48) damage(`a sub-database record has a ${value.length}-byte value`);
        const sub = treeRoot(value, 0);
        walk(sub, `"${key.toString('latin1')}" sub-database`, () => undefined);
      } else if ((flags & F_DUPDATA) === 0) record(key, value);
    });
  } finally {
    fs.closeSync(fd);
  }
}

/** @internal An MDB_db record at `at`: pad(4) flags(2) depth(2) branch, leaf, overflow pages, entries, root (8 each). */
export function treeRoot(b: Buffer, at: number): TreeRoot {
  return { flags: b.readUInt16LE(at + 4), depth: b.readUInt16LE(at + 6), entries: b.readBigUInt64LE(at + 32), root: b.readBigUInt64LE(at + 40) };
}
