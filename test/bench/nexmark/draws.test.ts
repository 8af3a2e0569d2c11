import { describe, expect, it } from 'vitest';
import { drawKernels, eventDrawsJs, EVENT_DRAWS, lettersJs, TAPE, tapeJs } from '../../../bench/nexmark/draws.js';
import { EventRandom } from '../../../bench/nexmark/random.js';

describe('draws', () => {
  it('the plain letters are EventRandom.nextInt(26), and return the state after them', () => {
    const bytes = new Uint8Array(100);
    const state = lettersJs(bytes, 3, 90, 12_345);
    const random = new EventRandom(12_345);
    expect([...bytes.subarray(3, 93)]).toEqual(Array.from({ length: 90 }, () => 97 + random.nextInt(26)));
    // a PRNG started at the returned state makes the 91st draw
    expect(new EventRandom(state).nextUint32()).toBe(random.nextUint32());
  });

  it('the tape marks the draws that make a blank (nextInt(13) === 0)', () => {
    const tape = tapeJs(new Uint8Array(TAPE), 200, -77);
    const random = new EventRandom(-77);
    const expected = Array.from({ length: 200 }, () => {
      const u = random.nextUint32();
      return 97 + Math.floor((u / 2 ** 32) * 26) + (Math.floor((u / 2 ** 32) * 13) === 0 ? 128 : 0);
    });
    expect([...tape.subarray(0, 200)]).toEqual(expected);
    expect(expected.some((x) => x >= 128)).toBe(true);
  });

  it('the event draws are each seed’s first nextUint32() draws', () => {
    const seeds = Int32Array.from([0, -1, 42, 2 ** 31 - 1]);
    const out = eventDrawsJs(seeds, 4, new Uint32Array(4 * EVENT_DRAWS));
    seeds.forEach((seed, e) => {
      const random = new EventRandom(seed);
      expect([...out.subarray(e * EVENT_DRAWS, (e + 1) * EVENT_DRAWS)]).toEqual(Array.from({ length: EVENT_DRAWS }, () => random.nextUint32()));
    });
  });

  it('the WebAssembly SIMD kernels compute what the plain loops compute', () => {
    const simd = drawKernels(4_096, 64);
    const plain = drawKernels(4_096, 64, true);
    expect([simd.kind, plain.kind]).toEqual(['simd', 'plain']); // Node 20 has WebAssembly SIMD
    let seed = 1;
    for (let i = 0; i < 500; i++) {
      seed = (Math.imul(seed, 0x2c1b3c6d) + 0x297a2d39) | 0;
      const pos = (seed >>> 3) % 3_000;
      const len = (seed >>> 13) % 1_025;
      expect(simd.letters(pos, len, seed)).toBe(plain.letters(pos, len, seed));
      expect(simd.bytes.subarray(pos, pos + len)).toEqual(plain.bytes.subarray(pos, pos + len));
      const count = (seed >>> 7) % (TAPE + 1);
      expect(simd.tape(count, seed).subarray(0, count)).toEqual(plain.tape(count, seed).subarray(0, count));
      simd.seeds[i % 64] = plain.seeds[i % 64] = seed;
    }
    expect(simd.eventDraws(64)).toEqual(plain.eventDraws(64));
  });

  it('decodes the buffer as Latin-1', () => {
    for (const kernels of [drawKernels(64, 1), drawKernels(64, 1, true)]) {
      kernels.bytes.set([104, 105, 32, 122], 0);
      expect(kernels.text(4)).toBe('hi z');
    }
  });
});
