import { BrokerClock } from './BrokerClock.js';
import { GroupCoordinator } from './coordinator/GroupCoordinator.js';
import { TransactionCoordinator } from './coordinator/TransactionCoordinator.js';
import { Topics } from './log/Topics.js';

/** The broker's settings, defaults applied. @internal */
export interface BrokerConfig {
  readonly nodeId: number;
  readonly host: string;
  readonly clusterId: string;
  readonly defaultPartitions: number;
  readonly autoCreateTopics: boolean;
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  readonly initialRebalanceDelayMs: number;
  readonly maxTransactionTimeoutMs: number;
}

/**
 * The state of the one-node cluster the request handlers act on: its topics, its group and
 * transaction coordinators, its clock, and where it listens (the metadata it advertises).
 * @internal
 */
export class Broker {
  readonly clock = new BrokerClock();
  readonly topics = new Topics();
  readonly groups: GroupCoordinator;
  readonly transactions: TransactionCoordinator;
  /** The port clients connect to, known once the server listens. */
  port = 0;

  constructor(readonly config: BrokerConfig) {
    this.groups = new GroupCoordinator(this.clock, this.topics, config);
    this.transactions = new TransactionCoordinator(this.clock, this.topics, this.groups, config.maxTransactionTimeoutMs);
  }

  /** Cancels every timer; the state stays readable. */
  dispose(): void {
    this.groups.dispose();
    this.transactions.dispose();
    this.clock.cancelAll();
  }
}
