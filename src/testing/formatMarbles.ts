import { InvalidArgumentError, type StreamElement } from 'tidemark';
import { canonical, show } from './canonical.js';
import type { Marble } from './parseMarbles.js';

/**
 * What a harness recorded: the output elements, how the stream ended and, optionally, when
 * each element came out. {@link OperatorHarness}, {@link ValueHarness} and
 * {@link TwoInputHarness} are recordings, with times.
 *
 * @example
 * ```ts
 * import type { Recording } from 'tidemark/testing';
 * const r: Recording<string> = { output: [{ kind: 'event', value: 'a', timestamp: 1 }], completed: true, failed: false };
 * const timed: Recording<string> = { ...r, outputAt: [[100, r.output[0]!]], outputSince: 0 }; // formats as '~100 a@1 |' with { times: true }
 * ```
 */
export interface Recording<T> {
  /** The elements that came out, in order. */
  readonly output: readonly StreamElement<T>[];
  /** Whether the output completed (written `|`). */
  readonly completed: boolean;
  /** Whether the output failed (written `#`). */
  readonly failed: boolean;
  /**
   * The elements of `output` with the processing time each came out at, as `[time, element]`
   * pairs. Needed to show or compare processing time as `~N` waits.
   */
  readonly outputAt?: readonly (readonly [time: number, element: StreamElement<T>])[] | undefined;
  /**
   * The processing time the recording starts at, from which a leading `~N` wait counts.
   * @defaultValue the time of the first element (no leading wait)
   */
  readonly outputSince?: number | undefined;
}

/**
 * Options of {@link formatMarbles}.
 *
 * @example
 * ```ts
 * import { event } from 'tidemark';
 * import { formatMarbles, type FormatMarblesOptions } from 'tidemark/testing';
 *
 * const [a, b] = [event('a', 1), event('b', 2)];
 * const options: FormatMarblesOptions = { times: true };
 * formatMarbles({ output: [a, b], outputAt: [[100, a], [250, b]], outputSince: 0, completed: false, failed: false }, undefined, options);
 * // '~100 a@1 ~150 b@2'
 * ```
 */
export interface FormatMarblesOptions {
  /**
   * Shows processing time: `~N` before an output element that came out N after the one before
   * it (the first, N after `outputSince`). Needs a recording with `outputAt`, such as a harness;
   * the end (`|`, `#`) carries no time. A list of marbles is written as it is, waits included.
   * @defaultValue false
   */
  times?: boolean | undefined;
}

/**
 * Formats a stream as event-time marbles (the grammar of {@link parseMarbles}), so that an
 * expected output can be written, and a failure read, as text. Values found in `values` are
 * written by their name; strings that are valid names as themselves; anything else as its
 * canonical JSON-like form (readable, not always parseable back). With `{ times: true }`, a
 * recording's processing time is shown as `~N` waits between elements.
 *
 * @example
 * ```ts
 * import { event, watermark } from 'tidemark';
 * import { formatMarbles } from 'tidemark/testing';
 *
 * console.log(formatMarbles([event('a', 1), watermark(9), { kind: 'complete' }]));
 * console.log(formatMarbles([event({ n: 3 }, 9)], { r: { n: 3 } }));
 * // output:
 * // a@1 W9 |
 * // r@9
 * ```
 * @throws InvalidArgumentError when `{ times: true }` is asked of a recording without `outputAt`.
 */
export function formatMarbles<T>(stream: readonly Marble<T>[] | Recording<T>, values?: Readonly<Record<string, T>>, options: FormatMarblesOptions = {}): string {
  const name = namer(values);
  return (options.times === true ? toTimedMarbleList(stream, 'formatMarbles') : toMarbleList(stream))
    .map((m) => formatMarble(m, name))
    .join(' ');
}

/** @internal A recording as a list of marbles (with a final `|` or `#`). */
export function toMarbleList<T>(stream: readonly Marble<T>[] | Recording<T>): readonly Marble<T>[] {
  if (Array.isArray(stream)) return stream as readonly Marble<T>[];
  const r = stream as Recording<T>;
  const end: Marble<T>[] = r.failed ? [{ kind: 'error', error: undefined }] : r.completed ? [{ kind: 'complete' }] : [];
  return [...r.output, ...end];
}

/**
 * @internal A recording as a list of marbles with `~N` waits where processing time passed
 * (a list of marbles as it is).
 * @throws InvalidArgumentError for a recording without `outputAt`.
 */
export function toTimedMarbleList<T>(stream: readonly Marble<T>[] | Recording<T>, api: string): readonly Marble<T>[] {
  if (Array.isArray(stream)) return stream as readonly Marble<T>[];
  const r = stream as Recording<T>;
  if (r.outputAt === undefined) {
    throw new InvalidArgumentError(`${api}: processing time (~N) needs a recording with outputAt, such as a harness; this one has none`);
  }
  const out: Marble<T>[] = [];
  let last = r.outputSince ?? r.outputAt[0]?.[0] ?? 0;
  for (const [time, element] of r.outputAt) {
    if (time > last) {
      out.push({ kind: 'wait', duration: time - last });
      last = time;
    }
    out.push(element);
  }
  if (r.failed) out.push({ kind: 'error', error: undefined });
  else if (r.completed) out.push({ kind: 'complete' });
  return out;
}

/** @internal Names values: by the values map, else as themselves. */
export function namer<T>(values: Readonly<Record<string, T>> | undefined): (value: T) => string {
  const names = new Map<string, string>();
  if (values !== undefined) {
    for (const [k, v] of Object.entries(values)) {
      const c = canonical(v);
      if (!names.has(c)) names.set(c, k);
    }
  }
  return (value) => {
    const known = names.get(canonical(value));
    if (known !== undefined) return known;
    if (typeof value === 'string' && /^[^\s()|#@]+$/.test(value)) return value;
    return show(value);
  };
}

/** @internal One marble as text. */
export function formatMarble<T>(m: Marble<T>, name: (value: T) => string): string {
  switch (m.kind) {
    case 'event':
      return `${name(m.value)}@${time(m.timestamp)}`;
    case 'watermark':
      return `W${m.timestamp === Infinity ? '+inf' : m.timestamp === -Infinity ? '-inf' : time(m.timestamp)}`;
    case 'barrier':
      return `B${m.checkpointId}`;
    case 'status':
      return m.idle ? 'idle' : 'active';
    case 'wait':
      return `~${m.duration}`;
    case 'complete':
      return '|';
    case 'error':
      return '#';
  }
}

function time(t: number): string {
  return Number.isFinite(t) ? String(t) : t === Infinity ? 'inf' : t === -Infinity ? '-inf' : String(t);
}
