import { open } from 'node:fs/promises';
import { InvalidArgumentError, type Positioned, type ReplayableSource } from 'tidemark';
import { show } from '../../errors/show.js';
import { JsonLinesError } from './JsonLinesError.js';

/** Options of {@link jsonLinesSource}. */
export interface JsonLinesSourceOptions {
  /** Bytes read at a time. @defaultValue 65536 */
  chunkSize?: number | undefined;
}

const NEWLINE = 0x0a;

/**
 * A JSON-lines file as a {@link ReplayableSource}: one JSON value per line, each with the byte
 * offset just after its line as its position, so that `fromReplayable` resumes a file
 * where its last checkpoint was, without reading what came before. Blank lines are skipped; a
 * last line without a newline is read at the end of the file.
 *
 * ## Example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { jsonLinesSource } from 'tidemark/node';
 * writeFileSync('/tmp/tidemark-doc-in.jsonl', '{"n":1}\n{"n":2}\n');
 * for await (const { value, position } of jsonLinesSource('/tmp/tidemark-doc-in.jsonl').read(8)) console.log(value, position);
 * // output:
 * // { n: 2 } 16
 * ```
 * @param path - the file.
 * @param options - read size.
 * @throws InvalidArgumentError for a path that is not a non-empty string; the reads reject
 *   with a {@link JsonLinesError} for a line that is not JSON, and with Node's error for a file that cannot be read.
 * @returns a source for `fromReplayable`, positioned by byte offset.
 */
export function jsonLinesSource<T = unknown>(path: string, options: JsonLinesSourceOptions = {}): ReplayableSource<T, number> {
  if (typeof path !== 'string' || path === '') throw new InvalidArgumentError(`jsonLinesSource: path must be a non-empty string, got ${show(path)}`);
  const { chunkSize = 65536 } = options;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new InvalidArgumentError(`jsonLinesSource: chunkSize must be a positive integer, got ${show(chunkSize)}`);
  return {
    read: (from) => readLines<T>(path, typeof from === 'number' ? from : 0, chunkSize),
  };
}

async function* readLines<T>(path: string, from: number, chunkSize: number): AsyncGenerator<Positioned<T, number>> {
  const file = await open(path, 'r');
  try {
    let offset = from; // where `pending` starts in the file
    let pending = Buffer.alloc(0);
    const chunk = Buffer.alloc(chunkSize);
    for (;;) {
      const { bytesRead } = await file.read(chunk, 0, chunkSize, offset + pending.length);
      const data = bytesRead === 0 ? pending : Buffer.concat([pending, chunk.subarray(0, bytesRead)]);
      let start = 0;
      for (let nl = data.indexOf(NEWLINE, start); nl !== -1; nl = data.indexOf(NEWLINE, start)) {
        const item = parse<T>(path, offset + start, data.toString('utf8', start, nl), offset + nl + 1);
        start = nl + 1;
        if (item !== undefined) yield item;
      }
      if (bytesRead === 0) {
        if (start < data.length) {
          const item = parse<T>(path, offset + start, data.toString('utf8', start), offset + data.length);
          if (item !== undefined) yield item;
        }
        return;
      }
      pending = data.subarray(start);
      offset += start;
    }
  } finally {
    await file.close();
  }
}

function parse<T>(path: string, at: number, line: string, position: number): Positioned<T, number> | undefined {
  if (line.trim() === '') return undefined;
  try {
    return { value: JSON.parse(line) as T, position };
  } catch (error) {
    throw new JsonLinesError(path, at, line, (error as Error).message);
  }
}
