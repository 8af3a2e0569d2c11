import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, tumbling } from 'tidemark';
import { errorOf } from '../support/errorOf.js';

describe('tumbling', () => {
  it('describes fixed windows, offset 0 by default', () => {
    expect(tumbling(10)).toEqual({ type: 'tumbling', size: 10, offset: 0 });
  });

  it('normalizes the offset into [0, size)', () => {
    expect(tumbling(10, 3).offset).toBe(3);
    expect(tumbling(10, 13).offset).toBe(3);
    expect(tumbling(10, -7).offset).toBe(3);
    expect(tumbling(10, 10).offset).toBe(0);
  });

  it('rejects a bad size or offset at creation, naming the value and what is needed', () => {
    const integral = '(event time is integral: milliseconds by convention)';
    const cases: [make: () => unknown, message: string][] = [
      [() => tumbling(0), `tumbling: size must be a positive integer ${integral}, got 0`],
      [() => tumbling(-5), `tumbling: size must be a positive integer ${integral}, got -5`],
      [() => tumbling(NaN), `tumbling: size must be a positive integer ${integral}, got NaN`],
      [() => tumbling(Infinity), `tumbling: size must be a positive integer ${integral}, got Infinity`],
      [() => tumbling('10' as unknown as number), `tumbling: size must be a positive integer ${integral}, got "10"`],
      [() => tumbling(10, NaN), `tumbling: offset must be an integer ${integral}, got NaN`],
      [() => tumbling(10, Infinity), `tumbling: offset must be an integer ${integral}, got Infinity`],
      // tumbling(0.1) put events in no window and not in late either (float modulo).
      [() => tumbling(0.1), `tumbling: size must be a positive integer ${integral}, got 0.1; use a smaller time unit, e.g. milliseconds instead of seconds`],
      [() => tumbling(10, 2.5), `tumbling: offset must be an integer ${integral}, got 2.5`],
    ];
    for (const [make, message] of cases) {
      const e = errorOf(make);
      expect(InvalidArgumentError.isInvalidArgumentError(e), message).toBe(true);
      expect(e.message).toBe(message);
    }
  });
});
