import { boundedOutOfOrderness, count, tumbling, values, windowAggregate, withEventTime, type WindowResult } from 'tidemark';
import { TumblingCounts } from '../best/tumblingCounts.js';
import { EventRandom } from '../nexmark/random.js';
import { byWindow, type QueryOptions, type Reference, type StreamQuery } from '../query.js';
import { floorTo, ReferenceWindows } from '../referenceWindows.js';

/**
 * The micro-benchmark: a tumbling-window count per key, through `withEventTime` and
 * `windowAggregate`, against a hand-written loop with the same watermark and windows.
 */

export interface MicroEvent {
  readonly key: string;
  /** Event time, epoch ms. */
  readonly at: number;
}

export interface MicroConfig {
  readonly events: number;
  readonly keys: number;
  /** Event-time rate: events per event-time second. */
  readonly eventsPerSecond: number;
  readonly windowMs: number;
  /** `boundedOutOfOrderness` bound, ms. */
  readonly boundMs: number;
  /** Fraction of events displaced backwards in event time by 1 to `boundMs` ms. */
  readonly outOfOrderFraction: number;
  readonly baseTime: number;
  readonly seed: number;
}

export const DEFAULT_MICRO_CONFIG: MicroConfig = {
  events: 10_000_000,
  keys: 10_000,
  eventsPerSecond: 1_000,
  windowMs: 60_000,
  boundMs: 1_000,
  outOfOrderFraction: 0.01,
  baseTime: 1_700_000_000_000,
  seed: 7,
};

export function describeMicro(c: MicroConfig): string {
  return (
    `${c.events.toLocaleString('en-US')} events, ${c.keys.toLocaleString('en-US')} keys (uniform), ` +
    `${c.eventsPerSecond.toLocaleString('en-US')} events per event-time second, tumbling ${c.windowMs / 1000} s count per key, ` +
    `${c.outOfOrderFraction * 100}% out of order (displaced back 1..${c.boundMs} ms), boundedOutOfOrderness(${c.boundMs})`
  );
}

/** Generates the micro-benchmark's events: ascending times, some displaced backwards. */
export function generateMicroEvents(c: MicroConfig): MicroEvent[] {
  const random = new EventRandom(c.seed);
  const keys = Array.from({ length: c.keys }, (_, i) => `key-${i}`);
  const out = new Array<MicroEvent>(c.events);
  const msPerEvent = 1000 / c.eventsPerSecond;
  for (let i = 0; i < c.events; i++) {
    let at = c.baseTime + Math.floor(i * msPerEvent);
    if (random.nextDouble() < c.outOfOrderFraction) at -= 1 + random.nextInt(c.boundMs);
    out[i] = { key: keys[random.nextInt(c.keys)]!, at };
  }
  return out;
}

/** The micro-benchmark as a query; `windowMs` from the config. */
export function tumblingCount(windowMs: number): StreamQuery<MicroEvent, WindowResult<string, number>> {
  return {
    name: 'micro',
    title: `tumbling ${windowMs / 1000} s count per key`,
    // A digest, not the outputs: keeping its 1.67 M window results took the best loop from
    // 0.5 to 1.1–1.2 CPU-s per run (with no major GC inside a run), so
    // the sink, not the windows, set the ratio (1.02, where 0.76 is the windows'). The
    // outputs are compared whole in test/bench/nexmark.test.ts.
    sink: 'digest',
    digest: (r) => r.value * 31 + (r.start % 1_000_003) + r.key.length * 7 + r.key.charCodeAt(r.key.length - 1),
    tidemark: (source, { bound }) =>
      source.pipe(
        withEventTime({ timestamp: (e) => e.at, watermark: boundedOutOfOrderness(bound) }),
        windowAggregate({ window: tumbling(windowMs), key: (e) => e.key, aggregate: count() }),
        values(),
      ),
    best: (options, emit) => new TumblingCountBest(windowMs, options, emit),
    straightforward: (options, emit) => new TumblingCountReference(windowMs, options, emit),
    canonical: (outputs) => [...outputs].sort(byWindow),
  };
}

/** The hand-written loop: windows by start, counts by key, fired when the watermark passes `end − 1`. */
class TumblingCountReference implements Reference<MicroEvent> {
  private readonly windows: ReferenceWindows<Map<string, number>>;
  lateEvents = 0;

  constructor(
    size: number,
    options: QueryOptions,
    private readonly emit: (r: WindowResult<string, number>) => void,
  ) {
    this.windows = new ReferenceWindows(size, options, (start, counts) => this.fire(start, counts));
  }

  push(e: MicroEvent): void {
    const t = e.at;
    const windows = this.windows;
    const start = floorTo(t, windows.size);
    if (windows.hasFired(start)) {
      this.lateEvents++;
    } else {
      let counts = windows.get(start);
      if (counts === undefined) windows.add(start, (counts = new Map()));
      counts.set(e.key, (counts.get(e.key) ?? 0) + 1);
    }
    windows.advance(t);
  }

  end(): void {
    this.windows.end();
  }

  private fire(start: number, counts: Map<string, number>): void {
    const end = start + this.windows.size;
    for (const [key, value] of counts) this.emit({ key, start, end, value, firing: 'on-time' });
  }
}

/** The best loop (bench/best/tumblingCounts.ts) over micro events. */
class TumblingCountBest implements Reference<MicroEvent> {
  private readonly counts: TumblingCounts<string>;

  constructor(size: number, options: QueryOptions, emit: (r: WindowResult<string, number>) => void) {
    this.counts = new TumblingCounts(size, options.bound, emit);
  }

  get lateEvents(): number {
    return this.counts.lateEvents;
  }

  push(e: MicroEvent): void {
    const t = e.at;
    this.counts.add(e.key, t);
    this.counts.advance(t);
  }

  end(): void {
    this.counts.end();
  }
}
