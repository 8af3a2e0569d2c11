/**
 * Type-checks every TypeScript example in the docs, so that documentation cannot rot:
 *
 * - every ```ts (or ```typescript) fenced block in README.md and docs/**\/*.md;
 * - every ```ts block inside an `@example` or `## Example` section of a TSDoc comment in
 *   src/**\/*.ts.
 *
 * Blocks whose info string carries more words (```ts ignore) and blocks in other languages
 * (```text, ```sh, plain ```) are skipped. Each block becomes one module under
 * .tmp/doc-examples/ (gitignored; `export {}` is appended to blocks without an import or
 * export) and all of them are type-checked together with the compiler options of the root
 * tsconfig.json, whose `paths` map `tidemark` and `tidemark/testing` to src/. An error is
 * reported at the file and line of the original block; the exit code is 1 if there is any.
 *
 * Run: `npm run check:docs` (part of `npm test`).
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** Writes the blocks as modules and type-checks them; returns the error messages. */
export function checkBlocks(blocks: readonly DocBlock[]): string[] {
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const origin = new Map<string, DocBlock>();
  blocks.forEach((b, n) => {
    const name = `${String(n).padStart(3, '0')}_${b.file.replace(/[^A-Za-z0-9]+/g, '_')}_L${b.line}.ts`;
    const path = join(OUT_DIR, name);
    writeFileSync(path, b.code + (isModule(b.code) ? '\n' : '\nexport {};\n'));
    origin.set(resolve(path), b);
  });

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

function main(): void {
  const blocks = collectBlocks();
  const errors = checkBlocks(blocks);
  const files = new Set(blocks.map((b) => b.file)).size;
  if (errors.length > 0) {
    for (const e of errors) console.error(e);
    console.error(`check-docs: ${errors.length} error(s) in ${blocks.length} example block(s) from ${files} file(s); generated modules are in ${rel(OUT_DIR)}/`);
    process.exit(1);
  }
  console.log(`check-docs: ${blocks.length} example block(s) from ${files} file(s) type-check.`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
