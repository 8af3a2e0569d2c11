import type { Subscription } from 'rxjs';
import type { Collector, ControlElement, ProcessingTime, StreamElement } from 'tidemark';
import type { VirtualClock } from '../VirtualClock.js';

/**
 * @internal What a harness gives an engine: a collector that records its output and
 * processing time on the virtual clock. Like the `pipe()` adapter, it keeps one wake-up, the
 * earliest requested; the engine asks again (from `onProcessingTime`) for later ones.
 */
export class EngineHost<O> implements Collector<O>, ProcessingTime {
  private wakeTime = Infinity;
  private wakeAction: Subscription | undefined = undefined;
  private closed = false;

  constructor(
    private readonly clock: VirtualClock,
    private readonly emit: (element: StreamElement<O>) => void,
    private readonly onWake: (now: number) => void,
  ) {}

  event(value: O, timestamp: number): void {
    this.emit({ kind: 'event', value, timestamp });
  }

  watermark(timestamp: number): void {
    this.emit({ kind: 'watermark', timestamp });
  }

  control(element: ControlElement): void {
    this.emit(element);
  }

  now(): number {
    return this.clock.now();
  }

  wakeAt(time: number): void {
    if (this.closed || !(time < this.wakeTime)) return;
    this.wakeAction?.unsubscribe();
    this.wakeTime = time;
    this.wakeAction = this.clock.schedule(() => {
      this.wakeTime = Infinity;
      this.wakeAction = undefined;
      this.onWake(this.clock.now());
    }, Math.max(0, time - this.clock.now()));
  }

  /** Cancels the pending wake-up; no more are scheduled. */
  close(): void {
    this.closed = true;
    this.wakeAction?.unsubscribe();
    this.wakeAction = undefined;
  }
}
