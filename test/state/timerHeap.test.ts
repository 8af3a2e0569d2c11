import { describe, expect, it } from 'vitest';
import { TimeHeap } from '../../src/state/timerHeap.js';

describe('TimeHeap', () => {
  it('pops numbers in ascending order, duplicates included', () => {
    const h = new TimeHeap();
    const input = [5, -3, 9, 0, 5, 12, -Infinity, 7, 1, 1, 100, -50];
    for (const x of input) h.push(x);
    expect(h.length).toBe(input.length);
    const out: number[] = [];
    while (h.length > 0) {
      const top = h.peek();
      expect(h.pop()).toBe(top);
      out.push(top);
    }
    expect(out).toEqual([...input].sort((a, b) => a - b));
  });

  it('peeks Infinity when empty, and clear empties it', () => {
    const h = new TimeHeap();
    expect(h.peek()).toBe(Infinity);
    h.push(3);
    h.push(1);
    expect(h.peek()).toBe(1);
    h.clear();
    expect(h.length).toBe(0);
    expect(h.peek()).toBe(Infinity);
  });

  it('stays ordered under interleaved pushes and pops', () => {
    const h = new TimeHeap();
    const ref: number[] = [];
    let x = 17;
    for (let i = 0; i < 500; i++) {
      x = (x * 31 + 7) % 101;
      if (x % 3 === 0 && ref.length > 0) {
        ref.sort((a, b) => a - b);
        expect(h.pop()).toBe(ref.shift());
      } else {
        h.push(x);
        ref.push(x);
      }
    }
    ref.sort((a, b) => a - b);
    const rest: number[] = [];
    while (h.length > 0) rest.push(h.pop());
    expect(rest).toEqual(ref);
  });
});
