import { event, type Timestamped, type WindowResult } from 'tidemark';

/** The result of window `[start, end)`, as a `WindowResult` value (on time, global key unless given). */
export function result<R, K = undefined>(start: number, end: number, value: R, firing: WindowResult<K, R>['firing'] = 'on-time', key?: K): WindowResult<K, R> {
  return { key: key as K, start, end, value, firing };
}

/** The result of window `[start, end)` as the operator emits it: an event at `end − 1`. */
export function R<R, K = undefined>(start: number, end: number, value: R, firing: WindowResult<K, R>['firing'] = 'on-time', key?: K): Timestamped<WindowResult<K, R>> {
  return event(result(start, end, value, firing, key), end - 1);
}
