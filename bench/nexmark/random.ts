/**
 * A small, fast, seedable PRNG for the Nexmark generator: every event draws its randomness
 * from a generator seeded by a hash of its event id (and the run's seed), so any slice of
 * the stream regenerates identically, in any order, without replaying what precedes it.
 *
 * The hash is splitmix32's finalizer; the generator is mulberry32 (period 2^32, passes
 * gjrand/PractRand to a few GB, about 1 ns per draw on V8): ample for synthetic data.
 */

/** splitmix32's finalizer: a well-mixed 32-bit hash of a 32-bit input. */
export function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A 32-bit seed for event `id` (a non-negative integer below 2^53) under a run seed. */
export function seedFor(id: number, runSeed: number): number {
  const lo = id >>> 0;
  const hi = Math.floor(id / 4294967296) >>> 0;
  return mix32(mix32(lo ^ mix32(runSeed)) ^ hi);
}

/** mulberry32: the per-event random source. */
export class EventRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed | 0;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniform double in [0, 1) with 32 bits of randomness. */
  nextDouble(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform integer in [0, n) for a positive integer n (exact for n <= 2^32, close beyond). */
  nextInt(n: number): number {
    return Math.floor(this.nextDouble() * n);
  }
}
