/**
 * Profiles one side of one benchmark query (events generated first, outside the profile;
 * run without --expose-gc so that the harness's explicit GCs stay out of the profile),
 * for finding where tidemark's time goes:
 *
 *   node --import tsx bench/profile.ts q5 [tidemark|best|straightforward] [events] [out.cpuprofile]
 *   npx tsx bench/profileSummary.ts out.cpuprofile
 *
 * `micro` profiles the micro-benchmark (10,000 keys, tumbling 60 s count).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { makeSink, runSide, type Side } from './measure.js';
import { DEFAULT_MICRO_CONFIG, generateMicroEvents, tumblingCount } from './micro/tumblingCount.js';
import { NexmarkGenerator } from './nexmark/generator.js';
import { nexmarkQuery } from './nexmark/queries.js';
import type { StreamQuery } from './query.js';

const [name = 'q5', side = 'tidemark', count, out = `.tmp/${name}-${side}.cpuprofile`] = process.argv.slice(2);
const RUNS = 4;

function post(session: Session, method: string, params: object = {}): Promise<unknown> {
  return new Promise((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
}

if (!['tidemark', 'best', 'straightforward'].includes(side)) throw new Error(`profile: side must be tidemark, best or straightforward, got ${side}`);

async function profile<E, O>(query: StreamQuery<E, O>, events: readonly E[], bound: number): Promise<void> {
  const run = (evs: readonly E[]) => runSide(side as Side, query, evs, { bound }, makeSink(query));
  for (let i = 0; i < 3; i++) run(events.slice(0, 200_000)); // warm-up, not profiled
  const session = new Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: 200 });
  await post(session, 'Profiler.start');
  for (let i = 0; i < RUNS; i++) {
    const r = run(events);
    console.log(`${query.name} ${side} run ${i + 1}: ${(events.length / r.cpuSeconds / 1e6).toFixed(2)} M events/CPU-s`);
  }
  const { profile: result } = (await post(session, 'Profiler.stop')) as { profile: unknown };
  writeFileSync(out, JSON.stringify(result));
  console.log(`wrote ${out}`);
}

if (name === 'micro') {
  const config = { ...DEFAULT_MICRO_CONFIG, events: Number(count ?? 3_000_000) };
  await profile(tumblingCount(config.windowMs), generateMicroEvents(config), config.boundMs);
} else {
  const events = new NexmarkGenerator({ eventsPerSecond: 10_000, outOfOrderGroupSize: 100 }).slice(0, Number(count ?? 1_000_000));
  await profile(nexmarkQuery(name).query, events, 1_000);
}
