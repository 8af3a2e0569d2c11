import { InvalidArgumentError } from 'tidemark';
import { SUPPORTED_APIS, type ApiName } from './apiKeys.js';
import { KafkaErrorCode, type KafkaErrorName } from './errorCodes.js';

/**
 * Options of a fault that strikes a number of requests.
 *
 * @example
 * ```ts
 * import { startTestBroker, type FaultOptions } from 'tidemark/kafka/testing';
 *
 * const broker = await startTestBroker();
 * const always: FaultOptions = { count: Infinity };
 * broker.faults.failNext('FindCoordinator', 'COORDINATOR_NOT_AVAILABLE', always);
 * broker.faults.clear();
 * await broker.close();
 * ```
 */
export interface FaultOptions {
  /**
   * How many of the next requests of the API it strikes; `Infinity` for all, until
   * {@link BrokerFaults.clear}.
   * @defaultValue 1
   */
  readonly count?: number;
}

/**
 * Options of {@link BrokerFaults.dropConnection}.
 *
 * @example
 * ```ts
 * import { startTestBroker, type DropConnectionOptions } from 'tidemark/kafka/testing';
 *
 * const broker = await startTestBroker();
 * const lostAcks: DropConnectionOptions = { lose: 'response', count: 2 };
 * broker.faults.dropConnection('Produce', lostAcks); // the next two produces are appended, their responses lost
 * await broker.close();
 * ```
 */
export interface DropConnectionOptions extends FaultOptions {
  /**
   * What the client loses: `'request'` closes the connection before the broker acts on the
   * request; `'response'` after it acted (the produce is appended, the offset committed) but
   * before the response goes out — the case an idempotent producer's retry must survive.
   * @defaultValue 'request'
   */
  readonly lose?: 'request' | 'response';
}

/**
 * A fault that struck, as {@link BrokerFaults.history} records it.
 *
 * @example
 * ```ts
 * import type { InjectedFault, TestBroker } from 'tidemark/kafka/testing';
 *
 * const drops = (broker: TestBroker): InjectedFault[] => broker.faults.history.filter((f) => f.kind === 'drop');
 * ```
 */
export interface InjectedFault {
  /** What was done: the connection closed, the request failed, the response delayed. */
  readonly kind: 'drop' | 'fail' | 'delay';
  /** The API of the request it struck. */
  readonly api: ApiName;
  /** The request's correlation id. */
  readonly correlationId: number;
}

/**
 * Fault injection on a running test broker: close client connections, fail requests of an
 * API with an error code, delay responses. A fault strikes the next requests of its API, on
 * any connection, in the order they arrive; what struck is in {@link BrokerFaults.history}.
 * Each client's retry logic (reconnecting, refreshing metadata, resending) is then what a test
 * observes.
 *
 * @example
 * ```ts
 * import { startTestBroker } from 'tidemark/kafka/testing';
 *
 * const broker = await startTestBroker();
 * broker.faults.failNext('Produce', 'NOT_LEADER_OR_FOLLOWER', { count: 2 });
 * broker.faults.delay('Fetch', 200);
 * broker.faults.dropConnection('Produce', { lose: 'response' });
 * console.log(broker.faults.pending); // 2 + 1 + 1 strikes
 * broker.faults.clear();
 * await broker.close();
 * // output:
 * // 4
 * ```
 */
export interface BrokerFaults {
  /** Closes every client connection now; returns how many there were. */
  dropConnections(): number;
  /** Closes the connection of the next request(s) of `api`, losing the request or its response. */
  dropConnection(api: ApiName, options?: DropConnectionOptions): void;
  /**
   * Answers the next request(s) of `api` with `error` (a name of {@link KafkaErrorCode} or a
   * code) in each of its error fields, without acting on them.
   */
  failNext(api: ApiName, error: KafkaErrorName | number, options?: FaultOptions): void;
  /** Holds back the response to the next request(s) of `api` by `ms` milliseconds (and those behind it on its connection, which stay in order). */
  delay(api: ApiName, ms: number, options?: FaultOptions): void;
  /** Forgets every fault that has not struck yet. */
  clear(): void;
  /** How many strikes are still pending (a fault with count `Infinity` counts once). */
  readonly pending: number;
  /** The faults that struck, oldest first. */
  readonly history: readonly InjectedFault[];
}

/** What to do to one request. @internal */
export interface FaultVerdict {
  drop?: 'request' | 'response';
  failWith?: number;
  delayMs?: number;
}

type Rule = { api: ApiName; left: number } & ({ kind: 'drop'; lose: 'request' | 'response' } | { kind: 'fail'; code: number } | { kind: 'delay'; ms: number });

const API_NAMES = new Set<string>(SUPPORTED_APIS.map((a) => a.name));

function checkApi(method: string, api: string): void {
  if (!API_NAMES.has(api)) throw new InvalidArgumentError(`faults.${method}: unknown API ${JSON.stringify(api)}; one of ${[...API_NAMES].join(', ')}`);
}

function countOf(method: string, options: FaultOptions | undefined): number {
  const count = options?.count ?? 1;
  if (!(count === Infinity || (Number.isInteger(count) && count >= 1))) {
    throw new InvalidArgumentError(`faults.${method}: count must be a positive integer or Infinity, got ${String(count)}`);
  }
  return count;
}

/** The faults of one broker: rules to strike requests, and the way to close connections. @internal */
export class FaultPlan implements BrokerFaults {
  private rules: Rule[] = [];
  private readonly struck: InjectedFault[] = [];

  constructor(private readonly closeAll: () => number) {}

  dropConnections(): number {
    return this.closeAll();
  }

  dropConnection(api: ApiName, options?: DropConnectionOptions): void {
    checkApi('dropConnection', api);
    const lose = options?.lose ?? 'request';
    if (lose !== 'request' && lose !== 'response') throw new InvalidArgumentError(`faults.dropConnection: lose must be 'request' or 'response', got ${String(lose)}`);
    this.rules.push({ api, left: countOf('dropConnection', options), kind: 'drop', lose });
  }

  failNext(api: ApiName, error: KafkaErrorName | number, options?: FaultOptions): void {
    checkApi('failNext', api);
    const code = typeof error === 'number' ? error : (KafkaErrorCode as Record<string, number>)[error];
    if (code === undefined || !Number.isInteger(code) || code === 0) {
      throw new InvalidArgumentError(`faults.failNext: error must be a non-zero Kafka error code or a name of KafkaErrorCode, got ${JSON.stringify(error)}`);
    }
    this.rules.push({ api, left: countOf('failNext', options), kind: 'fail', code });
  }

  delay(api: ApiName, ms: number, options?: FaultOptions): void {
    checkApi('delay', api);
    if (!Number.isFinite(ms) || ms < 0) throw new InvalidArgumentError(`faults.delay: ms must be a finite number ≥ 0, got ${String(ms)}`);
    this.rules.push({ api, left: countOf('delay', options), kind: 'delay', ms });
  }

  clear(): void {
    this.rules = [];
  }

  get pending(): number {
    return this.rules.reduce((n, r) => n + (r.left === Infinity ? 1 : r.left), 0);
  }

  get history(): readonly InjectedFault[] {
    return this.struck;
  }

  /** The faults that strike this request (at most one of each kind), used up. */
  take(api: ApiName, correlationId: number): FaultVerdict {
    const verdict: FaultVerdict = {};
    for (const rule of this.rules) {
      if (rule.api !== api || rule.left <= 0) continue;
      if (rule.kind === 'drop' && verdict.drop === undefined) verdict.drop = rule.lose;
      else if (rule.kind === 'fail' && verdict.failWith === undefined) verdict.failWith = rule.code;
      else if (rule.kind === 'delay' && verdict.delayMs === undefined) verdict.delayMs = rule.ms;
      else continue;
      rule.left -= 1;
      this.struck.push({ kind: rule.kind, api, correlationId });
    }
    this.rules = this.rules.filter((r) => r.left > 0);
    return verdict;
  }
}
