import type { CheckpointSink } from './CheckpointSink.js';

/**
 * An exactly-once {@link CheckpointSink} into an array: results are pushed as they come, and a
 * restore cuts the array back to its length at the restored checkpoint, so after any number of
 * restarts it holds every result once. For tests, browsers and examples; the array outlives the
 * pipeline, as a file would.
 *
 * ## Example
 * ```ts
 * import { arraySink } from 'tidemark';
 * const out: number[] = [];
 * const sink = arraySink(out);
 * sink.restore(undefined);
 * sink.write(1);
 * const token = sink.prepare(1); // checkpoint 1 has one result
 * sink.write(2); // … then the process dies
 * sink.restore(token);
 * console.log(out);
 * // output:
 * // [ 1 ]
 * ```
 * @param target - the array the results go to.
 * @returns a sink for {@link commitCheckpoints}.
 */
export function arraySink<T>(target: T[]): CheckpointSink<T> {
  return {
    restore(token) {
      target.length = typeof token === 'number' ? Math.min(token, target.length) : 0;
    },
    write(value) {
      target.push(value);
    },
    prepare() {
      return target.length;
    },
  };
}
