/**
 * Snapshot → restore at random points of random pipelines equals an uninterrupted run, on the
 * memory store: each case runs a checkpointed pipeline, triggers checkpoints at random slices,
 * "crashes" it (unsubscribes, keeping only the store and the sink's array, as a killed process
 * keeps its files) at random slices, and restarts it from the store until it completes. The
 * sink's array must then hold exactly the output of the same pipeline over plain RxJS sources.
 * The cases live in test/support/checkpointProperty.ts, for other stores to run too.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PIPELINES, checkpointedRun, plans, reference, rows } from '../../support/checkpointProperty.js';

const sorted = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).sort();

describe('checkpoints: snapshot → restore at random points equals an uninterrupted run (memory store)', () => {
  for (const p of PIPELINES) {
    it(p.name, async () => {
      let restarts = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(rows, { minLength: p.inputs, maxLength: p.inputs }), plans, async (inputs, plan) => {
          const expected = reference(p, inputs);
          const { out, restarts: r } = await checkpointedRun(p, inputs, plan);
          restarts += r;
          if (p.ordered) expect(out).toEqual(expected);
          else expect(sorted(out)).toEqual(sorted(expected));
        }),
        { seed: 20261202, numRuns: 60, endOnFailure: true },
      );
      // The property really restored: most cases crash at least once.
      expect(restarts).toBeGreaterThan(30);
    });
  }
});
