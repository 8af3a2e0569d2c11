import { TidemarkError } from 'tidemark';
import { brandOf, hasBrand } from '../../errors/TidemarkError.js';

const BRAND = brandOf('JsonLinesError');

/**
 * Raised by {@link jsonLinesSource} for a line that is not JSON: the message names the file,
 * the line's byte offset and what was found.
 *
 * @example
 * ```ts
 * import { JsonLinesError } from 'tidemark/node';
 * const e = new JsonLinesError('in.jsonl', 120, '{"key":', 'Unexpected end of JSON input');
 * console.log(e.offset, JsonLinesError.isJsonLinesError(e));
 * // output:
 * // 120 true
 * ```
 */
export class JsonLinesError extends TidemarkError {
  /** @internal */
  readonly [BRAND] = true;
  /** `'JsonLinesError'`, the error's kind in messages and logs. */
  override name = 'JsonLinesError';

  /**
   * @param path - the file.
   * @param offset - the byte offset where the line starts.
   * @param line - the line (cut to 80 characters in the message).
   * @param reason - the parser's complaint.
   */
  constructor(
    readonly path: string,
    readonly offset: number,
    line: string,
    reason: string,
  ) {
    super(
      `jsonLinesSource: the line at byte ${offset} of ${path} is not JSON (${reason}): ${JSON.stringify(line.length > 80 ? `${line.slice(0, 77)}...` : line)}; ` +
        'fix or remove the line (each line must be one JSON value)',
    );
  }

  /** Whether `x` is a {@link JsonLinesError} (works across two installed copies of tidemark). */
  static isJsonLinesError(x: unknown): x is JsonLinesError {
    return hasBrand(x, BRAND);
  }
}
