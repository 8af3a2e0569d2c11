import type { BrokerClock, BrokerTimer } from '../BrokerClock.js';
import { KafkaErrorCode } from '../errorCodes.js';
import type { PartitionLog } from '../log/PartitionLog.js';
import type { Topics } from '../log/Topics.js';
import type { GroupCoordinator, OffsetToCommit } from './GroupCoordinator.js';

/** Where a transactional id's current transaction stands. @internal */
export type TransactionStatus = 'Empty' | 'Ongoing' | 'CompleteCommit' | 'CompleteAbort';

/** A transactional id's state. @internal */
export interface TransactionState {
  readonly transactionalId: string;
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
  status: TransactionStatus;
  readonly partitions: Set<PartitionLog>;
  readonly groups: Set<string>;
  timer: BrokerTimer | null;
}

const MAX_EPOCH = 32767;

/**
 * The transaction coordinator: producer ids, transactional ids and their epochs, and each
 * transaction's partitions and groups. Ending a transaction writes a COMMIT or ABORT control
 * batch to every partition in it and makes its offsets visible or drops them, at once (there
 * is no PrepareCommit state to observe). A new InitProducerId for a transactional id bumps its
 * epoch, aborting a transaction left open: the old producer is fenced. A transaction open
 * longer than its timeout is aborted, and its producer fenced, the same way.
 *
 * Fencing answers PRODUCER_FENCED to the versions that know it (AddPartitionsToTxn,
 * AddOffsetsToTxn and EndTxn v2) and INVALID_PRODUCER_EPOCH to older ones, as Kafka does.
 * @internal
 */
export class TransactionCoordinator {
  private nextProducerId = 1000;
  private readonly byId = new Map<string, TransactionState>();
  private readonly byProducer = new Map<number, TransactionState>();

  constructor(
    private readonly clock: BrokerClock,
    private readonly topics: Topics,
    private readonly groups: GroupCoordinator,
    private readonly maxTimeoutMs: number,
  ) {}

  initProducerId(transactionalId: string | null, timeoutMs: number): { errorCode: number; producerId: number; producerEpoch: number } {
    if (transactionalId === null || transactionalId === '') return { errorCode: KafkaErrorCode.NONE, producerId: this.nextProducerId++, producerEpoch: 0 };
    if (timeoutMs <= 0 || timeoutMs > this.maxTimeoutMs) return { errorCode: KafkaErrorCode.INVALID_TRANSACTION_TIMEOUT, producerId: -1, producerEpoch: -1 };
    let txn = this.byId.get(transactionalId);
    if (txn === undefined) {
      txn = { transactionalId, producerId: this.nextProducerId++, producerEpoch: 0, timeoutMs, status: 'Empty', partitions: new Set(), groups: new Set(), timer: null };
      this.byId.set(transactionalId, txn);
      this.byProducer.set(txn.producerId, txn);
      return { errorCode: KafkaErrorCode.NONE, producerId: txn.producerId, producerEpoch: 0 };
    }
    txn.producerEpoch += 1;
    if (txn.status === 'Ongoing') this.complete(txn, false);
    if (txn.producerEpoch >= MAX_EPOCH) this.newProducerId(txn);
    txn.status = 'Empty';
    txn.timeoutMs = timeoutMs;
    return { errorCode: KafkaErrorCode.NONE, producerId: txn.producerId, producerEpoch: txn.producerEpoch };
  }

  /** Checks a transactional request's producer id and epoch; returns the state or an error code. */
  private verify(transactionalId: string, producerId: number, producerEpoch: number, version: number, fencedVersion: number): TransactionState | number {
    const txn = this.byId.get(transactionalId);
    if (txn === undefined || txn.producerId !== producerId) return KafkaErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (txn.producerEpoch !== producerEpoch) return version >= fencedVersion ? KafkaErrorCode.PRODUCER_FENCED : KafkaErrorCode.INVALID_PRODUCER_EPOCH;
    return txn;
  }

  addPartitions(transactionalId: string, producerId: number, producerEpoch: number, partitions: readonly { topic: string; partition: number }[], version: number): number[] {
    const txn = this.verify(transactionalId, producerId, producerEpoch, version, 2);
    if (typeof txn === 'number') return partitions.map(() => txn);
    const logs = partitions.map((p) => this.topics.partition(p.topic, p.partition));
    if (logs.some((log) => log === undefined)) {
      return logs.map((log) => (log === undefined ? KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION : KafkaErrorCode.OPERATION_NOT_ATTEMPTED));
    }
    this.begin(txn);
    for (const log of logs) txn.partitions.add(log!);
    return partitions.map(() => KafkaErrorCode.NONE);
  }

  addOffsets(transactionalId: string, producerId: number, producerEpoch: number, groupId: string, version: number): number {
    const txn = this.verify(transactionalId, producerId, producerEpoch, version, 2);
    if (typeof txn === 'number') return txn;
    if (groupId === '') return KafkaErrorCode.INVALID_GROUP_ID;
    this.begin(txn);
    txn.groups.add(groupId);
    return KafkaErrorCode.NONE;
  }

  commitOffsets(transactionalId: string, groupId: string, producerId: number, producerEpoch: number, offsets: readonly OffsetToCommit[]): number[] {
    const txn = this.verify(transactionalId, producerId, producerEpoch, 0, Infinity);
    if (typeof txn === 'number') return offsets.map(() => txn);
    if (txn.status !== 'Ongoing' || !txn.groups.has(groupId)) return offsets.map(() => KafkaErrorCode.INVALID_TXN_STATE);
    return this.groups.commitTransactional(groupId, producerId, offsets);
  }

  endTxn(transactionalId: string, producerId: number, producerEpoch: number, commit: boolean, version: number): number {
    const txn = this.verify(transactionalId, producerId, producerEpoch, version, 2);
    if (typeof txn === 'number') return txn;
    switch (txn.status) {
      case 'Ongoing':
        this.complete(txn, commit);
        return KafkaErrorCode.NONE;
      case 'CompleteCommit':
        return commit ? KafkaErrorCode.NONE : KafkaErrorCode.INVALID_TXN_STATE;
      case 'CompleteAbort':
        return commit ? KafkaErrorCode.INVALID_TXN_STATE : KafkaErrorCode.NONE;
      default:
        return KafkaErrorCode.INVALID_TXN_STATE;
    }
  }

  /** May this transactional batch go to `log`? Its producer's epoch must be current and the partition in its open transaction. */
  verifyProduce(producerId: number, producerEpoch: number, log: PartitionLog): { errorCode: number; message: string } | null {
    const txn = this.byProducer.get(producerId);
    if (txn === undefined) return { errorCode: KafkaErrorCode.INVALID_PRODUCER_ID_MAPPING, message: `producer id ${producerId} has no transactional id` };
    if (txn.producerEpoch !== producerEpoch) {
      return { errorCode: KafkaErrorCode.INVALID_PRODUCER_EPOCH, message: `producer ${producerId} epoch ${producerEpoch} is fenced by epoch ${txn.producerEpoch}` };
    }
    if (txn.status !== 'Ongoing' || !txn.partitions.has(log)) {
      return { errorCode: KafkaErrorCode.INVALID_TXN_STATE, message: `${log.topic}-${log.partition} is not in an open transaction of ${txn.transactionalId}` };
    }
    return null;
  }

  /** The transactional ids and their state (for tests and the CLI's diagnostics). */
  list(): TransactionState[] {
    return [...this.byId.values()];
  }

  dispose(): void {
    for (const txn of this.byId.values()) txn.timer?.cancel();
  }

  private begin(txn: TransactionState): void {
    if (txn.status === 'Ongoing') return;
    txn.status = 'Ongoing';
    txn.partitions.clear();
    txn.groups.clear();
    txn.timer = this.clock.after(txn.timeoutMs, () => {
      txn.timer = null;
      if (txn.status !== 'Ongoing') return;
      txn.producerEpoch += 1;
      this.complete(txn, false);
    });
  }

  /** Epochs run out at 32767: the transactional id gets a new producer id, at epoch 0. */
  private newProducerId(txn: TransactionState): void {
    this.byProducer.delete(txn.producerId);
    txn.producerId = this.nextProducerId++;
    txn.producerEpoch = 0;
    this.byProducer.set(txn.producerId, txn);
  }

  private complete(txn: TransactionState, commit: boolean): void {
    txn.timer?.cancel();
    txn.timer = null;
    const now = this.clock.now();
    for (const log of txn.partitions) log.writeMarker(txn.producerId, txn.producerEpoch, commit, now);
    for (const groupId of txn.groups) this.groups.endTransaction(groupId, txn.producerId, commit);
    txn.status = commit ? 'CompleteCommit' : 'CompleteAbort';
  }
}
