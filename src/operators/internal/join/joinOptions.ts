import { from, type Observable, type ObservableInput, type PartialObserver } from 'rxjs';
import { InvalidArgumentError } from '../../../errors/InvalidArgumentError.js';
import { show } from '../../../errors/show.js';
import type { StateBackend } from '../../../state/StateBackend.js';
import type { StreamElement, Timestamped } from '../../../time/elements.js';
import { requireFunction } from '../../../time/validate.js';
import { toHandler, type DeadLetter, type DeadLetterRoute } from '../chain/deadLetter.js';

/**
 * The outer joins of {@link intervalJoin}: which rows that found no partner are emitted too,
 * with `undefined` for the missing side (`'left'`: unmatched left rows; `'full'`: both).
 *
 * @example
 * ```ts
 * import type { OuterJoin } from 'tidemark';
 * const keepAllViews: OuterJoin = 'left';
 * ```
 */
export type OuterJoin = 'left' | 'right' | 'full';

/**
 * The left row as a join's `select` sees it: `L`, or `L | undefined` in a right or full outer
 * join (an unmatched right row has no left row).
 *
 * @example
 * ```ts
 * import type { LeftRow } from 'tidemark';
 * const inner: LeftRow<string, undefined> = 'always there';
 * const full: LeftRow<string, 'full'> = undefined;
 * ```
 */
export type LeftRow<L, J extends OuterJoin | undefined> = J extends 'right' | 'full' ? L | undefined : L;

/**
 * The right row as a join's `select` sees it: `R`, or `R | undefined` in a left or full outer
 * join (an unmatched left row has no right row).
 *
 * @example
 * ```ts
 * import type { RightRow } from 'tidemark';
 * const left: RightRow<number, 'left'> = undefined;
 * ```
 */
export type RightRow<R, J extends OuterJoin | undefined> = J extends 'left' | 'full' ? R | undefined : R;

/**
 * What a join counts, over every subscription of the operator (see {@link MeteredOperator}):
 * the rows of each input that arrived behind the join's watermark.
 *
 * @example
 * ```ts
 * import { NEVER } from 'rxjs';
 * import { intervalJoin, type JoinMetrics } from 'tidemark';
 *
 * const join = intervalJoin(NEVER, { leftKey: (l: string) => l, rightKey: (r: string) => r, lowerBound: 0, upperBound: 5, select: (l, r) => l + r });
 * const m: Readonly<JoinMetrics> = join.metrics;
 * console.log(m.lateLeft, m.droppedLateRight);
 * // output:
 * // 0 0
 * ```
 */
export interface JoinMetrics {
  /** Left rows that were late (routed to `lateLeft` or dropped). */
  lateLeft: number;
  /** Right rows that were late (routed to `lateRight` or dropped). */
  lateRight: number;
  /** The late left rows that were dropped because no `lateLeft` route was given. */
  droppedLateLeft: number;
  /** The late right rows that were dropped because no `lateRight` route was given. */
  droppedLateRight: number;
}

/** @internal The options every join takes besides its own (documented on each join's config). */
export interface JoinCommonOptions<L, R> {
  lateLeft?: PartialObserver<Timestamped<L>> | ((event: Timestamped<L>) => void) | undefined;
  lateRight?: PartialObserver<Timestamped<R>> | ((event: Timestamped<R>) => void) | undefined;
  deadLetter?: DeadLetterRoute<Timestamped<L> | Timestamped<R>> | undefined;
  id?: string | undefined;
  state?: (() => StateBackend) | undefined;
}

/** @internal Counts late rows and routes them to the late outputs (or drops them). */
export class LateRows<L, R> {
  constructor(
    private readonly counters: JoinMetrics,
    private readonly onLeft: ((event: Timestamped<L>) => void) | undefined,
    private readonly onRight: ((event: Timestamped<R>) => void) | undefined,
  ) {}

  left(value: L, timestamp: number, element: Timestamped<L> | undefined): void {
    this.counters.lateLeft++;
    if (this.onLeft === undefined) this.counters.droppedLateLeft++;
    else this.onLeft(element ?? { kind: 'event', value, timestamp });
  }

  right(value: R, timestamp: number, element: Timestamped<R> | undefined): void {
    this.counters.lateRight++;
    if (this.onRight === undefined) this.counters.droppedLateRight++;
    else this.onRight(element ?? { kind: 'event', value, timestamp });
  }
}

/** @internal Fresh counters. */
export function joinMetrics(): JoinMetrics {
  return { lateLeft: 0, lateRight: 0, droppedLateLeft: 0, droppedLateRight: 0 };
}

/** @internal The common options, checked. */
export interface CheckedCommon<L, R> {
  readonly late: (counters: JoinMetrics) => LateRows<L, R>;
  readonly deadLetter: ((letter: DeadLetter<Timestamped<unknown>>) => void) | undefined;
  readonly id: string | undefined;
  readonly state: (() => StateBackend) | undefined;
}

/** @internal Refuses a config that is not an object. */
export function requireConfig(api: string, config: unknown, fields: string): void {
  if (config === null || typeof config !== 'object') throw new InvalidArgumentError(`${api}: expected a config object with ${fields}, got ${show(config)}`);
}

/** @internal Checks the options every join takes. */
export function checkCommon<L, R>(api: string, config: JoinCommonOptions<L, R>): CheckedCommon<L, R> {
  const { id, state } = config;
  const onLeft = toHandler(api, 'lateLeft', config.lateLeft);
  const onRight = toHandler(api, 'lateRight', config.lateRight);
  const deadLetter = toHandler(api, 'deadLetter', config.deadLetter as DeadLetterRoute<Timestamped<unknown>> | undefined);
  if (id !== undefined && (typeof id !== 'string' || id === '')) {
    throw new InvalidArgumentError(`${api}: id must be a non-empty string that names the operator's state across restarts (like Flink's uid), got ${show(id)}`);
  }
  if (state !== undefined) requireFunction(api, 'state', state);
  return { late: (counters) => new LateRows<L, R>(counters, onLeft, onRight), deadLetter, id, state };
}

/** @internal Checks a key or select function, with the likely fix. */
export function requireCallback(api: string, name: string, value: unknown, example: string): void {
  if (typeof value !== 'function') throw new InvalidArgumentError(`${api}: ${name} must be a function, e.g. ${example}, got ${show(value)}`);
}

/** @internal The right input as an Observable; a clear error for anything else (most likely the config, given first). */
export function rightInput<R>(api: string, right: ObservableInput<StreamElement<R>>): Observable<StreamElement<R>> {
  const usage = `left$.pipe(${api}(right$, config))`;
  if (right === null || typeof right !== 'object' || typeof (right as { subscribe?: unknown }).subscribe !== 'function') {
    let observable: Observable<StreamElement<R>> | undefined;
    try {
      // Arrays, promises and (async) iterables of elements are fine too.
      if (right !== null && typeof right === 'object' && !isPlainConfig(right)) observable = from(right);
    } catch {
      observable = undefined;
    }
    if (observable === undefined) {
      throw new InvalidArgumentError(`${api}: the first argument must be the right input, an Observable of stream elements (${usage}), got ${show(right)}`);
    }
    return observable;
  }
  return from(right);
}

function isPlainConfig(x: object): boolean {
  const proto = Object.getPrototypeOf(x) as unknown;
  return (proto === Object.prototype || proto === null) && !(Symbol.iterator in x) && !(Symbol.asyncIterator in x);
}
