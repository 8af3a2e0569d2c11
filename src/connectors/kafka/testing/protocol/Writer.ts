/**
 * Writes Kafka's wire types into a growing buffer: the counterpart of {@link Reader}.
 * `int32Placeholder` and `patchInt32` write a length or size before its content is known.
 * @internal
 */
export class Writer {
  private buffer: Buffer;
  private at = 0;

  constructor(initialSize = 256) {
    this.buffer = Buffer.allocUnsafe(initialSize);
  }

  /** The bytes written so far (a view, valid until the next write). */
  finish(): Buffer {
    return this.buffer.subarray(0, this.at);
  }

  get length(): number {
    return this.at;
  }

  private room(n: number): number {
    if (this.at + n > this.buffer.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + n));
      this.buffer.copy(bigger, 0, 0, this.at);
      this.buffer = bigger;
    }
    const at = this.at;
    this.at += n;
    return at;
  }

  private byte(v: number): void {
    const at = this.room(1);
    this.buffer[at] = v;
  }

  int8(v: number): this {
    const at = this.room(1);
    this.buffer.writeInt8(v, at);
    return this;
  }

  boolean(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  int16(v: number): this {
    const at = this.room(2);
    this.buffer.writeInt16BE(v, at);
    return this;
  }

  int32(v: number): this {
    const at = this.room(4);
    this.buffer.writeInt32BE(v, at);
    return this;
  }

  uint32(v: number): this {
    const at = this.room(4);
    this.buffer.writeUInt32BE(v >>> 0, at);
    return this;
  }

  int64(v: number): this {
    const at = this.room(8);
    this.buffer.writeBigInt64BE(BigInt(v), at);
    return this;
  }

  unsignedVarint(v: number): this {
    let rest = v;
    while (rest >= 0x80) {
      this.byte((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.byte(rest);
    return this;
  }

  /** A zig-zag varint (int32). */
  varint(v: number): this {
    return this.unsignedVarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  /** A zig-zag varlong. */
  varlong(v: number): this {
    let zz = (BigInt(v) << 1n) ^ (BigInt(v) >> 63n);
    while (zz >= 0x80n) {
      this.byte(Number(zz & 0x7fn) | 0x80);
      zz >>= 7n;
    }
    this.byte(Number(zz));
    return this;
  }

  raw(bytes: Uint8Array): this {
    const at = this.room(bytes.length);
    this.buffer.set(bytes, at);
    return this;
  }

  string(s: string): this {
    const n = Buffer.byteLength(s);
    this.int16(n);
    const at = this.room(n);
    this.buffer.write(s, at, 'utf8');
    return this;
  }

  nullableString(s: string | null): this {
    return s === null ? this.int16(-1) : this.string(s);
  }

  compactString(s: string): this {
    const n = Buffer.byteLength(s);
    this.unsignedVarint(n + 1);
    const at = this.room(n);
    this.buffer.write(s, at, 'utf8');
    return this;
  }

  compactNullableString(s: string | null): this {
    return s === null ? this.unsignedVarint(0) : this.compactString(s);
  }

  bytes(b: Uint8Array): this {
    return this.int32(b.length).raw(b);
  }

  nullableBytes(b: Uint8Array | null): this {
    return b === null ? this.int32(-1) : this.bytes(b);
  }

  array<T>(items: readonly T[], item: (w: Writer, x: T) => void): this {
    this.int32(items.length);
    for (const x of items) item(this, x);
    return this;
  }

  nullableArray<T>(items: readonly T[] | null, item: (w: Writer, x: T) => void): this {
    return items === null ? this.int32(-1) : this.array(items, item);
  }

  compactArray<T>(items: readonly T[], item: (w: Writer, x: T) => void): this {
    this.unsignedVarint(items.length + 1);
    for (const x of items) item(this, x);
    return this;
  }

  /** No tagged fields: a flexible version's empty tag section. */
  taggedFields(): this {
    return this.unsignedVarint(0);
  }

  /** Reserves an int32 to fill in later with {@link Writer.patchInt32}; returns its position. */
  int32Placeholder(): number {
    return this.room(4);
  }

  patchInt32(at: number, v: number): void {
    this.buffer.writeInt32BE(v, at);
  }
}
