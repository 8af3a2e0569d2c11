/**
 * The transaction coordinator driven directly: epochs and fencing (PRODUCER_FENCED from v2,
 * INVALID_PRODUCER_EPOCH before), EndTxn retries and wrong states, markers and offsets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerClock } from '../../../../../src/connectors/kafka/testing/BrokerClock.js';
import { GroupCoordinator } from '../../../../../src/connectors/kafka/testing/coordinator/GroupCoordinator.js';
import { TransactionCoordinator } from '../../../../../src/connectors/kafka/testing/coordinator/TransactionCoordinator.js';
import { KafkaErrorCode } from '../../../../../src/connectors/kafka/testing/index.js';
import { Topics } from '../../../../../src/connectors/kafka/testing/log/Topics.js';

let clock: BrokerClock;
afterEach(() => clock.cancelAll());

function setup() {
  clock = new BrokerClock();
  const topics = new Topics();
  topics.create('t', 1);
  const groups = new GroupCoordinator(clock, topics, { minSessionTimeoutMs: 10, maxSessionTimeoutMs: 60_000, initialRebalanceDelayMs: 0 });
  return { topics, groups, txns: new TransactionCoordinator(clock, topics, groups, 60_000) };
}

describe('TransactionCoordinator', () => {
  it('gives idempotent producers fresh ids, and a transactional id one id with a new epoch each time', () => {
    const { txns } = setup();
    const a = txns.initProducerId(null, 0);
    const b = txns.initProducerId(null, 0);
    expect(a.producerId).not.toBe(b.producerId);
    const first = txns.initProducerId('tx', 1000);
    expect(txns.initProducerId('tx', 1000)).toEqual({ errorCode: 0, producerId: first.producerId, producerEpoch: 1 });
    expect(txns.initProducerId('tx', 120_000).errorCode).toBe(KafkaErrorCode.INVALID_TRANSACTION_TIMEOUT);
  });

  it('fences the old epoch: PRODUCER_FENCED in v2, INVALID_PRODUCER_EPOCH in v0–v1; aborts what it left open', () => {
    const { txns, topics } = setup();
    const old = txns.initProducerId('tx', 1000);
    expect(txns.addPartitions('tx', old.producerId, old.producerEpoch, [{ topic: 't', partition: 0 }], 1)).toEqual([0]);
    const log = topics.partition('t', 0)!;
    const now = txns.initProducerId('tx', 1000);
    expect(log.highWatermark).toBe(1); // the abort marker of the fenced transaction
    for (const [version, code] of [[1, KafkaErrorCode.INVALID_PRODUCER_EPOCH], [2, KafkaErrorCode.PRODUCER_FENCED]] as const) {
      expect(txns.endTxn('tx', old.producerId, old.producerEpoch, true, version)).toBe(code);
      expect(txns.addOffsets('tx', old.producerId, old.producerEpoch, 'g', version)).toBe(code);
    }
    expect(txns.verifyProduce(old.producerId, old.producerEpoch, log)!.errorCode).toBe(KafkaErrorCode.INVALID_PRODUCER_EPOCH);
    expect(txns.endTxn('tx', now.producerId + 1, now.producerEpoch, true, 1)).toBe(KafkaErrorCode.INVALID_PRODUCER_ID_MAPPING);
  });

  it('EndTxn: a retried commit is fine, an abort after a commit or an end without a transaction is not', () => {
    const { txns, groups } = setup();
    const p = txns.initProducerId('tx', 1000);
    expect(txns.endTxn('tx', p.producerId, p.producerEpoch, true, 1)).toBe(KafkaErrorCode.INVALID_TXN_STATE);
    txns.addPartitions('tx', p.producerId, p.producerEpoch, [{ topic: 't', partition: 0 }], 1);
    txns.addOffsets('tx', p.producerId, p.producerEpoch, 'g', 1);
    expect(txns.commitOffsets('tx', 'g', p.producerId, p.producerEpoch, [{ topic: 't', partition: 0, offset: 3, leaderEpoch: -1, metadata: null }])).toEqual([0]);
    expect(groups.fetch('g', [{ topic: 't', partition: 0 }])[0]!.committed).toBeNull();
    expect(txns.endTxn('tx', p.producerId, p.producerEpoch, true, 1)).toBe(0);
    expect(groups.fetch('g', [{ topic: 't', partition: 0 }])[0]!.committed!.offset).toBe(3);
    expect(txns.endTxn('tx', p.producerId, p.producerEpoch, true, 1)).toBe(0);
    expect(txns.endTxn('tx', p.producerId, p.producerEpoch, false, 1)).toBe(KafkaErrorCode.INVALID_TXN_STATE);
    expect(txns.addPartitions('tx', p.producerId, p.producerEpoch, [{ topic: 't', partition: 0 }, { topic: 'missing', partition: 0 }], 1)).toEqual([
      KafkaErrorCode.OPERATION_NOT_ATTEMPTED,
      KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
  });
});
