/**
 * Prints the markdown tables of docs/performance.md from `--json` files:
 *
 *   npx tsx bench/tables.ts FULL.json [QUICK.json] [--scale SCALE.json]
 *
 * FULL: the results, the RxJS-in-a-chain row, one core including generation, the memory
 * check; with QUICK also quick and full side by side; with SCALE the scale tables.
 */
import { readFileSync } from 'node:fs';
import { chainTable, generationTable, memoryTable, quickVsFullTable, resultsTable, scaleTables, type BenchJson } from './report.js';
import type { ScaleJson } from './scale.js';

const args = process.argv.slice(2);
const scaleAt = args.indexOf('--scale');
const scaleFile = scaleAt >= 0 ? args.splice(scaleAt, 2)[1] : undefined;
const [fullFile, quickFile] = args;
const read = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const load = (j: { load: { start: readonly number[]; end: readonly number[] } }): string =>
  `load average ${j.load.start.map((x) => x.toFixed(2)).join(' ')} at the start, ${j.load.end.map((x) => x.toFixed(2)).join(' ')} at the end`;

if (fullFile !== undefined) {
  const full = read<BenchJson>(fullFile);
  console.log(`<!-- ${fullFile}: commit ${full.commit}, node ${full.node}, ${full.cpus} CPUs, ${load(full)} -->\n`);
  console.log(`${resultsTable(full.results)}\n`);
  if (quickFile !== undefined) {
    const quick = read<BenchJson>(quickFile);
    console.log(`<!-- ${quickFile}: commit ${quick.commit}, ${load(quick)} -->\n`);
    console.log(`${quickVsFullTable(quick.results, full.results)}\n`);
  }
  if (full.chain !== undefined) console.log(`${chainTable(full.chain)}\n`);
  if (full.generation.length > 0) console.log(`${generationTable(full.generation)}\n`);
  if (full.memory.length > 0) console.log(`${memoryTable(full.memory)}\n`);
}
if (scaleFile !== undefined) {
  const scale = read<ScaleJson>(scaleFile);
  console.log(`<!-- ${scaleFile}: commit ${scale.commit}, node ${scale.node}, ${load(scale)} -->\n`);
  console.log(scaleTables(scale.results));
}
if (fullFile === undefined && scaleFile === undefined) console.error('usage: npx tsx bench/tables.ts FULL.json [QUICK.json] [--scale SCALE.json]');
