import { describe, expect, it } from 'vitest';
import { ACTIVE, END_OF_TIME, IDLE, barrier, event, watermark } from 'tidemark';

describe('element constructors', () => {
  it('make plain elements', () => {
    expect(event('a', 3)).toEqual({ kind: 'event', value: 'a', timestamp: 3 });
    expect(watermark(10)).toEqual({ kind: 'watermark', timestamp: 10 });
    expect(barrier(7)).toEqual({ kind: 'barrier', checkpointId: 7 });
  });

  it('has frozen constants for the end of time and the watermark status', () => {
    expect(END_OF_TIME).toEqual({ kind: 'watermark', timestamp: Infinity });
    expect(IDLE).toEqual({ kind: 'status', idle: true });
    expect(ACTIVE).toEqual({ kind: 'status', idle: false });
    for (const c of [END_OF_TIME, IDLE, ACTIVE]) expect(Object.isFrozen(c)).toBe(true);
  });
});
