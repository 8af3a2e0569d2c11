import { resolve } from 'node:path';
import type { Plugin } from 'esbuild';
import { defineConfig } from 'tsup';

/**
 * tidemark/testing loads its optional peer dependency fast-check once, when it loads: the ESM
 * build with a top-level `await import()` (src/testing/internal/fastCheckModule.ts), which
 * CommonJS cannot have, so the CommonJS build takes its twin fastCheckModule.cts, which
 * `require`s it. (Were the swap lost, esbuild would refuse the top-level await in the cjs build.)
 * See docs/decisions/0007-fast-check-optional.md.
 */
const requireFastCheckInCjs: Plugin = {
  name: 'require-fast-check-in-cjs',
  setup(build) {
    // tsup builds both formats as ESM and lets rollup (treeshake) write the CommonJS, so esbuild's
    // `format` says 'esm' for both: tsup's TSUP_FORMAT define tells them apart.
    if (build.initialOptions.define?.['TSUP_FORMAT'] !== JSON.stringify('cjs')) return;
    build.onResolve({ filter: /^\.\/fastCheckModule\.js$/ }, (args) => ({ path: resolve(args.resolveDir, 'fastCheckModule.cts') }));
    // tidemark/lmdb loads its optional peer dependency lmdb the same way (src/lmdb/internal/lmdbModule.ts).
    build.onResolve({ filter: /^\.\/internal\/lmdbModule\.js$/ }, (args) => ({ path: resolve(args.resolveDir, 'internal/lmdbModule.cts') }));
    // tidemark/kafka loads its optional peer dependency kafkajs the same way (kafkajsModule.ts / .cts;
    // only src/connectors/kafka/internal/kafkaClient.ts imports it).
    build.onResolve({ filter: /^\.\/kafkajsModule\.js$/ }, (args) => ({ path: resolve(args.resolveDir, 'kafkajsModule.cts') }));
  },
};

export default defineConfig({
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts', 'kafka/testing/index': 'src/connectors/kafka/testing/index.ts', 'node/index': 'src/connectors/node/index.ts', 'kafka/index': 'src/connectors/kafka/index.ts', 'lmdb/index': 'src/lmdb/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  treeshake: true,
  splitting: false,
  external: ['rxjs', 'fast-check', 'kafkajs', 'lmdb', 'tidemark'],
  esbuildPlugins: [requireFastCheckInCjs],
});
