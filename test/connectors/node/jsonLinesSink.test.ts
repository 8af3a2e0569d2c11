import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointError } from 'tidemark';
import { jsonLinesSink } from 'tidemark/node';

const path = () => join(mkdtempSync(join(tmpdir(), 'tidemark-sink-')), 'out.jsonl');

describe('jsonLinesSink', () => {
  it('a fresh start empties the file; prepare() makes what was written durable and returns its length', () => {
    const p = path();
    writeFileSync(p, 'stale\n');
    const sink = jsonLinesSink<{ n: number }>(p, { bufferSize: 4 });
    sink.restore(undefined);
    sink.write({ n: 1 });
    sink.write({ n: 2 });
    expect(sink.prepare(1)).toBe(16);
    expect(readFileSync(p, 'utf8')).toBe('{"n":1}\n{"n":2}\n');
    sink.close!();
  });

  it('a restore truncates to the checkpointed length: lines written after it are written again, once', () => {
    const p = path();
    const first = jsonLinesSink<string>(p, { format: (s) => s });
    first.restore(undefined);
    first.write('a');
    const token = first.prepare(1);
    first.write('b'); // after the checkpoint, then a crash
    first.close!();
    expect(readFileSync(p, 'utf8')).toBe('a\nb\n');
    const again = jsonLinesSink<string>(p, { format: (s) => s });
    again.restore(token);
    again.write('b');
    again.close!();
    expect(readFileSync(p, 'utf8')).toBe('a\nb\n');
  });

  it("a file shorter than the checkpoint says is a CheckpointError ('sink'), and the file is left alone", () => {
    const p = path();
    writeFileSync(p, 'ab\n');
    const error = (() => {
      try {
        jsonLinesSink(p).restore(100);
      } catch (e) {
        return e;
      }
    })();
    expect(CheckpointError.isCheckpointError(error)).toBe(true);
    expect((error as CheckpointError).problem).toBe('sink');
    expect((error as Error).message).toMatch(/jsonLinesSink ".*out\.jsonl": the file has 3 bytes, but the restored checkpoint says 100 were written/);
    expect(readFileSync(p, 'utf8')).toBe('ab\n');
  });

  it('refuses writes before restore, and bad options', () => {
    expect(() => jsonLinesSink(path()).write(1)).toThrow(/written to before restore\(\)/);
    expect(() => jsonLinesSink('')).toThrow(/jsonLinesSink: path must be a non-empty string/);
    expect(() => jsonLinesSink('x', { bufferSize: -1 })).toThrow(/bufferSize must be a positive integer/);
  });
});
