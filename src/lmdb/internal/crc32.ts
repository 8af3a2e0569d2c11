import * as zlib from 'node:zlib';

let table: Uint32Array | undefined;

/**
 * @internal CRC-32 (IEEE, zlib's) of `data`, continuing from `crc`: Node's native `zlib.crc32`
 * where it exists (Node ≥ 20.15), a table-driven one otherwise.
 */
export const crc32: (data: Uint8Array, crc?: number) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function'
    ? (data, crc = 0) => (zlib as unknown as { crc32(d: Uint8Array, c: number): number }).crc32(data, crc)
    : (data, crc = 0) => {
        if (table === undefined) {
          table = new Uint32Array(256);
          for (let n = 0; n < 256; n++) {
            let c = n;
            for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
            table[n] = c >>> 0;
          }
        }
        let c = ~crc >>> 0;
        for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
        return ~c >>> 0;
      };
