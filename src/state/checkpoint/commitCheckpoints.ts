import type { OperatorFunction } from 'rxjs';
import { InvalidArgumentError } from '../../errors/InvalidArgumentError.js';
import { show } from '../../errors/show.js';
import { chainStage } from '../../operators/internal/chain/ChainObservable.js';
import type { ChainContext, Stage } from '../../operators/internal/chain/Stage.js';
import type { Barrier, StreamElement, WatermarkStatus } from '../../time/elements.js';
import type { CheckpointHandle } from './CheckpointHandle.js';
import type { CheckpointSink } from './CheckpointSink.js';
import { Checkpoints, type SinkHook } from './checkpoints.js';

/** Options of {@link commitCheckpoints}. */
export interface CommitCheckpointsOptions<T> {
  /**
   * Where results go, exactly once: each event's value is written to it, a restore cuts it back
   * to the restored checkpoint, and its token is part of each checkpoint. @defaultValue none:
   * results only go downstream (at-least-once for whoever reads them)
   */
  sink?: CheckpointSink<T> | undefined;
}

const API = 'commitCheckpoints';

/**
 * The end of a checkpointed pipeline: when a checkpoint barrier arrives here — every operator
 * upstream has snapshotted — it asks the sink for its token (`prepare`: flush and fsync) and
 * commits the checkpoint (operators' snapshots, sources' positions, the sink's token) in one
 * `store.commit`; then the sources and the sink are told (`committed`). Processing goes on while
 * the commit is written. On the restore barrier it restores the sink. Events, watermarks and
 * barriers pass through unchanged; the output completes only after the final checkpoint is
 * committed. Place it before `values()` (which drops barriers).
 *
 * ```
 * input:   |R0| r1@9 |B1| r2@19 W(+∞) |B2| |
 * sink:         r1        r2
 * store:             commit(1: sink 1)      commit(2: sink 2)   output completes after commit 2
 * ```
 *
 * ## Example
 * ```ts
 * import { MemoryCheckpointStore, arraySink, checkpoints, commitCheckpoints, count, fromReplayable, tumbling, values, windowAggregate } from 'tidemark';
 * const cp = checkpoints({ store: new MemoryCheckpointStore() });
 * const out: unknown[] = [];
 * fromReplayable([1, 2, 15], { id: 'in', checkpoints: cp, timestamp: (t) => t })
 *   .pipe(windowAggregate({ id: 'counts', window: tumbling(10), aggregate: count() }), commitCheckpoints(cp, { sink: arraySink(out) }), values())
 *   .subscribe();
 * ```
 * @param coordinator - the pipeline's coordinator, made by {@link checkpoints}.
 * @param options - the exactly-once sink, if any.
 * @throws InvalidArgumentError for a coordinator not made by {@link checkpoints} or a sink without `restore`/`write`/`prepare`.
 * @returns an operator that passes its input through.
 */
export function commitCheckpoints<T>(coordinator: Checkpoints, options: CommitCheckpointsOptions<T> = {}): OperatorFunction<StreamElement<T>, StreamElement<T>> {
  if (!(coordinator instanceof Checkpoints)) throw new InvalidArgumentError(`${API}: expected the coordinator made by checkpoints({ store }), got ${show(coordinator)}`);
  const { sink } = options;
  if (sink !== undefined) {
    for (const f of ['restore', 'write', 'prepare'] as const) {
      if (typeof (sink as unknown as Record<string, unknown> | null)?.[f] !== 'function') throw new InvalidArgumentError(`${API}: sink must be a CheckpointSink with restore, write and prepare functions, got ${show(sink)}`);
    }
  }
  return chainStage<T, T>(API, (down, ctx) => new CommitStage<T>(coordinator, sink, down, ctx));
}

class CommitStage<T> implements Stage<T>, SinkHook {
  private restoredBy: CheckpointHandle | undefined = undefined;
  private commit: Promise<void> | undefined = undefined;
  private closed = false;

  constructor(
    private readonly cp: Checkpoints,
    private readonly sink: CheckpointSink<T> | undefined,
    private readonly down: Stage<T>,
    private readonly ctx: ChainContext,
  ) {
    ctx.subscriber.add(() => this.close());
  }

  event(value: T, timestamp: number): void {
    this.sink?.write(value);
    this.down.event(value, timestamp);
  }

  watermark(timestamp: number): void {
    this.down.watermark(timestamp);
  }

  control(element: Barrier | WatermarkStatus): void {
    const handle = element.kind === 'barrier' ? element.checkpoint : undefined;
    if (handle !== undefined) {
      if (handle.phase === 'restore') {
        if (this.restoredBy === handle) return;
        this.restoredBy = handle;
        const token = this.cp.attachSink(this); // not inside `this.sink?.…`: a pipeline without a sink commits too
        this.sink?.restore(token);
      } else {
        const token = this.sink?.prepare(handle.checkpointId);
        this.commit = this.cp.complete(handle, token);
      }
    }
    this.down.control(element);
  }

  finish(): void {
    const commit = this.commit;
    if (commit === undefined) {
      this.close();
      return this.down.finish();
    }
    // The final checkpoint is committing: complete after it.
    this.ctx.hold();
    commit.then(() =>
      this.ctx.step(() => {
        this.close();
        this.down.finish();
        this.ctx.release();
      }),
    );
  }

  fail(error: unknown): void {
    this.ctx.step(() => this.ctx.subscriber.error(error));
  }

  committed(checkpointId: number, token: unknown): void {
    this.sink?.committed?.(checkpointId, token);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sink?.close?.();
  }
}
