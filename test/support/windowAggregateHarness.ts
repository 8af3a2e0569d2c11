import { windowAggregate, type WindowAggregateConfig, type WindowResult } from 'tidemark';
import { OperatorHarness, type PipelineContext } from 'tidemark/testing';
import { currentBackend } from './backends.js';

/**
 * An {@link OperatorHarness} around the `windowAggregate` operator of string events, made fresh
 * from `config(ctx)`: pass `ctx.late` as `late` to read the late side output in `harness.late`.
 * Without a `state` in the config, the operator runs on the {@link currentBackend}.
 */
export function windowAggregateHarness<K, R>(config: (ctx: PipelineContext<string>) => WindowAggregateConfig<string, K, unknown, R>) {
  return new OperatorHarness<string, WindowResult<K, R>>({ operator: (ctx) => windowAggregate({ state: currentBackend(), ...config(ctx) }) });
}
