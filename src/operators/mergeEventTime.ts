import { Observable, Subscriber, type ObservableInput, from } from 'rxjs';
import { InvalidWatermarkError } from '../errors/InvalidWatermarkError.js';
import { StreamContractError } from '../errors/StreamContractError.js';
import { ACTIVE, END_OF_TIME, IDLE, type Barrier, type StreamElement } from '../time/elements.js';
import { ChainContext } from './internal/chain/Stage.js';
import { WatermarkValve } from './internal/chain/WatermarkValve.js';

const NAME = 'mergeEventTime';
/** A held input's completion. */
const DONE: unique symbol = Symbol('input done');

/**
 * Merges event-time streams. Events pass through as they arrive; the output watermark is
 * the minimum of the inputs' watermarks, ignoring inputs that are idle, and it only
 * advances. Each input must be a valid event-time stream (elements only, watermarks that never
 * go back, nothing after its `+Infinity` watermark), or the merge errors with a
 * {@link StreamContractError}. A completed input counts as `+Infinity` (it no longer holds anything back);
 * the output completes, after a `+Infinity` watermark, when all inputs do. When every
 * running input is idle, the watermark advances to the largest of theirs and the output
 * announces itself idle. A watermark that is not a number errors the stream
 * (`InvalidWatermarkError`). Like RxJS `merge`, with
 * Flink's watermark valve.
 *
 * ```
 * a:       x@1  W(5)            W(9)  |
 * b:                 y@2  W(3)              W(7) |
 * output:  x@1       y@2  W(3)              W(7) W(+∞) |
 * ```
 *
 * A checkpoint barrier is forwarded once every input still running has delivered it, and
 * barriers are aligned (as Flink's): an input that has delivered the barrier is held — what it
 * sends next waits, in order — until the others deliver it too (or complete), so that the
 * operators downstream snapshot exactly what came before the barrier on every input. The restore
 * barrier of a checkpointed pipeline is forwarded when the first input delivers it, and only once.
 *
 * ## Example
 * ```ts
 * import { from } from 'rxjs';
 * import { mergeEventTime, withEventTime } from 'tidemark';
 * const web = from([{ at: 1 }]).pipe(withEventTime({ timestamp: (r) => r.at }));
 * const app = from([{ at: 2 }]).pipe(withEventTime({ timestamp: (r) => r.at }));
 * mergeEventTime(web, app).subscribe(console.log);
 * ```
 */
export function mergeEventTime<T>(...sources: ObservableInput<StreamElement<T>>[]): Observable<StreamElement<T>> {
  return new Observable<StreamElement<T>>((subscriber) => {
    if (sources.length === 0) {
      subscriber.next(END_OF_TIME);
      subscriber.complete();
      return;
    }
    // One input element at a time, to the end: an element that arrives re-entrantly waits.
    const ctx = new ChainContext(subscriber as Subscriber<unknown>);
    const valve = new WatermarkValve(sources.length);
    // checkpoint id → the inputs that delivered that barrier
    const barriers = new Map<number, Set<number>>();
    // checkpoint id → the barrier element itself (it carries the checkpoint's handle)
    const barrierElements = new Map<number, StreamElement<T>>();
    let watermark = -Infinity;
    let idle = false;

    const emitProgress = () => {
      const w = valve.watermark();
      if (w > watermark) {
        watermark = w;
        subscriber.next(w === Infinity ? END_OF_TIME : { kind: 'watermark', timestamp: w });
      }
      const nowIdle = valve.allIdle();
      if (nowIdle !== idle) {
        idle = nowIdle;
        subscriber.next(idle ? IDLE : ACTIVE);
      }
    };

    // Alignment: an input that delivered a pending barrier is held (what it sends next waits here, in order).
    const holding = new Array<boolean>(sources.length).fill(false);
    const held: (StreamElement<T> | typeof DONE)[][] = sources.map(() => []);
    let draining = false;
    const drain = () => {
      if (draining) return;
      draining = true;
      try {
        for (let again = true; again && !subscriber.closed; ) {
          again = false;
          for (let j = 0; j < sources.length; j++) {
            while (!holding[j] && held[j]!.length > 0 && !subscriber.closed) {
              again = true;
              const item = held[j]!.shift()!;
              if (item === DONE) onDone(j);
              else onElement(j, item);
            }
          }
        }
      } finally {
        draining = false;
      }
    };

    const release = (checkpointId: number, voters: Set<number>, element: StreamElement<T>) => {
      for (let j = 0; j < sources.length; j++) if (!valve.isDone(j) && !voters.has(j)) return;
      barriers.delete(checkpointId);
      barrierElements.delete(checkpointId);
      subscriber.next(element);
      for (const j of voters) holding[j] = false;
      drain();
    };

    let restoredBy: unknown;
    const onBarrier = (input: number, checkpointId: number, element: StreamElement<T>) => {
      // The restore barrier of a checkpointed pipeline goes on at once, once: it must precede every element.
      const handle = (element as Barrier).checkpoint;
      if (handle?.phase === 'restore') {
        if (restoredBy !== handle) subscriber.next(element);
        restoredBy = handle;
        return;
      }
      let voters = barriers.get(checkpointId);
      if (voters === undefined) barriers.set(checkpointId, (voters = new Set()));
      if (!barrierElements.has(checkpointId)) barrierElements.set(checkpointId, element);
      voters.add(input);
      release(checkpointId, voters, element);
      if (barriers.has(checkpointId)) holding[input] = true;
    };

    const onElement = (i: number, el: StreamElement<T>) => {
      const name = sources.length === 1 ? NAME : `${NAME} (input ${i + 1} of ${sources.length})`;
      switch ((el as Partial<StreamElement<T>> | null | undefined)?.kind) {
        case 'event':
          if (valve.watermarkOf(i) === Infinity) throw new StreamContractError(name, 'event-after-end-of-time', el);
          if (valve.isIdle(i)) {
            valve.setIdle(i, false);
            emitProgress();
          }
          return subscriber.next(el);
        case 'watermark': {
          const t = (el as { timestamp: number }).timestamp;
          if (typeof t !== 'number' || t !== t) throw new InvalidWatermarkError(name, t);
          if (t < valve.watermarkOf(i)) throw new StreamContractError(name, 'watermark-regression', el, valve.watermarkOf(i));
          valve.setWatermark(i, t);
          return emitProgress();
        }
        case 'status':
          valve.setIdle(i, (el as { idle: boolean }).idle);
          return emitProgress();
        case 'barrier':
          return onBarrier(i, (el as { checkpointId: number }).checkpointId, el);
        default:
          throw new StreamContractError(name, 'not-an-element', el);
      }
    };

    const onDone = (i: number) => {
      valve.complete(i);
      emitProgress();
      // A barrier that now has every running input's vote goes out.
      for (const [id, voters] of [...barriers]) release(id, voters, barrierElements.get(id) ?? { kind: 'barrier', checkpointId: id });
      if (valve.runningInputs === 0) subscriber.complete();
    };

    sources.forEach((source, i) => {
      if (subscriber.closed) return;
      from(source).subscribe(
        new InputSubscriber<T>(
          ctx,
          (el) => (holding[i] ? void held[i]!.push(el) : onElement(i, el)),
          () => (holding[i] ? void held[i]!.push(DONE) : onDone(i)),
        ),
      );
    });
  });
}

/** One input of the merge; each of its notifications is one step of the merge. */
class InputSubscriber<T> extends Subscriber<StreamElement<T>> {
  constructor(
    private readonly ctx: ChainContext,
    private readonly onElement: (el: StreamElement<T>) => void,
    private readonly onDone: () => void,
  ) {
    super(ctx.subscriber);
  }

  protected override _next(el: StreamElement<T>): void {
    this.ctx.step(() => this.onElement(el));
  }

  protected override _complete(): void {
    this.unsubscribe();
    this.ctx.step(this.onDone);
  }

  protected override _error(err: unknown): void {
    this.ctx.step(() => this.ctx.subscriber.error(err));
  }
}
