// Proves the core entry is browser-safe: bundles the built `tidemark` entry (and the
// `tidemark/testing` entry) for the browser platform and fails on any Node built-in.
import { builtinModules } from 'node:module';
import { build } from 'esbuild';

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const forbidden = ['lmdb', 'kafkajs'];

const entries = { tidemark: 'dist/index.js', 'tidemark/testing': 'dist/testing/index.js' };
let failed = false;
for (const [name, file] of Object.entries(entries)) {
  const offenders = [];
  await build({
    entryPoints: [file],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'forbid-node',
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) => {
            if (args.path === 'tidemark') return { path: new URL('../dist/index.js', import.meta.url).pathname };
            if (builtins.has(args.path) || forbidden.some((f) => args.path === f || args.path.startsWith(`${f}/`))) {
              offenders.push(`${args.path} (imported by ${args.importer})`);
              return { path: args.path, external: true };
            }
            return undefined;
          });
        },
      },
    ],
  });
  if (offenders.length > 0) {
    failed = true;
    console.error(`${name}: imports Node-only modules:\n  ${offenders.join('\n  ')}`);
  } else {
    console.log(`${name}: browser-safe (bundled for platform=browser, no Node built-ins)`);
  }
}
process.exit(failed ? 1 : 0);
