import type { QueryOptions, StreamQuery } from '../../bench/query.js';

/** Runs one hand-written reference of `query` over `events`: its outputs and its late-event count. */
export function runReference<E, O>(make: StreamQuery<E, O>['best'], events: readonly E[], options: QueryOptions): { outputs: O[]; lateEvents: number | undefined } {
  const outputs: O[] = [];
  const reference = make(options, (o) => outputs.push(o));
  for (const e of events) reference.push(e);
  reference.end();
  return { outputs, lateEvents: reference.lateEvents };
}
