/**
 * @internal The CommonJS twin of `fastCheckModule.ts`, swapped in by tsup.config.ts for the
 * `.cjs` build: fast-check through `require`, or the error met requiring it.
 * See docs/decisions/0007-fast-check-optional.md.
 */
export const fastCheckModule: { readonly module: typeof import('fast-check') | undefined; readonly error: unknown } = (() => {
  try {
    return { module: require('fast-check') as typeof import('fast-check'), error: undefined };
  } catch (error) {
    return { module: undefined, error };
  }
})();
