import { BrokerClock } from './BrokerClock.js';
import { ancestry, ancestryChanged } from './parentWatch.js';
import { startTestBroker } from './startTestBroker.js';
import type { TestBrokerOptions } from './TestBrokerOptions.js';

const USAGE = `Usage: tidemark-kafka-broker [options]

An in-memory, single-node Kafka broker for tests (tidemark/kafka/testing).
Prints "LISTENING <host>:<port>" on one line of standard output once it accepts
connections; stops on SIGTERM or SIGINT, and when the process that started it exits.

Options:
  --port <n>                        TCP port, 0 for any free one (default 0)
  --host <address>                  address to listen on and advertise (default 127.0.0.1)
  --partitions <n>                  partitions of topics created without a count (default 1)
  --topic <name>[:<partitions>]     create a topic at start (repeatable)
  --no-auto-create-topics           refuse Metadata requests for unknown topics
  --min-session-timeout-ms <n>      shortest consumer session timeout (default 6000)
  --max-session-timeout-ms <n>      longest consumer session timeout (default 1800000)
  --initial-rebalance-delay-ms <n>  first rebalance delay of an empty group (default 0)
  --max-transaction-timeout-ms <n>  longest transaction timeout (default 900000)
  --no-exit-with-parent             keep running when the parent process exits
  --verbose                         log connections closed, faults and errors to stderr
  --help                            print this and exit
`;

/**
 * Where {@link runTestBrokerCli} writes, and whether it installs its process hooks.
 *
 * @example
 * ```ts
 * import { runTestBrokerCli, type TestBrokerCliOptions } from 'tidemark/kafka/testing';
 *
 * const lines: string[] = [];
 * const options: TestBrokerCliOptions = { stdout: (t) => lines.push(t), stderr: (t) => lines.push(t), signals: false };
 * console.log(await runTestBrokerCli(['--port', 'nope'], options), lines[0]!.split('\n')[0]);
 * // output:
 * // 2 tidemark-kafka-broker: --port needs an integer, got "nope"
 * ```
 */
export interface TestBrokerCliOptions {
  /**
   * Receives standard output: the `LISTENING` line.
   * @defaultValue writes to `process.stdout`
   */
  readonly stdout?: (text: string) => void;
  /**
   * Receives standard error: usage errors and, with `--verbose`, the broker's log.
   * @defaultValue writes to `process.stderr`
   */
  readonly stderr?: (text: string) => void;
  /**
   * Resolves to stop the broker, in addition to SIGTERM, SIGINT and the parent's exit.
   * @defaultValue never
   */
  readonly stop?: Promise<unknown>;
  /**
   * Whether to stop on SIGTERM and SIGINT (handlers installed while the broker runs).
   * @defaultValue true
   */
  readonly signals?: boolean;
}

class UsageError extends Error {}

function integer(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isInteger(n)) throw new UsageError(`${flag} needs an integer, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
  return n;
}

function parse(args: readonly string[]): { options: TestBrokerOptions; verbose: boolean; exitWithParent: boolean; help: boolean } {
  const options: { -readonly [K in keyof TestBrokerOptions]: TestBrokerOptions[K] } = {};
  const topics: { name: string; partitions?: number }[] = [];
  let verbose = false;
  let exitWithParent = true;
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string | undefined => (eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : args[++i]);
    switch (flag) {
      case '--port': options.port = integer(flag, value()); break;
      case '--host': options.host = value() ?? ''; break;
      case '--partitions': options.partitions = integer(flag, value()); break;
      case '--topic': {
        const spec = value();
        if (spec === undefined || spec === '') throw new UsageError('--topic needs a name, or name:partitions');
        const colon = spec.lastIndexOf(':');
        topics.push(colon < 0 ? { name: spec } : { name: spec.slice(0, colon), partitions: integer('--topic', spec.slice(colon + 1)) });
        break;
      }
      case '--no-auto-create-topics': options.autoCreateTopics = false; break;
      case '--min-session-timeout-ms': options.minSessionTimeoutMs = integer(flag, value()); break;
      case '--max-session-timeout-ms': options.maxSessionTimeoutMs = integer(flag, value()); break;
      case '--initial-rebalance-delay-ms': options.initialRebalanceDelayMs = integer(flag, value()); break;
      case '--max-transaction-timeout-ms': options.maxTransactionTimeoutMs = integer(flag, value()); break;
      case '--no-exit-with-parent': exitWithParent = false; break;
      case '--verbose': verbose = true; break;
      case '--help': case '-h': help = true; break;
      default: throw new UsageError(`unknown option ${JSON.stringify(arg)}`);
    }
  }
  if (topics.length > 0) options.topics = topics;
  return { options, verbose, exitWithParent, help };
}

/**
 * The command-line form of the test broker, as the `tidemark-kafka-broker` command runs it:
 * parses `args`, starts the broker, writes `LISTENING <host>:<port>` and a newline, and
 * resolves with the exit code once the broker has stopped — on SIGTERM or SIGINT, when the
 * process's parent (or the parent's parent, up to three generations on Linux: `npx` and a
 * shell) exits, or when `options.stop` resolves. 2 for a usage error, 1 if the broker cannot
 * start.
 *
 * ```sh
 * $ npx tidemark-kafka-broker --port 0 --topic events:3
 * LISTENING 127.0.0.1:38411
 * ```
 *
 * @example
 * ```ts
 * import { runTestBrokerCli } from 'tidemark/kafka/testing';
 *
 * let stop!: () => void;
 * const stopped = new Promise<void>((resolve) => (stop = resolve));
 * const exit = runTestBrokerCli(['--port', '0', '--topic', 'events:2'], {
 *   stdout: (line) => {
 *     console.log(line.replace(/:\d+\n$/, ':<port>'));
 *     stop();
 *   },
 *   stop: stopped,
 *   signals: false,
 * });
 * console.log(await exit);
 * // output:
 * // LISTENING 127.0.0.1:<port>
 * // 0
 * ```
 * @param args - the command-line arguments (without the node and script paths); `--help` lists them.
 * @param options - where to write, and what else stops the broker.
 * @returns the exit code.
 */
export async function runTestBrokerCli(args: readonly string[], options: TestBrokerCliOptions = {}): Promise<number> {
  const stdout = options.stdout ?? ((text: string) => void process.stdout.write(text));
  const stderr = options.stderr ?? ((text: string) => void process.stderr.write(text));
  let parsed;
  try {
    parsed = parse(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    stderr(`tidemark-kafka-broker: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.help) {
    stdout(USAGE);
    return 0;
  }
  const log = parsed.verbose ? (line: string) => stderr(`tidemark-kafka-broker: ${line}\n`) : undefined;
  let broker;
  try {
    broker = await startTestBroker({ ...parsed.options, ...(log ? { log } : {}) });
  } catch (e) {
    stderr(`tidemark-kafka-broker: ${(e as Error).message}\n`);
    return 1;
  }
  stdout(`LISTENING ${broker.host}:${broker.port}\n`);
  const clock = new BrokerClock();
  await new Promise<void>((resolve) => {
    const watch = parsed.exitWithParent ? ancestry() : null;
    const poll = watch === null ? null : clock.every(200, () => {
      if (ancestryChanged(watch)) stop('the parent process exited');
    });
    const onSignal = (signal: NodeJS.Signals): void => stop(signal);
    let stopped = false;
    function stop(reason: string): void {
      if (stopped) return;
      stopped = true;
      log?.(`stopping: ${reason}`);
      poll?.cancel();
      if (options.signals !== false) {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
      resolve();
    }
    if (options.signals !== false) {
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    }
    void options.stop?.then(() => stop('asked to stop'));
  });
  await broker.close();
  return 0;
}
