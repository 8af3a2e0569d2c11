/** The pages of a real data.mdb by what LMDB keeps in them, for tests that damage them (4 KiB pages). */
export const PS = 4096;

export type Category = 'branch' | 'leaf' | 'overflow' | 'free-tree' | 'unreached';

/**
 * The pages of data.mdb by what they are, found independently of the store's own walk: from the
 * newer meta page's roots, branch nodes' children and leaf nodes' overflow runs; what no tree
 * reaches is 'unreached' (free pages, or old copies).
 */
export function classify(data: Buffer): Map<Category, number[]> {
  const metaOf = (n: number) => ({ txn: data.readBigUInt64LE(n * PS + 24 + 128), free: Number(data.readBigUInt64LE(n * PS + 24 + 64)), main: Number(data.readBigUInt64LE(n * PS + 24 + 112)) });
  const [m0, m1] = [metaOf(0), metaOf(1)];
  const m = m1.txn > m0.txn ? m1 : m0;
  const kinds = new Map<number, Category>();
  const walk = (root: number, tree: 'main' | 'free-tree'): void => {
    const stack = [root];
    while (stack.length > 0) {
      const p = stack.pop()!;
      const at = p * PS;
      const flags = data.readUInt16LE(at + 0x12);
      const n = data.readUInt16LE(at + 0x14) >> 1;
      kinds.set(p, tree === 'free-tree' ? 'free-tree' : flags & 1 ? 'branch' : 'leaf');
      for (let i = 0; i < n; i++) {
        const node = at + 24 + data.readUInt16LE(at + 24 + 2 * i);
        const lo = data.readUInt16LE(node);
        const hi = data.readUInt16LE(node + 2);
        const nodeFlags = data.readUInt16LE(node + 4);
        const ksize = data.readUInt16LE(node + 6);
        if (flags & 1) stack.push(lo + hi * 65536 + nodeFlags * 2 ** 32);
        else if (nodeFlags & 1) {
          const ov = Number(data.readBigUInt64LE(node + 8 + ksize));
          const pages = Math.floor((24 - 1 + (lo + hi * 65536)) / PS) + 1;
          for (let j = 0; j < pages; j++) kinds.set(ov + j, tree === 'free-tree' ? 'free-tree' : 'overflow');
        }
      }
    }
  };
  walk(m.main, 'main');
  if (m.free !== -1 && m.free < data.length / PS) walk(m.free, 'free-tree');
  const byKind = new Map<Category, number[]>([['branch', []], ['leaf', []], ['overflow', []], ['free-tree', []], ['unreached', []]]);
  for (let p = 2; p < data.length / PS; p++) byKind.get(kinds.get(p) ?? 'unreached')!.push(p);
  return byKind;
}

export const CATEGORIES: readonly Category[] = ['branch', 'leaf', 'overflow', 'free-tree', 'unreached'];
