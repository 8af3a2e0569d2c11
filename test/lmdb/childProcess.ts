import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const OPEN = fileURLToPath(new URL('./fixtures/openStore.ts', import.meta.url));

/** What the child that opened a store printed, and how it ended. */
export interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly result: { ok: boolean; name?: string; message?: string; latest?: number | null; sources?: unknown; ops?: string[] } | undefined;
  readonly stderr: string;
}

/** Starts `node --import tsx` on a script with arguments. */
export function node(script: string, args: readonly string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: fileURLToPath(new URL('../..', import.meta.url)) });
}

/** Opens the store at `dir` in a child process and reports what happened. */
export function openInChild(dir: string, options: object = {}): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = node(OPEN, [dir, JSON.stringify(options)]);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code, signal) => {
      let result: ChildResult['result'];
      try {
        result = JSON.parse(out.trim().split('\n').at(-1) ?? '') as ChildResult['result'];
      } catch {
        result = undefined;
      }
      resolve({ code, signal, result, stderr: err });
    });
  });
}

/** Starts a child that opens the store at `dir` and holds it; resolves once it is open. */
export function holdInChild(dir: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = node(OPEN, [dir, '{}', 'hold']);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('open')) resolve(child);
    });
    child.on('close', (code) => reject(new Error(`the holding child exited (${code}) before it opened the store: ${out}`)));
  });
}
