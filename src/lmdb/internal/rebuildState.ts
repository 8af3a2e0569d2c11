import type { RootDatabase } from 'lmdb';
import { StateError, type StateSnapshot } from 'tidemark';
import { Kind, decode, decodePart, entryKey, entryPrefix, parseIdentity, unframe, versionOf } from './records.js';

/** The low end of a checkpoint's range of entries. */
const NO_IDENTITY = new Uint8Array(0);

interface Found {
  version: number;
  payload: Buffer;
}

/**
 * @internal Operator `op`'s state as of checkpoint `id`: its entries written by checkpoints
 * `from` (its last whole state, or where its refresh cycle moved it) to `id`, read in the order
 * they were written — a later version replaces an earlier one, a deletion removes the entry, a
 * timer queue's reset removes its timers so far — each checked against its checksum, and the
 * total against `entries` (the count the backend had at the barrier). In the snapshot format the
 * memory backend restores: namespaces and keys in insertion order, ordered entries by position,
 * timers by time then registration.
 */
export function rebuildState(db: RootDatabase<Buffer, Buffer>, op: string, from: number, id: number, entries: number): { snapshot: StateSnapshot; order: StateOrder } {
  const prefix = entryPrefix(op);
  const latest = new Map<string, Found>();
  /** Per timer queue (its identity, as latin1), the identities of its timers in `latest`. */
  const queues = new Map<string, Set<string>>();
  const end = entryKey(prefix, id + 1, NO_IDENTITY);
  for (const { key, value } of db.getRange({ start: entryKey(prefix, from, NO_IDENTITY), end })) {
    const version = versionOf(key, prefix.length);
    const at = prefix.length + 8;
    const ident = key.toString('latin1', at);
    const payload = unframe(key, value, () => `state entry of operator "${op}" (checkpoint ${version})`);
    if (key[at] === Kind.Timer) {
      const queueEnd = at + 3 + key.readUInt16BE(at + 1);
      if (queueEnd === key.length) {
        // A reset of the queue: its timers so far are gone (those it had then follow, in this version).
        for (const t of queues.get(ident) ?? []) latest.delete(t);
        queues.delete(ident);
        continue;
      }
      const queue = key.toString('latin1', at, queueEnd);
      let q = queues.get(queue);
      if (q === undefined) queues.set(queue, (q = new Set()));
      if (payload.length === 0) q.delete(ident);
      else q.add(ident);
    }
    if (payload.length === 0) latest.delete(ident);
    else latest.set(ident, { version, payload: Buffer.from(payload) });
  }
  const tables = new Map<string, Map<string, { ns: unknown; min: number; rows: [number, unknown, unknown, number][] }>>();
  const ordered = new Map<string, Map<string, { ks: number; key: unknown; rows: [number, unknown, number][] }>>();
  const maps = new Map<string, Map<string, { ks: number; key: unknown; rows: [number, unknown, unknown, number][] }>>();
  const valueVersions: Record<string, number> = {};
  const timers = new Map<string, [number, number, unknown, unknown, number][]>();
  const values: Record<string, unknown> = {};
  let count = 0;
  let next = 0;
  for (const [ident, { payload, version }] of latest) {
    const { kind, name, raw } = parseIdentity(Buffer.from(ident, 'latin1'));
    const fields = decode(payload) as unknown[];
    if (kind !== Kind.Value) next = Math.max(next, (fields[0] as number) + 1, kind === Kind.Ordered || kind === Kind.Map ? (fields[1] as number) + 1 : 0);
    switch (kind) {
      case Kind.Table: {
        // The namespace's place (written since schema 1's first format, which had none: then its earliest entry's).
        const [s, v, ks] = fields as [number, unknown, number | undefined];
        const place = ks ?? s;
        if (ks !== undefined) next = Math.max(next, ks + 1);
        const byNs = at(tables, name);
        const nsKey = raw[0]!.toString('latin1');
        let ns = byNs.get(nsKey);
        if (ns === undefined) byNs.set(nsKey, (ns = { ns: decodePart(raw[0]!), min: place, rows: [] }));
        ns.min = Math.min(ns.min, place);
        ns.rows.push([s, decodePart(raw[1]!), v, version]);
        count++;
        break;
      }
      case Kind.Ordered: {
        const [, ks, v] = fields as [number, number, unknown];
        const byKey = at(ordered, name);
        const k = raw[0]!.toString('latin1');
        let e = byKey.get(k);
        if (e === undefined) byKey.set(k, (e = { ks, key: decodePart(raw[0]!), rows: [] }));
        e.ks = Math.min(e.ks, ks);
        e.rows.push([decodePart(raw[1]!) as number, v, version]);
        count++;
        break;
      }
      case Kind.Map: {
        const [s, ks, v] = fields as [number, number, unknown];
        const byKey = at(maps, name);
        const k = raw[0]!.toString('latin1');
        let e = byKey.get(k);
        if (e === undefined) byKey.set(k, (e = { ks, key: decodePart(raw[0]!), rows: [] }));
        e.ks = Math.min(e.ks, ks);
        e.rows.push([s, decodePart(raw[1]!), v, version]);
        count++;
        break;
      }
      case Kind.Timer: {
        const [s] = fields as [number];
        let q = timers.get(name);
        if (q === undefined) timers.set(name, (q = []));
        q.push([decodePart(raw[0]!) as number, s, decodePart(raw[2]!), decodePart(raw[1]!), version]);
        break;
      }
      case Kind.Value:
        values[name] = (fields as [unknown])[0];
        valueVersions[name] = version;
        count++;
        break;
      default:
        throw new StateError(`tidemark/lmdb: operator "${op}" has a state entry of unknown kind ${String(kind)}; the state directory is damaged or was written by a newer tidemark`);
    }
  }
  if (count !== entries) {
    throw new StateError(
      `tidemark/lmdb: operator "${op}"'s state as of checkpoint ${id} has ${count} entries, its checkpoint recorded ${entries}: the state directory is damaged; restore it from a backup, or open it with { fresh: true } to discard its state`,
    );
  }
  const order: StateOrder = { next, tables: {}, tableNamespaces: {}, ordered: {}, maps: {}, versions: { tables: {}, ordered: {}, maps: {}, timers: {}, values: valueVersions } };
  const { versions } = order;
  const snapshot: StateSnapshot = {
    format: 'tidemark-state/1',
    tables: Object.fromEntries(
      [...tables].map(([name, byNs]) => {
        const seqs: number[] = (order.tables[name] = []);
        const vs: number[] = (versions.tables[name] = []);
        const sorted = [...byNs.values()].sort((a, b) => a.min - b.min);
        order.tableNamespaces[name] = sorted.map((ns) => ns.min);
        const rows = sorted
          .map((ns) => [ns.ns, ns.rows.sort((a, b) => a[0] - b[0]).map(([s, k, v, version]) => (seqs.push(s), vs.push(version), [k, v] as const))] as const);
        return [name, rows];
      }),
    ),
    ordered: Object.fromEntries(
      [...ordered].map(([name, byKey]) => {
        const keys = [...byKey.values()].sort((a, b) => a.ks - b.ks);
        order.ordered[name] = keys.map((e) => e.ks);
        const vs: number[] = (versions.ordered[name] = []);
        return [name, keys.map((e) => [e.key, e.rows.sort((a, b) => a[0] - b[0]).map(([p, v, version]) => (vs.push(version), [p, v] as const))] as const)];
      }),
    ),
    maps: Object.fromEntries(
      [...maps].map(([name, byKey]) => {
        const keys = [...byKey.values()].sort((a, b) => a.ks - b.ks);
        const o = (order.maps[name] = { ks: keys.map((e) => e.ks), s: [] as number[] });
        const vs: number[] = (versions.maps[name] = []);
        return [name, keys.map((e) => [e.key, e.rows.sort((a, b) => a[0] - b[0]).map(([s, mk, v, version]) => (o.s.push(s), vs.push(version), [mk, v] as const))] as const)];
      }),
    ),
    timers: Object.fromEntries(
      [...timers].map(([name, q]) => {
        const vs: number[] = (versions.timers[name] = []);
        return [name, q.sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([t, , ns, k, version]) => (vs.push(version), [t, ns, k] as const))];
      }),
    ),
    values,
  };
  return { snapshot, order };
}

/**
 * @internal The insertion orders of a rebuilt state, in the order of its snapshot's rows, so
 * that a backend restored from it numbers its entries as on disk and its later changes can be
 * written as deltas: each table entry's, each ordered and map table key's, each map entry's; and
 * the next free number. And each entry's version on disk, so that its next one replaces it
 * without a read.
 */
export interface StateOrder {
  readonly next: number;
  readonly tables: Record<string, number[]>;
  /** Each table namespace's place, in the order of the snapshot's namespaces. */
  readonly tableNamespaces: Record<string, number[]>;
  readonly ordered: Record<string, number[]>;
  readonly maps: Record<string, { readonly ks: number[]; readonly s: number[] }>;
  /** The checkpoint that wrote each entry's version on disk, in the same order (values by name). */
  readonly versions: {
    readonly tables: Record<string, number[]>;
    readonly ordered: Record<string, number[]>;
    readonly maps: Record<string, number[]>;
    readonly timers: Record<string, number[]>;
    readonly values: Record<string, number>;
  };
}


function at<V>(m: Map<string, Map<string, V>>, name: string): Map<string, V> {
  let inner = m.get(name);
  if (inner === undefined) m.set(name, (inner = new Map()));
  return inner;
}
