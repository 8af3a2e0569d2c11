import { describe, expect, it } from 'vitest';
import { ProtocolDecodeError, Reader } from '../../../../../src/connectors/kafka/testing/protocol/Reader.js';
import { Writer } from '../../../../../src/connectors/kafka/testing/protocol/Writer.js';

describe('Reader and Writer', () => {
  it('round-trip every wire type, growing the buffer as needed', () => {
    const w = new Writer(4);
    w.int8(-5).boolean(true).int16(-300).int32(-70_000).uint32(0xfffffffe).int64(2 ** 52 + 3).int64(-1);
    w.varint(0).varint(-1).varint(63).varint(-64).varint(2 ** 31 - 1).varint(-(2 ** 31));
    w.varlong(1_700_000_000_000).varlong(-1_700_000_000_000).unsignedVarint(300);
    w.string('héllo').nullableString(null).compactString('ok').compactNullableString(null);
    w.bytes(Buffer.from([1, 2])).nullableBytes(null).array([1, 2, 3], (w, x) => w.int32(x)).nullableArray(null, () => {});
    w.compactArray(['a', 'b'], (w, x) => w.compactString(x)).taggedFields();
    const r = new Reader(Buffer.from(w.finish()));
    expect([r.int8(), r.boolean(), r.int16(), r.int32(), r.uint32(), r.int64(), r.int64()]).toEqual([-5, true, -300, -70_000, 0xfffffffe, 2 ** 52 + 3, -1]);
    expect([r.varint(), r.varint(), r.varint(), r.varint(), r.varint(), r.varint()]).toEqual([0, -1, 63, -64, 2 ** 31 - 1, -(2 ** 31)]);
    expect([r.varlong(), r.varlong(), r.unsignedVarint()]).toEqual([1_700_000_000_000, -1_700_000_000_000, 300]);
    expect([r.string(), r.nullableString(), r.compactString(), r.compactNullableString()]).toEqual(['héllo', null, 'ok', null]);
    expect([...r.bytes()]).toEqual([1, 2]);
    expect(r.nullableBytes()).toBeNull();
    expect(r.array((r) => r.int32())).toEqual([1, 2, 3]);
    expect(r.nullableArray((r) => r.int32())).toBeNull();
    expect(r.compactArray((r) => r.compactString())).toEqual(['a', 'b']);
    r.taggedFields();
    expect(r.remaining).toBe(0);
  });

  it('encodes zig-zag varints as the record format does', () => {
    expect([...new Writer().varint(-1).varint(1).varint(300).finish()]).toEqual([0x01, 0x02, 0xd8, 0x04]);
  });

  it('throws ProtocolDecodeError on a short buffer, a negative required length, an array longer than the bytes left', () => {
    expect(() => new Reader(Buffer.from([0, 0, 0])).int32()).toThrow(ProtocolDecodeError);
    expect(() => new Reader(Buffer.from([0xff, 0xff])).string()).toThrow(/null where a string is required/);
    expect(() => new Reader(Buffer.from([0, 0, 0, 100])).array((r) => r.int8())).toThrow(/array of 100 items/);
    expect(() => new Reader(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])).unsignedVarint()).toThrow(/longer than 5 bytes/);
  });

  it('skips tagged fields it does not know', () => {
    const w = new Writer().unsignedVarint(2).unsignedVarint(0).unsignedVarint(3).raw(Buffer.from([9, 9, 9])).unsignedVarint(5).unsignedVarint(0).int8(7);
    const r = new Reader(Buffer.from(w.finish()));
    r.taggedFields();
    expect(r.int8()).toBe(7);
  });
});
