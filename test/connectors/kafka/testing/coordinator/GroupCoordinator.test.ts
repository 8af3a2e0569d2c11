/**
 * The group coordinator driven directly (no client): the classic group protocol's states,
 * MEMBER_ID_REQUIRED, session and rebalance timeouts, generation checks, offsets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerClock } from '../../../../../src/connectors/kafka/testing/BrokerClock.js';
import type { JoinRequest } from '../../../../../src/connectors/kafka/testing/coordinator/ConsumerGroup.js';
import { GroupCoordinator } from '../../../../../src/connectors/kafka/testing/coordinator/GroupCoordinator.js';
import { KafkaErrorCode } from '../../../../../src/connectors/kafka/testing/index.js';
import { Topics } from '../../../../../src/connectors/kafka/testing/log/Topics.js';

let clock: BrokerClock;
afterEach(() => clock.cancelAll());

function coordinator(): GroupCoordinator {
  clock = new BrokerClock();
  const topics = new Topics();
  topics.create('t', 2);
  return new GroupCoordinator(clock, topics, { minSessionTimeoutMs: 10, maxSessionTimeoutMs: 60_000, initialRebalanceDelayMs: 0 });
}

const join = (memberId = '', overrides: Partial<JoinRequest> = {}): JoinRequest => ({
  groupId: 'g',
  sessionTimeoutMs: 10_000,
  rebalanceTimeoutMs: 200,
  memberId,
  groupInstanceId: null,
  protocolType: 'consumer',
  protocols: [{ name: 'range', metadata: Buffer.from('m') }],
  ...overrides,
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('GroupCoordinator', () => {
  it('JoinGroup v4+: MEMBER_ID_REQUIRED first, then the member joins with that id; v3 joins at once', async () => {
    const groups = coordinator();
    const first = await groups.join(join(), 5, 'c1', 'h');
    expect(first.errorCode).toBe(KafkaErrorCode.MEMBER_ID_REQUIRED);
    const joined = await groups.join(join(first.memberId), 5, 'c1', 'h');
    expect(joined).toMatchObject({ errorCode: 0, generationId: 1, leader: first.memberId, protocolName: 'range' });
    expect(joined.members.map((m) => m.memberId)).toEqual([first.memberId]);
    expect((await groups.join(join('', { groupId: 'other' }), 3, 'c2', 'h')).errorCode).toBe(0);
  });

  it('refuses bad session timeouts, foreign protocols, unknown members and old generations', async () => {
    const groups = coordinator();
    expect((await groups.join(join('', { sessionTimeoutMs: 5 }), 3, 'c', 'h')).errorCode).toBe(KafkaErrorCode.INVALID_SESSION_TIMEOUT);
    const a = await groups.join(join(), 3, 'c', 'h');
    expect((await groups.join(join('', { protocols: [{ name: 'other', metadata: Buffer.alloc(0) }] }), 3, 'c', 'h')).errorCode).toBe(KafkaErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect((await groups.join(join('nobody'), 3, 'c', 'h')).errorCode).toBe(KafkaErrorCode.UNKNOWN_MEMBER_ID);
    expect(groups.heartbeat('g', a.generationId + 1, a.memberId)).toBe(KafkaErrorCode.ILLEGAL_GENERATION);
    expect(groups.heartbeat('g', a.generationId, 'nobody')).toBe(KafkaErrorCode.UNKNOWN_MEMBER_ID);
    expect((await groups.sync('g', a.generationId - 1, a.memberId, [])).errorCode).toBe(KafkaErrorCode.ILLEGAL_GENERATION);
  });

  it('a second member starts a rebalance: the first learns it from its heartbeat, rejoins, and the leader’s sync assigns both', async () => {
    const groups = coordinator();
    const a = await groups.join(join(), 3, 'a', 'h');
    expect(await groups.sync('g', 1, a.memberId, [{ memberId: a.memberId, assignment: Buffer.from('all') }])).toEqual({ errorCode: 0, assignment: Buffer.from('all') });
    expect(groups.describe('g')!.state).toBe('Stable');
    const bJoining = groups.join(join(), 3, 'b', 'h');
    expect(groups.describe('g')!.state).toBe('PreparingRebalance');
    expect(groups.heartbeat('g', 1, a.memberId)).toBe(KafkaErrorCode.REBALANCE_IN_PROGRESS);
    const aAgain = await groups.join(join(a.memberId), 3, 'a', 'h');
    const b = await bJoining;
    expect([aAgain.generationId, b.generationId]).toEqual([2, 2]);
    expect(aAgain.members).toHaveLength(2); // the leader gets everyone's metadata
    expect(b.members).toEqual([]);
    const bSync = groups.sync('g', 2, b.memberId, []);
    await groups.sync('g', 2, a.memberId, [
      { memberId: a.memberId, assignment: Buffer.from('p0') },
      { memberId: b.memberId, assignment: Buffer.from('p1') },
    ]);
    expect((await bSync).assignment.toString()).toBe('p1');
    expect(groups.heartbeat('g', 2, b.memberId)).toBe(KafkaErrorCode.NONE);
  });

  it('the rebalance timeout drops a member that does not rejoin; a session timeout drops a silent one', async () => {
    const groups = coordinator();
    const a = await groups.join(join('', { sessionTimeoutMs: 10_000 }), 3, 'a', 'h');
    await groups.sync('g', 1, a.memberId, []);
    const started = Date.now();
    const b = await groups.join(join('', { sessionTimeoutMs: 150 }), 3, 'b', 'h'); // a never rejoins (rebalance timeout 200 ms)
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(b).toMatchObject({ errorCode: 0, generationId: 2, leader: b.memberId });
    expect(groups.heartbeat('g', 2, a.memberId)).toBe(KafkaErrorCode.UNKNOWN_MEMBER_ID);
    await groups.sync('g', 2, b.memberId, []);
    await sleep(300); // b sends no heartbeat: its 150 ms session expires
    expect(groups.describe('g')).toMatchObject({ state: 'Empty', generationId: 3 });
  });

  it('commits offsets for members of the current generation or, with generation -1, into an empty group; transactional offsets wait for the commit', async () => {
    const groups = coordinator();
    expect(groups.commit('simple', -1, '', [{ topic: 't', partition: 0, offset: 5, leaderEpoch: -1, metadata: null }])).toEqual([0]);
    expect(groups.commit('simple', -1, '', [{ topic: 'x', partition: 0, offset: 5, leaderEpoch: -1, metadata: null }])).toEqual([KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    const a = await groups.join(join('', { groupId: 'simple' }), 3, 'a', 'h');
    expect(groups.commit('simple', -1, '', [{ topic: 't', partition: 0, offset: 6, leaderEpoch: -1, metadata: null }])).toEqual([KafkaErrorCode.REBALANCE_IN_PROGRESS]);
    await groups.sync('simple', a.generationId, a.memberId, []);
    expect(groups.commit('simple', -1, '', [{ topic: 't', partition: 0, offset: 6, leaderEpoch: -1, metadata: null }])).toEqual([KafkaErrorCode.UNKNOWN_MEMBER_ID]);
    expect(groups.commit('simple', a.generationId, a.memberId, [{ topic: 't', partition: 1, offset: 9, leaderEpoch: -1, metadata: 'm' }])).toEqual([0]);
    groups.commitTransactional('simple', 77, [{ topic: 't', partition: 0, offset: 100, leaderEpoch: -1, metadata: null }]);
    const offsets = () => groups.fetch('simple', null).map((o) => [o.partition, o.committed!.offset]);
    expect(offsets()).toEqual([[0, 5], [1, 9]]);
    groups.endTransaction('simple', 77, true);
    expect(offsets()).toEqual([[0, 100], [1, 9]]);
    expect(groups.delete('simple')).toBe(KafkaErrorCode.NON_EMPTY_GROUP);
  });
});
