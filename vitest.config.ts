import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: [
      { find: /^tidemark\/lmdb$/, replacement: fileURLToPath(new URL('./src/lmdb/index.ts', import.meta.url)) },
      { find: /^tidemark\/kafka$/, replacement: fileURLToPath(new URL('./src/connectors/kafka/index.ts', import.meta.url)) },
      { find: /^tidemark\/kafka\/testing$/, replacement: fileURLToPath(new URL('./src/connectors/kafka/testing/index.ts', import.meta.url)) },
      { find: /^tidemark\/node$/, replacement: fileURLToPath(new URL('./src/connectors/node/index.ts', import.meta.url)) },
      { find: /^tidemark\/testing$/, replacement: fileURLToPath(new URL('./src/testing/index.ts', import.meta.url)) },
      { find: /^tidemark$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
