/** Timestamps that are not finite numbers, each with how an `InvalidTimestampError` message shows it. */
export const BAD_TIMESTAMPS: readonly (readonly [bad: unknown, shown: string])[] = [
  [NaN, 'got NaN'],
  [Infinity, 'got Infinity'],
  [-Infinity, 'got -Infinity'],
  ['5', 'got string "5"'],
  [undefined, 'got undefined undefined'],
  [null, 'got object null'],
];
