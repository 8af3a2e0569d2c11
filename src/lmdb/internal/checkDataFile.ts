import * as fs from 'node:fs';
import { StateError } from 'tidemark';
import { PageDamage, treeRoot, walkDataFile, type TreeRoot } from './walkDataFile.js';

const MAGIC = 0xbeefc0de;
/** LMDB's data format version as lmdb-js 3 writes it (mdb.master's MDB_DATA_VERSION). */
const DATA_VERSION = 2;
const P_BRANCH = 0x01;
const P_LEAF = 0x02;
const P_META = 0x08;
const P_INVALID = 0xffffffffffffffffn;
/** Where a page's flags, and a meta page's fields, are (64-bit builds: an 8-byte page number and txn id, then pad and flags). */
const PAGE_FLAGS = 0x12;
const META = 0x18;

interface Meta {
  readonly version: number;
  readonly mapSize: bigint;
  readonly pageSize: number;
  readonly free: TreeRoot;
  readonly main: TreeRoot;
  readonly lastPage: bigint;
  readonly txnId: bigint;
}

/**
 * @internal Checks `data.mdb` before lmdb-js maps it, because lmdb-js dies with SIGBUS or SIGSEGV
 * (not an error) on a truncated or overwritten file: both meta pages must carry LMDB's magic and
 * version and a sane page size, the newer one's tree roots must lie inside the file, each root
 * page saying it is that page; then every page both trees reach is walked ({@link walkDataFile}:
 * garbage in the middle of the file, where a read or a write transaction would follow it), and
 * `record` sees every record of the main tree (the store checks their checksums). Throws a
 * StateError that names the file, what is wrong and the fix.
 */
export function checkDataFile(api: string, file: string, record: (key: Buffer, value: Buffer) => void = () => undefined): void {
  const fail = (what: string): never => {
    throw new StateError(
      `${api}: ${file} is not a usable LMDB data file (${what}); restore the directory from a backup, or open it with { fresh: true } to discard its state`,
    );
  };
  const size = fs.statSync(file).size;
  if (size < 1024) fail(`it is ${size} bytes long, shorter than two meta pages`);
  const fd = fs.openSync(file, 'r');
  try {
    const read = (offset: number, length: number): Buffer => {
      const b = Buffer.alloc(length);
      const n = fs.readSync(fd, b, 0, length, offset);
      return b.subarray(0, n);
    };
    const first = read(0, 512);
    const m0 = meta(first, 0, fail);
    if (m0.pageSize < 512 || m0.pageSize > 65536 || (m0.pageSize & (m0.pageSize - 1)) !== 0) fail(`meta page 0 gives page size ${m0.pageSize}`);
    if (size < 2 * m0.pageSize) fail(`it is ${size} bytes long, shorter than two ${m0.pageSize}-byte meta pages`);
    const m1 = meta(read(m0.pageSize, 512), 1, fail);
    const m = m1.txnId > m0.txnId ? m1 : m0;
    // The file may legitimately end before the meta page's last page (pages allocated and freed
    // in one transaction are never written), but every page a tree reaches was written.
    const pages = BigInt(size) / BigInt(m0.pageSize);
    if (m.mapSize !== 0n && m.mapSize < (m.lastPage + 1n) * BigInt(m0.pageSize)) fail(`its map size ${m.mapSize} is smaller than its ${m.lastPage + 1n} pages`);
    for (const [name, root] of [['free-page', m.free.root], ['main', m.main.root]] as const) {
      if (root === P_INVALID) continue;
      if (root < 2n || root > m.lastPage) fail(`the ${name} tree's root page ${root} is outside its ${m.lastPage + 1n} pages`);
      if (root >= pages) fail(`truncated: the ${name} tree's root page ${root} lies beyond the file's end (${pages} pages)`);
      const page = read(Number(root) * m0.pageSize, 0x14);
      const flags = page.readUInt16LE(PAGE_FLAGS);
      if (page.readBigUInt64LE(0) !== root || (flags & (P_BRANCH | P_LEAF)) === 0) fail(`the ${name} tree's root page ${root} has been overwritten`);
    }
    try {
      walkDataFile({ file, size, pageSize: m0.pageSize, lastPage: m.lastPage, free: m.free, main: m.main }, record);
    } catch (e) {
      if (e instanceof PageDamage) fail(e.message);
      throw e;
    }
  } finally {
    fs.closeSync(fd);
  }
}

function meta(page: Buffer, n: number, fail: (what: string) => never): Meta {
  if (page.length < 0xa0) fail(`meta page ${n} is cut short`);
  const flags = page.readUInt16LE(PAGE_FLAGS);
  const magic = page.readUInt32LE(META);
  if ((flags & P_META) === 0 || magic !== MAGIC) fail(`meta page ${n} lacks LMDB's magic number (0x${magic.toString(16)}, flags 0x${flags.toString(16)})`);
  const version = page.readUInt32LE(META + 4);
  if (version !== DATA_VERSION) fail(`meta page ${n} has data format version ${version}, lmdb 3 writes version ${DATA_VERSION}`);
  return {
    version,
    mapSize: page.readBigUInt64LE(META + 0x10),
    pageSize: page.readUInt32LE(META + 0x18),
    free: treeRoot(page, META + 0x18),
    main: treeRoot(page, META + 0x18 + 48),
    lastPage: page.readBigUInt64LE(META + 0x18 + 96),
    txnId: page.readBigUInt64LE(META + 0x18 + 104),
  };
}
