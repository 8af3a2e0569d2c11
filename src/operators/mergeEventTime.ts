import { Observable, Subscriber, type ObservableInput, from } from 'rxjs';
import { ACTIVE, END_OF_TIME, IDLE, type StreamElement } from '../time/elements.js';
import { InvalidWatermarkError } from '../errors/InvalidWatermarkError.js';
import { WatermarkValve } from './internal/WatermarkValve.js';

const NAME = 'mergeEventTime';

/**
 * Merges event-time streams. Events pass through as they arrive; the output watermark is
 * the minimum of the inputs' watermarks, ignoring inputs that are idle, and it only
 * advances. A completed input counts as `+Infinity` (it no longer holds anything back);
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
 * A checkpoint barrier is forwarded once every input still running has delivered it
 * (barriers are counted, not aligned: events that overtake a barrier on a faster input
 * are not held back).
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
    const valve = new WatermarkValve(sources.length);
    // checkpoint id → the inputs that delivered that barrier
    const barriers = new Map<number, Set<number>>();
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

    const release = (checkpointId: number, voters: Set<number>, element: StreamElement<T>) => {
      for (let j = 0; j < sources.length; j++) if (!valve.isDone(j) && !voters.has(j)) return;
      barriers.delete(checkpointId);
      subscriber.next(element);
    };

    const onBarrier = (input: number, checkpointId: number, element: StreamElement<T>) => {
      let voters = barriers.get(checkpointId);
      if (voters === undefined) barriers.set(checkpointId, (voters = new Set()));
      voters.add(input);
      release(checkpointId, voters, element);
    };

    sources.forEach((source, i) => {
      if (subscriber.closed) return;
      from(source).subscribe(
        new InputSubscriber<T>(subscriber, (el) => {
          switch (el.kind) {
            case 'event':
              if (valve.isIdle(i)) {
                valve.setIdle(i, false);
                emitProgress();
              }
              return subscriber.next(el);
            case 'watermark':
              if (typeof el.timestamp !== 'number' || el.timestamp !== el.timestamp) {
                return subscriber.error(new InvalidWatermarkError(NAME, el.timestamp));
              }
              valve.setWatermark(i, el.timestamp);
              return emitProgress();
            case 'status':
              valve.setIdle(i, el.idle);
              return emitProgress();
            case 'barrier':
              return onBarrier(i, el.checkpointId, el);
          }
        }, () => {
          valve.complete(i);
          emitProgress();
          // A barrier that now has every running input's vote goes out.
          for (const [id, voters] of [...barriers]) release(id, voters, { kind: 'barrier', checkpointId: id });
          if (valve.runningInputs === 0) subscriber.complete();
        }),
      );
    });
  });
}

class InputSubscriber<T> extends Subscriber<StreamElement<T>> {
  constructor(
    private readonly out: Subscriber<StreamElement<T>>,
    private readonly onElement: (el: StreamElement<T>) => void,
    private readonly onDone: () => void,
  ) {
    super(out);
  }

  protected override _next(el: StreamElement<T>): void {
    this.onElement(el);
  }

  protected override _complete(): void {
    this.unsubscribe();
    this.onDone();
  }
}
