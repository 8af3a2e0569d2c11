import { describe, expect, it } from 'vitest';
import { END_OF_TIME, barrier, event, watermark } from 'tidemark';
import { formatMarbles, parseMarbles } from 'tidemark/testing';

describe('formatMarbles', () => {
  it('writes every kind of marble', () => {
    expect(
      formatMarbles([
        event('a', 1),
        watermark(-3),
        barrier(2),
        { kind: 'status', idle: true },
        { kind: 'status', idle: false },
        { kind: 'wait', duration: 5 },
        END_OF_TIME,
        watermark(-Infinity),
        { kind: 'complete' },
      ]),
    ).toBe('a@1 W-3 B2 idle active ~5 W+inf W-inf |');
    expect(formatMarbles([{ kind: 'error', error: new Error('x') }])).toBe('#');
  });

  it('names values from the map (structurally), else shows them', () => {
    const values = { r: { start: 0, end: 10, n: 2 }, s: 'plain' };
    expect(formatMarbles<unknown>([event({ n: 2, end: 10, start: 0 }, 9), event('plain', 1), event({ n: 3 }, 19), event('a b', 2), event(7, 3)], values)).toBe(
      'r@9 s@1 {"n":3}@19 "a b"@2 7@3',
    );
  });

  it('formats a recording with how it ended', () => {
    expect(formatMarbles({ output: [event('a', 1)], completed: true, failed: false })).toBe('a@1 |');
    expect(formatMarbles({ output: [event('a', 1)], completed: false, failed: true })).toBe('a@1 #');
    expect(formatMarbles({ output: [], completed: false, failed: false })).toBe('');
  });

  it('{ times: true } writes a recording’s processing time as waits between elements', () => {
    const [a, w, b] = [event('a', 1), watermark(1), event('b', 2)];
    const recording = { output: [a, w, b], outputAt: [[100, a], [100, w], [250.5, b]] as const, outputSince: 40, completed: true, failed: false };
    expect(formatMarbles(recording, undefined, { times: true })).toBe('~60 a@1 W1 ~150.5 b@2 |');
    expect(formatMarbles(recording)).toBe('a@1 W1 b@2 |');
    expect(formatMarbles({ ...recording, outputSince: undefined }, undefined, { times: true })).toBe('a@1 W1 ~150.5 b@2 |'); // from the first element
    expect(formatMarbles({ ...recording, output: [], outputAt: [], failed: true, completed: false }, undefined, { times: true })).toBe('#');
  });

  it('{ times: true } needs a recording with times, and leaves a list of marbles as it is', () => {
    expect(() => formatMarbles({ output: [event('a', 1)], completed: false, failed: false }, undefined, { times: true })).toThrow(
      /formatMarbles: processing time \(~N\) needs a recording with outputAt/,
    );
    expect(formatMarbles([event('a', 1), { kind: 'wait', duration: 5 }, event('b', 2)], undefined, { times: true })).toBe('a@1 ~5 b@2');
  });

  it('round-trips through parseMarbles', () => {
    const text = 'a@1 b@-2.5 W3 B1 idle active ~10 W+inf |';
    expect(formatMarbles(parseMarbles(text))).toBe(text);
  });
});
