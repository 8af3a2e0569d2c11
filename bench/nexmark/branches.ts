import { connectable, Observable, Subject } from 'rxjs';

/**
 * Runs `build` over one event-time stream that it may subscribe twice — once as a join's left
 * input, once as its right input — with the source subscribed once, after both: the way to
 * join two branches of one stream (Nexmark's persons, auctions and bids come in one stream,
 * as in Flink's Nexmark, where q3 and q8 join two filtered views of one source).
 *
 * `share()` would not do for a synchronous source: a join subscribes its right input first,
 * and a shared synchronous source would run to completion into it before the left input is
 * subscribed. `connectable` starts the source only when `connect()` is called, after `build`'s
 * output is subscribed: each element then goes to both branches before the next one, and
 * the join's watermark (the minimum of its inputs') is the stream's own.
 */
export function withBranches<T, O>(timed: Observable<T>, build: (branches: Observable<T>) => Observable<O>): Observable<O> {
  return new Observable<O>((subscriber) => {
    const hub = connectable(timed, { connector: () => new Subject<T>(), resetOnDisconnect: false });
    const subscription = build(hub).subscribe(subscriber);
    subscription.add(hub.connect());
    return subscription;
  });
}
