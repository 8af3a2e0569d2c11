import { event, keyedProcess, keyedProcessEngine, watermark, type KeyedProcessConfig, type StateDescriptors, type Timestamped, type Watermark } from 'tidemark';
import { OperatorHarness, type OperatorHarnessOptions } from 'tidemark/testing';
import { currentBackend } from '../../../support/backends.js';

/**
 * An {@link OperatorHarness} around `keyedProcess(config)`: the pipe() operator on the harness's
 * clock (`as: 'operator'`, the default), or its engine driven directly (`as: 'engine'`). Without
 * a `stateBackend` in the config, it runs on the current test backend (test/support/backends.ts).
 */
export function keyedHarness<T, K, S extends StateDescriptors, O>(
  config: KeyedProcessConfig<T, K, S, O>,
  as: 'operator' | 'engine' = 'operator',
  options: OperatorHarnessOptions = {},
): OperatorHarness<T, O> {
  const backend = currentBackend();
  const full = (): KeyedProcessConfig<T, K, S, O> => (backend === undefined || config.stateBackend !== undefined ? config : { ...config, stateBackend: backend });
  if (as === 'engine') return new OperatorHarness<T, O>({ engine: () => keyedProcessEngine(full())() }, options);
  return new OperatorHarness<T, O>({ operator: (ctx) => keyedProcess({ scheduler: ctx.clock, ...full() }) }, options);
}

/** An output event: `value@timestamp`. */
export const E = <O>(value: O, timestamp: number): Timestamped<O> => event(value, timestamp);

/** An output watermark. */
export const W = (timestamp: number): Watermark => watermark(timestamp);
