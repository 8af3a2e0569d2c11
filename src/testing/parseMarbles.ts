import type { StreamElement } from 'tidemark';
import { MarbleSyntaxError } from './MarbleSyntaxError.js';

/**
 * A marble that advances processing time: `~100` (see {@link parseMarbles}).
 *
 * @example
 * ```ts
 * import type { MarbleWait } from 'tidemark/testing';
 *
 * const wait: MarbleWait = { kind: 'wait', duration: 100 }; // ~100
 * ```
 */
export interface MarbleWait {
  /** Tells a wait from the other marbles. */
  readonly kind: 'wait';
  /** How much processing time passes, in ms. */
  readonly duration: number;
}

/**
 * The end of a marble stream: `|`.
 *
 * @example
 * ```ts
 * import type { MarbleComplete } from 'tidemark/testing';
 *
 * const end: MarbleComplete = { kind: 'complete' }; // |
 * ```
 */
export interface MarbleComplete {
  /** Tells completion from the other marbles. */
  readonly kind: 'complete';
}

/**
 * The failure of a marble stream: `#`.
 *
 * @example
 * ```ts
 * import type { MarbleError } from 'tidemark/testing';
 *
 * const failed: MarbleError = { kind: 'error', error: new Error('upstream failed') }; // #
 * ```
 */
export interface MarbleError {
  /** Tells an error from the other marbles. */
  readonly kind: 'error';
  /** What the stream fails with: `options.error`, by default `new Error('marble error')`. */
  readonly error: unknown;
}

/**
 * One parsed marble: a stream element (event, watermark, barrier, status), a processing-time
 * wait, completion or error.
 *
 * @example
 * ```ts
 * import type { Marble } from 'tidemark/testing';
 * const m: Marble<string> = { kind: 'event', value: 'a', timestamp: 1 };
 * ```
 */
export type Marble<T> = StreamElement<T> | MarbleWait | MarbleComplete | MarbleError;

/**
 * Options of {@link parseMarbles}.
 *
 * @example
 * ```ts
 * import { parseMarbles, type MarbleOptions } from 'tidemark/testing';
 *
 * const options: MarbleOptions = { error: new Error('connection lost') };
 * parseMarbles('a@1 #', { a: 1 }, options); // [a@1, { kind: 'error', error: options.error }]
 * ```
 */
export interface MarbleOptions {
  /** The error a `#` stands for. @defaultValue `new Error('marble error')` */
  error?: unknown;
}

/** @internal A parsed marble with where it came from and the group (`( … )`) it belongs to. */
export interface MarbleToken<T> {
  readonly marble: Marble<T>;
  readonly offset: number;
  /** Index of its group, or -1 outside groups. */
  readonly group: number;
}

const NUMBER = /^[+-]?\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?$/;
const INFINITY = /^([+-]?)(?:inf|infinity|∞)$/i;
const FINITE = 'up to about 1.8e308 in magnitude';
const EXPECTED = 'expected an event (name@time), a watermark (W<time>), a barrier (B<id>), idle, active, a wait (~<ms>), a group ( … ), | or #';

/**
 * Parses event-time marbles: a compact text form of an event-time stream, read left to right
 * in arrival order. Tokens are separated by whitespace (newlines included):
 *
 * | token        | meaning                                                                   |
 * | ------------ | ------------------------------------------------------------------------- |
 * | `a@5`        | an event: value `a` (or `values.a`), timestamp 5 (`-3`, `1.5`, `1_000`, `2e3`) |
 * | `W5`         | a watermark at 5; `W+inf` / `W-inf` (also `Winf`, `W∞`) for ±Infinity    |
 * | `B1`         | a checkpoint barrier with id 1                                           |
 * | `idle`, `active` | a watermark-status change                                            |
 * | `~100`       | processing time passes: 100 (input: the harness advances its clock; expected output: see {@link expectMarbles}) |
 * | `( … )`      | a group: elements that arrive together; in an expected output, they may appear in any order |
 * | `\|`         | completion, `#` error; nothing may follow either                         |
 *
 * An event's name is everything before the `@` (no spaces, parentheses, `|` or `#`). Without a
 * `values` map the value is the name itself (a string); with one, every name must be a key of it.
 * Timestamps, watermarks and waits are finite numbers: a literal beyond the largest double, such
 * as `a@1e400` or `~1e400`, is refused rather than read as Infinity (an infinite watermark is
 * spelled `W+inf`); barrier ids are safe integers.
 *
 * ```
 * 'a@1 b@5 W3 c@2 W10 |'  →  a@1, b@5, W(3), c@2 (late: 2 <= 3), W(10), complete
 * ```
 *
 * @example
 * ```ts
 * import { parseMarbles } from 'tidemark/testing';
 *
 * parseMarbles('a@1 b@5 W3 |');
 * // [{ kind: 'event', value: 'a', timestamp: 1 }, { kind: 'event', value: 'b', timestamp: 5 },
 * //  { kind: 'watermark', timestamp: 3 }, { kind: 'complete' }]
 * const clicks = parseMarbles('x@1 y@2', { x: { page: 'home' }, y: { page: 'cart' } });
 * ```
 * @throws MarbleSyntaxError for text outside the grammar, pointing at the column.
 */
export function parseMarbles(text: string): Marble<string>[];
export function parseMarbles<T>(text: string, values: Readonly<Record<string, T>>, options?: MarbleOptions): Marble<T>[];
export function parseMarbles<T>(text: string, values?: Readonly<Record<string, T>>, options?: MarbleOptions): Marble<T>[] {
  return parseMarbleTokens(text, values, options).map((t) => t.marble);
}

/** @internal {@link parseMarbles}, keeping offsets and groups. */
export function parseMarbleTokens<T>(text: string, values?: Readonly<Record<string, T>>, options: MarbleOptions = {}): MarbleToken<T>[] {
  if (typeof text !== 'string') throw new MarbleSyntaxError(String(text), 0, `marbles must be a string, got ${typeof text}`);
  const out: MarbleToken<T>[] = [];
  let group = -1;
  let groupStart = -1;
  let groups = 0;
  let ended = -1;
  const fail = (offset: number, problem: string): never => {
    throw new MarbleSyntaxError(text, offset, problem);
  };
  const push = (marble: Marble<T>, offset: number) => {
    if (ended >= 0) fail(offset, `nothing may follow "${text[ended]}"`);
    out.push({ marble, offset, group });
  };

  for (const { token, offset } of tokenize(text)) {
    if (token === '(') {
      if (group >= 0) fail(offset, 'groups cannot nest');
      if (ended >= 0) fail(offset, `nothing may follow "${text[ended]}"`);
      group = groups++;
      groupStart = offset;
    } else if (token === ')') {
      if (group < 0) fail(offset, '")" without a matching "("');
      group = -1;
    } else if (token === '|' || token === '#') {
      if (group >= 0) fail(offset, `"${token}" cannot be inside a group`);
      push(token === '|' ? { kind: 'complete' } : { kind: 'error', error: 'error' in options ? options.error : new Error('marble error') }, offset);
      ended = offset;
    } else {
      push(classify(token, offset, group, values, fail), offset);
    }
  }
  if (group >= 0) fail(groupStart, '"(" is never closed');
  return out;
}

function classify<T>(
  token: string,
  offset: number,
  group: number,
  values: Readonly<Record<string, T>> | undefined,
  fail: (offset: number, problem: string) => never,
): Marble<T> {
  const at = token.indexOf('@');
  if (at >= 0) {
    const name = token.slice(0, at);
    const time = token.slice(at + 1);
    if (name === '') fail(offset, `an event needs a name before "@" in "${token}"`);
    if (!NUMBER.test(time)) {
      fail(offset + at + 1, `expected a finite number after "@" in "${token}"${INFINITY.test(time) ? ' (events need finite timestamps)' : ''}`);
    }
    const timestamp = toNumber(time);
    if (!Number.isFinite(timestamp)) fail(offset + at + 1, `${overflows(`the timestamp in "${token}"`, timestamp)}: event timestamps must be finite numbers (${FINITE})`);
    let value: T;
    if (values === undefined) value = name as unknown as T;
    else if (Object.prototype.hasOwnProperty.call(values, name)) value = values[name] as T;
    else value = fail(offset, `no value for "${name}" in the values map (it has ${Object.keys(values).map((k) => JSON.stringify(k)).join(', ') || 'no keys'})`);
    return { kind: 'event', value, timestamp };
  }
  if (token[0] === 'W') {
    const time = token.slice(1);
    const inf = INFINITY.exec(time);
    if (inf !== null) return { kind: 'watermark', timestamp: inf[1] === '-' ? -Infinity : Infinity };
    if (!NUMBER.test(time)) fail(offset + 1, `expected a number or +inf after "W" in "${token}"`);
    const timestamp = toNumber(time);
    if (!Number.isFinite(timestamp)) fail(offset + 1, `${overflows(`the watermark in "${token}"`, timestamp)}: write W${timestamp > 0 ? '+' : '-'}inf for an infinite watermark, or a finite number (${FINITE})`);
    return { kind: 'watermark', timestamp };
  }
  if (token[0] === 'B' && /^B\d+$/.test(token)) {
    const checkpointId = Number(token.slice(1));
    if (!Number.isSafeInteger(checkpointId)) fail(offset + 1, `the checkpoint id in "${token}" is too large: barrier ids must be integers up to ${Number.MAX_SAFE_INTEGER}`);
    return { kind: 'barrier', checkpointId };
  }
  if (token === 'idle' || token === 'active') return { kind: 'status', idle: token === 'idle' };
  if (token[0] === '~') {
    const d = token.slice(1);
    if (!NUMBER.test(d) || toNumber(d) < 0) fail(offset + 1, `expected a duration >= 0 after "~" in "${token}"`);
    const duration = toNumber(d);
    if (!Number.isFinite(duration)) fail(offset + 1, `${overflows(`the wait in "${token}"`, duration)}: waits must be finite numbers (${FINITE})`);
    if (group >= 0) fail(offset, 'a wait cannot be inside a group (a group arrives at one instant)');
    return { kind: 'wait', duration };
  }
  return fail(offset, `unexpected "${token}": ${EXPECTED}`);
}

function toNumber(s: string): number {
  return Number(s.replace(/_/g, ''));
}

/**
 * A literal like `1e400` looks finite but is beyond the largest double: `Number` reads it as
 * ±Infinity. Marbles refuse it (only `W+inf` / `W-inf` spell an infinite watermark).
 */
function overflows(what: string, value: number): string {
  return `${what} overflows to ${value}`;
}

function* tokenize(text: string): Generator<{ token: string; offset: number }> {
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === '|' || c === '#') {
      yield { token: c, offset: i };
      i++;
    } else {
      const start = i;
      while (i < text.length && !/[\s()|#]/.test(text[i]!)) i++;
      yield { token: text.slice(start, i), offset: start };
    }
  }
}
