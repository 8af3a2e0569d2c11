import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, afterWatermark } from 'tidemark';
import { errorOf } from '../support/errorOf.js';

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
    const cases: [make: () => unknown, message: string][] = [
      [() => afterWatermark({ early: { everyEvents: 0 } }), 'afterWatermark: early.everyEvents must be a positive integer, got 0'],
      [() => afterWatermark({ early: { everyEvents: 1.5 } }), 'afterWatermark: early.everyEvents must be a positive integer, got 1.5'],
      [() => afterWatermark({ early: { every: -1 } }), 'afterWatermark: early.every must be a positive finite number, got -1'],
      [() => afterWatermark({ panes: 'sometimes' as 'accumulating' }), `afterWatermark: panes must be 'accumulating' or 'discarding', got "sometimes"`],
    ];
    for (const [make, message] of cases) {
      const e = errorOf(make);
      expect(InvalidArgumentError.isInvalidArgumentError(e), message).toBe(true);
      expect(e.message).toBe(message);
    }
  });
});
