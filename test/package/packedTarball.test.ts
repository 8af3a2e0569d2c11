/**
 * The package as a user gets it. `npm pack` runs in a fresh copy of the working tree (the files
 * git tracks or would track, no dist/: the tarball's build must come from `prepack`); the
 * tarball is installed into two new projects, one without fast-check and one with it; and plain
 * `node` runs the README's quick start and the fixtures in ./fixtures, as ES modules and as
 * CommonJS. Nothing here goes through vitest's aliases to src/, except to compute what the
 * installed package must match.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, tumbling, windowAggregateEngine } from 'tidemark';
import * as testing from 'tidemark/testing';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));

/** Runs a command; rejects with its output when it exits non-zero. */
function run(command: string, args: readonly string[], cwd: string): Promise<string> {
  return new Promise((done, fail) => {
    execFile(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, shell: process.platform === 'win32' }, (error, stdout, stderr) => {
      if (error) fail(new Error(`${command} ${args.join(' ')} (in ${cwd}) failed: ${error.message}\n${stdout}\n${stderr}`));
      else done(stdout);
    });
  });
}

/** A copy of the working tree as a fresh clone has it, with the repository's node_modules linked in. */
async function freshClone(into: string): Promise<string> {
  const listed = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], ROOT);
  for (const file of listed.split('\0')) {
    if (file === '' || file === 'node_modules' || !existsSync(join(ROOT, file))) continue; // deleted in the working tree, or a linked node_modules
    await mkdir(dirname(join(into, file)), { recursive: true });
    await cp(join(ROOT, file), join(into, file));
  }
  await symlink(join(ROOT, 'node_modules'), join(into, 'node_modules'), 'junction');
  return into;
}

/** A new project with `packages` installed (rxjs and fast-check from the npm cache when there). */
async function project(dir: string, packages: readonly string[]): Promise<string> {
  await mkdir(dir);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'tidemark-pack-test', version: '0.0.0', private: true }));
  await run('npm', ['install', ...packages, '--prefer-offline', '--no-audit', '--no-fund'], dir);
  await cp(FIXTURES, dir, { recursive: true });
  return dir;
}

/**
 * The README's quick start: its code, and the lines it says it prints: the `// ` comments after
 * its `// output:` line (the convention of scripts/check-docs.ts, which runs it against src/).
 */
function quickStart(readme: string): { code: string; printed: string[] } {
  const block = /^## Quick start\n[\s\S]*?^```ts\n([\s\S]*?)^```$/m.exec(readme);
  if (block === null) throw new Error('README.md: no ```ts block under "## Quick start"');
  const lines = block[1]!.trimEnd().split('\n');
  const at = lines.findIndex((l) => /^\s*\/\/\s*output:\s*$/.test(l));
  if (at < 0) throw new Error('README.md: the quick start has no `// output:` line');
  return { code: lines.slice(0, at).join('\n'), printed: lines.slice(at + 1).map((l) => l.replace(/^\s*\/\/ ?/, '')) };
}

/** Relative link targets in a Markdown text, outside code blocks and code spans, without #fragments. */
function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/^(```|~~~)[\s\S]*?^\1/gm, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#'))
    .map((target) => decodeURI(target.split('#')[0]!));
}

/** Every .md file under `dir`. */
async function markdownFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.md')).map((e) => join(e.parentPath, e.name));
}

let work = '';
let bare = ''; // the tarball and rxjs
let full = ''; // the tarball, rxjs and fast-check
let installed = ''; // node_modules/tidemark in `bare`

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tidemark-pack-'));
  const clone = await freshClone(join(work, 'clone'));
  expect(existsSync(join(clone, 'dist')), 'the fresh copy must have no build of its own').toBe(false);
  await run('npm', ['pack', '--pack-destination', work], clone);
  const tarballs = (await readdir(work)).filter((f) => f.endsWith('.tgz'));
  expect(tarballs).toHaveLength(1);
  const tarball = join(work, tarballs[0]!);
  [bare, full] = await Promise.all([
    project(join(work, 'without-fast-check'), [tarball, 'rxjs@^7.8']),
    project(join(work, 'with-fast-check'), [tarball, 'rxjs@^7.8', 'fast-check@^4']),
  ]);
  installed = join(bare, 'node_modules', 'tidemark');
}, 300_000);

afterAll(async () => {
  if (work !== '') await rm(work, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('ships the build (every export target), the sources for the source maps, LICENSE, README, docs and examples', async () => {
    const pkg = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as { exports: unknown };
    const targets: string[] = [];
    const collect = (x: unknown): void => {
      if (typeof x === 'string') targets.push(x);
      else if (x !== null && typeof x === 'object') Object.values(x).forEach(collect);
    };
    collect(pkg.exports);
    expect(targets).toContain('./dist/testing/index.cjs');
    for (const target of targets) expect(existsSync(join(installed, target)), target).toBe(true);
    for (const file of ['LICENSE', 'README.md', 'src/index.ts', 'docs/README.md', 'examples/sensors.ts']) {
      expect(existsSync(join(installed, file)), file).toBe(true);
    }
    expect(await readFile(join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) 2026 the tidemark contributors\n/);
  });

  it('runs the README quick start, as ESM and as CommonJS, printing what the README shows', async () => {
    const { code, printed } = quickStart(await readFile(join(installed, 'README.md'), 'utf8'));
    expect(printed.length).toBeGreaterThan(0);
    for (const [format, file] of [['esm', 'quickstart.mjs'], ['cjs', 'quickstart.cjs']] as const) {
      await writeFile(join(bare, file), (await transform(code, { loader: 'ts', format })).code);
      const stdout = await run(process.execPath, [file], bare);
      expect(stdout.trimEnd().split('\n'), file).toEqual(printed);
    }
  });

  it('has every relative link of its README and docs resolve to a file inside the package', async () => {
    const broken: string[] = [];
    for (const file of [join(installed, 'README.md'), ...(await markdownFiles(join(installed, 'docs')))]) {
      for (const link of relativeLinks(await readFile(file, 'utf8'))) {
        const target = resolve(dirname(file), link);
        const inside = !relative(installed, target).startsWith(`..${sep}`);
        if (!inside || !existsSync(target) || !statSync(target).isFile()) broken.push(`${relative(installed, file)}: ${link}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('tidemark/testing from the tarball', () => {
  const names = Object.keys(testing).sort();
  const harness = new testing.OperatorHarness({ engine: windowAggregateEngine<string>({ window: tumbling(10), aggregate: count() }) });
  harness.pushEvent('a', 1).pushEvent('b', 12).pushWatermark(9).complete();
  /** What the fixtures report, as JSON gives it back. */
  const json = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

  it.each(['run.mjs', 'run.cjs'])('%s: loads without fast-check; the clock, marbles and harness work; the arbitraries say what to install', async (file) => {
    const report = JSON.parse(await run(process.execPath, [file, 'withoutFastCheck'], bare)) as Record<string, unknown>;
    expect(report['fastCheckLoads']).toBe(false);
    expect(report['exports']).toEqual(names);
    expect(report['clock']).toEqual({ now: 10, fired: [5] });
    expect(report['marbles']).toEqual(json(testing.parseMarbles('a@1 W1 |')));
    expect(report['harness']).toEqual(json(harness.values()));
    for (const api of ['disorderedEvents', 'boundaryTimestamps']) {
      expect(report[api]).toEqual({
        name: 'MissingPeerDependencyError',
        message: `${api} needs the peer dependency fast-check ^4: npm install --save-dev fast-check`,
        isMissingPeerDependencyError: true,
        isTidemarkError: true,
      });
    }
  });

  it.each(['run.mjs', 'run.cjs'])('%s: with fast-check installed, the property helpers run and pass, and catch a wrong oracle', async (file) => {
    const report = JSON.parse(await run(process.execPath, [file, 'withFastCheck'], full)) as Record<string, unknown>;
    expect(report['fastCheckLoads']).toBe(true);
    expect(report['exports']).toEqual(names);
    expect(report['passed']).toEqual(['assertOrderInsensitive', 'assertMatchesOracle']);
    expect(report['wrongOracle']).toEqual({ isPropertyFailedError: true, seed: testing.DEFAULT_SEED });
  });
});

describe('tidemark/lmdb from the tarball', () => {
  it('loads without lmdb (an optional peer dependency), and openLmdbStore says what to install, as ESM and as CommonJS', async () => {
    const check = (imports: string) => `${imports}
openLmdbStore({ path: 'state' }).then(
  () => console.log('opened'),
  (e) => console.log(JSON.stringify({ name: e.name, message: e.message, is: MissingPeerDependencyError.isMissingPeerDependencyError(e), core: e instanceof core.MissingPeerDependencyError })),
);
`;
    await writeFile(join(bare, 'lmdb.mjs'), check("import { openLmdbStore, MissingPeerDependencyError } from 'tidemark/lmdb';\nimport * as core from 'tidemark';"));
    await writeFile(join(bare, 'lmdb.cjs'), check("const { openLmdbStore, MissingPeerDependencyError } = require('tidemark/lmdb');\nconst core = require('tidemark');"));
    for (const file of ['lmdb.mjs', 'lmdb.cjs']) {
      expect(JSON.parse(await run(process.execPath, [file], bare)), file).toEqual({
        name: 'MissingPeerDependencyError',
        message: 'openLmdbStore needs the peer dependency lmdb ^3: npm install lmdb',
        is: true,
        core: true,
      });
    }
  });
});
