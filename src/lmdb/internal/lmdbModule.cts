/**
 * @internal The CommonJS twin of `lmdbModule.ts`, swapped in by tsup.config.ts for the `.cjs`
 * build: lmdb through `require`, or the error met requiring it.
 */
export const lmdbModule: { readonly module: typeof import('lmdb') | undefined; readonly error: unknown; readonly path: string | undefined } = (() => {
  try {
    return { module: require('lmdb') as typeof import('lmdb'), error: undefined, path: require.resolve('lmdb') as string };
  } catch (error) {
    return { module: undefined, error, path: undefined };
  }
})();
