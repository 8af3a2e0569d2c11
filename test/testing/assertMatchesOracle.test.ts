import * as fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, collect, tumbling, windowAggregate, type Collector } from 'tidemark';
import { DEFAULT_SEED, PropertyFailedError, assertMatchesOracle, boundaryTimestamps, disorderedEvents, type DisorderedEvents } from 'tidemark/testing';
import { failureOf } from './fixtures/failureOf.js';
import { tinyOracle, tinyTumbling, type TinyBug, type TinyResult } from './fixtures/tinyTumbling.js';

const events = disorderedEvents(fc.nat(9), { maxDisorder: 4, timestamps: boundaryTimestamps(10, { windows: { min: 0, max: 5 } }) });
const env = { ...process.env };

afterEach(() => {
  process.env = { ...env };
});

describe('assertMatchesOracle', () => {
  it('passes for a correct engine', () => {
    assertMatchesOracle({ pipeline: { engine: () => tinyTumbling(10) }, events, oracle: tinyOracle(10) });
  });

  it('catches a window that ignores events at end − 1, with a one-event counterexample', () => {
    const { error, events: shrunk } = failureOf(() =>
      assertMatchesOracle({ pipeline: { engine: () => tinyTumbling(10, { bug: 'ignores-end-minus-one' }) }, events, oracle: tinyOracle(10) }),
    );
    expect(error).toBeInstanceOf(Error);
    const seed = Number(process.env.TIDEMARK_SEED ?? DEFAULT_SEED);
    expect(error.message).toMatch(new RegExp(`^assertMatchesOracle: property failed after \\d+ case\\(s\\), shrunk \\d+ time\\(s\\) \\(seed ${seed}, path "[\\d:]+"\\)`));
    expect(error.seed).toBe(seed);
    expect(error.message).toContain(`Replay: run this test with TIDEMARK_SEED=${seed}`);
    expect(error.message).toContain(`pass { seed: ${seed}, path: "${error.path}" } to assertMatchesOracle`);
    // A tiny counterexample (with the default seed: one event, value 0, at the last instant of its window).
    expect(shrunk.length).toBeLessThanOrEqual(2);
    const atEnd = shrunk.map((s) => Number(s.split('@')[1])).find((t) => ((t % 10) + 10) % 10 === 9)!;
    expect(atEnd).toBeDefined();
    expect(error.message).toContain("the output differs from the oracle's:");
    expect(error.message).toMatch(new RegExp(`missing \\(the oracle has them, the output does not\\): \\{"end":${atEnd + 1},"firing":"on-time","start":${atEnd - 9},"values":\\[[\\d,]+\\]\\}@${atEnd}`));
    expect((error.cause as Error).message).toMatch(/^the output differs/);
    expect((error.counterexample as DisorderedEvents<number>).events.map((e) => `${e.value}@${e.timestamp}`)).toEqual(shrunk);
  });

  it('replays the shrunk counterexample from its seed and path in one run', () => {
    const broken = { pipeline: { engine: () => tinyTumbling(10, { bug: 'ignores-end-minus-one' as const }) }, events, oracle: tinyOracle(10) };
    const first = failureOf(() => assertMatchesOracle(broken)).error;
    let runs = 0;
    const replay = failureOf(() =>
      assertMatchesOracle({
        ...broken,
        oracle: (e) => {
          runs++;
          return tinyOracle(10)(e);
        },
        seed: first.seed,
        path: first.path,
      }),
    ).error;
    expect(replay.counterexample).toEqual(first.counterexample);
    expect(runs).toBeLessThan(5);
  });

  it('runs numRuns cases from TIDEMARK_NUM_RUNS or the option, seeded by TIDEMARK_SEED or the option', () => {
    const seen: string[][] = [];
    const record = (numRuns?: number, seed?: number) => {
      const inputs: string[] = [];
      assertMatchesOracle({
        pipeline: { engine: () => tinyTumbling(10) },
        events,
        oracle: (e) => {
          inputs.push(JSON.stringify(e));
          return tinyOracle(10)(e);
        },
        ...(numRuns === undefined ? {} : { numRuns }),
        ...(seed === undefined ? {} : { seed }),
      });
      seen.push(inputs);
      return inputs;
    };
    delete process.env.TIDEMARK_SEED;
    delete process.env.TIDEMARK_NUM_RUNS;
    expect(record()).toHaveLength(100);
    process.env.TIDEMARK_NUM_RUNS = '7';
    expect(record()).toHaveLength(7);
    expect(record(3)).toHaveLength(3); // the option wins over the environment
    process.env.TIDEMARK_SEED = '1234';
    const a = record();
    expect(record(undefined, 1234)).toEqual(a);
    expect(record(undefined, 42)).toEqual(seen[1]);
    expect(a).not.toEqual(seen[1]);
    process.env.TIDEMARK_SEED = 'abc';
    expect(() => record()).toThrow(InvalidArgumentError);
    expect(() => record()).toThrow(/environment variable TIDEMARK_SEED must be an integer, got "abc"/);
  });

  it('compares what normalize keeps, as multisets, and checks an RxJS operator too', () => {
    assertMatchesOracle({
      pipeline: { operator: () => windowAggregate<number, undefined, [number, number][], number[]>({ window: tumbling(10), aggregate: collect() }) },
      events,
      oracle: (es) => tinyOracle(10)(es).map((e) => ({ ...e, value: { key: undefined, start: e.value.start, end: e.value.end, value: e.value.values, firing: e.value.firing } })),
      normalize: (out) => out.map((e) => ({ ...e.value, value: [...e.value.value].sort((a, b) => a - b) })),
    });
  });

  describe('catches each deliberately broken window within the default runs', () => {
    const oracleOf = (bug: TinyBug, input: fc.Arbitrary<DisorderedEvents<number>>, seed?: number) => () =>
      assertMatchesOracle({ pipeline: { engine: () => tinyTumbling(10, { bug }) }, events: input, oracle: tinyOracle(10), ...(seed === undefined ? {} : { seed }) });
    // The configuration of issue 7: boundaryTimestamps(10) alone gives only 10k − 1, 10k, 10k + 1,
    // while a window firing one tick early needs an event at end − 1 + maxDisorder (10k + 2).
    const issue = disorderedEvents(fc.nat(9), { maxDisorder: 3, timestamps: boundaryTimestamps(10) });
    const inputs = [
      ['boundaryTimestamps(10), maxDisorder 3', issue],
      ['boundaryTimestamps(10) for windows 0 to 5, maxDisorder 4', events],
      ['boundaries { size: 10 }, maxDisorder 3', disorderedEvents(fc.nat(9), { maxDisorder: 3, boundaries: { size: 10 } })],
      ['boundaries { size: 10 } in [-50, 50], maxDisorder 7', disorderedEvents(fc.nat(9), { maxDisorder: 7, boundaries: { size: 10 }, timeRange: { min: -50, max: 50 } })],
    ] as const;
    const bugs = ['fires-one-tick-early', 'ignores-end-minus-one', 'late-by-max-timestamp'] as const;

    describe.each(inputs)('%s', (_, input) => {
      it('passes the correct engine', () => {
        oracleOf('none', input)();
      });

      it.each(bugs)('catches %s', (bug) => {
        const { error } = failureOf(oracleOf(bug, input));
        expect(error.message).toContain("the output differs from the oracle's:");
      });
    });

    it('catches each of them with the default timestamps too (at the default seed)', () => {
      for (const bug of bugs) expect(failureOf(oracleOf(bug, disorderedEvents(fc.nat(9), { maxDisorder: 3 }), DEFAULT_SEED)).error.message).toContain('differs');
    });

    it('shows a window that fires one tick early with the events that make it: end − 1 right after end − 1 + maxDisorder', () => {
      const { error, events: shrunk } = failureOf(oracleOf('fires-one-tick-early', issue));
      // With the default seed: 0@-1 0@2 0@-1 — the window [-10, 0) fires at watermark 2 − 3 − 1 = -2.
      expect(shrunk.length).toBeLessThanOrEqual(4);
      const ts = shrunk.map((e) => Number(e.split('@')[1]));
      const i = ts.findIndex((t, j) => j > 0 && ((t % 10) + 10) % 10 === 9 && ts[j - 1] === t + 3);
      expect(i).toBeGreaterThan(0);
      // It fired with what it had, then again with the event at end − 1: one firing too many.
      expect(error.message).toMatch(new RegExp(`extra \\(the output has them, the oracle does not\\): +\\{"end":${ts[i]! + 1},"firing":"on-time","start":${ts[i]! - 9},`));
    });

    it('catches a window that fires one tick early for every seed from 1 to 20', () => {
      const seeds = Array.from({ length: 20 }, (_, k) => k + 1);
      const caught = (input: fc.Arbitrary<DisorderedEvents<number>>) =>
        seeds.filter((seed) => {
          try {
            oracleOf('fires-one-tick-early', input, seed)();
            return false;
          } catch (e) {
            if (PropertyFailedError.isPropertyFailedError(e)) return true;
            throw e;
          }
        });
      expect(caught(issue)).toEqual(seeds);
      expect(caught(disorderedEvents(fc.nat(9), { maxDisorder: 3, boundaries: { size: 10 } }))).toEqual(seeds);
    });
  });

  it('fails when output watermarks go back', () => {
    const { error } = failureOf(() =>
      assertMatchesOracle({
        pipeline: {
          engine: () => {
            let out!: Collector<TinyResult>;
            return { name: 'backwards', open: (o) => void (out = o), onEvent: () => {}, onWatermark: (t) => out.watermark(-t) };
          },
        },
        events,
        oracle: () => [],
      }),
    );
    expect(error.message).toMatch(/\nthe output watermark went back from \d+ to -(\d+|Infinity) \(element \d+\); watermarks must never decrease\n/);
  });
});
