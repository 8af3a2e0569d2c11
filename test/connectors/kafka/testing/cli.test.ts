/**
 * The `tidemark-kafka-broker` command (bin/tidemark-kafka-broker.mjs, run from the sources
 * through tsx): one LISTENING line, clients served, SIGTERM stops it with exit code 0, and it
 * stops when the process that started it dies, also with a shell in between.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runTestBrokerCli } from '../../../../src/connectors/kafka/testing/index.js';
import { eventually, kafkaFor } from './support/kafkajsClients.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const PARENT = fileURLToPath(new URL('./fixtures/brokerParent.mjs', import.meta.url));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Spawns a process and resolves with it and its first line of stdout; the rest of stdout is collected. */
function start(command: string, args: string[]): Promise<{ child: ChildProcess; first: string; rest: string[]; exit: Promise<number | null> }> {
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const rest: string[] = [];
    let first: string | null = null;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (first === null) resolve({ child, first: (first = line), rest, exit });
      else rest.push(line);
    });
    void exit.then((code) => first === null && reject(new Error(`exited with ${code} before printing: ${stderr}`)));
  });
}

const listens = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

const bin = ['--import', 'tsx', 'bin/tidemark-kafka-broker.mjs'];

describe('tidemark-kafka-broker', () => {
  it('prints exactly one LISTENING line, serves clients, and exits 0 on SIGTERM', async () => {
    const { child, first, rest, exit } = await start(process.execPath, [...bin, '--port', '0', '--topic', 'cli:3', '--min-session-timeout-ms', '100']);
    expect(first).toMatch(/^LISTENING 127\.0\.0\.1:\d{2,5}$/);
    const address = first.slice('LISTENING '.length);
    const admin = kafkaFor([address]).admin();
    await admin.connect();
    expect(await admin.listTopics()).toEqual(['cli']);
    expect((await admin.fetchTopicMetadata({ topics: ['cli'] })).topics[0]!.partitions).toHaveLength(3);
    await admin.disconnect();
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(rest).toEqual([]);
    expect(await listens(Number(address.split(':')[1]))).toBe(false);
  });

  it.each(['direct', 'shell'])('exits when its parent dies (%s)', async (how) => {
    const { child: parent, first } = await start(process.execPath, [PARENT, ROOT, how]);
    const port = Number(/^LISTENING 127\.0\.0\.1:(\d+)$/.exec(first)![1]);
    expect(await listens(port)).toBe(true);
    parent.kill('SIGKILL'); // no signal reaches the broker: it has to notice
    await eventually('the orphaned broker to exit', async () => !(await listens(port)), 5000);
  });

  it('answers --help and refuses unknown options with exit code 2', async () => {
    let out = '';
    let err = '';
    const io = { stdout: (t: string) => (out += t), stderr: (t: string) => (err += t), signals: false };
    expect(await runTestBrokerCli(['--help'], io)).toBe(0);
    expect(out).toMatch(/^Usage: tidemark-kafka-broker \[options\]/);
    expect(await runTestBrokerCli(['--port', 'x'], io)).toBe(2);
    expect(await runTestBrokerCli(['--frobnicate'], io)).toBe(2);
    expect(err).toContain('tidemark-kafka-broker: --port needs an integer, got "x"');
    expect(err).toContain('unknown option "--frobnicate"');
    expect(await runTestBrokerCli(['--partitions', '0'], io)).toBe(1);
    expect(err).toContain('startTestBroker: partitions must be an integer ≥ 1, got 0');
  });
});
