import type { StreamQuery } from '../query.js';
import { auctionBids } from './auctionBids.js';
import type { NexmarkEvent } from './model.js';
import { q0 } from './q0.js';
import { q1 } from './q1.js';
import { q11 } from './q11.js';
import { q2 } from './q2.js';
import { q3 } from './q3.js';
import { q5 } from './q5.js';
import { q7 } from './q7.js';
import { q8 } from './q8.js';

/**
 * The Nexmark queries of the benchmark, by name, with their ratio targets (tidemark / best
 * reference; issue 8: q0–q2 at least 0.7, every other query at least 0.5).
 */
export const NEXMARK_QUERIES: ReadonlyArray<{ readonly query: StreamQuery<NexmarkEvent, unknown>; readonly target: number }> = [
  { query: q0, target: 0.7 },
  { query: q1 as StreamQuery<NexmarkEvent, unknown>, target: 0.7 },
  { query: q2 as StreamQuery<NexmarkEvent, unknown>, target: 0.7 },
  { query: q3 as StreamQuery<NexmarkEvent, unknown>, target: 0.5 },
  { query: q5 as StreamQuery<NexmarkEvent, unknown>, target: 0.5 },
  { query: q7 as StreamQuery<NexmarkEvent, unknown>, target: 0.5 },
  { query: q8 as StreamQuery<NexmarkEvent, unknown>, target: 0.5 },
  { query: q11 as StreamQuery<NexmarkEvent, unknown>, target: 0.5 },
  { query: auctionBids as StreamQuery<NexmarkEvent, unknown>, target: 0.5 },
];

export function nexmarkQuery(name: string): { readonly query: StreamQuery<NexmarkEvent, unknown>; readonly target: number } {
  const found = NEXMARK_QUERIES.find((q) => q.query.name === name);
  if (found === undefined) throw new Error(`unknown Nexmark query ${name}; known: ${NEXMARK_QUERIES.map((q) => q.query.name).join(', ')}`);
  return found;
}
