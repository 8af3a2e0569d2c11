import { Observable, Subscriber, type OperatorFunction } from 'rxjs';
import type { StreamElement } from '../../time/elements.js';
import type { ChainContext, Stage, StageFactory } from './Stage.js';

/** @internal Makes the subscriber that feeds a chain's first stage from the chain's root. */
export type Entry = (first: Stage<unknown>, ctx: ChainContext) => Subscriber<unknown>;

/** @internal Turns stage calls into RxJS notifications at the end of a chain. */
export type Terminal = (subscriber: Subscriber<unknown>) => Stage<unknown>;

/**
 * @internal An Observable that is a chain of tidemark operators over a root Observable.
 * Applying another tidemark operator to it extends the chain (a new, immutable
 * ChainObservable) instead of subscribing through RxJS, so a pipeline such as
 * `withEventTime → filterEvents → windowAggregate → values` runs as one subscriber.
 * Subscribing builds the stages back to front, then subscribes the entry to the root.
 */
export class ChainObservable<R> extends Observable<R> {
  constructor(
    readonly root: Observable<unknown>,
    readonly entry: Entry,
    readonly stages: readonly StageFactory<unknown, unknown>[],
    readonly terminal: Terminal,
  ) {
    super((subscriber) => {
      const ctx: ChainContext = { subscriber: subscriber as Subscriber<unknown> };
      let sink = terminal(subscriber as Subscriber<unknown>);
      for (let i = stages.length - 1; i >= 0; i--) sink = stages[i]!(sink, ctx);
      root.subscribe(entry(sink, ctx));
    });
  }
}

/** @internal An operator that appends a stage to the chain (or starts one). */
export function chainStage<I, O>(stage: StageFactory<I, O>): OperatorFunction<StreamElement<I>, StreamElement<O>> {
  return (source) => extend(source, stage as StageFactory<unknown, unknown>, ELEMENTS) as Observable<StreamElement<O>>;
}

/** @internal An operator that ends the chain with another terminal (values(), events()). */
export function chainTerminal<I, R>(terminal: Terminal): OperatorFunction<StreamElement<I>, R> {
  return (source) => extend(source, undefined, terminal) as Observable<R>;
}

/** @internal Starts a chain whose entry is not an element stream (withEventTime). */
export function chainRoot<R>(root: Observable<unknown>, entry: Entry): Observable<R> {
  return new ChainObservable<R>(root, entry, [], ELEMENTS);
}

function extend(source: Observable<unknown>, stage: StageFactory<unknown, unknown> | undefined, terminal: Terminal): Observable<unknown> {
  const stages = stage === undefined ? [] : [stage];
  if (source instanceof ChainObservable && source.terminal === ELEMENTS) {
    return new ChainObservable(source.root, source.entry, [...source.stages, ...stages], terminal);
  }
  return new ChainObservable(source, elementEntry, stages, terminal);
}

// --- where the chain meets RxJS ------------------------------------------------------------

/** @internal Emits element objects: the chain's output is an event-time stream. */
export const ELEMENTS: Terminal = (subscriber) => ({
  event: (value, timestamp) => subscriber.next({ kind: 'event', value, timestamp }),
  watermark: (timestamp) => subscriber.next({ kind: 'watermark', timestamp }),
  control: (element) => subscriber.next(element),
  finish: () => {},
});

/** @internal Emits the events' values only (values()). */
export const VALUES: Terminal = (subscriber) => ({
  event: (value) => subscriber.next(value),
  watermark: () => {},
  control: () => {},
  finish: () => {},
});

/** @internal Emits the events only, as elements (events()). */
export const EVENTS: Terminal = (subscriber) => ({
  event: (value, timestamp) => subscriber.next({ kind: 'event', value, timestamp }),
  watermark: () => {},
  control: () => {},
  finish: () => {},
});

const elementEntry: Entry = (first, ctx) => new ElementEntry(ctx.subscriber, first);

/**
 * @internal Feeds a chain from an element stream. It is chained into the downstream
 * subscriber (see docs/decisions/0001-subclass-rxjs-subscriber.md), so a downstream
 * `take(1)` closes it and a synchronous source stops at once.
 */
class ElementEntry extends Subscriber<StreamElement<unknown>> {
  constructor(
    private readonly out: Subscriber<unknown>,
    private readonly first: Stage<unknown>,
  ) {
    super(out);
  }

  protected override _next(element: StreamElement<unknown>): void {
    try {
      switch (element.kind) {
        case 'event':
          return this.first.event(element.value, element.timestamp);
        case 'watermark':
          return this.first.watermark(element.timestamp);
        default:
          return this.first.control(element);
      }
    } catch (err) {
      this.out.error(err);
    }
  }

  protected override _complete(): void {
    try {
      this.first.finish();
    } catch (err) {
      this.out.error(err);
      return;
    }
    this.out.complete();
  }
}
