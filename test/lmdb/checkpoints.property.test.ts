/**
 * The checkpoint protocol's property cases (test/support/checkpointProperty.ts: random
 * pipelines — windows, keyed processing, joins — with checkpoints and crashes at random slices,
 * restarted from the store until done) on an LmdbCheckpointStore: the operators' state lives in
 * its incremental backends, every commit is a real LMDB transaction, and the output must equal
 * the uninterrupted run's.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openLmdbStore } from 'tidemark/lmdb';
import { PIPELINES, checkpointedRun, plans, reference, rows } from '../support/checkpointProperty.js';
import { tmpDir } from './tmpDir.js';

const sorted = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).sort();

describe('checkpoints on an LmdbCheckpointStore: snapshot → restore at random points equals an uninterrupted run', () => {
  for (const p of PIPELINES) {
    it(p.name, async () => {
      let restarts = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(rows, { minLength: p.inputs, maxLength: p.inputs }), plans, async (inputs, plan) => {
          const store = await openLmdbStore({ path: tmpDir(), probe: false });
          try {
            const expected = reference(p, inputs);
            const { out, restarts: r } = await checkpointedRun(p, inputs, plan, store);
            restarts += r;
            if (p.ordered) expect(out).toEqual(expected);
            else expect(sorted(out)).toEqual(sorted(expected));
          } finally {
            await store.close();
          }
        }),
        { seed: 20261202, numRuns: 60, endOnFailure: true },
      );
      expect(restarts).toBeGreaterThan(30);
    }, 120_000);
  }
});
