import { Observable, type OperatorFunction, type Subscriber } from 'rxjs';
import { InvalidWatermarkError } from '../../../errors/InvalidWatermarkError.js';
import { StreamContractError } from '../../../errors/StreamContractError.js';
import type { StreamElement } from '../../../time/elements.js';
import { ChainEntry } from './ChainEntry.js';
import { ChainContext, type Stage, type StageFactory } from './Stage.js';

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
      const ctx = new ChainContext(subscriber as Subscriber<unknown>);
      let sink = terminal(subscriber as Subscriber<unknown>);
      for (let i = stages.length - 1; i >= 0; i--) sink = stages[i]!(sink, ctx);
      root.subscribe(entry(sink, ctx));
    });
  }
}

/**
 * @internal An operator that appends a stage to the chain (or starts one). `name` is the
 * operator's, for the errors of the entry that checks a non-chain input.
 */
export function chainStage<I, O>(name: string, stage: StageFactory<I, O>): OperatorFunction<StreamElement<I>, StreamElement<O>> {
  return (source) => extend(name, source, stage as StageFactory<unknown, unknown>, ELEMENTS) as Observable<StreamElement<O>>;
}

/** @internal An operator that ends the chain with another terminal (values(), events()). */
export function chainTerminal<I, R>(name: string, terminal: Terminal): OperatorFunction<StreamElement<I>, R> {
  return (source) => extend(name, source, undefined, terminal) as Observable<R>;
}

/** @internal Starts a chain whose entry is not an element stream (withEventTime). */
export function chainRoot<R>(root: Observable<unknown>, entry: Entry): Observable<R> {
  return new ChainObservable<R>(root, entry, [], ELEMENTS);
}

function extend(name: string, source: Observable<unknown>, stage: StageFactory<unknown, unknown> | undefined, terminal: Terminal): Observable<unknown> {
  const stages = stage === undefined ? [] : [stage];
  if (source instanceof ChainObservable && source.terminal === ELEMENTS) {
    return new ChainObservable(source.root, source.entry, [...source.stages, ...stages], terminal);
  }
  return new ChainObservable(source, (first, ctx) => new ElementEntry(name, ctx, first), stages, terminal);
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

/**
 * @internal Feeds a chain from an element stream that is not itself a chain, and checks
 * that it is a valid event-time stream: elements only, watermarks that never go back, no
 * event after the final `+Infinity` watermark (what RxJS `merge`/`concat` of event-time
 * streams produce). Anything else errors with a {@link StreamContractError}.
 */
class ElementEntry extends ChainEntry<StreamElement<unknown>> {
  private wm = -Infinity;

  constructor(
    private readonly name: string,
    ctx: ChainContext,
    private readonly first: Stage<unknown>,
  ) {
    super(ctx);
  }

  protected onValue(element: StreamElement<unknown>): void {
    switch ((element as Partial<StreamElement<unknown>> | null | undefined)?.kind) {
      case 'event':
        if (this.wm === Infinity) throw new StreamContractError(this.name, 'event-after-end-of-time', element);
        return this.first.event((element as { value: unknown }).value, (element as { timestamp: number }).timestamp);
      case 'watermark': {
        const t = (element as { timestamp: number }).timestamp;
        if (typeof t !== 'number' || t !== t) throw new InvalidWatermarkError(this.name, t);
        if (t < this.wm) throw new StreamContractError(this.name, 'watermark-regression', element, this.wm);
        this.wm = t;
        return this.first.watermark(t);
      }
      case 'barrier':
      case 'status':
        return this.first.control(element as Exclude<StreamElement<unknown>, { kind: 'event' | 'watermark' }>);
      default:
        throw new StreamContractError(this.name, 'not-an-element', element);
    }
  }

  protected onEnd(): void {
    this.first.finish();
  }
}
