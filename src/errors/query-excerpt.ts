/**
 * A parse error as a person reads it: `CODE MESSAGE`, then the query line with a caret under the place.
 *
 * @module
 */
import { escapeControlCharacters } from '../runtime/untrusted-text.js';
import { ERRORS } from './codes.js';
import type { QueryParseError } from './query-parse-error.js';

/** Errors whose offset is not a place in the text (who runs the query, the host's setting): no caret. */
const NOT_A_PLACE: ReadonlySet<number> = new Set([ERRORS.NO_SENTRY_RPC_PERMISSION.code, ERRORS.INVALID_SENTRY_RPC_PARALLEL.code]);

/** Characters of the query shown at most; a longer line is cut around the offset. */
const EXCERPT_WIDTH = 100;
/** Of those, how many come before the offset when the line is cut. */
const EXCERPT_LEAD = 60;
/** What the excerpt is indented by, to set it off from the message. */
const INDENT = '  ';

/**
 * The line of `query` that holds `offset`, and a caret under it: two lines, indented. Control characters are
 * written out (a tab as `\t`), so the caret stays under its character; a line longer than 100 characters is cut
 * to a window around the offset, each cut end marked `…`.
 *
 * @example
 * ```ts
 * queryExcerpt('sentry | sentry-netstat timeout=0', 32);
 * // ['  sentry | sentry-netstat timeout=0', '                                  ^']
 * ```
 */
export function queryExcerpt(query: string, offset: number): [string, string] {
  const at = Math.min(Math.max(0, offset), query.length);
  const start = query.lastIndexOf('\n', at - 1) + 1;
  const newline = query.indexOf('\n', at);
  const line = query.slice(start, newline === -1 ? query.length : newline);
  let before = shown(line.slice(0, at - start));
  let after = shown(line.slice(at - start));
  if (before.length + after.length > EXCERPT_WIDTH) {
    const lead = Math.max(EXCERPT_LEAD, EXCERPT_WIDTH - after.length);
    if (before.length > lead) before = ['…', ...before.slice(before.length - lead + 1)];
    const rest = EXCERPT_WIDTH - before.length;
    if (after.length > rest) after = [...after.slice(0, rest - 1), '…'];
  }
  const column = before.join('').length;
  return [`${INDENT}${before.join('')}${after.join('')}`.trimEnd(), `${INDENT}${' '.repeat(column)}^`];
}

/** Each character as it is printed: one entry per code point, control characters written out. */
function shown(text: string): string[] {
  return Array.from(text, (char) => escapeControlCharacters(char));
}

/**
 * `CODE MESSAGE` (control characters written out), then, when the error's offset is a place in `query`, the
 * query line and a caret under that place ({@link queryExcerpt}).
 *
 * @example
 * ```ts
 * formatQueryParseError(error, 'sentry | sentry-netstat timeout=0');
 * // '23101 Invalid sentry RPC timeout option value. Use a value between 1 and 600. Got "0".\n'
 * // + '  sentry | sentry-netstat timeout=0\n'
 * // + '                                  ^'
 * ```
 */
export function formatQueryParseError<Args extends unknown[]>(error: QueryParseError<Args>, query: string): string {
  const head = escapeControlCharacters(error.toString());
  if (NOT_A_PLACE.has(error.code) || query.trim() === '') return head;
  return [head, ...queryExcerpt(query, error.offset)].join('\n');
}
