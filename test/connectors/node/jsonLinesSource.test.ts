import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonLinesError, jsonLinesSource } from 'tidemark/node';

const file = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'tidemark-jsonl-')), 'in.jsonl');
  writeFileSync(path, text);
  return path;
};

async function readAll(path: string, from?: number, chunkSize?: number) {
  const out: [unknown, number][] = [];
  for await (const { value, position } of jsonLinesSource(path, chunkSize === undefined ? {} : { chunkSize }).read(from) as AsyncIterable<{ value: unknown; position: number }>) out.push([value, position]);
  return out;
}

describe('jsonLinesSource', () => {
  it('yields each line with the byte offset after it, multi-byte characters counted in bytes, across chunk boundaries', async () => {
    const path = file('{"s":"é"}\n\n{"s":"日本"}\n{"n":3}');
    const expected = [[{ s: 'é' }, 11], [{ s: '日本' }, 27], [{ n: 3 }, 34]];
    expect(await readAll(path)).toEqual(expected);
    expect(await readAll(path, undefined, 3)).toEqual(expected);
  });

  it('resumes at a position without reading what came before', async () => {
    const path = file('{"n":1}\n{"n":2}\n{"n":3}\n');
    expect(await readAll(path, 8)).toEqual([[{ n: 2 }, 16], [{ n: 3 }, 24]]);
    expect(await readAll(path, 24)).toEqual([]);
  });

  it('a line that is not JSON rejects with a JsonLinesError naming the file, the offset and the line', async () => {
    const path = file('{"n":1}\n{"n":\n');
    const error = await readAll(path).catch((e: unknown) => e);
    expect(JsonLinesError.isJsonLinesError(error)).toBe(true);
    expect((error as JsonLinesError).offset).toBe(8);
    expect((error as Error).message).toMatch(/^jsonLinesSource: the line at byte 8 of .*in\.jsonl is not JSON .*"\{\\"n\\":"; fix or remove the line/);
  });

  it('refuses a bad path or chunk size at creation', () => {
    expect(() => jsonLinesSource('')).toThrow(/jsonLinesSource: path must be a non-empty string/);
    expect(() => jsonLinesSource('x', { chunkSize: 0 })).toThrow(/chunkSize must be a positive integer, got 0/);
  });
});
