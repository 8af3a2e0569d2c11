/**
 * The start of the window of `size` (aligned to `offset`) that contains `t`:
 * `t − ((t − offset) mod size)` with a true (floor) modulo, so negative timestamps land
 * in the window below them, as in Flink's `TimeWindow.getWindowStartWithOffset`.
 *
 * @example
 * ```ts
 * import { windowStart } from 'tidemark';
 * console.log(windowStart(7, 5), windowStart(-1, 5), windowStart(7, 5, 1));
 * // output:
 * // 5 -5 6
 * ```
 */
export function windowStart(t: number, size: number, offset = 0): number {
  const r = (t - offset) % size;
  return r < 0 ? t - r - size : t - r;
}

/**
 * Whether two `[start, end)` windows overlap or touch (touching sessions merge).
 *
 * @example
 * ```ts
 * import { windowsMeet } from 'tidemark';
 * console.log(windowsMeet(0, 10, 10, 20), windowsMeet(0, 10, 11, 20));
 * // output:
 * // true false
 * ```
 */
export function windowsMeet(aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  return aStart <= bEnd && bStart <= aEnd;
}
