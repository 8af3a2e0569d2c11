import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fencedBlocks, outputSpec, runOutputs, tsdocBlocks, writeModules, type DocBlock } from '../../scripts/check-docs.js';

const OUT = fileURLToPath(new URL(`../../.tmp/check-docs-test-${process.pid}/`, import.meta.url));
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

/** Writes the blocks as modules and runs their `// output:` sections. */
function run(blocks: readonly DocBlock[], timeoutMs?: number) {
  return runOutputs(writeModules(blocks, OUT), timeoutMs === undefined ? {} : { timeoutMs });
}

const block = (code: string, line = 10): DocBlock => ({ file: 'docs/synthetic.md', line, code });

describe('outputSpec', () => {
  it('reads the expected lines after `// output:`, one per comment line', () => {
    expect(outputSpec("console.log('a');\n// output:\n// a b\n//\n//   indented  \n")).toEqual({ at: 1, expected: ['a b', '', '  indented'] });
  });

  it('expects no output from a bare `// output:`, and nothing from a block without one', () => {
    expect(outputSpec('const x = 1;\n// output:')).toEqual({ at: 1, expected: [] });
    expect(outputSpec('const x = 1; // 1')).toBeUndefined();
  });

  it('refuses code after `// output:`, and output on its own line', () => {
    expect(outputSpec("// output:\n// a\nconsole.log('a');")).toMatchObject({ at: 2, problem: expect.stringContaining('only `// ` comment lines') });
    expect(outputSpec('console.log(5);\n// output: 5')).toMatchObject({ at: 1, problem: expect.stringContaining('on the lines below') });
  });

  it('sees `// output:` in a TSDoc example, at the line of the source file', () => {
    const source = ['/**', ' * @example', ' * ```ts', ' * console.log(1);', ' * // output:', ' * // 1', ' * ```', ' */', 'export {};'].join('\n');
    const [b] = tsdocBlocks('src/x.ts', source);
    expect(b).toMatchObject({ line: 4, code: 'console.log(1);\n// output:\n// 1' });
    expect(outputSpec(b!.code)).toEqual({ at: 1, expected: ['1'] });
  });
});

describe('runOutputs', () => {
  it('passes a block that prints what its comment says, with tidemark resolved to src/', async () => {
    const [b] = fencedBlocks('README.md', [
      '```ts',
      "import { windowStart } from 'tidemark';",
      "import { VirtualClock } from 'tidemark/testing';",
      'console.log(windowStart(7, 5), new VirtualClock(3).now());',
      "await new Promise((r) => setTimeout(r, 10)); console.log('later');",
      '// output:',
      '// 5 3',
      '// later',
      '```',
    ]);
    expect(await run([b!])).toEqual({ errors: [], ran: 1 });
  });

  it('fails a block whose output differs, at the first differing line, with expected and actual', async () => {
    const wrong = block("console.log('/home 0 10000 2 on-time');\nconsole.log('/cart 0 10000 1 on-time');\n// output:\n// /home 0 10000 2 on-time\n// /cart 0 10000 2 on-time");
    const { errors, ran } = await run([wrong, block('const quiet = 1;', 40)]);
    expect(ran).toBe(1);
    expect(errors).toHaveLength(1);
    // The block's code starts at line 10; its second expected line is line 10 + 4.
    expect(errors[0]).toMatch(/^docs\/synthetic\.md:14: output differs from the `\/\/ output:` comment of the example at docs\/synthetic\.md:10, first at line 2\n/);
    expect(errors[0]).toContain('line 2 expected: /cart 0 10000 2 on-time\n  line 2 actual:   /cart 0 10000 1 on-time');
  });

  it('fails on missing and on extra lines', async () => {
    const { errors } = await run([
      block("console.log('a');\n// output:\n// a\n// b", 1),
      block("console.log('a'); console.log('b');\n// output:\n// a", 20),
      block("console.log('a');\n// output:", 30),
    ]);
    expect(errors).toHaveLength(3);
    expect(errors[0]).toContain('line 2 expected: b\n  line 2 actual:   (no more lines)');
    expect(errors[1]).toContain('line 2 expected: (no more lines)\n  line 2 actual:   b');
    expect(errors[2]).toMatch(/^docs\/synthetic\.md:31: .*first at line 1\n {2}line 1 expected: \(no more lines\)/);
  });

  it('fails a block that throws, with its error', async () => {
    const { errors } = await run([block("throw new Error('boom');\n// output:\n// never")]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^docs\/synthetic\.md:10: the example exited with code 1:\n/);
    expect(errors[0]).toContain('Error: boom');
  });

  it('kills a block that does not finish', async () => {
    const { errors } = await run([block('setInterval(() => {}, 1_000);\n// output:')], 500);
    expect(errors).toEqual(['docs/synthetic.md:10: the example did not finish within 500 ms (a timer or subscription left running?)']);
  });

  it('reports a block that breaks the convention without running it', async () => {
    const { errors } = await run([block("// output:\n// a\nconsole.log('a');")]);
    expect(errors).toEqual(['docs/synthetic.md:12: only `// ` comment lines (the expected output) may follow `// output:`, up to the end of the block']);
  });
});
