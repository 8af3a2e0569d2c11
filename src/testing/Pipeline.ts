import type { OperatorFunction } from 'rxjs';
import type { Engine, StreamElement, Timestamped } from 'tidemark';
import type { VirtualClock } from './VirtualClock.js';

/**
 * What a harness hands the pipeline it builds: the virtual clock (pass it as the operator's
 * `scheduler`) and a recorder for late events (pass it as the operator's `late` option; the
 * harness lists what it receives in `late`).
 *
 * @example
 * ```ts
 * import { count, tumbling, windowAggregate } from 'tidemark';
 * import type { Pipeline, PipelineContext } from 'tidemark/testing';
 *
 * const pipeline: Pipeline<string, unknown> = {
 *   operator: (ctx: PipelineContext<string>) =>
 *     windowAggregate({ window: tumbling(10), aggregate: count(), scheduler: ctx.clock, late: ctx.late }),
 * };
 * ```
 */
export interface PipelineContext<I> {
  /** Processing time: a {@link VirtualClock} (an RxJS `SchedulerLike`). */
  readonly clock: VirtualClock;
  /** Records a late event (the operator's late side output). */
  readonly late: (event: Timestamped<I>) => void;
}

/**
 * A pipeline given as the RxJS-free engine of one operator (for example
 * `windowAggregateEngine(config)`, which is already a factory of this shape). The harness drives
 * the engine directly, as the `pipe()` adapter would; only engines can be snapshot and restored.
 *
 * @example
 * ```ts
 * import { sum, tumbling, windowAggregateEngine } from 'tidemark';
 * import type { EnginePipeline } from 'tidemark/testing';
 *
 * const sums: EnginePipeline<number, unknown> = {
 *   engine: (ctx) => windowAggregateEngine<number>({ window: tumbling(10), aggregate: sum(), late: ctx.late })(),
 * };
 * ```
 */
export interface EnginePipeline<I, O> {
  /** Makes a fresh engine; called once per harness (and so once per property run). */
  readonly engine: (context: PipelineContext<I>) => Engine<I, O>;
}

/**
 * A pipeline given as an RxJS operator from one event-time stream to another, made fresh for
 * each harness. The harness feeds it through a `Subject`; use `context.clock` as its scheduler.
 *
 * @example
 * ```ts
 * import { pipe } from 'rxjs';
 * import { count, filterEvents, tumbling, windowAggregate } from 'tidemark';
 * import type { OperatorPipeline } from 'tidemark/testing';
 *
 * const nonEmpty: OperatorPipeline<string, unknown> = {
 *   operator: (ctx) => pipe(filterEvents((s: string) => s !== ''), windowAggregate({ window: tumbling(10), aggregate: count(), late: ctx.late })),
 * };
 * ```
 */
export interface OperatorPipeline<I, O> {
  /** Makes the operator; called once per harness (and so once per property run). */
  readonly operator: (context: PipelineContext<I>) => OperatorFunction<StreamElement<I>, StreamElement<O>>;
}

/**
 * What the harness and the property helpers test: a one-input event-time pipeline, as an
 * engine (`{ engine }`) or an RxJS operator (`{ operator }`).
 *
 * @example
 * ```ts
 * import { count, tumbling, windowAggregate, windowAggregateEngine } from 'tidemark';
 * import type { Pipeline } from 'tidemark/testing';
 *
 * const config = { window: tumbling(10), aggregate: count() };
 * const asEngine: Pipeline<string, unknown> = { engine: windowAggregateEngine<string>(config) };
 * const asOperator: Pipeline<string, unknown> = { operator: () => windowAggregate<string>(config) };
 * ```
 */
export type Pipeline<I, O> = EnginePipeline<I, O> | OperatorPipeline<I, O>;

/**
 * A pipeline whose input is plain values, not yet in event time: an RxJS operator from `I` to an
 * event-time stream, such as `withEventTime(config)` (and whatever follows it). Driven by
 * {@link ValueHarness}, made fresh for each harness; use `context.clock` as its scheduler.
 *
 * @example
 * ```ts
 * import { pipe } from 'rxjs';
 * import { count, tumbling, windowAggregate, withEventTime } from 'tidemark';
 * import type { ValuePipeline } from 'tidemark/testing';
 *
 * interface Click { at: number }
 * const perSecond: ValuePipeline<Click, unknown> = {
 *   operator: (ctx) =>
 *     pipe(
 *       withEventTime<Click>({ timestamp: (c) => c.at, idleTimeout: 5_000, scheduler: ctx.clock }),
 *       windowAggregate({ window: tumbling(1_000), aggregate: count(), late: ctx.late, scheduler: ctx.clock }),
 *     ),
 * };
 * ```
 */
export interface ValuePipeline<I, O> {
  /** Makes the operator; called once per harness. */
  readonly operator: (context: PipelineContext<I>) => OperatorFunction<I, StreamElement<O>>;
}
