/**
 * The external clients the broker is tested with — kcat, python3-kafka (kafka-python) and
 * python3-confluent-kafka (librdkafka) from Debian — found or not, and running them.
 * `.ci/run` installs them; elsewhere a missing one skips its tests with the reason printed.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The Python with Debian's dist-packages (a pyenv shim on PATH may not see them). */
const PYTHONS = ['/usr/bin/python3', 'python3'];

function pythonWith(module: string): string | null {
  for (const python of PYTHONS) {
    if (python.startsWith('/') && !existsSync(python)) continue;
    try {
      execFileSync(python, ['-c', `import ${module}`], { stdio: 'ignore', timeout: 10_000 });
      return python;
    } catch {
      // not there
    }
  }
  return null;
}

function which(command: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** An external tool: its path, or why its tests are skipped. */
export interface Tool {
  readonly path: string | null;
  readonly skipReason: string;
}

function tool(path: string | null, name: string, install: string): Tool {
  const skipReason = `${name} is not installed (${install}); its tests are skipped`;
  if (path === null) console.warn(`[kafka testing] ${skipReason}`);
  return { path, skipReason };
}

export const kcat: Tool = tool(which('kcat'), 'kcat', 'apt-get install -y kcat');
export const kafkaPython: Tool = tool(pythonWith('kafka'), 'kafka-python', 'apt-get install -y python3-kafka');
export const confluentKafka: Tool = tool(pythonWith('confluent_kafka'), 'confluent-kafka', 'apt-get install -y python3-confluent-kafka');

/** Runs a command to its end; resolves with stdout and stderr, rejects on a non-zero exit (with both). */
export function run(command: string, args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { encoding: 'utf8', timeout: options.timeoutMs ?? 20_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      else resolve({ stdout, stderr });
    });
    child.stdin?.end(options.input ?? '');
  });
}

export { spawn };
