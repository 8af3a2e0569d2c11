import * as v8 from 'node:v8';
import { StateError } from 'tidemark';
import { crc32 } from './crc32.js';

/**
 * @internal The store's keys and values. One LMDB database, binary keys, the first byte saying
 * what a record is:
 *
 * ```
 * 'M' "format"                      → { format: 'tidemark-lmdb', schema }
 * 'C' id(u64)                       → a checkpoint: pipeline, sources, sink, each operator's snapshot
 *                                     (inline) or skeleton, entry count and `from` (state in 'E' records)
 * 'E' op id(u64) identity           → one state entry as checkpoint `id` wrote it (empty value: a
 *                                     deletion, or for a timer queue's own identity a reset of it)
 * ```
 *
 * State entries sort by operator, then by the checkpoint that wrote them: a checkpoint appends
 * what changed at the end of its operator's range (sequential pages, whatever the state's size),
 * and a state is read by scanning its checkpoints' ranges from its `from` on, later versions
 * replacing earlier ones. Versions below every retained checkpoint's `from` are garbage, removed
 * from the low end a bounded amount per commit (the backend's refresh cycle moves
 * `from` forward).
 *
 * `op` is length-prefixed (u16 + UTF-8); an identity is a kind byte, the structure's name
 * (length-prefixed) and its parts (each length-prefixed, see {@link encodePart}). Every value is
 * framed as a CRC-32 of key and payload, then the payload (v8's serialization, which is
 * structured cloning's).
 */
export const enum Kind {
  Table = 1,
  Ordered = 2,
  Map = 3,
  Timer = 4,
  Value = 5,
}

export const FORMAT_KEY = Buffer.from('Mformat');
/** 2: entries keyed by version, then identity (1 had identity, then version, and per-checkpoint logs). */
export const SCHEMA = 2;
/** Keys longer than this are refused (lmdb-js's limit is 1978 bytes). */
const MAX_KEY = 1900;

// Small buffers come from Node's pool (allocUnsafe): one ArrayBuffer per entry would make V8
// collect the whole heap often (external memory pressure), a cost proportional to all state.
export function u64(n: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

export function readU64(b: Uint8Array, at: number): number {
  return Number(Buffer.from(b.buffer, b.byteOffset, b.byteLength).readBigUInt64BE(at));
}

/** A length-prefixed string. */
export function str(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  const b = Buffer.allocUnsafe(2 + bytes.length);
  b.writeUInt16BE(bytes.length);
  bytes.copy(b, 2);
  return b;
}

export function checkpointKey(id: number): Buffer {
  return Buffer.concat([Buffer.from('C'), u64(id)]);
}

export function entryPrefix(op: string): Buffer {
  return Buffer.concat([Buffer.from('E'), str(op)]);
}

/** The key of operator `prefix`'s entry `ident` as checkpoint `version` wrote it. */
export function entryKey(prefix: Buffer, version: number, ident: Uint8Array): Buffer {
  const b = Buffer.allocUnsafe(prefix.length + 8 + ident.length);
  prefix.copy(b, 0);
  b.writeBigUInt64BE(BigInt(version), prefix.length);
  b.set(ident, prefix.length + 8);
  return b;
}

/** Where in an entry's key (of operator `prefix`) its version is. */
export function versionOf(key: Uint8Array, prefixLength: number): number {
  return readU64(key, prefixLength);
}

/**
 * One part of an identity (a key, a namespace, a position), in bytes that are equal exactly
 * when the parts are the same `Map` key (SameValueZero): v8 writes the number 0 as a small
 * integer or as a double depending on how it was computed, so numbers, strings and the other
 * primitives have encodings of their own; other values are v8-serialized (compared by content).
 */
export function encodePart(p: unknown): Buffer {
  switch (typeof p) {
    case 'number': {
      const b = Buffer.allocUnsafe(9);
      b[0] = 0x6e; // 'n'
      b.writeDoubleBE(p === 0 ? 0 : p, 1);
      return b;
    }
    case 'string':
      return Buffer.concat([Buffer.of(0x73), Buffer.from(p, 'utf8')]); // 's'
    case 'boolean':
      return Buffer.of(p ? 0x74 : 0x66); // 't' 'f'
    case 'undefined':
      return Buffer.of(0x75); // 'u'
    case 'bigint':
      return Buffer.concat([Buffer.of(0x62), Buffer.from(p.toString(), 'latin1')]); // 'b'
    default:
      return p === null ? Buffer.of(0x30) : Buffer.concat([Buffer.of(0x76), v8.serialize(p)]); // '0' 'v'
  }
}

/** The value {@link encodePart} encoded. */
export function decodePart(b: Buffer): unknown {
  switch (b[0]) {
    case 0x6e:
      return b.readDoubleBE(1);
    case 0x73:
      return b.toString('utf8', 1);
    case 0x74:
      return true;
    case 0x66:
      return false;
    case 0x75:
      return undefined;
    case 0x62:
      return BigInt(b.toString('latin1', 1));
    case 0x30:
      return null;
    case 0x76:
      return v8.deserialize(b.subarray(1));
    default:
      throw new StateError(`tidemark/lmdb: a state key has an unknown encoding (tag ${String(b[0])}); the state directory is damaged or was written by a newer tidemark`);
  }
}

/** The identity of a structure's entry: kind, the structure's name, then each part encoded. */
export function identity(kind: Kind, name: Buffer, parts: readonly unknown[]): Buffer {
  const chunks: Buffer[] = [Buffer.of(kind), name];
  for (const p of parts) {
    const s = encodePart(p);
    const len = Buffer.allocUnsafe(4);
    len.writeUInt32BE(s.length);
    chunks.push(len, s);
  }
  const b = Buffer.concat(chunks);
  if (b.length > MAX_KEY) throw new StateError(`tidemark/lmdb: a state key serializes to ${b.length} bytes, more than ${MAX_KEY}; use shorter keys`);
  return b;
}

/** An identity read back: kind, structure name, and each part's serialized bytes (to group by) and value. */
export interface Identity {
  readonly kind: Kind;
  readonly name: string;
  readonly raw: readonly Buffer[];
}

export function parseIdentity(b: Buffer): Identity {
  const kind = b[0] as Kind;
  const nameLen = b.readUInt16BE(1);
  const name = b.toString('utf8', 3, 3 + nameLen);
  const raw: Buffer[] = [];
  for (let at = 3 + nameLen; at < b.length; ) {
    const len = b.readUInt32BE(at);
    raw.push(b.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return { kind, name, raw };
}

/** `payload` framed with the CRC-32 of `key` and `payload`. An empty payload is a deletion. */
export function frame(key: Uint8Array, payload: Uint8Array): Buffer {
  const b = Buffer.allocUnsafe(4 + payload.length);
  b.writeUInt32BE(crc32(payload, crc32(key)));
  b.set(payload, 4);
  return b;
}

/** Whether `value` is a framed payload whose CRC matches `key` and the payload. */
export function framed(key: Uint8Array, value: Uint8Array): boolean {
  const b = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return b.length >= 4 && b.readUInt32BE(0) === crc32(b.subarray(4), crc32(key));
}

/** What a record is, from its key, for messages: "checkpoint 7's record", "a state entry of operator "sums" (checkpoint 7)". */
export function describeKey(key: Buffer): string {
  try {
    if (key[0] === 0x43 && key.length === 9) return `checkpoint ${readU64(key, 1)}'s record`;
    if (key[0] === 0x45) {
      const n = key.readUInt16BE(1);
      return `a state entry of operator "${key.toString('utf8', 3, 3 + n)}" (checkpoint ${readU64(key, 3 + n)})`;
    }
    if (key.equals(FORMAT_KEY)) return 'the format record';
  } catch {
    // a key too damaged to say: fall through
  }
  return `the record with key 0x${key.subarray(0, 24).toString('hex')}${key.length > 24 ? '…' : ''}`;
}

/** The payload of a framed value, after checking its CRC; a StateError naming `what` if it does not match. */
export function unframe(key: Uint8Array, value: Uint8Array | undefined, what: () => string): Buffer {
  const b = value === undefined ? undefined : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (b === undefined || b.length < 4 || b.readUInt32BE(0) !== crc32(b.subarray(4), crc32(key))) {
    throw new StateError(`tidemark/lmdb: ${what()} fails its checksum: the state directory is damaged; restore it from a backup, or open it with { fresh: true } to discard its state`);
  }
  return b.subarray(4);
}

export { decodeValue as decode, encodeValue as encode } from './valueCodec.js';
