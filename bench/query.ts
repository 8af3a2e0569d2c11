import type { Observable } from 'rxjs';

/** Options every benchmark query gets. */
export interface QueryOptions {
  /** `boundedOutOfOrderness` bound of the watermark, in ms (the same in the reference). */
  readonly bound: number;
}

/**
 * A hand-written, single-pass reference: a plain-JS state machine fed one event at a time
 * (so that the driver loop, heap sampling and sink are the same as for tidemark), that
 * computes the same watermark (`max − bound − 1`) and produces the same outputs: the same
 * windows (`[start, end)`, fired when the watermark reaches `end − 1`), late events
 * dropped exactly as the library drops them, out-of-order events within the bound counted.
 */
export interface Reference<E> {
  push(event: E): void;
  /** End of input: the watermark goes to +Infinity and every open window fires. */
  end(): void;
  /** Events dropped as late (every window they belong to had fired), for windowed queries. */
  readonly lateEvents?: number;
}

/**
 * A benchmark query: one computation written three times: with tidemark operators (the way
 * a user would, from the public `tidemark` entry), and as two hand-written references.
 */
export interface StreamQuery<E, O> {
  readonly name: string;
  readonly title: string;
  /**
   * How a benchmark run keeps outputs: `'digest'` folds each into a number (queries with many
   * outputs: keeping a million of them costs more than making them), `'collect'` keeps them
   * all (queries with few), to be compared.
   */
  readonly sink: 'digest' | 'collect';
  /** A number per output for the `'digest'` sink. */
  digest?(output: O): number;
  /** The tidemark pipeline from raw events to output values. */
  tidemark(source: Observable<E>, options: QueryOptions): Observable<O>;
  /**
   * The fastest correct single-pass loop we know for the same answer (the ratio's target is
   * taken against it): the current window cached, pane slicing for sliding windows,
   * sessions updated in place with lazy timers, integer window indexes. A fresh reference
   * that calls `emit` for every output, in its own order.
   */
  best(options: QueryOptions, emit: (output: O) => void): Reference<E>;
  /** The loop as first written: one pass, `Map`s by window start and key, nothing tuned. */
  straightforward(options: QueryOptions, emit: (output: O) => void): Reference<E>;
  /**
   * Outputs in a canonical order, for comparing: windowed results of one watermark may
   * come in any order among themselves (ties), so they are sorted.
   */
  canonical(outputs: readonly O[]): O[];
}

/** Orders windowed outputs by end, then start, then key (numbers or strings). */
export function byWindow(a: { start: number; end: number; key?: unknown }, b: { start: number; end: number; key?: unknown }): number {
  if (a.end !== b.end) return a.end - b.end;
  if (a.start !== b.start) return a.start - b.start;
  const x = a.key as number | string | undefined;
  const y = b.key as number | string | undefined;
  return x === y ? 0 : x === undefined ? -1 : y === undefined ? 1 : x < y ? -1 : 1;
}
