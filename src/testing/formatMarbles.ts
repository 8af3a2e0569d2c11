import type { StreamElement } from 'tidemark';
import { canonical, show } from './canonical.js';
import type { Marble } from './parseMarbles.js';

/**
 * What a harness recorded: the output elements and how the stream ended.
 * {@link OperatorHarness} and {@link TwoInputHarness} are recordings.
 *
 * @example
 * ```ts
 * import type { Recording } from 'tidemark/testing';
 * const r: Recording<string> = { output: [{ kind: 'event', value: 'a', timestamp: 1 }], completed: true, failed: false };
 * ```
 */
export interface Recording<T> {
  readonly output: readonly StreamElement<T>[];
  readonly completed: boolean;
  readonly failed: boolean;
}

/**
 * Formats a stream as event-time marbles (the grammar of {@link parseMarbles}), so that an
 * expected output can be written, and a failure read, as text. Values found in `values` are
 * written by their name; strings that are valid names as themselves; anything else as its
 * canonical JSON-like form (readable, not always parseable back).
 *
 * @example
 * ```ts
 * import { event, watermark } from 'tidemark';
 * import { formatMarbles } from 'tidemark/testing';
 *
 * formatMarbles([event('a', 1), watermark(9), { kind: 'complete' }]); // 'a@1 W9 |'
 * formatMarbles([event({ n: 3 }, 9)], { r: { n: 3 } });               // 'r@9'
 * ```
 */
export function formatMarbles<T>(stream: readonly Marble<T>[] | Recording<T>, values?: Readonly<Record<string, T>>): string {
  const name = namer(values);
  return toMarbleList(stream)
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
