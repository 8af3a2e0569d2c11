import { KafkaErrorCode } from '../errorCodes.js';
import type { JoinRequest, JoinResult, SyncResult } from '../coordinator/ConsumerGroup.js';
import { joinError } from '../coordinator/ConsumerGroup.js';
import { defineApi } from './Api.js';

/**
 * JoinGroup (key 11) v0–v5. v0 has no rebalance timeout (the session timeout serves), v5 adds
 * the group instance id (static membership: accepted, treated as dynamic). From v4 a member
 * without an id is given one with MEMBER_ID_REQUIRED and joins again with it (KIP-394).
 * @internal
 */
export const joinGroup = defineApi<JoinRequest, JoinResult>({
  name: 'JoinGroup',
  decode(r, version) {
    const groupId = r.string();
    const sessionTimeoutMs = r.int32();
    const rebalanceTimeoutMs = version >= 1 ? r.int32() : sessionTimeoutMs;
    const memberId = r.string();
    const groupInstanceId = version >= 5 ? r.nullableString() : null;
    const protocolType = r.string();
    const protocols = r.array((r) => ({ name: r.string(), metadata: Buffer.from(r.bytes()) }));
    return { groupId, sessionTimeoutMs, rebalanceTimeoutMs, memberId, groupInstanceId, protocolType, protocols };
  },
  handle: (broker, request, version, client) => broker.groups.join(request, version, client.clientId, client.clientHost),
  encode(w, res, version) {
    if (version >= 2) w.int32(0);
    w.int16(res.errorCode).int32(res.generationId).string(res.protocolName ?? '').string(res.leader).string(res.memberId);
    w.array(res.members, (w, m) => {
      w.string(m.memberId);
      if (version >= 5) w.nullableString(m.groupInstanceId);
      w.bytes(m.metadata);
    });
  },
  fail: (_broker, req, errorCode) => joinError(errorCode, req.memberId),
});

interface SyncRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  assignments: { memberId: string; assignment: Buffer }[];
}

/** SyncGroup (key 14) v0–v3: the leader's assignments in, each member's own out. @internal */
export const syncGroup = defineApi<SyncRequest, SyncResult>({
  name: 'SyncGroup',
  decode(r, version) {
    const groupId = r.string();
    const generationId = r.int32();
    const memberId = r.string();
    if (version >= 3) r.nullableString(); // group_instance_id
    const assignments = r.array((r) => ({ memberId: r.string(), assignment: Buffer.from(r.bytes()) }));
    return { groupId, generationId, memberId, assignments };
  },
  handle: (broker, req) => broker.groups.sync(req.groupId, req.generationId, req.memberId, req.assignments),
  encode(w, res, version) {
    if (version >= 1) w.int32(0);
    w.int16(res.errorCode).bytes(res.assignment);
  },
  fail: (_broker, _req, errorCode) => ({ errorCode, assignment: Buffer.alloc(0) }),
});

interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
}

/** Heartbeat (key 12) v0–v3: keeps a member's session; REBALANCE_IN_PROGRESS tells it to join again. @internal */
export const heartbeat = defineApi<HeartbeatRequest, { errorCode: number }>({
  name: 'Heartbeat',
  decode(r, version) {
    const groupId = r.string();
    const generationId = r.int32();
    const memberId = r.string();
    if (version >= 3) r.nullableString(); // group_instance_id
    return { groupId, generationId, memberId };
  },
  handle: (broker, req) => ({ errorCode: broker.groups.heartbeat(req.groupId, req.generationId, req.memberId) }),
  encode(w, res, version) {
    if (version >= 1) w.int32(0);
    w.int16(res.errorCode);
  },
  fail: (_broker, _req, errorCode) => ({ errorCode }),
});

interface LeaveRequest {
  groupId: string;
  members: { memberId: string; groupInstanceId: string | null }[];
}

interface LeaveResponse {
  errorCode: number;
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[];
}

/** LeaveGroup (key 13) v0–v3: one member (v0–v2) or several (v3, KIP-345) leave at once. @internal */
export const leaveGroup = defineApi<LeaveRequest, LeaveResponse>({
  name: 'LeaveGroup',
  decode(r, version) {
    const groupId = r.string();
    if (version <= 2) return { groupId, members: [{ memberId: r.string(), groupInstanceId: null }] };
    return { groupId, members: r.array((r) => ({ memberId: r.string(), groupInstanceId: r.nullableString() })) };
  },
  handle(broker, req, version) {
    const codes = broker.groups.leave(req.groupId, req.members.map((m) => m.memberId));
    const members = req.members.map((m, i) => ({ ...m, errorCode: codes[i]! }));
    return { errorCode: version <= 2 ? codes[0]! : KafkaErrorCode.NONE, members };
  },
  encode(w, res, version) {
    if (version >= 1) w.int32(0);
    w.int16(res.errorCode);
    if (version >= 3) w.array(res.members, (w, m) => w.string(m.memberId).nullableString(m.groupInstanceId).int16(m.errorCode));
  },
  fail: (_broker, req, errorCode) => ({ errorCode, members: req.members.map((m) => ({ ...m, errorCode })) }),
});
