/**
 * The Nexmark generator's random draws, in bulk. Each event's randomness is a mulberry32
 * PRNG (random.ts's `EventRandom`) seeded from its id. These loops make a bid's first draws
 * for a whole batch, the letters and blanks of auctions' and people's words, and the run's
 * text pool that `extra` padding is cut from (generator.ts).
 *
 * mulberry32's state is a Weyl sequence (`s += 0x6d2b79f5` per draw) and each output is a
 * function of the state alone, so the draws of an event are independent of one another:
 * WebAssembly SIMD kernels compute them 4 lanes at a time — letters at ~0.55 ns each against
 * ~1.9 ns in a plain loop, and a bid's first 8 draws ahead of the code that consumes them
 * (where they cost ~35 ns drawn on demand). The kernels are assembled below from named
 * opcodes; the plain-JS functions compute the same, as the fallback where WebAssembly SIMD
 * is missing and as the tests' check that both agree.
 */

const WEYL = 0x6d2b79f5;
const TWO_32 = 4294967296;

/** The most draws {@link DrawKernels.tape} makes at once. */
export const TAPE = 256;
/** Draws per event of {@link DrawKernels.eventDraws}. */
export const EVENT_DRAWS = 8;
/** Draw `u` makes a blank (`floor(u × 13 / 2^32) === 0`) iff `u` < this. */
const BLANK_BELOW = Math.ceil(TWO_32 / 13);

/** Bulk draws over buffers of their own. */
export interface DrawKernels {
  /** Which implementation draws. */
  readonly kind: 'simd' | 'plain';
  /** Where {@link letters} writes (the generator also puts a batch's other characters there). */
  readonly bytes: Uint8Array;
  /** Per event of a batch, its PRNG's initial state (filled by the caller for {@link eventDraws}). */
  readonly seeds: Int32Array;
  /**
   * Writes `len` letters (`97 + nextInt(26)` each) at `bytes[pos …]` from state `state`;
   * returns the state after `len` draws. May scribble up to 15 bytes past `pos + len`.
   */
  letters(pos: number, len: number, state: number): number;
  /**
   * The draws of a `nextString`, for `count` (≤ {@link TAPE}) draws from `state` on: entry k
   * is the letter of draw k (`97 + nextInt(26)`), plus 128 if draw k makes a blank (`nextInt(13) === 0`).
   */
  tape(count: number, state: number): Uint8Array;
  /** For the first `n` seeds: draws 1 to {@link EVENT_DRAWS} of each, at `[8e, 8e + 8)` (uint32s, `EventRandom.nextUint32()`). */
  eventDraws(n: number): Uint32Array;
  /** `bytes[0, end)` as a string (Latin-1). */
  text(end: number): string;
}

/** mulberry32's output for state `s` (the state after its step). */
function mulberry(s: number): number {
  let t = Math.imul(s ^ (s >>> 15), s | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

/** The plain-JS letters. */
export function lettersJs(bytes: Uint8Array, pos: number, len: number, state: number): number {
  let s = state;
  for (let p = pos; p < pos + len; p++) {
    s = (s + WEYL) | 0;
    bytes[p] = 97 + Math.floor((mulberry(s) / TWO_32) * 26);
  }
  return s;
}

/** The plain-JS tape. */
export function tapeJs(tape: Uint8Array, count: number, state: number): Uint8Array {
  let s = state;
  for (let k = 0; k < count; k++) {
    s = (s + WEYL) | 0;
    const u = mulberry(s);
    tape[k] = 97 + Math.floor((u / TWO_32) * 26) + (u < BLANK_BELOW ? 128 : 0);
  }
  return tape;
}

/** The plain-JS event draws. */
export function eventDrawsJs(seeds: Int32Array, n: number, out: Uint32Array): Uint32Array {
  for (let e = 0; e < n; e++) {
    let s = seeds[e]!;
    for (let k = 0; k < EVENT_DRAWS; k++) out[e * EVENT_DRAWS + k] = mulberry((s = (s + WEYL) | 0));
  }
  return out;
}

/** Kernels for up to `capacity` bytes of letters and `events` events a batch; WebAssembly SIMD unless `plain`. */
export function drawKernels(capacity: number, events: number, plain = false): DrawKernels {
  // Memory: letters (+ 16 bytes of overrun) | tape | seeds | event draws
  const tapeAt = capacity + 16;
  const seedsAt = tapeAt + TAPE;
  const drawsAt = seedsAt + 4 * events;
  const size = drawsAt + 4 * EVENT_DRAWS * events;
  const kernel = plain ? undefined : simdKernel(Math.ceil(size / 65536));
  const buffer = kernel?.memory.buffer ?? new ArrayBuffer(size);
  const bytes = new Uint8Array(buffer, 0, capacity + 16);
  const tape = new Uint8Array(buffer, tapeAt, TAPE);
  const seeds = new Int32Array(buffer, seedsAt, events);
  const draws = new Uint32Array(buffer, drawsAt, EVENT_DRAWS * events);
  const view = Buffer.from(buffer, 0, capacity + 16);
  if (kernel === undefined) {
    const text = (end: number): string => view.toString('latin1', 0, end);
    return {
      kind: 'plain',
      bytes,
      seeds,
      letters: (pos, len, state) => lettersJs(bytes, pos, len, state),
      tape: (count, state) => tapeJs(tape, count, state),
      eventDraws: (n) => eventDrawsJs(seeds, n, draws),
      text,
    };
  }
  return new SimdKernels(kernel, bytes, seeds, tape, tapeAt, seedsAt, drawsAt, draws, view);
}

/**
 * The WebAssembly kernels behind {@link DrawKernels}. A class, not closures: every generator's
 * kernels then share one call target per method, so the generator's optimized code stays
 * valid from one generator to the next (closures made per generator deoptimized it: "wrong
 * call target").
 */
class SimdKernels implements DrawKernels {
  readonly kind = 'simd';
  constructor(
    private readonly kernel: Kernel,
    readonly bytes: Uint8Array,
    readonly seeds: Int32Array,
    private readonly tapeBytes: Uint8Array,
    private readonly tapeAt: number,
    private readonly seedsAt: number,
    private readonly drawsAt: number,
    private readonly draws: Uint32Array,
    private readonly view: Buffer,
  ) {}

  text(end: number): string {
    return this.view.toString('latin1', 0, end);
  }

  letters(pos: number, len: number, state: number): number {
    this.kernel.letters(pos, (len + 15) >>> 4, state);
    return (state + Math.imul(len, WEYL)) | 0;
  }

  tape(count: number, state: number): Uint8Array {
    this.kernel.tape(this.tapeAt, (count + 15) >>> 4, state);
    return this.tapeBytes;
  }

  eventDraws(n: number): Uint32Array {
    this.kernel.events(this.seedsAt, n, this.drawsAt);
    return this.draws;
  }
}

// --- the kernels ------------------------------------------------------------------------

type Kernel3 = (a: number, b: number, c: number) => void;
interface Kernel {
  readonly memory: WebAssembly.Memory;
  /** letters(dst, groups, state): 16 × groups letters at dst. */
  readonly letters: Kernel3;
  /** tape(dst, groups, state): 16 × groups tape entries at dst. */
  readonly tape: Kernel3;
  /** events(seeds, n, dst): 8 draws per seed at dst. */
  readonly events: Kernel3;
}

/**
 * Compiled modules by memory size. Compiled once per process: a module compiled anew starts
 * in V8's baseline tier and is optimized only once hot, so a generator made after a full GC
 * (which frees the previous generator's module) ran ~30% slower for its first millions of
 * events (measured: 4.0 M against 5.5–6 M events/CPU-s, made and dropped).
 */
const compiled = new Map<number, WebAssembly.Module>();

function simdKernel(pages: number): Kernel | undefined {
  if (typeof WebAssembly !== 'object') return undefined;
  try {
    let module = compiled.get(pages);
    if (module === undefined) compiled.set(pages, (module = new WebAssembly.Module(assemble(pages))));
    const { mem, letters, tape, events } = new WebAssembly.Instance(module).exports as { mem: WebAssembly.Memory; letters: Kernel3; tape: Kernel3; events: Kernel3 };
    return { memory: mem, letters, tape, events };
  } catch {
    return undefined; // no SIMD (CompileError): the plain loops
  }
}

const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
};
const name = (s: string): number[] => [...leb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const section = (id: number, bytes: number[]): number[] => [id, ...leb(bytes.length), ...bytes];
const vector = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const simd = (op: number): number[] => [0xfd, ...leb(op)];

/** The instructions used, by their names in the WebAssembly text format. */
const op = {
  localGet: (i: number) => [0x20, ...leb(i)],
  localSet: (i: number) => [0x21, ...leb(i)],
  localTee: (i: number) => [0x22, ...leb(i)],
  i32Const: (n: number) => [0x41, ...sleb(n | 0)],
  i32Load: [0x28, 2, 0],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Eqz: [0x45],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...leb(depth)],
  brIf: (depth: number) => [0x0d, ...leb(depth)],
  v128Store: (offset: number) => [...simd(0x0b), 4, ...leb(offset)],
  v128Const: (lanes: number[]) => [...simd(0x0c), ...lanes.flatMap((l) => [l & 255, (l >>> 8) & 255, (l >>> 16) & 255, (l >>> 24) & 255])],
  i32x4Splat: simd(0x11),
  i32x4LtU: simd(0x3a),
  v128And: simd(0x4e),
  v128Or: simd(0x50),
  v128Xor: simd(0x51),
  i8x16NarrowI16x8U: simd(0x66),
  i16x8NarrowI32x4U: simd(0x86),
  i32x4ShrU: simd(0xad),
  i32x4Add: simd(0xae),
  i32x4Mul: simd(0xb5),
  i8x16Add: simd(0x6e),
  i8x16Shuffle: (lanes: number[]) => [...simd(0x0d), ...lanes],
  i64x2ExtmulLowI32x4U: simd(0xde),
  i64x2ExtmulHighI32x4U: simd(0xdf),
};

// Locals: params 0, 1, 2 (i32); then v128: 3 the next 4 states, 4 the step (4 × WEYL), 5 t,
// 6–9 four vectors of states, 10–15 constants splatted once per call (a splat in the loop
// costs two instructions per use: they were a third of the loop's).
const [P0, P1, P2, NEXT, STEP, T, A, B, C, D] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const [ONE, C61, C26, C128, CBLANK, C97] = [10, 11, 12, 13, 14, 15];
const V128_LOCALS = 13;
const splat = (n: number): number[] => [...op.i32Const(n), ...op.i32x4Splat];
const weyl = (from: number): number[] => op.v128Const([0, 1, 2, 3].map((i) => (from + i) * WEYL));
/** Sets mulberry32's constant locals. */
const mulberryConstants: number[] = [...splat(1), ...op.localSet(ONE), ...splat(61), ...op.localSet(C61)];
/** Sets the letters' constant locals too (C97 holds 97 in each byte). */
const letterConstants: number[] = [
  ...mulberryConstants, ...splat(26), ...op.localSet(C26),
  ...splat(128), ...op.localSet(C128), ...splat(BLANK_BELOW), ...op.localSet(CBLANK), ...splat(0x61616161), ...op.localSet(C97),
];

/** mulberry32's outputs for the 4 states in local `x`: leaves `u` on the stack and in local T. */
function mulberryOf(x: number): number[] {
  return [
    // t = imul(x ^ (x >>> 15), x | 1)
    ...op.localGet(x), ...op.localGet(x), ...op.i32Const(15), ...op.i32x4ShrU, ...op.v128Xor,
    ...op.localGet(x), ...op.localGet(ONE), ...op.v128Or, ...op.i32x4Mul, ...op.localSet(T),
    // t ^= t + imul(t ^ (t >>> 7), t | 61)
    ...op.localGet(T), ...op.localGet(T), ...op.localGet(T), ...op.localGet(T), ...op.i32Const(7), ...op.i32x4ShrU, ...op.v128Xor,
    ...op.localGet(T), ...op.localGet(C61), ...op.v128Or, ...op.i32x4Mul, ...op.i32x4Add, ...op.v128Xor, ...op.localSet(T),
    // u = t ^ (t >>> 14)
    ...op.localGet(T), ...op.localGet(T), ...op.i32Const(14), ...op.i32x4ShrU, ...op.v128Xor, ...op.localTee(T),
  ];
}

/**
 * The letter indices of the states in local `x`: `floor(u × 26 / 2^32)`, the high halves of
 * the 64-bit products, plus 128 if `u` < BLANK_BELOW when `blanks` (97 is added to the bytes later).
 */
function letterOf(x: number, blanks: boolean): number[] {
  return [
    ...mulberryOf(x), ...op.localGet(C26), ...op.i64x2ExtmulLowI32x4U,
    ...op.localGet(T), ...op.localGet(C26), ...op.i64x2ExtmulHighI32x4U,
    ...op.i8x16Shuffle([4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31]),
    ...(blanks ? [...op.localGet(T), ...op.localGet(CBLANK), ...op.i32x4LtU, ...op.localGet(C128), ...op.v128And, ...op.v128Or] : []),
  ];
}

/** letters / tape (dst = P0, groups = P1, state = P2): 16 letters per iteration. */
function lettersBody(blanks: boolean): number[] {
  const letter = (x: number): number[] => letterOf(x, blanks);
  return [
    // next = state + [1, 2, 3, 4] × WEYL; step = 4 × WEYL
    ...op.localGet(P2), ...op.i32x4Splat, ...weyl(1), ...op.i32x4Add, ...op.localSet(NEXT),
    ...splat(4 * WEYL), ...op.localSet(STEP), ...letterConstants,
    ...op.block, ...op.loop,
    ...op.localGet(P1), ...op.i32Eqz, ...op.brIf(1),
    // the states of 16 letters: a = next, b = a + step, c, d; next = d + step
    ...op.localGet(NEXT), ...op.localTee(A), ...op.localGet(STEP), ...op.i32x4Add, ...op.localTee(B),
    ...op.localGet(STEP), ...op.i32x4Add, ...op.localTee(C), ...op.localGet(STEP), ...op.i32x4Add, ...op.localTee(D),
    ...op.localGet(STEP), ...op.i32x4Add, ...op.localSet(NEXT),
    // store narrow(narrow(a, b), narrow(c, d)) at dst
    ...op.localGet(P0),
    ...letter(A), ...letter(B), ...op.i16x8NarrowI32x4U, ...letter(C), ...letter(D), ...op.i16x8NarrowI32x4U, ...op.i8x16NarrowI16x8U,
    ...op.localGet(C97), ...op.i8x16Add, ...op.v128Store(0),
    ...op.localGet(P0), ...op.i32Const(16), ...op.i32Add, ...op.localSet(P0),
    ...op.localGet(P1), ...op.i32Const(1), ...op.i32Sub, ...op.localSet(P1),
    ...op.br(0), ...op.end, ...op.end, ...op.end,
  ];
}

/** events (seeds = P0, n = P1, dst = P2): per seed s, mulberry of s + [1 … 8] × WEYL. */
function eventsBody(): number[] {
  return [
    ...mulberryConstants, ...op.block, ...op.loop,
    ...op.localGet(P1), ...op.i32Eqz, ...op.brIf(1),
    ...op.localGet(P0), ...op.i32Load, ...op.i32x4Splat, ...op.localTee(B), ...weyl(1), ...op.i32x4Add, ...op.localSet(A),
    ...op.localGet(B), ...weyl(5), ...op.i32x4Add, ...op.localSet(B),
    ...op.localGet(P2), ...mulberryOf(A), ...op.v128Store(0),
    ...op.localGet(P2), ...mulberryOf(B), ...op.v128Store(16),
    ...op.localGet(P0), ...op.i32Const(4), ...op.i32Add, ...op.localSet(P0),
    ...op.localGet(P2), ...op.i32Const(32), ...op.i32Add, ...op.localSet(P2),
    ...op.localGet(P1), ...op.i32Const(1), ...op.i32Sub, ...op.localSet(P1),
    ...op.br(0), ...op.end, ...op.end, ...op.end,
  ];
}

function assemble(pages: number): Uint8Array<ArrayBuffer> {
  const code = (body: number[]): number[] => {
    const c = [...vector([[...leb(V128_LOCALS), 0x7b]]), ...body]; // locals of type v128
    return [...leb(c.length), ...c];
  };
  const I32 = 0x7f;
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0], // "\0asm", version 1
    ...section(1, vector([[0x60, 3, I32, I32, I32, 0]])), // type 0: (i32, i32, i32) → ()
    ...section(3, vector([[0], [0], [0]])), // functions 0–2 have type 0
    ...section(5, vector([[0, ...leb(pages)]])), // memory: `pages` pages, no maximum
    ...section(7, vector([[...name('mem'), 2, 0], [...name('letters'), 0, 0], [...name('tape'), 0, 1], [...name('events'), 0, 2]])),
    ...section(10, vector([code(lettersBody(false)), code(lettersBody(true)), code(eventsBody())])),
  ]);
}
