import { map, type Observable, type SchedulerLike } from 'rxjs';
import { record } from './record.js';

/**
 * {@link record}, with the processing time each element arrived at: `out` holds
 * `[clock.now(), element]` pairs, so a test can say *when* an operator emitted, not only what.
 */
export function recordOnClock<T>(source: Observable<T>, clock: SchedulerLike) {
  return record(source.pipe(map((x): [number, T] => [clock.now(), x])));
}
