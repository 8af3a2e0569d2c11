import type { BrokerClock, BrokerTimer } from '../BrokerClock.js';
import { KafkaErrorCode } from '../errorCodes.js';

/** The states of Kafka's classic group protocol. @internal */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable';

/** What a JoinGroup request carries. @internal */
export interface JoinRequest {
  readonly groupId: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly protocolType: string;
  readonly protocols: readonly { name: string; metadata: Buffer }[];
}

/** A JoinGroup answer. @internal */
export interface JoinResult {
  readonly errorCode: number;
  readonly generationId: number;
  readonly protocolName: string | null;
  readonly leader: string;
  readonly memberId: string;
  readonly members: readonly { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

/** A SyncGroup answer. @internal */
export interface SyncResult {
  readonly errorCode: number;
  readonly assignment: Buffer;
}

/** A member of a group. @internal */
export interface Member {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: readonly { name: string; metadata: Buffer }[];
  assignment: Buffer;
  awaitingJoin: ((result: JoinResult) => void) | null;
  awaitingSync: ((result: SyncResult) => void) | null;
  session: BrokerTimer | null;
}

const EMPTY = Buffer.alloc(0);

/** A join answer that carries only an error. @internal */
export function joinError(errorCode: number, memberId = ''): JoinResult {
  return { errorCode, generationId: -1, protocolName: null, leader: '', memberId, members: [] };
}

/**
 * One consumer group's membership, as Kafka's classic group coordinator keeps it: a member
 * joins (PreparingRebalance, until every known member has rejoined or the rebalance timeout
 * removes those that did not), the generation completes (CompletingRebalance: the leader gets
 * every member's metadata), the leader's SyncGroup hands out the assignments (Stable). A member
 * whose session times out without a heartbeat, or that leaves, starts a new rebalance; a
 * member blocked in JoinGroup or SyncGroup is kept alive.
 * @internal
 */
export class ConsumerGroup {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, Member>();
  /** Member ids handed out with MEMBER_ID_REQUIRED (JoinGroup v4+), not joined yet. */
  readonly pending = new Map<string, BrokerTimer>();
  private rebalance: BrokerTimer | null = null;
  private initialDelay: BrokerTimer | null = null;
  private memberCount = 0;

  constructor(
    readonly groupId: string,
    private readonly clock: BrokerClock,
    private readonly initialRebalanceDelayMs: number,
  ) {}

  /** Whether a joining member's protocols fit the group's. */
  accepts(protocolType: string, protocols: readonly { name: string }[]): boolean {
    if (protocols.length === 0 || protocolType === '') return false;
    if (this.state === 'Empty' && this.members.size === 0) return true;
    if (this.protocolType !== null && this.protocolType !== protocolType) return false;
    const names = new Set(protocols.map((p) => p.name));
    return [...this.members.values()].every((m) => m.protocols.some((p) => names.has(p.name)));
  }

  /** A fresh member id, as Kafka makes them: the client id and a unique suffix. */
  newMemberId(clientId: string): string {
    this.memberCount += 1;
    return `${clientId}-${this.groupId.length}${this.memberCount}-${this.clock.now().toString(36)}`;
  }

  /** Hands out a member id for a JoinGroup v4+ to come back with; forgotten after the session timeout. */
  addPending(memberId: string, sessionTimeoutMs: number): void {
    this.pending.set(
      memberId,
      this.clock.after(sessionTimeoutMs, () => {
        this.pending.delete(memberId);
        this.maybeCompleteJoin();
      }),
    );
  }

  /** Adds a member and starts a rebalance; resolves with its JoinGroup answer. */
  addMember(memberId: string, request: JoinRequest, clientId: string, clientHost: string): Promise<JoinResult> {
    this.pending.get(memberId)?.cancel();
    this.pending.delete(memberId);
    return new Promise((resolve) => {
      const member: Member = {
        memberId,
        groupInstanceId: request.groupInstanceId,
        clientId,
        clientHost,
        sessionTimeoutMs: request.sessionTimeoutMs,
        rebalanceTimeoutMs: request.rebalanceTimeoutMs,
        protocols: request.protocols,
        assignment: EMPTY,
        awaitingJoin: resolve,
        awaitingSync: null,
        session: null,
      };
      if (this.members.size === 0) this.protocolType = request.protocolType;
      this.members.set(memberId, member);
      if (this.leaderId === null) this.leaderId = memberId;
      this.touch(member);
      this.prepareRebalance();
      this.maybeCompleteJoin();
    });
  }

  /** A known member joins again. */
  rejoin(member: Member, request: JoinRequest): Promise<JoinResult> {
    const same = sameProtocols(member.protocols, request.protocols);
    if (this.state === 'Stable' && same && member.memberId !== this.leaderId) return Promise.resolve(this.joinResultFor(member));
    if (this.state === 'CompletingRebalance' && same) return Promise.resolve(this.joinResultFor(member));
    return new Promise((resolve) => {
      member.awaitingJoin?.(joinError(KafkaErrorCode.REBALANCE_IN_PROGRESS, member.memberId));
      member.awaitingJoin = resolve;
      member.protocols = request.protocols;
      member.sessionTimeoutMs = request.sessionTimeoutMs;
      member.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
      this.touch(member);
      if (this.state !== 'PreparingRebalance') this.prepareRebalance();
      this.maybeCompleteJoin();
    });
  }

  /** A SyncGroup of a known member of the current generation. */
  sync(member: Member, assignments: readonly { memberId: string; assignment: Buffer }[]): Promise<SyncResult> {
    this.touch(member);
    if (this.state === 'PreparingRebalance') return Promise.resolve({ errorCode: KafkaErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
    if (this.state === 'Stable') return Promise.resolve({ errorCode: KafkaErrorCode.NONE, assignment: member.assignment });
    return new Promise((resolve) => {
      member.awaitingSync?.({ errorCode: KafkaErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
      member.awaitingSync = resolve;
      if (member.memberId !== this.leaderId) return;
      const given = new Map(assignments.map((a) => [a.memberId, a.assignment]));
      for (const m of this.members.values()) m.assignment = given.get(m.memberId) ?? EMPTY;
      this.state = 'Stable';
      for (const m of this.members.values()) {
        const reply = m.awaitingSync;
        m.awaitingSync = null;
        reply?.({ errorCode: KafkaErrorCode.NONE, assignment: m.assignment });
      }
    });
  }

  /** Resets a member's session timer: it expires `sessionTimeoutMs` from now. */
  touch(member: Member): void {
    member.session?.cancel();
    member.session = this.clock.after(member.sessionTimeoutMs, () => {
      member.session = null;
      if (member.awaitingJoin !== null || member.awaitingSync !== null) this.touch(member);
      else if (this.members.get(member.memberId) === member) this.remove(member);
    });
  }

  /** Removes a member (it left, or its session expired) and rebalances the rest. */
  remove(member: Member): void {
    member.session?.cancel();
    this.members.delete(member.memberId);
    member.awaitingJoin?.(joinError(KafkaErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    member.awaitingSync?.({ errorCode: KafkaErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    member.awaitingJoin = null;
    member.awaitingSync = null;
    if (this.leaderId === member.memberId) this.leaderId = this.members.keys().next().value ?? null;
    if (this.state === 'Stable' || this.state === 'CompletingRebalance') this.prepareRebalance();
    this.maybeCompleteJoin();
  }

  /** Cancels every timer of the group (it is being deleted, or the broker closes). */
  dispose(): void {
    this.rebalance?.cancel();
    this.initialDelay?.cancel();
    for (const timer of this.pending.values()) timer.cancel();
    for (const m of this.members.values()) m.session?.cancel();
  }

  private prepareRebalance(): void {
    if (this.state === 'CompletingRebalance') {
      for (const m of this.members.values()) {
        const reply = m.awaitingSync;
        m.awaitingSync = null;
        reply?.({ errorCode: KafkaErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
      }
    }
    if (this.state === 'PreparingRebalance') return;
    const wasEmpty = this.state === 'Empty';
    this.state = 'PreparingRebalance';
    const timeout = Math.max(0, ...[...this.members.values()].map((m) => m.rebalanceTimeoutMs));
    this.rebalance?.cancel();
    this.rebalance = this.clock.after(timeout, () => this.rebalanceTimedOut());
    if (wasEmpty && this.initialRebalanceDelayMs > 0) {
      this.initialDelay = this.clock.after(this.initialRebalanceDelayMs, () => {
        this.initialDelay = null;
        this.maybeCompleteJoin();
      });
    }
  }

  private maybeCompleteJoin(): void {
    if (this.state !== 'PreparingRebalance' || this.initialDelay !== null || this.pending.size > 0) return;
    for (const m of this.members.values()) if (m.awaitingJoin === null) return;
    this.completeJoin();
  }

  private rebalanceTimedOut(): void {
    this.rebalance = null;
    if (this.state !== 'PreparingRebalance') return;
    this.initialDelay?.cancel();
    this.initialDelay = null;
    for (const timer of this.pending.values()) timer.cancel();
    this.pending.clear();
    for (const m of [...this.members.values()]) {
      if (m.awaitingJoin === null) {
        m.session?.cancel();
        this.members.delete(m.memberId);
      }
    }
    this.completeJoin();
  }

  private completeJoin(): void {
    this.rebalance?.cancel();
    this.rebalance = null;
    this.generationId += 1;
    if (this.members.size === 0) {
      this.state = 'Empty';
      this.protocolName = null;
      this.leaderId = null;
      return;
    }
    if (this.leaderId === null || !this.members.has(this.leaderId)) this.leaderId = this.members.keys().next().value!;
    this.protocolName = this.selectProtocol();
    this.state = 'CompletingRebalance';
    for (const m of this.members.values()) {
      const reply = m.awaitingJoin;
      m.awaitingJoin = null;
      this.touch(m);
      reply?.(this.joinResultFor(m));
    }
  }

  /** The protocol every member supports that most members rank first among those. */
  private selectProtocol(): string {
    const members = [...this.members.values()];
    const candidates = members[0]!.protocols.map((p) => p.name).filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
    const votes = new Map(candidates.map((c) => [c, 0]));
    for (const m of members) {
      const vote = m.protocols.find((p) => votes.has(p.name))!.name;
      votes.set(vote, votes.get(vote)! + 1);
    }
    let best = candidates[0]!;
    for (const c of candidates) if (votes.get(c)! > votes.get(best)!) best = c;
    return best;
  }

  private joinResultFor(member: Member): JoinResult {
    const isLeader = member.memberId === this.leaderId;
    return {
      errorCode: KafkaErrorCode.NONE,
      generationId: this.generationId,
      protocolName: this.protocolName,
      leader: this.leaderId ?? '',
      memberId: member.memberId,
      members: isLeader
        ? [...this.members.values()].map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            metadata: m.protocols.find((p) => p.name === this.protocolName)?.metadata ?? EMPTY,
          }))
        : [],
    };
  }
}

function sameProtocols(a: readonly { name: string; metadata: Buffer }[], b: readonly { name: string; metadata: Buffer }[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i]!.name && p.metadata.equals(b[i]!.metadata));
}
