/**
 * tidemark: event time for RxJS. The browser-safe core entry.
 * @packageDocumentation
 * @module tidemark
 */

// The element model
export type { Barrier, ControlElement, StreamElement, Timestamped, Watermark, WatermarkStatus } from './time/elements.js';
export { ACTIVE, END_OF_TIME, IDLE, barrier, event, watermark } from './time/elements.js';

// Watermark strategies
export type { WatermarkGenerator, WatermarkStrategy } from './time/watermarkStrategies.js';
export { boundedOutOfOrderness, monotonousTimestamps } from './time/watermarkStrategies.js';

// Windows, triggers, aggregators
export type { SessionWindows } from './time/session.js';
export type { SlidingWindows } from './time/sliding.js';
export type { TumblingWindows } from './time/tumbling.js';
export type { WindowAssigner, WindowResult } from './time/windows.js';
export { session } from './time/session.js';
export { sliding } from './time/sliding.js';
export { tumbling } from './time/tumbling.js';
export { windowStart, windowsMeet } from './time/windowMath.js';
export type { AfterWatermarkOptions, Trigger } from './time/triggers.js';
export { afterWatermark } from './time/triggers.js';
export type { Aggregator } from './time/aggregators.js';
export { avg, collect, count, max, min, reduce, sum } from './time/aggregators.js';

// Operators
export type { WithEventTimeConfig, WithEventTimeMetrics } from './operators/withEventTime.js';
export { withEventTime } from './operators/withEventTime.js';
export { values } from './operators/values.js';
export { events } from './operators/events.js';
export { mapEvents } from './operators/mapEvents.js';
export { filterEvents } from './operators/filterEvents.js';
export { flatMapEvents } from './operators/flatMapEvents.js';
export { mergeEventTime } from './operators/mergeEventTime.js';
export { connectEventTime } from './operators/connectEventTime.js';
export type { WindowAggregateConfig, WindowAggregateMetrics } from './operators/windowAggregate.js';
export { windowAggregate, windowAggregateEngine } from './operators/windowAggregate.js';
export type { IntervalJoinConfig } from './operators/intervalJoin.js';
export { intervalJoin, intervalJoinEngine } from './operators/intervalJoin.js';
export type { WindowJoinConfig } from './operators/windowJoin.js';
export { windowJoin, windowJoinEngine } from './operators/windowJoin.js';
export type { TemporalJoinConfig } from './operators/temporalJoin.js';
export { temporalJoin, temporalJoinEngine } from './operators/temporalJoin.js';
export type { JoinMetrics, LeftRow, OuterJoin, RightRow } from './operators/internal/join/joinOptions.js';
export type { JoinWindow } from './operators/internal/join/WindowJoinEngine.js';
export type { KeyedProcessConfig, KeyedProcessMetrics, OutputType } from './operators/keyedProcess.js';
export { emits, keyedProcess, keyedProcessEngine } from './operators/keyedProcess.js';
export type { KeyedProcessContext, KeyedTimerContext, KeyedTimers } from './operators/internal/keyed/KeyedContext.js';
export type { DeadLetter, DeadLetterRoute } from './operators/internal/chain/deadLetter.js';
export type { MeteredOperator } from './operators/internal/chain/metered.js';
export type { Collector, Engine, OperatorSnapshot, ProcessingTime, TwoInputEngine } from './operators/internal/chain/engine.js';

// State
export type { KeyedTable, MapTable, NamespaceTable, OrderedTable, OrderedTableOptions, StateBackend, StateSnapshot, TimerQueue, ValueCell } from './state/StateBackend.js';
export { MemoryStateBackend } from './state/MemoryStateBackend.js';
export type { Checkpoint, CheckpointStore } from './state/checkpoint/CheckpointStore.js';

// Checkpoints
export type { CheckpointHandle, OperatorClaim } from './state/checkpoint/CheckpointHandle.js';
export type { CheckpointSink } from './state/checkpoint/CheckpointSink.js';
export type { MemoryCheckpointStoreConfig } from './state/checkpoint/MemoryCheckpointStore.js';
export { MemoryCheckpointStore } from './state/checkpoint/MemoryCheckpointStore.js';
export type { CheckpointsConfig } from './state/checkpoint/checkpoints.js';
export { Checkpoints, checkpoints } from './state/checkpoint/checkpoints.js';
export type { CommitCheckpointsOptions } from './state/checkpoint/commitCheckpoints.js';
export { commitCheckpoints } from './state/checkpoint/commitCheckpoints.js';
export { arraySink } from './state/checkpoint/arraySink.js';
export { checkpointBefore } from './state/checkpoint/checkpointBefore.js';
export type { QueriedState } from './state/checkpoint/queryableState.js';
export { QueryableState, queryableState } from './state/checkpoint/queryableState.js';
export type { FromReplayableConfig, Positioned, ReplayableSource } from './connectors/fromReplayable.js';
export { fromReplayable } from './connectors/fromReplayable.js';
export type {
  KeyedStateOptions,
  KeyedStates,
  ListState,
  ListStateDescriptor,
  MapState,
  MapStateDescriptor,
  StateDescriptor,
  StateDescriptors,
  StateTtl,
  ValueState,
  ValueStateDescriptor,
} from './state/keyedState.js';
export { listState, mapState, valueState } from './state/keyedState.js';

// Errors
export { TidemarkError } from './errors/TidemarkError.js';
export { InvalidArgumentError } from './errors/InvalidArgumentError.js';
export { InvalidTimestampError } from './errors/InvalidTimestampError.js';
export { InvalidWatermarkError } from './errors/InvalidWatermarkError.js';
export { StateError } from './errors/StateError.js';
export { MissingPeerDependencyError } from './errors/MissingPeerDependencyError.js';
export type { CheckpointProblem } from './errors/CheckpointError.js';
export { CheckpointError } from './errors/CheckpointError.js';
export type { StreamContractViolation } from './errors/StreamContractError.js';
export { StreamContractError } from './errors/StreamContractError.js';
