/**
 * tidemark/kafka without kafkajs installed: the entry loads (ESM, top-level import() with a
 * rejection handler), the `brokers` shorthand throws a MissingPeerDependencyError naming the API
 * and the fix, when the connector is made. The entry is bundled with
 * esbuild (kafkajs left external) into a directory where no kafkajs can be found, and run by Node.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { expect, it } from 'vitest';

it('throws a MissingPeerDependencyError naming the API and the fix when kafkajs is missing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-no-kafkajs-'));
  const entry = join(dir, 'main.ts');
  writeFileSync(
    entry,
    `import { fromKafka, kafkaTransactions, toKafka, MissingPeerDependencyError } from ${JSON.stringify(join(process.cwd(), 'src/connectors/kafka/index.ts'))};
const brokers = ['127.0.0.1:1'];
for (const make of [() => fromKafka({ brokers, groupId: 'g', topics: ['t'] }), () => toKafka({ brokers, topic: 't' }), () => kafkaTransactions({ brokers, transactionalId: 'x', groupId: 'g', topic: 't' })]) {
  try { make(); console.log('no error'); } catch (e) { console.log(MissingPeerDependencyError.isMissingPeerDependencyError(e), e.api, e.dependency, e.message); }
}
`,
  );
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'es2022',
    outfile: join(dir, 'main.mjs'),
    external: ['kafkajs'],
    logLevel: 'silent',
    tsconfig: join(process.cwd(), 'tsconfig.json'),
  });
  const out = execFileSync(process.execPath, [join(dir, 'main.mjs')], { cwd: dir, encoding: 'utf8' });
  expect(out.trim().split('\n')).toEqual([
    'true fromKafka kafkajs fromKafka needs the peer dependency kafkajs ^2.2: npm install kafkajs',
    'true toKafka kafkajs toKafka needs the peer dependency kafkajs ^2.2: npm install kafkajs',
    'true kafkaTransactions kafkajs kafkaTransactions needs the peer dependency kafkajs ^2.2: npm install kafkajs',
  ]);
});
