import { TidemarkError } from 'tidemark';

const BRAND = Symbol.for('tidemark.MarbleSyntaxError');

/**
 * Thrown by {@link parseMarbles} (and everything that reads marbles) for text that does not
 * follow the event-time marble grammar. The message quotes the text with a caret under the
 * offending column; `column` is 1-based.
 *
 * @example
 * ```ts
 * import { MarbleSyntaxError, parseMarbles } from 'tidemark/testing';
 * try {
 *   parseMarbles('a@1 b@x');
 * } catch (e) {
 *   if (MarbleSyntaxError.isMarbleSyntaxError(e)) console.log(e.line, e.column); // the `x`
 * }
 * // output:
 * // 1 7
 * ```
 */
export class MarbleSyntaxError extends TidemarkError {
  /** @internal */
  readonly [BRAND] = true;
  /** `'MarbleSyntaxError'`, the error's kind in messages and logs. */
  override name = 'MarbleSyntaxError';

  /** 1-based line of the offending token (marbles may span lines). */
  readonly line: number;
  /** 1-based column of the offending token in its line. */
  readonly column: number;

  /**
   * @param marbles - the marble text.
   * @param offset - 0-based index of the offending character in `marbles`.
   * @param problem - what is wrong, e.g. `expected a number after "@"`.
   */
  constructor(
    readonly marbles: string,
    offset: number,
    problem: string,
  ) {
    const before = marbles.slice(0, offset).split('\n');
    const line = before.length;
    const column = before[before.length - 1]!.length + 1;
    const text = marbles.split('\n')[line - 1] ?? '';
    super(`parseMarbles: ${problem} at ${line > 1 ? `line ${line}, ` : ''}column ${column}\n  ${text}\n  ${' '.repeat(column - 1)}^`);
    this.line = line;
    this.column = column;
  }

  /** Whether `x` is a {@link MarbleSyntaxError} (works across two installed copies of tidemark). */
  static isMarbleSyntaxError(x: unknown): x is MarbleSyntaxError {
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;
  }
}
