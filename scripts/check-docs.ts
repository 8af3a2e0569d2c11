/**
 * Checks every TypeScript example in the docs, so that documentation cannot rot:
 *
 * - every ```ts (or ```typescript) fenced block in README.md and docs/**\/*.md;
 * - every ```ts block inside an `@example` or `## Example` section of a TSDoc comment in
 *   src/**\/*.ts.
 *
 * Blocks whose info string carries more words (```ts ignore) and blocks in other languages
 * (```text, ```sh, plain ```) are skipped. Each block becomes one module under
 * .tmp/doc-examples/ (gitignored; `export {}` is appended to blocks without an import or
 * export) and all of them are type-checked together with the compiler options of the root
 * tsconfig.json, whose `paths` map `tidemark` and `tidemark/testing` to src/.
 *
 * Output blocks are also run. A block that ends with a line `// output:` followed only by
 * comment lines, one per line of expected standard output, is executed and what it prints
 * must equal those lines. It is bundled with esbuild (the transform tsx uses), `tidemark` and
 * `tidemark/testing` resolved to src/ by the same tsconfig `paths` as the type-check, and run
 * by Node in a process of its own, two at a time, killed after 10 s:
 *
 *     console.log(windowStart(7, 5), windowStart(-1, 5));
 *     // output:
 *     // 5 -5
 *
 * Each expected line is the comment without its `//` and one space after it (`//` alone is an
 * empty line); trailing spaces and trailing empty lines are ignored on both sides. Nothing but
 * `//` lines may follow `// output:` (a bare `// output:` expects no output at all). Blocks
 * without it are only type-checked. A failure (a type error, a block that throws or exits
 * non-zero, printed lines that differ) is reported at the file and line of the original
 * block; the exit code is 1 if there is any.
 *
 * Run: `npm run check:docs` (part of `npm test`).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, '.tmp', 'doc-examples');

/** One code example, with where it came from. */
export interface DocBlock {
  /** Path of the source file, relative to the repository root, with `/` separators. */
  readonly file: string;
  /** 1-based line in the source file of the block's first code line. */
  readonly line: number;
  readonly code: string;
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*(.*)$/;

/** Whether a fence's info string asks for a type-checked TypeScript block. */
export function isCheckedInfo(info: string): boolean {
  const words = info.trim().split(/\s+/);
  return words.length === 1 && (words[0] === 'ts' || words[0] === 'typescript');
}

/**
 * The fenced TypeScript blocks of a Markdown text. `lines` are the text's lines; `lineOf`
 * maps an index into `lines` to a 1-based line of the original file.
 */
export function fencedBlocks(file: string, lines: readonly string[], lineOf: (i: number) => number = (i) => i + 1): DocBlock[] {
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (open === null) continue;
    const [, indent = '', fence = '```', info = ''] = open;
    if (fence[0] === '`' && info.includes('`')) continue; // CommonMark: inline code, not a fence
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = FENCE.exec(lines[j]!);
      if (close !== null && close[2]!.startsWith(fence[0]!) && close[2]!.length >= fence.length && close[3]!.trim() === '') break;
      body.push(lines[j]!.startsWith(indent) ? lines[j]!.slice(indent.length) : lines[j]!.trimStart());
    }
    if (isCheckedInfo(info)) blocks.push({ file, line: lineOf(i + 1), code: body.join('\n') });
    i = j; // skip past the closing fence (or to the end of an unclosed block)
  }
  return blocks;
}

/** The ```ts blocks in the `@example` / `## Example` sections of a source file's TSDoc comments. */
export function tsdocBlocks(file: string, text: string): DocBlock[] {
  const blocks: DocBlock[] = [];
  const comment = /\/\*\*[\s\S]*?\*\//g;
  for (let m = comment.exec(text); m !== null; m = comment.exec(text)) {
    const firstLine = text.slice(0, m.index).split('\n').length; // 1-based line of `/**`
    const raw = m[0].split('\n');
    // Strip the comment syntax: `/**` on the first line, ` * ` on the others, `*/` at the end.
    const lines = raw.map((l, k) => {
      let s = k === 0 ? l.replace(/^\s*\/\*\*\s?/, '') : l.replace(/^\s*\*(?!\/)\s?/, '');
      if (k === raw.length - 1) s = s.replace(/\s*\*\/\s*$/, '');
      return s;
    });
    // Keep only the lines of example sections (blank out the rest, so line numbers hold).
    let inExample = false;
    let inFence = false;
    const kept = lines.map((l) => {
      if (!inFence) {
        const t = l.trim();
        if (/^@example\b/.test(t) || /^#{1,6}\s+Examples?\s*$/.test(t)) inExample = true;
        else if (/^@\w/.test(t) || /^#{1,6}\s/.test(t)) inExample = false;
      }
      if (FENCE.test(l)) inFence = !inFence;
      return inExample ? l : '';
    });
    blocks.push(...fencedBlocks(file, kept, (i) => firstLine + i));
  }
  return blocks;
}

function walk(dir: string, ext: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name), ext) : e.name.endsWith(ext) ? [join(dir, e.name)] : []));
}

const rel = (p: string) => relative(ROOT, p).split(sep).join('/');

/** Every checked block of the repository. */
export function collectBlocks(): DocBlock[] {
  const markdown = [join(ROOT, 'README.md'), ...walk(join(ROOT, 'docs'), '.md')];
  const sources = walk(join(ROOT, 'src'), '.ts').filter((f) => !f.endsWith('.d.ts'));
  return [
    ...markdown.flatMap((f) => fencedBlocks(rel(f), readFileSync(f, 'utf8').split(/\r?\n/))),
    ...sources.flatMap((f) => tsdocBlocks(rel(f), readFileSync(f, 'utf8'))),
  ];
}

/** Whether a block is already a module (has a top-level import or export). */
function isModule(code: string): boolean {
  return /^\s*(import|export)\b/m.test(code);
}

/** A block written as a module file. */
export interface DocModule {
  readonly block: DocBlock;
  /** Absolute path of the generated module. */
  readonly path: string;
}

/** Writes each block as a module into `outDir` (emptied first). */
export function writeModules(blocks: readonly DocBlock[], outDir: string = OUT_DIR): DocModule[] {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  return blocks.map((block, n) => {
    const name = `${String(n).padStart(3, '0')}_${block.file.replace(/[^A-Za-z0-9]+/g, '_')}_L${block.line}.ts`;
    const path = resolve(outDir, name);
    writeFileSync(path, block.code + (isModule(block.code) ? '\n' : '\nexport {};\n'));
    return { block, path };
  });
}

/** Type-checks the modules together; returns the error messages. */
export function typeCheck(modules: readonly DocModule[]): string[] {
  const origin = new Map(modules.map((m) => [m.path, m.block]));
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (config === undefined) throw new Error('check-docs: cannot read tsconfig.json');
  const program = ts.createProgram({ rootNames: [...origin.keys()], options: { ...config.options, noEmit: true } });

  const errors: string[] = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const block = d.file === undefined ? undefined : origin.get(resolve(d.file.fileName));
    if (d.file === undefined || d.start === undefined) {
      errors.push(`error TS${d.code}: ${message}`);
    } else if (block === undefined) {
      // An error in src/ itself: `npm run typecheck` reports it; mention it anyway.
      const { line } = d.file.getLineAndCharacterOfPosition(d.start);
      errors.push(`${rel(d.file.fileName)}:${line + 1}: error TS${d.code}: ${message}`);
    } else {
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      const snippet = block.code.split('\n')[line]?.trim() ?? '';
      errors.push(`${block.file}:${block.line + line}: error TS${d.code}: ${message}\n    at column ${character + 1}: ${snippet}`);
    }
  }
  return errors;
}

/** Writes the blocks as modules and type-checks them; returns the error messages. */
export function checkBlocks(blocks: readonly DocBlock[], outDir: string = OUT_DIR): string[] {
  return typeCheck(writeModules(blocks, outDir));
}

/**
 * What a block says it prints: `at` is the 0-based index in its code of the `// output:`
 * line; `expected` the lines after it, or `problem` when the block breaks the convention.
 * `undefined` for a block without `// output:`.
 */
export type OutputSpec = { readonly at: number; readonly expected: readonly string[] } | { readonly at: number; readonly problem: string };

const OUTPUT_MARK = /^\s*\/\/\s*output:(.*)$/;
const COMMENT = /^\s*\/\/ ?(.*)$/;

/** The `// output:` section of a block, if it has one. */
export function outputSpec(code: string): OutputSpec | undefined {
  const lines = code.split('\n');
  const at = lines.findIndex((l) => OUTPUT_MARK.test(l));
  if (at < 0) return undefined;
  if (OUTPUT_MARK.exec(lines[at]!)![1]!.trim() !== '') {
    return { at, problem: 'put the expected output on the lines below `// output:`, one `// ` comment per line' };
  }
  const rest = lines.slice(at + 1);
  while (rest.length > 0 && rest[rest.length - 1]!.trim() === '') rest.pop();
  const expected: string[] = [];
  for (const [k, l] of rest.entries()) {
    const m = COMMENT.exec(l);
    if (m === null) {
      return { at: at + 1 + k, problem: 'only `// ` comment lines (the expected output) may follow `// output:`, up to the end of the block' };
    }
    expected.push(m[1]!);
  }
  return { at, expected: normalize(expected) };
}

/** Lines without trailing spaces, without trailing empty lines. */
function normalize(lines: readonly string[]): string[] {
  const out = lines.map((l) => l.replace(/\s+$/, ''));
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

/** Splits a process's standard output into normalized lines. */
export function outputLines(stdout: string): string[] {
  return stdout === '' ? [] : normalize(stdout.replace(/\r\n/g, '\n').split('\n'));
}

const indent = (lines: readonly string[]) => (lines.length === 0 ? '    (nothing)' : lines.map((l) => `    ${l}`).join('\n'));

/**
 * Compares what a block printed with what its `// output:` comment expects; returns the
 * error message, or `undefined` when they are equal.
 */
export function compareOutput(block: DocBlock, spec: { readonly at: number; readonly expected: readonly string[] }, actual: readonly string[]): string | undefined {
  const { expected } = spec;
  const first = [...Array(Math.max(expected.length, actual.length)).keys()].find((k) => expected[k] !== actual[k]);
  if (first === undefined) return undefined;
  // The file line of the expected line that differs; past the end, of the last one (or of `// output:`).
  const line = block.line + spec.at + 1 + Math.min(first, expected.length - 1);
  return (
    `${block.file}:${line}: output differs from the \`// output:\` comment of the example at ${block.file}:${block.line}, first at line ${first + 1}\n` +
    `  line ${first + 1} expected: ${expected[first] ?? '(no more lines)'}\n` +
    `  line ${first + 1} actual:   ${actual[first] ?? '(no more lines)'}\n` +
    `  expected:\n${indent(expected)}\n  actual:\n${indent(actual)}`
  );
}

/** How a module run ended. */
export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/**
 * Bundles one module for Node with esbuild (what tsx runs on), `tidemark` and
 * `tidemark/testing` resolved to src/ by the `paths` of tsconfig.json and other packages left
 * as imports; returns the bundle's path, or throws esbuild's messages. One bundle per block
 * instead of `tsx` per block: src/ is transformed in one go rather than once per process,
 * which halves the time the blocks take to run.
 */
export async function bundleModule(path: string): Promise<string> {
  const outfile = path.replace(/\.ts$/, '.run.mjs');
  await build({
    entryPoints: [path],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    tsconfig: join(ROOT, 'tsconfig.json'),
    absWorkingDir: ROOT,
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  return outfile;
}

/** Runs a bundle in its own Node process, killed after `timeoutMs`. */
export function runModule(path: string, timeoutMs: number): Promise<RunResult> {
  return new Promise((done, fail) => {
    const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0' };
    delete env.NO_COLOR; // with FORCE_COLOR set Node would warn that it ignores it
    const child = spawn(process.execPath, ['--enable-source-maps', path], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr, timedOut });
    });
  });
}

/** Options of {@link runOutputs}. */
export interface RunOptions {
  /** How long a block may run. @defaultValue 10 000 ms */
  readonly timeoutMs?: number;
  /** How many blocks run at once. @defaultValue 2 (or 1 on a single core) */
  readonly parallel?: number;
}

/**
 * Runs every module whose block has a `// output:` comment and compares what it prints;
 * returns the error messages and how many blocks ran.
 */
export async function runOutputs(modules: readonly DocModule[], options: RunOptions = {}): Promise<{ errors: string[]; ran: number }> {
  const { timeoutMs = 10_000, parallel = Math.min(2, availableParallelism()) } = options;
  const jobs = modules.flatMap((m) => {
    const spec = outputSpec(m.block.code);
    if (spec === undefined) return [];
    // Bundle all up front (esbuild works on its own threads); each is awaited in turn below.
    const bundle = 'problem' in spec ? Promise.resolve('') : bundleModule(m.path);
    bundle.catch(() => {});
    return [{ ...m, spec, bundle }];
  });
  const results: (string | undefined)[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    for (let k = next++; k < jobs.length; k = next++) {
      const { block, spec, bundle } = jobs[k]!;
      const where = `${block.file}:${block.line}`;
      if ('problem' in spec) {
        results[k] = `${block.file}:${block.line + spec.at}: ${spec.problem}`;
        continue;
      }
      let run: RunResult;
      try {
        run = await runModule(await bundle, timeoutMs);
      } catch (err) {
        const messages = (err as { errors?: { text: string }[] }).errors?.map((e) => e.text) ?? [String(err)];
        results[k] = `${where}: the example cannot be bundled to run:\n${indent(messages)}`;
        continue;
      }
      if (run.timedOut) {
        results[k] = `${where}: the example did not finish within ${timeoutMs} ms (a timer or subscription left running?)`;
      } else if (run.code !== 0) {
        results[k] = `${where}: the example exited with code ${run.code}:\n${indent(outputLines(run.stderr))}`;
      } else {
        results[k] = compareOutput(block, spec, outputLines(run.stdout));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
  return { errors: results.filter((e): e is string => e !== undefined), ran: jobs.length };
}

async function main(): Promise<void> {
  const blocks = collectBlocks();
  const modules = writeModules(blocks);
  const running = runOutputs(modules); // bundles and the first runs proceed during the type-check
  const typeErrors = typeCheck(modules);
  const { errors: runErrors, ran } = await running;
  const errors = [...typeErrors, ...runErrors];
  const files = new Set(blocks.map((b) => b.file)).size;
  if (errors.length > 0) {
    for (const e of errors) console.error(e);
    console.error(`check-docs: ${errors.length} error(s) in ${blocks.length} example block(s) from ${files} file(s); generated modules are in ${rel(OUT_DIR)}/`);
    process.exit(1);
  }
  console.log(`check-docs: ${blocks.length} example block(s) from ${files} file(s) type-check; the ${ran} with \`// output:\` print it.`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
