/**
 * tidemark/testing: deterministic tests for event-time pipelines — a virtual clock, an
 * operator harness, event-time marbles, fast-check arbitraries of disordered and late events,
 * and property helpers. Imports no test runner: use it under vitest, jest or anything else.
 * @packageDocumentation
 * @module tidemark/testing
 */

// Processing time
export { VirtualClock } from './VirtualClock.js';

// Harnesses
export type { EnginePipeline, OperatorPipeline, Pipeline, PipelineContext, ValuePipeline } from './Pipeline.js';
export type { OperatorHarnessOptions } from './OperatorHarness.js';
export { OperatorHarness } from './OperatorHarness.js';
export type { ValueHarnessOptions } from './ValueHarness.js';
export { ValueHarness } from './ValueHarness.js';
export type { HarnessInput, TwoInputContext, TwoInputEngine, TwoInputHarnessOptions, TwoInputPipeline } from './TwoInputHarness.js';
export { TwoInputHarness } from './TwoInputHarness.js';

// State
export { CopyingStateBackend } from './CopyingStateBackend.js';

// Marbles
export type { Marble, MarbleComplete, MarbleError, MarbleOptions, MarbleWait } from './parseMarbles.js';
export { parseMarbles } from './parseMarbles.js';
export type { FormatMarblesOptions, Recording } from './formatMarbles.js';
export { formatMarbles } from './formatMarbles.js';
export type { FromMarblesOptions } from './fromMarbles.js';
export { fromMarbles } from './fromMarbles.js';
export { expectMarbles } from './expectMarbles.js';
export { MarbleSyntaxError } from './MarbleSyntaxError.js';

// Arbitraries
export type { DisorderedEvents, DisorderedEventsOptions, Keyed, KeyedDisorderedEventsOptions } from './disorderedEvents.js';
export { disorderedEvents, markLate } from './disorderedEvents.js';
export type { WatermarkPlacementOptions } from './watermarkPlacement.js';
export { watermarkPlacement } from './watermarkPlacement.js';
export type { BoundaryTimestampsOptions } from './boundaryTimestamps.js';
export { boundaryTimestamps } from './boundaryTimestamps.js';
export { boundedWatermarks } from './boundedWatermarks.js';

// Property helpers
export type { PropertyOptions } from './PropertyOptions.js';
export { DEFAULT_NUM_RUNS, DEFAULT_SEED } from './PropertyOptions.js';
export { PropertyFailedError } from './PropertyFailedError.js';
export { MissingPeerDependencyError } from 'tidemark';
export type { OrderInsensitiveConfig } from './assertOrderInsensitive.js';
export { assertOrderInsensitive } from './assertOrderInsensitive.js';
export type { MatchesOracleConfig } from './assertMatchesOracle.js';
export { assertMatchesOracle } from './assertMatchesOracle.js';
export type { LateDataConfig } from './assertLateDataHandled.js';
export { assertLateDataHandled } from './assertLateDataHandled.js';
export type { CheckpointRoundTripConfig } from './assertCheckpointRoundTrip.js';
export { assertCheckpointRoundTrip } from './assertCheckpointRoundTrip.js';
