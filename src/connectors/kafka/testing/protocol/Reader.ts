/**
 * Reads Kafka's wire types from one request body, front to back. Every read checks the
 * bounds: a short or malformed request throws {@link ProtocolDecodeError}, and the connection
 * that sent it is closed (as Kafka does with a request it cannot parse).
 *
 * The types are those of the protocol guide: fixed-width big-endian integers, the zig-zag
 * `varint`/`varlong` of record batches, the unsigned varints of flexible versions (KIP-482),
 * and strings, bytes and arrays with `int16`/`int32` lengths or, in flexible versions,
 * "compact" ones (unsigned varint of length + 1, 0 meaning null).
 * @internal
 */
export class Reader {
  private at: number;

  constructor(
    readonly buffer: Buffer,
    offset = 0,
    private readonly end = buffer.length,
  ) {
    this.at = offset;
  }

  /** The read position. */
  get offset(): number {
    return this.at;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.end - this.at;
  }

  private take(n: number): number {
    if (n < 0 || this.at + n > this.end) throw new ProtocolDecodeError(`needs ${n} bytes at ${this.at}, has ${this.end - this.at}`);
    const at = this.at;
    this.at += n;
    return at;
  }

  int8(): number {
    return this.buffer.readInt8(this.take(1));
  }

  boolean(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    return this.buffer.readInt16BE(this.take(2));
  }

  int32(): number {
    return this.buffer.readInt32BE(this.take(4));
  }

  uint32(): number {
    return this.buffer.readUInt32BE(this.take(4));
  }

  /** An int64 as a number: offsets, timestamps and producer ids stay far below 2^53. */
  int64(): number {
    return Number(this.buffer.readBigInt64BE(this.take(8)));
  }

  /** An unsigned LEB128 varint of at most 32 bits. */
  unsignedVarint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.buffer[this.take(1)]!;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw new ProtocolDecodeError('varint longer than 5 bytes');
  }

  /** A zig-zag varint (int32). */
  varint(): number {
    const raw = this.unsignedVarint();
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  /** A zig-zag varlong, as a number (record timestamps deltas and lengths fit). */
  varlong(): number {
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const byte = this.buffer[this.take(1)]!;
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return Number((value >> 1n) ^ -(value & 1n));
    }
    throw new ProtocolDecodeError('varlong longer than 10 bytes');
  }

  /** Raw bytes (a copy-free view). */
  raw(n: number): Buffer {
    const at = this.take(n);
    return this.buffer.subarray(at, at + n);
  }

  string(): string {
    const s = this.nullableString();
    if (s === null) throw new ProtocolDecodeError('null where a string is required');
    return s;
  }

  nullableString(): string | null {
    const n = this.int16();
    return n < 0 ? null : this.raw(n).toString('utf8');
  }

  compactString(): string {
    const s = this.compactNullableString();
    if (s === null) throw new ProtocolDecodeError('null where a compact string is required');
    return s;
  }

  compactNullableString(): string | null {
    const n = this.unsignedVarint() - 1;
    return n < 0 ? null : this.raw(n).toString('utf8');
  }

  bytes(): Buffer {
    const b = this.nullableBytes();
    if (b === null) throw new ProtocolDecodeError('null where bytes are required');
    return b;
  }

  nullableBytes(): Buffer | null {
    const n = this.int32();
    return n < 0 ? null : this.raw(n);
  }

  compactBytes(): Buffer {
    const n = this.unsignedVarint() - 1;
    if (n < 0) throw new ProtocolDecodeError('null where compact bytes are required');
    return this.raw(n);
  }

  /** An array with an int32 count (-1 is null, returned as `null`). */
  nullableArray<T>(item: (r: Reader) => T): T[] | null {
    const n = this.int32();
    if (n < 0) return null;
    if (n > this.remaining) throw new ProtocolDecodeError(`array of ${n} items in ${this.remaining} bytes`);
    const items: T[] = [];
    for (let i = 0; i < n; i++) items.push(item(this));
    return items;
  }

  array<T>(item: (r: Reader) => T): T[] {
    return this.nullableArray(item) ?? [];
  }

  compactArray<T>(item: (r: Reader) => T): T[] {
    const n = this.unsignedVarint() - 1;
    if (n > this.remaining) throw new ProtocolDecodeError(`array of ${n} items in ${this.remaining} bytes`);
    const items: T[] = [];
    for (let i = 0; i < n; i++) items.push(item(this));
    return items;
  }

  /** Skips a flexible version's tagged fields (none of them is understood here). */
  taggedFields(): void {
    const count = this.unsignedVarint();
    for (let i = 0; i < count; i++) {
      this.unsignedVarint(); // tag
      this.raw(this.unsignedVarint());
    }
  }
}

/**
 * A request that does not parse: too short, a negative length where none may be, a varint
 * that does not end. The connection that sent it is closed.
 * @internal
 */
export class ProtocolDecodeError extends Error {
  override name = 'ProtocolDecodeError';
}
