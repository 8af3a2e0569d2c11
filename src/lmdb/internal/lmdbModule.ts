import { createRequire } from 'node:module';
import type * as Lmdb from 'lmdb';

/**
 * @internal lmdb as `tidemark/lmdb` found it when it loaded (ESM): the module, or the error met
 * importing it, and the file a child process `require`s to probe a directory with it. The
 * top-level `await` lets the ESM build load an optional peer dependency without failing to link
 * when it is absent; the CommonJS build takes its twin `lmdbModule.cts` (tsup.config.ts swaps it
 * in), as `tidemark/testing` does for fast-check (docs/decisions/0007-fast-check-optional.md).
 */
export const lmdbModule: { readonly module: typeof Lmdb | undefined; readonly error: unknown; readonly path: string | undefined } = await import('lmdb').then(
  (module) => ({ module, error: undefined, path: resolveLmdb() }),
  (error: unknown) => ({ module: undefined, error, path: undefined }),
);

function resolveLmdb(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('lmdb');
  } catch {
    return undefined;
  }
}
