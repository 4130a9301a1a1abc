import { parse as parseOptionText } from '../generated/options-parser.js';
import { ERRORS } from '../errors/codes.js';
import { QueryParseError } from '../errors/query-parse-error.js';

/** One `name=value` pair as the option grammar (grammar/options.peggy) finds it. */
export interface RawOption {
  /** The option name. */
  readonly name: string;
  /** Offset of the name in the argument text. */
  readonly offset: number;
  /** The value text, unquoted and unescaped; may be empty. */
  readonly value: string;
  /** Offset of the value in the argument text. */
  readonly valueOffset: number;
  /** Whether the value was written in double quotes. */
  readonly quoted: boolean;
}

/**
 * Reads a command's options: `name=value` pairs, each name from `known`, each at most once.
 * Throws 23105 (syntax), 23102 (unknown option: it names `known` and the closest of them) or 23103 (repeated
 * option), whichever comes first in the text.
 *
 * @returns the options by name
 */
export function readOptions(argText: string, known: readonly string[]): Map<string, RawOption> {
  let options: RawOption[];
  try {
    options = parseOptionText(argText);
  } catch (error) {
    throw syntaxError(argText, error);
  }
  const byName = new Map<string, RawOption>();
  for (const option of options) {
    if (!known.includes(option.name)) throw new QueryParseError(ERRORS.UNKNOWN_OPTION, option.offset, option.name, known);
    if (byName.has(option.name)) throw new QueryParseError(ERRORS.DUPLICATE_OPTION, option.offset, option.name);
    byName.set(option.name, option);
  }
  return byName;
}

function syntaxError(argText: string, error: unknown): QueryParseError<[string]> {
  // Peggy's SyntaxError carries the location; anything else is a bug in the grammar and should surface.
  const location = (error as { location?: { start?: { offset?: number } } }).location;
  const offset = location?.start?.offset;
  if (typeof offset !== 'number') throw error;
  const rest = argText.slice(offset);
  const found = rest.length === 0 ? 'end of text' : JSON.stringify(rest.split(/\s/, 1)[0] || rest[0]);
  return new QueryParseError(ERRORS.OPTION_SYNTAX, offset, found);
}

/**
 * Whether the option text `argText` gives the boolean option `name` as true (`name=t`, `name=true`, any case),
 * read by the same grammar as {@link readOptions}; text that does not parse gives false (the command reports
 * it when the query is parsed).
 */
export function optionIsTrue(argText: string, name: string): boolean {
  let options: RawOption[];
  try {
    options = parseOptionText(argText);
  } catch {
    return false;
  }
  const option = options.find((o) => o.name === name);
  return option !== undefined && readBooleanText(option.value) === true;
}

/**
 * A boolean option's value as the platform's commands write it: `t` or `true` is true, `f` or `false` is false,
 * in any case; anything else (`1`, `yes`, empty) is `undefined`, which the command reports with its own code.
 */
export function readBooleanText(text: string): boolean | undefined {
  switch (text.toLowerCase()) {
    case 't':
    case 'true':
      return true;
    case 'f':
    case 'false':
      return false;
    default:
      return undefined;
  }
}
