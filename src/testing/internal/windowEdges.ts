/**
 * @internal Where window operators have their off-by-one bugs, as offsets from a window
 * boundary `b` (a window's start or end): `b − 1` (the last instant of the window ending at
 * `b`), `b` and `b + 1`; the timestamps whose arrival moves a `boundedOutOfOrderness(maxDisorder)`
 * watermark (`max − maxDisorder − 1`) to `b − 2`, `b − 1` or `b` (one tick early, exactly when
 * the window fires, one tick after): `b − 1 + maxDisorder` to `b + 1 + maxDisorder`; with an
 * allowed lateness, the lateness edge `b − 1 + allowedLateness` ± 1 and the timestamps that move
 * the watermark around it (where the window is purged). Basic edges first (what shrinking tends
 * to), no duplicates.
 *
 * ```
 * maxDisorder 3, allowedLateness 5:   −1 0 1   2 3 4   3 4 5   7 8 9
 * ```
 */
export function edgeOffsets(maxDisorder: number, allowedLateness: number): number[] {
  const shifts = [0, maxDisorder, ...(allowedLateness > 0 ? [allowedLateness - 1, allowedLateness + maxDisorder] : [])];
  const offsets: number[] = [];
  for (const shift of shifts) {
    for (const d of [0, -1, 1]) if (!offsets.includes(shift + d)) offsets.push(shift + d);
  }
  return offsets;
}

/**
 * @internal Where boundaries lie relative to the grid `k·slide + offset` of window starts: at
 * 0, and at `size` when window ends fall off that grid (sliding windows whose size is not a
 * multiple of the slide).
 */
export function boundaryAnchors(size: number, slide: number): number[] {
  return Number.isInteger(size / slide) ? [0] : [0, size];
}

/**
 * @internal The arrival keys (newest timestamps seen) that put a `boundedOutOfOrderness(maxDisorder)`
 * watermark at the edges of the windows containing `t`: one tick before each window's end − 1,
 * at it and one tick after (the window fires), and the same around end − 1 + allowedLateness
 * (the window is purged). An event arriving right after an event at such a key meets the edge.
 */
export function edgeKeys(
  t: number,
  window: { readonly size: number; readonly slide: number; readonly offset: number },
  maxDisorder: number,
  allowedLateness: number,
): number[] {
  const { size, slide, offset } = window;
  const keys: number[] = [];
  // Windows [s, s + size) with s = k·slide + offset and s <= t < s + size; at most 8 of them.
  const last = Math.floor((t - offset) / slide);
  for (let k = last; k > last - 8 && k * slide + offset + size > t; k--) {
    const end = k * slide + offset + size;
    for (const edge of [end - 1, end - 1 + allowedLateness]) {
      for (const w of [edge - 1, edge, edge + 1]) if (!keys.includes(w + maxDisorder + 1)) keys.push(w + maxDisorder + 1);
    }
  }
  return keys;
}

/** @internal One family of edge timestamps: `k·slide + offset + add` for `k` from `kMin` to `kMax`. */
export interface EdgeLane {
  readonly add: number;
  readonly kMin: number;
  readonly kMax: number;
}

/**
 * @internal The edge timestamps of integer windows (`size`, `slide`, `offset`) that lie in
 * `range`, as lanes (empty lanes left out): every boundary anchor plus every edge offset.
 */
export function edgeLanes(
  window: { readonly size: number; readonly slide: number; readonly offset: number },
  maxDisorder: number,
  allowedLateness: number,
  range: { readonly min: number; readonly max: number },
): EdgeLane[] {
  const { size, slide, offset } = window;
  const lanes: EdgeLane[] = [];
  for (const anchor of boundaryAnchors(size, slide)) {
    for (const d of edgeOffsets(maxDisorder, allowedLateness)) {
      const add = anchor + d;
      const kMin = Math.ceil((range.min - offset - add) / slide);
      const kMax = Math.floor((range.max - offset - add) / slide);
      if (kMin <= kMax) lanes.push({ add, kMin, kMax });
    }
  }
  return lanes;
}

/** @internal The window geometry a `boundaryTimestamps` arbitrary was made for. */
export interface WindowGeometry {
  readonly size: number;
  readonly slide: number;
  readonly offset: number;
  readonly windows: { readonly min: number; readonly max: number };
  /** As given to `boundaryTimestamps`; `undefined` lets `disorderedEvents` fill in its own. */
  readonly maxDisorder: number | undefined;
  readonly allowedLateness: number | undefined;
}

const geometries = new WeakMap<object, WindowGeometry>();

/** @internal Remembers the geometry an arbitrary of timestamps was made for; returns the arbitrary. */
export function withGeometry<A extends object>(arbitrary: A, geometry: WindowGeometry): A {
  geometries.set(arbitrary, geometry);
  return arbitrary;
}

/** @internal The geometry `x` was made for, if it is a `boundaryTimestamps` arbitrary. */
export function geometryOf(x: unknown): WindowGeometry | undefined {
  return typeof x === 'object' && x !== null ? geometries.get(x) : undefined;
}
