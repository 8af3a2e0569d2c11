import { SUPPORTED_APIS, type ApiName } from '../apiKeys.js';
import type { AnyApi } from './Api.js';
import { apiVersions } from './apiVersions.js';
import { fetch } from './fetch.js';
import { deleteGroups, describeGroups, findCoordinator, listGroups } from './groupAdmin.js';
import { heartbeat, joinGroup, leaveGroup, syncGroup } from './groupMembership.js';
import { listOffsets } from './listOffsets.js';
import { metadata } from './metadata.js';
import { offsetCommit, offsetFetch } from './offsets.js';
import { produce } from './produce.js';
import { createPartitions, createTopics, deleteRecords, deleteTopics } from './topicAdmin.js';
import { addOffsetsToTxn, addPartitionsToTxn, endTxn, initProducerId, txnOffsetCommit } from './transactions.js';

const ALL: readonly AnyApi[] = [
  produce,
  fetch,
  listOffsets,
  metadata,
  offsetCommit,
  offsetFetch,
  findCoordinator,
  joinGroup,
  heartbeat,
  leaveGroup,
  syncGroup,
  describeGroups,
  listGroups,
  apiVersions,
  createTopics,
  deleteTopics,
  deleteRecords,
  initProducerId,
  addPartitionsToTxn,
  addOffsetsToTxn,
  endTxn,
  txnOffsetCommit,
  createPartitions,
  deleteGroups,
];

/** An API with its key and version range. @internal */
export interface RegisteredApi {
  readonly api: AnyApi;
  readonly key: number;
  readonly minVersion: number;
  readonly maxVersion: number;
}

/** Every API the broker answers, by key: the handlers joined to {@link SUPPORTED_APIS}. @internal */
export const API_BY_KEY: ReadonlyMap<number, RegisteredApi> = new Map(
  SUPPORTED_APIS.map((s) => {
    const api = ALL.find((a) => a.name === s.name);
    if (api === undefined) throw new Error(`no handler for ${s.name}`);
    return [s.key, { api, key: s.key, minVersion: s.minVersion, maxVersion: s.maxVersion }] as const;
  }),
);

/** The key of an API by name. @internal */
export function apiKeyOf(name: ApiName): number {
  return SUPPORTED_APIS.find((s) => s.name === name)!.key;
}
