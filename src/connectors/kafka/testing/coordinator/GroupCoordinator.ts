import type { BrokerClock } from '../BrokerClock.js';
import { KafkaErrorCode } from '../errorCodes.js';
import type { Topics } from '../log/Topics.js';
import { ConsumerGroup, joinError, type JoinRequest, type JoinResult, type SyncResult } from './ConsumerGroup.js';

/** A committed offset of a group. @internal */
export interface CommittedOffset {
  readonly offset: number;
  readonly leaderEpoch: number;
  readonly metadata: string | null;
}

/** One partition's offset in a commit request. @internal */
export interface OffsetToCommit {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly leaderEpoch: number;
  readonly metadata: string | null;
}

/** How the coordinator is configured. @internal */
export interface GroupConfig {
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  readonly initialRebalanceDelayMs: number;
}

const MAX_METADATA = 4096;
const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * The group coordinator: every consumer group (membership in {@link ConsumerGroup}), their
 * committed offsets, and the offsets transactions commit, held until the transaction ends.
 * This broker is the coordinator of every group.
 * @internal
 */
export class GroupCoordinator {
  private readonly groups = new Map<string, ConsumerGroup>();
  private readonly offsets = new Map<string, Map<string, CommittedOffset>>();
  /** Group → producer id → the offsets its open transaction commits. */
  private readonly pendingTxnOffsets = new Map<string, Map<number, Map<string, CommittedOffset>>>();

  constructor(
    private readonly clock: BrokerClock,
    private readonly topics: Topics,
    private readonly config: GroupConfig,
  ) {
    topics.onDelete((name) => {
      for (const offsets of this.offsets.values()) for (const k of offsets.keys()) if (k.startsWith(`${name}\u0000`)) offsets.delete(k);
    });
  }

  private group(groupId: string, create: boolean): ConsumerGroup | undefined {
    let group = this.groups.get(groupId);
    if (group === undefined && create) {
      group = new ConsumerGroup(groupId, this.clock, this.config.initialRebalanceDelayMs);
      this.groups.set(groupId, group);
    }
    return group;
  }

  join(request: JoinRequest, version: number, clientId: string, clientHost: string): Promise<JoinResult> {
    if (request.groupId === '') return Promise.resolve(joinError(KafkaErrorCode.INVALID_GROUP_ID, request.memberId));
    if (request.sessionTimeoutMs < this.config.minSessionTimeoutMs || request.sessionTimeoutMs > this.config.maxSessionTimeoutMs) {
      return Promise.resolve(joinError(KafkaErrorCode.INVALID_SESSION_TIMEOUT, request.memberId));
    }
    const group = this.group(request.groupId, request.memberId === '');
    if (group === undefined) return Promise.resolve(joinError(KafkaErrorCode.UNKNOWN_MEMBER_ID, request.memberId));
    if (!group.accepts(request.protocolType, request.protocols)) return Promise.resolve(joinError(KafkaErrorCode.INCONSISTENT_GROUP_PROTOCOL, request.memberId));
    if (request.memberId === '') {
      const memberId = group.newMemberId(clientId);
      if (version >= 4) {
        group.addPending(memberId, request.sessionTimeoutMs);
        return Promise.resolve(joinError(KafkaErrorCode.MEMBER_ID_REQUIRED, memberId));
      }
      return group.addMember(memberId, request, clientId, clientHost);
    }
    if (group.pending.has(request.memberId)) return group.addMember(request.memberId, request, clientId, clientHost);
    const member = group.members.get(request.memberId);
    if (member === undefined) return Promise.resolve(joinError(KafkaErrorCode.UNKNOWN_MEMBER_ID, request.memberId));
    return group.rejoin(member, request);
  }

  sync(groupId: string, generationId: number, memberId: string, assignments: readonly { memberId: string; assignment: Buffer }[]): Promise<SyncResult> {
    const failed = (errorCode: number): Promise<SyncResult> => Promise.resolve({ errorCode, assignment: Buffer.alloc(0) });
    const group = this.groups.get(groupId);
    const member = group?.members.get(memberId);
    if (group === undefined || member === undefined) return failed(KafkaErrorCode.UNKNOWN_MEMBER_ID);
    if (generationId !== group.generationId) return failed(KafkaErrorCode.ILLEGAL_GENERATION);
    return group.sync(member, assignments);
  }

  heartbeat(groupId: string, generationId: number, memberId: string): number {
    const group = this.groups.get(groupId);
    const member = group?.members.get(memberId);
    if (group === undefined || member === undefined) return KafkaErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generationId) return KafkaErrorCode.ILLEGAL_GENERATION;
    group.touch(member);
    return group.state === 'PreparingRebalance' ? KafkaErrorCode.REBALANCE_IN_PROGRESS : KafkaErrorCode.NONE;
  }

  /** Members leave; the error code of each. */
  leave(groupId: string, memberIds: readonly string[]): number[] {
    const group = this.groups.get(groupId);
    return memberIds.map((memberId) => {
      if (group === undefined) return KafkaErrorCode.UNKNOWN_MEMBER_ID;
      const timer = group.pending.get(memberId);
      if (timer !== undefined) {
        timer.cancel();
        group.pending.delete(memberId);
        return KafkaErrorCode.NONE;
      }
      const member = group.members.get(memberId);
      if (member === undefined) return KafkaErrorCode.UNKNOWN_MEMBER_ID;
      group.remove(member);
      return KafkaErrorCode.NONE;
    });
  }

  /** Commits offsets for a member of the current generation, or for a simple consumer (generation -1) of an empty group. */
  commit(groupId: string, generationId: number, memberId: string, offsets: readonly OffsetToCommit[]): number[] {
    const all = (code: number): number[] => offsets.map(() => code);
    if (groupId === '') return all(KafkaErrorCode.INVALID_GROUP_ID);
    const group = this.group(groupId, generationId < 0);
    if (group === undefined) return all(KafkaErrorCode.ILLEGAL_GENERATION);
    if (!(generationId < 0 && group.state === 'Empty')) {
      if (group.state === 'CompletingRebalance') return all(KafkaErrorCode.REBALANCE_IN_PROGRESS);
      const member = group.members.get(memberId);
      if (member === undefined) return all(KafkaErrorCode.UNKNOWN_MEMBER_ID);
      if (generationId !== group.generationId) return all(KafkaErrorCode.ILLEGAL_GENERATION);
      group.touch(member);
    }
    const store = this.committed(groupId);
    return offsets.map((o) => {
      const code = this.checkOffset(o);
      if (code === KafkaErrorCode.NONE) store.set(key(o.topic, o.partition), { offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata });
      return code;
    });
  }

  /** Holds a transaction's offsets until it ends (TxnOffsetCommit). */
  commitTransactional(groupId: string, producerId: number, offsets: readonly OffsetToCommit[]): number[] {
    if (groupId === '') return offsets.map(() => KafkaErrorCode.INVALID_GROUP_ID);
    this.group(groupId, true);
    let byProducer = this.pendingTxnOffsets.get(groupId);
    if (byProducer === undefined) this.pendingTxnOffsets.set(groupId, (byProducer = new Map()));
    let pending = byProducer.get(producerId);
    if (pending === undefined) byProducer.set(producerId, (pending = new Map()));
    const held = pending;
    return offsets.map((o) => {
      const code = this.checkOffset(o);
      if (code === KafkaErrorCode.NONE) held.set(key(o.topic, o.partition), { offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata });
      return code;
    });
  }

  /** A transaction that committed offsets to `groupId` ended: its offsets become visible, or are dropped. */
  endTransaction(groupId: string, producerId: number, commit: boolean): void {
    const byProducer = this.pendingTxnOffsets.get(groupId);
    const pending = byProducer?.get(producerId);
    if (pending === undefined) return;
    byProducer!.delete(producerId);
    if (commit) {
      const store = this.committed(groupId);
      for (const [k, v] of pending) store.set(k, v);
    }
  }

  /** The committed offsets of a group: for the given partitions, or all of them (`null`). */
  fetch(groupId: string, partitions: readonly { topic: string; partition: number }[] | null): { topic: string; partition: number; committed: CommittedOffset | null }[] {
    const store = this.offsets.get(groupId);
    if (partitions === null) {
      return [...(store ?? new Map<string, CommittedOffset>())].map(([k, committed]) => {
        const at = k.lastIndexOf('\u0000');
        return { topic: k.slice(0, at), partition: Number(k.slice(at + 1)), committed };
      });
    }
    return partitions.map(({ topic, partition }) => ({ topic, partition, committed: store?.get(key(topic, partition)) ?? null }));
  }

  describe(groupId: string): ConsumerGroup | undefined {
    return this.groups.get(groupId);
  }

  list(): ConsumerGroup[] {
    return [...this.groups.values()];
  }

  /** Deletes an empty group and its offsets. */
  delete(groupId: string): number {
    const group = this.groups.get(groupId);
    if (group === undefined) return this.offsets.has(groupId) ? this.forget(groupId) : KafkaErrorCode.GROUP_ID_NOT_FOUND;
    if (group.members.size > 0 || group.state !== 'Empty') return KafkaErrorCode.NON_EMPTY_GROUP;
    group.dispose();
    this.groups.delete(groupId);
    return this.forget(groupId);
  }

  dispose(): void {
    for (const group of this.groups.values()) group.dispose();
  }

  private forget(groupId: string): number {
    this.offsets.delete(groupId);
    this.pendingTxnOffsets.delete(groupId);
    return KafkaErrorCode.NONE;
  }

  private committed(groupId: string): Map<string, CommittedOffset> {
    let store = this.offsets.get(groupId);
    if (store === undefined) this.offsets.set(groupId, (store = new Map()));
    return store;
  }

  private checkOffset(o: OffsetToCommit): number {
    if (this.topics.partition(o.topic, o.partition) === undefined) return KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    if (o.metadata !== null && o.metadata.length > MAX_METADATA) return KafkaErrorCode.OFFSET_METADATA_TOO_LARGE;
    return KafkaErrorCode.NONE;
  }
}
