import { KafkaErrorCode } from '../errorCodes.js';
import type { Broker } from '../Broker.js';
import { defineApi } from './Api.js';

interface Coordinator {
  errorCode: number;
  nodeId: number;
  host: string;
  port: number;
}

/**
 * FindCoordinator (key 10) v0–v2: this broker, for a group (key type 0) or a transactional id
 * (key type 1, v1+).
 * @internal
 */
export const findCoordinator = defineApi<{ keyType: number }, Coordinator>({
  name: 'FindCoordinator',
  decode(r, version) {
    r.string(); // key
    return { keyType: version >= 1 ? r.int8() : 0 };
  },
  handle: (broker, req) =>
    req.keyType === 0 || req.keyType === 1
      ? { errorCode: KafkaErrorCode.NONE, nodeId: broker.config.nodeId, host: broker.config.host, port: broker.port }
      : { errorCode: KafkaErrorCode.INVALID_REQUEST, nodeId: -1, host: '', port: -1 },
  encode(w, res, version) {
    if (version >= 1) w.int32(0);
    w.int16(res.errorCode);
    if (version >= 1) w.nullableString(null);
    w.int32(res.nodeId).string(res.host).int32(res.port);
  },
  fail: (_broker, _req, errorCode) => ({ errorCode, nodeId: -1, host: '', port: -1 }),
});

interface GroupDescription {
  errorCode: number;
  groupId: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: { memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string; metadata: Buffer; assignment: Buffer }[];
}

function describe(broker: Broker, groupId: string): GroupDescription {
  const group = broker.groups.describe(groupId);
  if (group === undefined) return { errorCode: KafkaErrorCode.NONE, groupId, state: 'Dead', protocolType: '', protocol: '', members: [] };
  const stable = group.state === 'Stable';
  return {
    errorCode: KafkaErrorCode.NONE,
    groupId,
    state: group.state,
    protocolType: group.protocolType ?? '',
    protocol: stable ? (group.protocolName ?? '') : '',
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      metadata: stable ? (m.protocols.find((p) => p.name === group.protocolName)?.metadata ?? Buffer.alloc(0)) : Buffer.alloc(0),
      assignment: stable ? m.assignment : Buffer.alloc(0),
    })),
  };
}

/**
 * DescribeGroups (key 15) v0–v4: state, protocol and members of each group; member metadata
 * and assignments only in the Stable state, as Kafka gives them. An unknown group is "Dead".
 * @internal
 */
export const describeGroups = defineApi<{ groups: string[] }, { groups: GroupDescription[] }>({
  name: 'DescribeGroups',
  decode(r, version) {
    const groups = r.array((r) => r.string());
    if (version >= 3) r.boolean(); // include_authorized_operations
    return { groups };
  },
  handle: (broker, req) => ({ groups: req.groups.map((g) => describe(broker, g)) }),
  encode(w, res, version) {
    if (version >= 1) w.int32(0);
    w.array(res.groups, (w, g) => {
      w.int16(g.errorCode).string(g.groupId).string(g.state).string(g.protocolType).string(g.protocol);
      w.array(g.members, (w, m) => {
        w.string(m.memberId);
        if (version >= 4) w.nullableString(m.groupInstanceId);
        w.string(m.clientId).string(m.clientHost).bytes(m.metadata).bytes(m.assignment);
      });
      if (version >= 3) w.int32(-2147483648); // authorized_operations: not asked for
    });
  },
  fail: (_broker, req, errorCode) => ({ groups: req.groups.map((groupId) => ({ errorCode, groupId, state: '', protocolType: '', protocol: '', members: [] })) }),
});

interface ListGroupsResponse {
  errorCode: number;
  groups: { groupId: string; protocolType: string }[];
}

/** ListGroups (key 16) v0–v2: every group this coordinator has, with its protocol type. @internal */
export const listGroups = defineApi<null, ListGroupsResponse>({
  name: 'ListGroups',
  decode: () => null,
  handle: (broker) => ({ errorCode: KafkaErrorCode.NONE, groups: broker.groups.list().map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '' })) }),
  encode(w, res, version) {
    if (version >= 1) w.int32(0);
    w.int16(res.errorCode).array(res.groups, (w, g) => w.string(g.groupId).string(g.protocolType));
  },
  fail: (_broker, _req, errorCode) => ({ errorCode, groups: [] }),
});

/** DeleteGroups (key 42) v0–v1: deletes empty groups and their offsets (NON_EMPTY_GROUP otherwise). @internal */
export const deleteGroups = defineApi<{ groups: string[] }, { results: { groupId: string; errorCode: number }[] }>({
  name: 'DeleteGroups',
  decode: (r) => ({ groups: r.array((r) => r.string()) }),
  handle: (broker, req) => ({ results: req.groups.map((groupId) => ({ groupId, errorCode: broker.groups.delete(groupId) })) }),
  encode(w, res) {
    w.int32(0).array(res.results, (w, g) => w.string(g.groupId).int16(g.errorCode));
  },
  fail: (_broker, req, errorCode) => ({ results: req.groups.map((groupId) => ({ groupId, errorCode })) }),
});
