/**
 * @internal The CommonJS twin of `kafkajsModule.ts`, swapped in by tsup.config.ts for the
 * `.cjs` build: kafkajs through `require`, or the error met requiring it.
 */
export const kafkajsModule: { readonly module: typeof import('kafkajs') | undefined; readonly error: unknown } = (() => {
  try {
    return { module: require('kafkajs') as typeof import('kafkajs'), error: undefined };
  } catch (error) {
    return { module: undefined, error };
  }
})();
