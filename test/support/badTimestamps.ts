/**
 * Timestamps that are not finite numbers, each with how an `InvalidTimestampError` message
 * shows it (`got …`) and how it reads inside the value it came with (`{ at: … }`).
 */
export const BAD_TIMESTAMPS: readonly (readonly [bad: unknown, shown: string, inValue: string])[] = [
  [NaN, 'got NaN', 'NaN'],
  [Infinity, 'got Infinity', 'Infinity'],
  [-Infinity, 'got -Infinity', '-Infinity'],
  ['5', 'got string "5"', '"5"'],
  [undefined, 'got undefined', 'undefined'],
  [null, 'got null', 'null'],
  [Symbol('t'), 'got symbol Symbol(t)', 'Symbol(t)'],
  [5n, 'got bigint 5n', '5n'],
];
