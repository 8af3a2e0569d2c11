/**
 * Summarizes a V8 `.cpuprofile` (from `node --cpu-prof`): self time per function and per
 * area (rxjs, tidemark src/, bench/, GC, …), in % of all samples.
 *
 *   npx tsx bench/profileSummary.ts FILE.cpuprofile [top=30]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const [file, topArg] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: profileSummary FILE.cpuprofile [top]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[] };
const top = Number(topArg ?? 30);

function area(url: string, fn: string): string {
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(program)' || fn === '(idle)' || fn === '(root)') return fn;
  if (url.includes('/node_modules/rxjs/')) return 'rxjs';
  if (url.includes('/src/')) return 'tidemark src/';
  if (url.includes('/bench/')) return 'bench/';
  if (url === '') return 'native/builtins';
  if (url.startsWith('node:')) return 'node internals';
  return 'other';
}

let total = 0;
const byFunction = new Map<string, number>();
const byArea = new Map<string, number>();
for (const node of profile.nodes) {
  const hits = node.hitCount ?? 0;
  if (hits === 0) continue;
  total += hits;
  const { functionName, url, lineNumber } = node.callFrame;
  const short = url.replace(/^.*\/(node_modules\/rxjs\/dist\/esm5\/internal|src|bench)\//, '$1/');
  const label = `${functionName || '(anonymous)'}  ${short}${url ? `:${lineNumber + 1}` : ''}`;
  byFunction.set(label, (byFunction.get(label) ?? 0) + hits);
  const a = area(url, functionName);
  byArea.set(a, (byArea.get(a) ?? 0) + hits);
}
const pct = (n: number): string => `${((100 * n) / total).toFixed(1).padStart(5)}%`;
console.log(`self time by area (${total} samples)`);
for (const [a, n] of [...byArea].sort((x, y) => y[1] - x[1])) console.log(`  ${pct(n)}  ${a}`);
console.log(`\nself time by function (top ${top})`);
for (const [f, n] of [...byFunction].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`  ${pct(n)}  ${f}`);
