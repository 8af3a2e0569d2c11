import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Application, LogLevel, TypeDocReader } from 'typedoc';
import { afterAll, describe, expect, it, vi } from 'vitest';
import tsup from '../../tsup.config.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = join(ROOT, '.tmp', `typedoc-test-${process.pid}`);
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

/** Converts and validates one source file with the plugin; returns the warnings. */
async function warningsFor(source: string): Promise<string[]> {
  mkdirSync(DIR, { recursive: true });
  writeFileSync(join(DIR, 'index.ts'), source);
  writeFileSync(join(DIR, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', target: 'ES2022' }, include: ['index.ts'] }));
  const app = await Application.bootstrapWithPlugins({
    entryPoints: [join(DIR, 'index.ts')],
    tsconfig: join(DIR, 'tsconfig.json'),
    plugin: [join(ROOT, 'scripts', 'typedoc-internal-references.mjs')],
    excludeInternal: true,
    skipErrorChecking: true,
    logLevel: LogLevel.Error,
    validation: { notExported: true, invalidLink: true, notDocumented: false },
  });
  const warn = vi.spyOn(app.logger, 'warn');
  const project = await app.convert();
  expect(project).toBeDefined();
  app.validate(project!);
  return warn.mock.calls.map(([text]) => String(text));
}

describe('typedoc-internal-references', () => {
  it('reports a public signature that refers to an @internal type, and only that', async () => {
    const warnings = await warningsFor(
      [
        '/** @internal */',
        'export interface Hidden { a: number }',
        '/** Shown. */',
        'export interface Shown { a: number }',
        '/** Uses a hidden type. */',
        'export function use(h: Hidden): Hidden { return h; }',
        '/** Uses a shown type. */',
        'export function show(s: Shown): void {}',
      ].join('\n'),
    );
    expect(warnings.sort()).toEqual([
      'use refers to Hidden, which is left out of the docs (marked @internal or private): document it and drop the tag, or keep it out of the public signature',
      'use.h refers to Hidden, which is left out of the docs (marked @internal or private): document it and drop the tag, or keep it out of the public signature',
    ]);
  });
});

describe('typedoc.config.mjs', () => {
  it('documents every entry the package builds', async () => {
    const app = await Application.bootstrap({ options: join(ROOT, 'typedoc.config.mjs') }, [new TypeDocReader()]);
    const built = Object.values((tsup as { entry: Record<string, string> }).entry).map((e) => resolve(ROOT, e));
    expect(app.options.getValue('entryPoints').map((e) => resolve(e)).sort()).toEqual(built.sort());
  });
});
