import type * as FastCheck from 'fast-check';

/**
 * @internal fast-check as `tidemark/testing` found it when it loaded (ESM): the module, or the
 * error met importing it. The top-level `await` lets the ESM build load an optional peer
 * dependency without failing to link when it is absent. CommonJS cannot await at the top level:
 * for the `.cjs` build, tsup.config.ts swaps in `fastCheckModule.cts`, which `require`s it.
 * See docs/decisions/0007-fast-check-optional.md.
 */
export const fastCheckModule: { readonly module: typeof FastCheck | undefined; readonly error: unknown } = await import('fast-check').then(
  (module) => ({ module, error: undefined }),
  (error: unknown) => ({ module: undefined, error }),
);
