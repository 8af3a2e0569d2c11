import { asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';
import { CheckpointError } from '../../errors/CheckpointError.js';
import { InvalidArgumentError } from '../../errors/InvalidArgumentError.js';
import { show } from '../../errors/show.js';
import type { OperatorSnapshot } from '../../operators/internal/chain/engine.js';
import type { Barrier } from '../../time/elements.js';
import { requirePositive, requireScheduler } from '../../time/validate.js';
import type { CheckpointHandle, OperatorClaim } from './CheckpointHandle.js';
import type { Checkpoint, CheckpointStore } from './CheckpointStore.js';

/** Configuration of {@link checkpoints}. */
export interface CheckpointsConfig {
  /** Where checkpoints are committed and restored from: {@link MemoryCheckpointStore}, or `tidemark/lmdb`'s. */
  store: CheckpointStore;
  /**
   * Processing time between two checkpoints, in ms (from `scheduler`). A checkpoint is not
   * started while the previous one is still committing. @defaultValue none: only {@link Checkpoints.triggerCheckpoint}
   */
  interval?: number | undefined;
  /** Processing time for `interval`. @defaultValue `asyncScheduler` */
  scheduler?: SchedulerLike | undefined;
  /**
   * A name and version of the pipeline, part of its fingerprint: a checkpoint taken under
   * another name is refused on restore (`CheckpointError` `'pipeline-mismatch'`). Change it when
   * a change of the pipeline makes old checkpoints meaningless. @defaultValue `''`
   */
  pipeline?: string | undefined;
  /** Called once each checkpoint is committed (e.g. to log it). @defaultValue none */
  onCommit?: ((checkpoint: Checkpoint) => void) | undefined;
}

/** @internal A replayable source, as the coordinator drives it. */
export interface SourceHook {
  readonly id: string;
  /** Emits the restore barrier and, when restoring, the position's watermark; prepares to read from `position`. */
  begin(barrier: Barrier, position: unknown): void;
  /** Starts reading. */
  run(): void;
  /** Emits `barrier` at the current position and returns that position (a JSON value). */
  inject(barrier: Barrier): unknown;
  /** The input is consumed: emits the final barrier (if any), then completes. */
  end(barrier: Barrier | undefined): void;
  /** Errors the source's stream. */
  fail(error: unknown): void;
  /** A checkpoint with this source's `position` is committed. */
  committed(position: unknown): void;
}

/** @internal The committing sink, as the coordinator drives it. */
export interface SinkHook {
  /** Errors the pipeline (a failed commit). */
  fail(error: unknown): void;
  /** A checkpoint the sink prepared with `token` is committed. */
  committed(checkpointId: number, token: unknown): void;
}

type Phase = 'idle' | 'loading' | 'running' | 'ending';

/**
 * The checkpoint coordinator of one pipeline (Flink's `CheckpointCoordinator`), made by
 * {@link checkpoints}. Replayable sources ({@link fromReplayable}) register with it when they are
 * subscribed; it restores the latest checkpoint, triggers checkpoints every `interval` or on
 * demand, and commits each one, once its barrier has reached {@link commitCheckpoints}, to the
 * store. One subscription of the pipeline at a time (a run); after it ends, a new subscription
 * restores again from the store.
 *
 * @example
 * ```ts
 * import { MemoryCheckpointStore, checkpoints } from 'tidemark';
 * const cp = checkpoints({ store: new MemoryCheckpointStore() });
 * console.log(cp.committed, cp.restored);
 * // output:
 * // undefined undefined
 * ```
 */
export class Checkpoints {
  private phase: Phase = 'idle';
  private readonly sources = new Map<string, { hook: SourceHook; finished: boolean; position: unknown }>();
  private sink: SinkHook | undefined = undefined;
  private restoreHandle: RestoreHandle | undefined = undefined;
  private pending: PendingCheckpoint | undefined = undefined;
  private waiters: { resolve: (id: number) => void; reject: (e: unknown) => void }[] = [];
  private timer: Subscription | undefined = undefined;
  private lastId = 0;
  private commitChain: Promise<void> = Promise.resolve();
  private lastCommitted: Checkpoint | undefined = undefined;
  private restoredFrom: Checkpoint | undefined = undefined;
  private readonly scheduler: SchedulerLike;

  /** @internal Use {@link checkpoints}. */
  constructor(private readonly config: Readonly<CheckpointsConfig>) {
    this.scheduler = config.scheduler ?? asyncScheduler;
  }

  /** The store checkpoints go to. */
  get store(): CheckpointStore {
    return this.config.store;
  }

  /** The checkpoint the current (or last) run restored, `undefined` for a fresh start. */
  get restored(): Checkpoint | undefined {
    return this.restoredFrom;
  }

  /** The last checkpoint committed in this process, if any. */
  get committed(): Checkpoint | undefined {
    return this.lastCommitted;
  }

  /** Whether a checkpoint has been started and not yet committed. */
  get inProgress(): boolean {
    return this.pending !== undefined;
  }

  /**
   * Starts a checkpoint now (or, while one is in progress or the run is still restoring, as soon
   * as it can) and resolves with its id once it is committed. Rejects when the run ends first or
   * the commit fails.
   */
  triggerCheckpoint(): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (this.phase === 'running' && this.pending === undefined) this.start(false);
    });
  }

  // --- the sources ---------------------------------------------------------------------------

  /** @internal A source was subscribed. Returns its teardown. */
  register(hook: SourceHook): () => void {
    if (this.sources.has(hook.id)) {
      const error = new CheckpointError('duplicate-id', `fromReplayable "${hook.id}"`, `two sources of the pipeline have the id ${show(hook.id)}; give each source its own id`);
      hook.fail(error);
      this.failAll(error);
      return () => {};
    }
    if (this.phase === 'running' || this.phase === 'ending') {
      hook.fail(
        new CheckpointError('duplicate-id', `fromReplayable "${hook.id}"`, 'subscribed while another run of its checkpointed pipeline is running; one coordinator serves one subscription at a time'),
      );
      return () => {};
    }
    const entry = { hook, finished: false, position: undefined as unknown };
    this.sources.set(hook.id, entry);
    if (this.phase === 'idle') {
      this.phase = 'loading';
      this.config.store.latest().then(
        (cp) => this.begin(cp),
        (error: unknown) => this.failAll(error),
      );
    }
    return () => {
      if (this.sources.get(hook.id) !== entry) return;
      this.sources.delete(hook.id);
      if (this.sources.size === 0) this.reset();
    };
  }

  /** @internal A source's input is consumed; it waits for the final checkpoint to complete. */
  sourceFinished(id: string, position: unknown): void {
    const s = this.sources.get(id);
    if (s === undefined) return;
    s.finished = true;
    s.position = position;
    for (const other of this.sources.values()) if (!other.finished) return;
    this.phase = 'ending';
    this.stopTimer();
    // The final checkpoint: every source at its end, every operator's final state.
    const finish = () => {
      if (this.phase !== 'ending') return;
      if (this.sink === undefined) {
        for (const other of [...this.sources.values()]) other.hook.end(undefined);
        return;
      }
      const pending = this.open(++this.lastId, true);
      for (const other of [...this.sources.values()]) {
        pending.sources[other.hook.id] = other.position;
        other.hook.end(pending.barrier);
      }
    };
    if (this.pending === undefined) finish();
    else this.pending.after = finish;
  }

  // --- the operators (through the restore handle) and the sink -------------------------------

  /** @internal The restore barrier reached the committing sink: returns the restored sink token. */
  attachSink(sink: SinkHook): unknown {
    this.sink = sink;
    return this.restoredFrom?.sink;
  }

  /** @internal A checkpoint barrier reached the committing sink, which prepared `token`: commit. */
  complete(handle: CheckpointHandle, token: unknown): Promise<void> {
    const pending = this.pending;
    if (pending === undefined || handle !== pending) return this.commitChain;
    const missing = [...this.claims().keys()].filter((id) => !(id in pending.operators));
    if (missing.length > 0) {
      throw new CheckpointError(
        'incomplete',
        `checkpoint ${pending.checkpointId}`,
        `its barrier reached commitCheckpoints without the state of ${missing.map((m) => show(m)).join(', ')}: ` +
          'put commitCheckpoints after every stateful operator, on the path of every source, and keep non-tidemark operators that drop barriers out of that path',
      );
    }
    const checkpoint: Checkpoint = { id: pending.checkpointId, pipeline: pending.pipeline, operators: pending.operators, sources: pending.sources, sink: token };
    const commit = this.commitChain.then(() => this.config.store.commit(checkpoint));
    this.commitChain = commit.then(
      () => this.committedNow(pending, checkpoint, token),
      (error: unknown) => this.commitFailed(error),
    );
    return this.commitChain;
  }

  // --- internals -----------------------------------------------------------------------------

  private begin(cp: Checkpoint | undefined): void {
    if (this.phase !== 'loading') return;
    this.restoredFrom = cp;
    this.lastId = cp?.id ?? 0;
    const handle = (this.restoreHandle = new RestoreHandle(cp, this.config.store));
    const barrier: Barrier = { kind: 'barrier', checkpointId: this.lastId, checkpoint: handle };
    try {
      for (const s of this.sources.values()) {
        if (cp !== undefined && !(s.hook.id in cp.sources)) {
          throw new CheckpointError(
            'missing-state',
            `fromReplayable "${s.hook.id}"`,
            `checkpoint ${cp.id} has no position for this source (it has ${listOf(Object.keys(cp.sources))}): ` +
              'the source was renamed or added; keep its old id, or start from an empty checkpoint store',
          );
        }
      }
      for (const s of [...this.sources.values()]) s.hook.begin(barrier, cp?.sources[s.hook.id]);
      if (this.phase !== 'loading') return; // a source errored
      if (cp !== undefined) this.verify(cp, handle);
    } catch (error) {
      this.failAll(error);
      return;
    }
    this.phase = 'running';
    const { interval } = this.config;
    if (interval !== undefined) {
      const tick = () => {
        if (this.phase === 'running' && this.pending === undefined && this.sink !== undefined) this.start(false);
      };
      this.timer = this.scheduler.schedule(function (this: { schedule(s?: undefined, d?: number): void }) {
        tick();
        this.schedule(undefined, interval);
      }, interval);
    }
    if (this.waiters.length > 0) this.start(false);
    for (const s of [...this.sources.values()]) if (this.phase === 'running') s.hook.run();
  }

  /** After the restore barriers went through: every id of the checkpoint claimed, the same fingerprint. */
  private verify(cp: Checkpoint, handle: RestoreHandle): void {
    const unclaimed = Object.keys(cp.operators).filter((id) => !handle.claims.has(id));
    if (unclaimed.length > 0) {
      throw new CheckpointError(
        'unclaimed-state',
        `checkpoint ${cp.id}`,
        `it holds state for ${unclaimed.map((u) => show(u)).join(', ')}, which no operator of this pipeline has as its id ` +
          `(its operators: ${listOf([...handle.claims.keys()])}): an operator was removed or renamed, so this checkpoint belongs to another pipeline; ` +
          'keep the old id, or start from an empty checkpoint store',
      );
    }
    const mine = this.fingerprint();
    if (cp.pipeline !== mine) {
      throw new CheckpointError(
        'pipeline-mismatch',
        `checkpoint ${cp.id}`,
        `it was taken by the pipeline ${show(cp.pipeline)}, this one is ${show(mine)}; ` +
          'restore it with the pipeline that took it, or start from an empty checkpoint store',
      );
    }
  }

  private claims(): Map<string, string> {
    return this.restoreHandle?.claims ?? new Map();
  }

  /** The pipeline's name, its sources' ids and its operators' ids and kinds. */
  private fingerprint(): string {
    const ops = [...this.claims()].map(([id, kind]) => `${id}=${kind}`).sort();
    const sources = [...this.sources.keys()].sort();
    return `${this.config.pipeline ?? ''}|sources:${sources.join(',')}|operators:${ops.join(',')}`;
  }

  private open(id: number, final: boolean): PendingCheckpoint {
    const pending = new PendingCheckpoint(id, final, this.claims(), this.fingerprint());
    this.pending = pending;
    return pending;
  }

  private start(final: boolean): void {
    if (this.sink === undefined) {
      this.rejectWaiters(
        new CheckpointError('incomplete', 'checkpoints', 'the pipeline has no commitCheckpoints(...) operator, so no checkpoint can complete; end the pipeline with it (before values())'),
      );
      return;
    }
    const pending = this.open(++this.lastId, final);
    try {
      for (const s of [...this.sources.values()]) {
        // A finished source waits for the final checkpoint: it still forwards barriers, at its end.
        pending.sources[s.hook.id] = s.hook.inject(pending.barrier);
      }
    } catch (error) {
      this.failAll(error);
    }
  }

  private committedNow(pending: PendingCheckpoint, checkpoint: Checkpoint, token: unknown): void {
    this.lastCommitted = checkpoint;
    if (this.pending === pending) this.pending = undefined;
    for (const s of this.sources.values()) s.hook.committed(checkpoint.sources[s.hook.id]);
    this.sink?.committed(checkpoint.id, token);
    this.config.onCommit?.(checkpoint);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve(checkpoint.id);
    if (pending.after !== undefined) pending.after();
    else if (this.waiters.length > 0 && this.phase === 'running') this.start(false);
  }

  private commitFailed(error: unknown): void {
    this.pending = undefined;
    this.sink?.fail(error);
    this.failAll(error);
  }

  private failAll(error: unknown): void {
    const sources = [...this.sources.values()];
    this.reset();
    for (const s of sources) s.hook.fail(error);
  }

  private rejectWaiters(error: unknown): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(error);
  }

  private stopTimer(): void {
    this.timer?.unsubscribe();
    this.timer = undefined;
  }

  private reset(): void {
    this.stopTimer();
    this.phase = 'idle';
    this.sources.clear();
    this.sink = undefined;
    this.pending = undefined;
    this.restoreHandle = undefined;
    this.rejectWaiters(new CheckpointError('incomplete', 'checkpoints', 'the run ended before the checkpoint completed'));
  }
}

/** The handle of the restore barrier: hands out each operator's state, once, by id. */
class RestoreHandle implements CheckpointHandle {
  readonly phase = 'restore';
  readonly checkpointId: number;
  /** id → operator kind */
  readonly claims = new Map<string, string>();
  private readonly claimants = new Map<string, object>();

  constructor(
    private readonly cp: Checkpoint | undefined,
    private readonly store: CheckpointStore,
  ) {
    this.checkpointId = cp?.id ?? 0;
  }

  claim(operatorId: string, kind: string, claimant: object): OperatorClaim {
    const other = this.claimants.get(operatorId);
    if (other !== undefined && other !== claimant) {
      throw new CheckpointError(
        'duplicate-id',
        `${kind} "${operatorId}"`,
        `two operators of the pipeline have the id ${show(operatorId)} (a ${this.claims.get(operatorId)} and a ${kind}); give each stateful operator its own id`,
      );
    }
    this.claimants.set(operatorId, claimant);
    this.claims.set(operatorId, kind);
    let state: OperatorSnapshot | undefined;
    if (this.cp !== undefined) {
      if (!(operatorId in this.cp.operators)) {
        throw new CheckpointError(
          'missing-state',
          `${kind} "${operatorId}"`,
          `checkpoint ${this.cp.id} has no state for this operator (it has ${listOf(Object.keys(this.cp.operators))}): ` +
            'the operator was added or renamed since; keep its old id, or start from an empty checkpoint store',
        );
      }
      state = this.cp.operators[operatorId] as OperatorSnapshot;
    }
    return { state, backend: this.store.backend?.(operatorId) };
  }

  snapshot(): void {
    throw new CheckpointError('incomplete', 'restore barrier', 'a restore barrier takes no snapshots (an operator treated it as a checkpoint barrier)');
  }
}

/** A checkpoint in progress: the handle its barriers carry, filled as they pass. */
class PendingCheckpoint implements CheckpointHandle {
  readonly phase = 'snapshot';
  readonly operators: Record<string, unknown> = {};
  readonly sources: Record<string, unknown> = {};
  readonly barrier: Barrier;
  private readonly claimants = new Map<string, object>();
  /** What to run once it is committed (the final checkpoint after a running one). */
  after: (() => void) | undefined = undefined;

  constructor(
    readonly checkpointId: number,
    readonly final: boolean,
    private readonly ids: ReadonlyMap<string, string>,
    /** The pipeline's fingerprint when it started (sources that end during it unregister). */
    readonly pipeline: string,
  ) {
    this.barrier = { kind: 'barrier', checkpointId, checkpoint: this };
  }

  claim(): OperatorClaim {
    throw new CheckpointError('incomplete', `checkpoint ${this.checkpointId}`, 'a checkpoint barrier restores nothing (an operator treated it as a restore barrier)');
  }

  snapshot(operatorId: string, snapshot: OperatorSnapshot, claimant: object): void {
    const other = this.claimants.get(operatorId);
    if (other !== undefined && other !== claimant) {
      throw new CheckpointError('duplicate-id', `${snapshot.operator} "${operatorId}"`, `two operators of the pipeline have the id ${show(operatorId)}; give each stateful operator its own id`);
    }
    if (!this.ids.has(operatorId)) {
      throw new CheckpointError('missing-state', `${snapshot.operator} "${operatorId}"`, 'the operator did not receive the restore barrier of this run; put it downstream of a fromReplayable source');
    }
    this.claimants.set(operatorId, claimant);
    this.operators[operatorId] = snapshot;
  }
}

function listOf(ids: readonly string[]): string {
  return ids.length === 0 ? 'none' : ids.map((i) => show(i)).join(', ');
}

/**
 * Makes the checkpoint coordinator of a pipeline: asynchronous barrier snapshots (Flink's
 * checkpoints) over RxJS. Hand it to the pipeline's replayable sources ({@link fromReplayable})
 * and to {@link commitCheckpoints} at its end; give each stateful operator an `id`.
 *
 * ```
 * source ──a──b──|B3|──c──▶ windowAggregate{id} ──▶ … ──▶ commitCheckpoints ──▶
 *                  │ position          │ snapshot                 │ sink token
 *                  └───────────────────┴──────────────────────────┴──▶ store.commit(checkpoint 3)
 * ```
 *
 * On subscription the sources wait for the store's latest checkpoint, send a restore barrier
 * (each operator takes its state by `id`, the sink cuts its output back) and resume from their
 * positions. Every `interval` of processing time (or on {@link Checkpoints.triggerCheckpoint})
 * each source injects a barrier; each operator snapshots as it passes; when it reaches
 * `commitCheckpoints`, the checkpoint (operators, source positions, sink token) is committed in
 * one `store.commit`, while processing goes on. When the input is consumed, a final checkpoint
 * is committed before the output completes.
 *
 * ## Example
 * ```ts
 * import { MemoryCheckpointStore, arraySink, checkpoints, commitCheckpoints, fromReplayable, sum, tumbling, values, windowAggregate } from 'tidemark';
 *
 * const store = new MemoryCheckpointStore();
 * const out: unknown[] = [];
 * const cp = checkpoints({ store, interval: 200 });
 * fromReplayable([{ at: 1, n: 2 }, { at: 12, n: 3 }], { id: 'in', checkpoints: cp, timestamp: (r) => r.at })
 *   .pipe(
 *     windowAggregate({ id: 'sums', window: tumbling(10), aggregate: sum((r) => r.n) }),
 *     commitCheckpoints(cp, { sink: arraySink(out) }),
 *     values(),
 *   )
 *   .subscribe({ complete: () => console.log(out.length, cp.committed?.id) });
 * await new Promise((r) => setTimeout(r, 50));
 * // output:
 * // 2 1
 * ```
 * @throws InvalidArgumentError for a bad option.
 * @returns the coordinator.
 */
export function checkpoints(config: CheckpointsConfig): Checkpoints {
  if (config === null || typeof config !== 'object') throw new InvalidArgumentError(`checkpoints: expected a config object { store, interval }, got ${show(config)}`);
  const { store, interval, scheduler, pipeline, onCommit } = config;
  if (store === null || typeof store !== 'object' || typeof store.latest !== 'function' || typeof store.commit !== 'function') {
    throw new InvalidArgumentError(`checkpoints: store must be a CheckpointStore such as new MemoryCheckpointStore(), got ${show(store)}`);
  }
  if (interval !== undefined) requirePositive('checkpoints', 'interval', interval);
  if (scheduler !== undefined) requireScheduler('checkpoints', scheduler);
  if (pipeline !== undefined && typeof pipeline !== 'string') throw new InvalidArgumentError(`checkpoints: pipeline must be a string, got ${show(pipeline)}`);
  if (onCommit !== undefined && typeof onCommit !== 'function') throw new InvalidArgumentError(`checkpoints: onCommit must be a function, got ${show(onCommit)}`);
  return new Checkpoints({ ...config });
}
