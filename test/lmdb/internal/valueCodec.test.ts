import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue } from '../../../src/lmdb/internal/valueCodec.js';
import { decodePart, encodePart } from '../../../src/lmdb/internal/records.js';

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

describe('valueCodec', () => {
  it('round-trips what structuredClone does: plain data by the codec, the rest through v8', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100; i++) deep = { next: deep };
    const values: unknown[] = [
      0, -0, NaN, Infinity, -1.5, 2 ** 53, '', 'héllo ✓', true, false, null, undefined,
      [1, 'a', [null, undefined], { b: [2] }],
      { a: 1, 'b c': { d: [] }, e: undefined },
      new Map<unknown, unknown>([[1, { x: new Set([1, 2]) }], ['k', [1n]]]),
      new Date(1700000001234),
      new Uint8Array([1, 2, 3]),
      [new Map([[0, 0]]), { when: new Date(0) }],
      deep,
    ];
    for (const v of values) expect(decodeValue(encodeValue(v))).toStrictEqual(structuredClone(v));
    expect(Object.is(decodeValue(encodeValue(-0)), -0)).toBe(true);
    // A class instance becomes a plain object with its own fields, as in structuredClone.
    expect(decodeValue(encodeValue(new Point(1, 2)))).toStrictEqual({ x: 1, y: 2 });
  });

  it('encodes a key part the same whatever its representation: 0 from a literal, a computation, or -0', () => {
    const computed = [0.5 * 2 - 1, 10 / 10 - 1, -0, 0];
    for (const z of computed) expect(encodePart(z)).toEqual(encodePart(0));
    expect(encodePart(-10)).toEqual(encodePart(-20 / 2));
    for (const p of [1.25, 'k7', '', true, false, null, undefined, 12n, { a: [1] }]) expect(decodePart(encodePart(p))).toStrictEqual(p);
    expect(encodePart('1')).not.toEqual(encodePart(1));
  });
});
