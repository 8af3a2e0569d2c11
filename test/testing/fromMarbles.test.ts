import { describe, expect, it } from 'vitest';
import { type StreamElement } from 'tidemark';
import { MarbleSyntaxError, VirtualClock, fromMarbles } from 'tidemark/testing';

function record<T>(source: ReturnType<typeof fromMarbles<T>>) {
  const seen: (StreamElement<T> | string)[] = [];
  const sub = source.subscribe({ next: (e) => seen.push(e), error: (e: unknown) => seen.push(`error ${(e as Error).message}`), complete: () => seen.push('complete') });
  return { seen, sub };
}

describe('fromMarbles', () => {
  it('emits synchronously and completes at |', () => {
    const { seen } = record(fromMarbles('a@1 W1 |', { a: 10 }));
    expect(seen).toEqual([{ kind: 'event', value: 10, timestamp: 1 }, { kind: 'watermark', timestamp: 1 }, 'complete']);
  });

  it('errors at #, with the given error', () => {
    const { seen } = record(fromMarbles('a@1 #', { a: 1 }, { error: new Error('upstream') }));
    expect(seen).toEqual([{ kind: 'event', value: 1, timestamp: 1 }, 'error upstream']);
  });

  it('stays open without | or #', () => {
    const { seen, sub } = record(fromMarbles('a@1', { a: 1 }));
    expect(seen).toHaveLength(1);
    expect(sub.closed).toBe(false);
    sub.unsubscribe();
  });

  it('waits on the scheduler at ~ms, and unsubscribing cancels the wait', () => {
    const clock = new VirtualClock();
    const { seen } = record(fromMarbles('a@1 ~100 b@2 |', { a: 'a', b: 'b' }, { scheduler: clock }));
    expect(seen).toEqual([{ kind: 'event', value: 'a', timestamp: 1 }]);
    clock.advanceBy(99);
    expect(seen).toHaveLength(1);
    clock.advanceBy(1);
    expect(seen).toEqual([{ kind: 'event', value: 'a', timestamp: 1 }, { kind: 'event', value: 'b', timestamp: 2 }, 'complete']);

    const other = record(fromMarbles('a@1 ~100 b@2', { a: 'a', b: 'b' }, { scheduler: clock }));
    expect(clock.pending).toBe(1);
    other.sub.unsubscribe();
    expect(clock.pending).toBe(0);
  });

  it('is cold: each subscription replays the marbles', () => {
    const source = fromMarbles('x@1 |');
    expect(record(source).seen).toEqual(record(source).seen);
  });

  it('refuses waits without a scheduler, and bad marbles, at once', () => {
    expect(() => fromMarbles('a@1 ~5')).toThrow(MarbleSyntaxError);
    expect(() => fromMarbles('a@1 ~5')).toThrow(/a wait needs a scheduler/);
    expect(() => fromMarbles('a@')).toThrow(/column 3/);
  });

  it('refuses timestamps and waits that overflow to Infinity, naming the column', () => {
    const clock = new VirtualClock();
    expect(() => fromMarbles('a@1 b@1e400 |')).toThrow(MarbleSyntaxError);
    expect(() => fromMarbles('a@1 b@1e400 |')).toThrow(/overflows to Infinity: event timestamps must be finite numbers .* at column 7/);
    expect(() => fromMarbles('a@1 ~1e400 b@2', { a: 'a', b: 'b' }, { scheduler: clock })).toThrow(/the wait in "~1e400" overflows to Infinity: waits must be finite numbers .* at column 6/);
    expect(() => fromMarbles('W1e400')).toThrow(/write W\+inf for an infinite watermark/);
  });
});
