import type { StreamElement } from 'tidemark';
import { parseMarbleTokens, type MarbleOptions } from '../parseMarbles.js';

/** @internal Where {@link feedMarbles} sends what the marbles say: a harness or one of its inputs. */
export interface MarbleSink<T> {
  push(element: StreamElement<T>): unknown;
  advanceBy(ms: number): unknown;
  complete(): unknown;
  pushError(error: unknown): unknown;
}

/**
 * @internal Feeds marbles (the grammar of `parseMarbles`) to a harness input: elements in
 * order, `~<ms>` advances the clock, `|` completes, `#` fails with `options.error`. The whole
 * text is parsed first, so a syntax error feeds nothing.
 */
export function feedMarbles<T>(sink: MarbleSink<T>, text: string, values: Readonly<Record<string, T>> | undefined, options: MarbleOptions | undefined): void {
  for (const { marble: m } of parseMarbleTokens<T>(text, values, options)) {
    if (m.kind === 'wait') sink.advanceBy(m.duration);
    else if (m.kind === 'complete') sink.complete();
    else if (m.kind === 'error') sink.pushError(m.error);
    else sink.push(m);
  }
}
