import { spawn } from 'node:child_process';
import { StateError } from 'tidemark';

/**
 * What the probe runs: opens the environment read-only and reads every record, so that a page
 * lmdb-js would crash on crashes this child instead of the caller. Prints "ok" and exits 0.
 */
const SCRIPT = `
const { open } = require(process.argv[1]);
const db = open({ path: process.argv[2], readOnly: true, keyEncoding: 'binary', encoding: 'binary', cache: false });
let n = 0;
for (const { key, value } of db.getRange({})) { n += key.length + (value ? value.length : 0); }
db.close();
process.stdout.write('ok ' + n);
`;

/**
 * @internal Reads the whole environment at `dir` in a child process before this one opens it:
 * lmdb-js dies with a signal (SIGSEGV, SIGBUS) on some damaged pages, where an error is owed.
 * A child killed by a signal, or failing, gives a StateError naming the directory.
 */
export function probe(api: string, lmdbPath: string, dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', SCRIPT, lmdbPath, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => reject(new StateError(`${api}: cannot start the process that checks ${dir}: ${e.message}`, { cause: e })));
    child.on('close', (code, signal) => {
      if (code === 0 && out.startsWith('ok')) return resolve();
      const how = signal !== null ? `reading it killed a probe process with ${signal}` : `reading it failed: ${lastLine(err) || `exit code ${code}`}`;
      reject(new StateError(`${api}: the LMDB data in ${dir} is damaged (${how}); restore the directory from a backup, or open it with { fresh: true } to discard its state`));
    });
  });
}

function lastLine(s: string): string {
  const lines = s.trim().split('\n').filter((l) => /error/i.test(l));
  return (lines.at(-1) ?? s.trim().split('\n').at(-1) ?? '').trim();
}
