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
 *                                     (inline) or skeleton + entry count (state in 'E' records)
 * 'E' op identity id(u64)           → one state entry as of checkpoint `id` (empty value: deleted)
 * 'L' id(u64) op                    → the identities checkpoint `id` wrote for `op` (for compaction)
 * ```
 *
 * `op` is length-prefixed (u16 + UTF-8); an identity is a kind byte, the structure's name
 * (length-prefixed) and its parts (each a length-prefixed v8 serialization). Every value is
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
export const SCHEMA = 1;
/** Keys longer than this are refused (lmdb-js's limit is 1978 bytes). */
const MAX_KEY = 1900;

export function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

export function readU64(b: Uint8Array, at: number): number {
  return Number(Buffer.from(b.buffer, b.byteOffset, b.byteLength).readBigUInt64BE(at));
}

/** A length-prefixed string. */
export function str(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  const b = Buffer.alloc(2 + bytes.length);
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

export function logKey(id: number, op: string): Buffer {
  return Buffer.concat([Buffer.from('L'), u64(id), str(op)]);
}

/** The identity of a structure's entry: kind, the structure's name, then each part serialized. */
export function identity(kind: Kind, name: Buffer, parts: readonly unknown[]): Buffer {
  const chunks: Buffer[] = [Buffer.of(kind), name];
  for (const p of parts) {
    const s = v8.serialize(p);
    const len = Buffer.alloc(4);
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
  const b = Buffer.alloc(4 + payload.length);
  b.writeUInt32BE(crc32(payload, crc32(key)));
  b.set(payload, 4);
  return b;
}

/** The payload of a framed value, after checking its CRC; a StateError naming `what` if it does not match. */
export function unframe(key: Uint8Array, value: Uint8Array | undefined, what: () => string): Buffer {
  const b = value === undefined ? undefined : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (b === undefined || b.length < 4 || b.readUInt32BE(0) !== crc32(b.subarray(4), crc32(key))) {
    throw new StateError(`tidemark/lmdb: ${what()} fails its checksum: the state directory is damaged; restore it from a backup, or open it with { fresh: true } to discard its state`);
  }
  return b.subarray(4);
}

export function encode(value: unknown): Buffer {
  return v8.serialize(value);
}

export function decode(payload: Uint8Array): unknown {
  return v8.deserialize(payload);
}
