import { boundedOutOfOrderness, values, withEventTime } from 'tidemark';
import type { QueryOptions, Reference, StreamQuery } from '../query.js';
import { eventTime, type NexmarkEvent } from './model.js';

/** Nexmark q0, pass-through: every event, unchanged (measures the per-element overhead). */
export const q0: StreamQuery<NexmarkEvent, NexmarkEvent> = {
  name: 'q0',
  title: 'pass-through',
  sink: 'digest',
  digest: (e) => eventTime(e) % 1000,
  tidemark: (source, { bound }) => source.pipe(withEventTime({ timestamp: eventTime, watermark: boundedOutOfOrderness(bound) }), values()),
  best: (options, emit) => new Q0Best(options, emit),
  straightforward: (options, emit) => new Q0Reference(options, emit),
  canonical: (outputs) => [...outputs],
};

class Q0Reference implements Reference<NexmarkEvent> {
  private max = -Infinity;
  private wm = -Infinity;
  private readonly lag: number;

  constructor(
    options: QueryOptions,
    private readonly emit: (e: NexmarkEvent) => void,
  ) {
    this.lag = options.bound + 1;
  }

  push(e: NexmarkEvent): void {
    const t = eventTime(e);
    this.emit(e);
    if (t > this.max) this.max = t;
    if (this.max - this.lag > this.wm) this.wm = this.max - this.lag;
  }

  end(): void {
    this.wm = Infinity;
  }
}

/** The same loop, with the watermark recomputed only when the maximum timestamp grows. */
class Q0Best implements Reference<NexmarkEvent> {
  private max = -Infinity;
  private wm = -Infinity;
  private readonly lag: number;

  constructor(
    options: QueryOptions,
    private readonly emit: (e: NexmarkEvent) => void,
  ) {
    this.lag = options.bound + 1;
  }

  push(e: NexmarkEvent): void {
    const t = eventTime(e);
    this.emit(e);
    if (t > this.max) {
      this.max = t;
      this.wm = t - this.lag;
    }
  }

  end(): void {
    this.wm = Infinity;
  }
}
