import type { OperatorFunction } from 'rxjs';

/**
 * An operator that counts what it did, in a `metrics` object that is always there (no option
 * needed) and cumulative over every subscription of the operator. Keep a reference to the
 * operator to read it.
 *
 * @example
 * ```ts
 * import { from } from 'rxjs';
 * import { withEventTime } from 'tidemark';
 *
 * const stamp = withEventTime({ timestamp: (t: number) => t });
 * from([12, 3, 14]).pipe(stamp).subscribe();
 * console.log(stamp.metrics.behindWatermark); // 3 arrived after W(11)
 * // output:
 * // 1
 * ```
 */
export interface MeteredOperator<I, O, M> extends OperatorFunction<I, O> {
  /** The operator's counters, cumulative over its subscriptions. */
  readonly metrics: Readonly<M>;
}

/** @internal Attaches `metrics` to an operator function. */
export function metered<I, O, M>(operator: OperatorFunction<I, O>, metrics: M): MeteredOperator<I, O, M> {
  return Object.assign(operator, { metrics });
}
