import * as v8 from 'node:v8';
import { StateError } from 'tidemark';

/**
 * @internal How state values are serialized: plain data (numbers, strings, booleans, null,
 * undefined, arrays, plain objects) by a small codec that writes into one reused buffer, anything
 * else (Map, Set, Date, typed arrays, bigint, class instances …) by v8's serializer, which is
 * structured cloning's. The codec is there for speed: v8's serializer makes an ArrayBuffer per
 * call, and a checkpoint of many entries would then make V8 collect the whole heap (external
 * memory pressure), a cost proportional to all state rather than to what changed. A value nested
 * deeper than 64 levels (or cyclic) goes to v8 whole.
 */
const UNDEFINED = 1;
const NULL = 2;
const TRUE = 3;
const FALSE = 4;
const NUMBER = 5;
const STRING = 6;
const ARRAY = 7;
const OBJECT = 8;
const V8 = 9;
const MAX_DEPTH = 64;

let buf = Buffer.allocUnsafe(1 << 16);
let pos = 0;

function room(n: number): void {
  if (pos + n <= buf.length) return;
  const next = Buffer.allocUnsafe(Math.max(buf.length * 2, pos + n));
  buf.copy(next, 0, 0, pos);
  buf = next;
}

class TooDeep extends Error {}

function write(v: unknown, depth: number): void {
  switch (typeof v) {
    case 'number':
      room(9);
      buf[pos] = NUMBER;
      buf.writeDoubleLE(v, pos + 1);
      pos += 9;
      return;
    case 'string': {
      const n = Buffer.byteLength(v);
      room(5 + n);
      buf[pos] = STRING;
      buf.writeUInt32LE(n, pos + 1);
      buf.write(v, pos + 5, n, 'utf8');
      pos += 5 + n;
      return;
    }
    case 'boolean':
      room(1);
      buf[pos++] = v ? TRUE : FALSE;
      return;
    case 'undefined':
      room(1);
      buf[pos++] = UNDEFINED;
      return;
    default:
  }
  if (v === null) {
    room(1);
    buf[pos++] = NULL;
    return;
  }
  if (depth > MAX_DEPTH) throw new TooDeep();
  if (Array.isArray(v) && Object.getPrototypeOf(v) === Array.prototype) {
    room(5);
    buf[pos] = ARRAY;
    buf.writeUInt32LE(v.length, pos + 1);
    pos += 5;
    for (let i = 0; i < v.length; i++) write(v[i], depth + 1);
    return;
  }
  const proto = typeof v === 'object' ? Object.getPrototypeOf(v) : undefined;
  if (proto === Object.prototype || proto === null) {
    const keys = Object.keys(v as object);
    room(5);
    buf[pos] = OBJECT;
    buf.writeUInt32LE(keys.length, pos + 1);
    pos += 5;
    for (const k of keys) {
      write(k, depth + 1);
      write((v as Record<string, unknown>)[k], depth + 1);
    }
    return;
  }
  const s = v8.serialize(v);
  room(5 + s.length);
  buf[pos] = V8;
  buf.writeUInt32LE(s.length, pos + 1);
  s.copy(buf, pos + 5);
  pos += 5 + s.length;
}

/** `value` in bytes (a small buffer of Node's pool, not one ArrayBuffer per value). */
export function encodeValue(value: unknown): Buffer {
  pos = 0;
  try {
    write(value, 0);
  } catch (e) {
    if (!(e instanceof TooDeep)) throw e;
    pos = 0;
    const s = v8.serialize(value);
    room(5 + s.length);
    buf[0] = V8;
    buf.writeUInt32LE(s.length, 1);
    s.copy(buf, 5);
    pos = 5 + s.length;
  }
  return Buffer.from(buf.subarray(0, pos));
}

let rb: Buffer = buf;
let rp = 0;

function read(): unknown {
  const tag = rb[rp++];
  switch (tag) {
    case UNDEFINED:
      return undefined;
    case NULL:
      return null;
    case TRUE:
      return true;
    case FALSE:
      return false;
    case NUMBER: {
      const n = rb.readDoubleLE(rp);
      rp += 8;
      return n;
    }
    case STRING: {
      const n = rb.readUInt32LE(rp);
      const s = rb.toString('utf8', rp + 4, rp + 4 + n);
      rp += 4 + n;
      return s;
    }
    case ARRAY: {
      const n = rb.readUInt32LE(rp);
      rp += 4;
      const a = new Array<unknown>(n);
      for (let i = 0; i < n; i++) a[i] = read();
      return a;
    }
    case OBJECT: {
      const n = rb.readUInt32LE(rp);
      rp += 4;
      const o: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const k = read() as string;
        o[k] = read();
      }
      return o;
    }
    case V8: {
      const n = rb.readUInt32LE(rp);
      const v = v8.deserialize(rb.subarray(rp + 4, rp + 4 + n));
      rp += 4 + n;
      return v;
    }
    default:
      throw new StateError(`tidemark/lmdb: a state value has an unknown encoding (tag ${String(tag)}); the state directory is damaged or was written by a newer tidemark`);
  }
}

/** The value {@link encodeValue} encoded. */
export function decodeValue(bytes: Uint8Array): unknown {
  rb = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  rp = 0;
  const v = read();
  if (rp !== rb.length) throw new StateError(`tidemark/lmdb: a state value has ${rb.length - rp} bytes after its end; the state directory is damaged`);
  return v;
}
