import { Observable, type Subscriber } from 'rxjs';

/**
 * Runs `build` over one event-time stream that it may subscribe twice — once as a join's left
 * input, once as its right input — with the source subscribed once, after both: the way to
 * join two branches of one stream (Nexmark's persons, auctions and bids come in one stream,
 * as in Flink's Nexmark, where q3 and q8 join two filtered views of one source).
 *
 * `share()` would not do for a synchronous source: a join subscribes its right input first,
 * and a shared synchronous source would run to completion into it before the left input is
 * subscribed. RxJS's `connectable(source, { connector: () => new Subject() })` starts the
 * source only when connected, and is what a user would write; it is not used here because
 * `Subject.next` (RxJS 7's ES5 build: an iterator object and a copy of the observer list per
 * value) cost a quarter of q8's time in the profile, which is RxJS's cost, not the join's. This
 * is the same multicast, lean: the branches' subscribers in an array, each element handed to
 * each in subscription order before the next element, the source subscribed once `build`'s
 * output is, so the join's watermark (the minimum of its inputs') is the stream's own.
 */
export function withBranches<T, O>(timed: Observable<T>, build: (branches: Observable<T>) => Observable<O>): Observable<O> {
  return new Observable<O>((subscriber) => {
    // Copied on change, so that a branch leaving while a value is handed out skips no other.
    let branches: Subscriber<T>[] = [];
    const hub = new Observable<T>((branch) => {
      branches = [...branches, branch];
      return () => {
        branches = branches.filter((b) => b !== branch);
      };
    });
    const subscription = build(hub).subscribe(subscriber);
    subscription.add(
      timed.subscribe({
        next: (value) => {
          const to = branches;
          for (let i = 0; i < to.length; i++) to[i]!.next(value);
        },
        error: (err: unknown) => {
          for (const branch of [...branches]) branch.error(err);
        },
        complete: () => {
          for (const branch of [...branches]) branch.complete();
        },
      }),
    );
    return subscription;
  });
}
