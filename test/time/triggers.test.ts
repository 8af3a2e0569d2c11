import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, afterWatermark } from 'tidemark';

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(InvalidArgumentError.isInvalidArgumentError(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('afterWatermark', () => {
  it('defaults to no early firings and accumulating panes', () => {
    expect(afterWatermark()).toEqual({ type: 'after-watermark', everyEvents: undefined, every: undefined, panes: 'accumulating' });
  });

  it('keeps early firing options and the pane mode', () => {
    expect(afterWatermark({ early: { everyEvents: 3, every: 1000 }, panes: 'discarding' })).toEqual({
      type: 'after-watermark',
      everyEvents: 3,
      every: 1000,
      panes: 'discarding',
    });
  });

  it('rejects bad options at creation, naming the value and what is needed', () => {
    expect(messageOf(() => afterWatermark({ early: { everyEvents: 0 } }))).toBe('afterWatermark: early.everyEvents must be a positive integer, got 0');
    expect(messageOf(() => afterWatermark({ early: { everyEvents: 1.5 } }))).toBe('afterWatermark: early.everyEvents must be a positive integer, got 1.5');
    expect(messageOf(() => afterWatermark({ early: { every: -1 } }))).toBe('afterWatermark: early.every must be a positive finite number, got -1');
    expect(messageOf(() => afterWatermark({ panes: 'sometimes' as 'accumulating' }))).toBe(
      `afterWatermark: panes must be 'accumulating' or 'discarding', got "sometimes"`,
    );
  });
});
