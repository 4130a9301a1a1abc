import type { ErrorCode } from './codes.js';

/**
 * A query could not be parsed: carries the catalogue code, the rendered message and the offset in the query
 * text where the problem is. Commands throw it from `parse()` with an offset relative to their own argument
 * text; the host rebases it onto the whole query with {@link QueryParseError.rebase}.
 *
 * @example
 * ```ts
 * throw new QueryParseError(ERRORS.UNKNOWN_OPTION, 12, 'timout');
 * // err.code === 23102, err.message === "Unknown option 'timout' at offset 12."
 * ```
 */
export class QueryParseError<Args extends unknown[] = unknown[]> extends Error {
  /** Always `QueryParseError`. */
  override readonly name = 'QueryParseError';
  /** The catalogue code, e.g. 23101. */
  readonly code: number;
  /** 0-based offset in the text that was parsed. */
  readonly offset: number;
  /** The catalogue entry. */
  readonly spec: ErrorCode<Args>;
  readonly #args: Args;

  constructor(spec: ErrorCode<Args>, offset: number, ...args: Args) {
    super(spec.render(offset, ...args));
    this.spec = spec;
    this.code = spec.code;
    this.offset = offset;
    this.#args = args;
  }

  /** The same error with its offset moved by `base` (the command's position in the query); the message follows. */
  rebase(base: number): QueryParseError<Args> {
    return new QueryParseError(this.spec, this.offset + base, ...this.#args);
  }

  /** `CODE MESSAGE`, as the CLI prints it. */
  override toString(): string {
    return `${this.code} ${this.message}`;
  }
}
