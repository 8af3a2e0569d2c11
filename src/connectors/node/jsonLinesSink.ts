import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { CheckpointError, InvalidArgumentError, type CheckpointSink } from 'tidemark';
import { show } from '../../errors/show.js';

/** Options of {@link jsonLinesSink}. */
export interface JsonLinesSinkOptions<T> {
  /** Turns a result into its line (without the newline). @defaultValue `JSON.stringify` */
  format?: ((value: T) => string) | undefined;
  /** Bytes buffered before a write. @defaultValue 65536 */
  bufferSize?: number | undefined;
}

/**
 * An exactly-once JSON-lines file sink for `commitCheckpoints` (from `tidemark`): results are appended to
 * the file; at each checkpoint barrier the file is flushed and fsynced and its length becomes
 * the sink's token; on restore the file is truncated to the restored checkpoint's length (to 0
 * on a fresh start), so that what a crashed run wrote after its last checkpoint is written
 * again, once. Readers that must never see uncommitted lines read up to the last committed
 * length.
 *
 * ```
 * file:   l1 l2 |cp1: 6 bytes| l3 l4 ✗ crash
 * rerun:  restore(6) → l1 l2 | l3 l4 l5 …     (l3 l4 truncated, then written again)
 * ```
 *
 * ## Example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { jsonLinesSink } from 'tidemark/node';
 * const sink = jsonLinesSink<{ n: number }>('/tmp/tidemark-doc-out.jsonl');
 * sink.restore(undefined);
 * sink.write({ n: 1 });
 * const length = sink.prepare(1);
 * sink.write({ n: 2 }); // not in a checkpoint yet
 * sink.close?.();
 * const again = jsonLinesSink('/tmp/tidemark-doc-out.jsonl');
 * again.restore(length);
 * again.close?.();
 * console.log(readFileSync('/tmp/tidemark-doc-out.jsonl', 'utf8'));
 * // output:
 * // {"n":1}
 * ```
 * @param path - the output file (created if missing).
 * @param options - the line format and buffer size.
 * @throws InvalidArgumentError for a bad option; on restore, a `CheckpointError` (`'sink'`) when the
 *   file is shorter than the checkpoint says it was (it was truncated or replaced since).
 * @returns the sink.
 */
export function jsonLinesSink<T>(path: string, options: JsonLinesSinkOptions<T> = {}): CheckpointSink<T> {
  if (typeof path !== 'string' || path === '') throw new InvalidArgumentError(`jsonLinesSink: path must be a non-empty string, got ${show(path)}`);
  const { format = JSON.stringify as (value: T) => string, bufferSize = 65536 } = options;
  if (typeof format !== 'function') throw new InvalidArgumentError(`jsonLinesSink: format must be a function, got ${show(format)}`);
  if (!Number.isInteger(bufferSize) || bufferSize < 1) throw new InvalidArgumentError(`jsonLinesSink: bufferSize must be a positive integer, got ${show(bufferSize)}`);
  let fd: number | undefined;
  let length = 0;
  let buffer = '';

  const flush = (): void => {
    if (buffer === '' || fd === undefined) return;
    const bytes = Buffer.from(buffer, 'utf8');
    buffer = '';
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, length + done);
    length += bytes.length;
  };
  const opened = (): number => {
    if (fd === undefined) throw new CheckpointError('sink', `jsonLinesSink ${show(path)}`, 'written to before restore(); use it through commitCheckpoints');
    return fd;
  };

  return {
    restore(token) {
      const target = typeof token === 'number' ? token : 0;
      fd = openSync(path, 'a+');
      closeSync(fd);
      fd = openSync(path, 'r+');
      const size = fstatSync(fd).size;
      if (size < target) {
        closeSync(fd);
        fd = undefined;
        throw new CheckpointError(
          'sink',
          `jsonLinesSink ${show(path)}`,
          `the file has ${size} bytes, but the restored checkpoint says ${target} were written and committed: it was truncated or replaced since; ` +
            'put the complete file back, or start over with an empty state directory',
        );
      }
      ftruncateSync(fd, target);
      fsyncSync(fd);
      length = target;
      buffer = '';
    },
    write(value) {
      opened();
      buffer += `${format(value)}\n`;
      if (buffer.length >= bufferSize) flush();
    },
    prepare() {
      const f = opened();
      flush();
      fsyncSync(f);
      return length;
    },
    close() {
      if (fd === undefined) return;
      flush();
      fsyncSync(fd);
      closeSync(fd);
      fd = undefined;
    },
  };
}
