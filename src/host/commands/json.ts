import { ERRORS } from '../../errors/codes.js';
import { QueryParseError } from '../../errors/query-parse-error.js';
import { QUERY_NESTING_LIMIT } from '../../rpc/limits.js';
import type { CommandContext, CommandHelp, CommandParser, QueryDriver } from '../../runtime/command.js';
import type { Row, Value } from '../../runtime/value.js';
import { builtinProperties } from './builtin-properties.js';

const help: CommandHelp = {
  description: 'Emits the records written in the query as JSON: an object is one record, an array of objects one record each.',
  syntax: 'json "JSON"',
  properties: builtinProperties('driver', { perRecord: false }),
  options: [],
  inputFields: [],
  outputFields: [],
  runtimeErrors: [],
};

const NAME = 'json';

function invalid(offset: number, detail: string): QueryParseError<[string, string]> {
  return new QueryParseError(ERRORS.INVALID_ARGUMENTS, offset, NAME, detail);
}

/** The unescaped content of the one quoted string, and the argText offset of each of its characters. */
interface QuotedText {
  /** Offset of the opening quote. */
  readonly start: number;
  readonly text: string;
  readonly offsets: readonly number[];
}

/** Reads `"..."` (a backslash takes the next character literally) with nothing else but whitespace around it. */
function readQuoted(argText: string): QuotedText {
  const start = argText.search(/\S/);
  if (start < 0) throw invalid(argText.length, 'expected one double-quoted JSON text');
  if (argText[start] !== '"') throw invalid(start, 'expected one double-quoted JSON text');
  let text = '';
  const offsets: number[] = [];
  let i = start + 1;
  for (; i < argText.length && argText[i] !== '"'; i++) {
    if (argText[i] === '\\') i++;
    if (i >= argText.length) break;
    text += argText[i];
    offsets.push(i);
  }
  if (i >= argText.length) throw invalid(start, 'unterminated quoted string');
  const rest = argText.slice(i + 1).search(/\S/);
  if (rest >= 0) throw invalid(i + 1 + rest, 'unexpected text after the quoted JSON');
  offsets.push(i); // the end of the JSON text is the closing quote
  return { start, text, offsets };
}

/** Where a JSON text nests too deeply: thrown by {@link toValue}, turned into 90004 at the string's offset. */
class TooDeep extends Error {}

/**
 * JSON data as values: arrays become lists and objects maps; nothing is guessed (no ipaddr from strings).
 * Records nested deeper than {@link QUERY_NESTING_LIMIT} are refused: everything that walks a value (this,
 * `stats by`, the output writers) recurses once per level.
 */
function toValue(data: unknown, depth: number): Value {
  if (Array.isArray(data)) {
    if (depth > QUERY_NESTING_LIMIT) throw new TooDeep();
    return data.map((item) => toValue(item, depth + 1));
  }
  if (typeof data === 'object' && data !== null) return toRow(data as Record<string, unknown>, depth);
  return data as string | number | boolean | null;
}

/** An object at nesting level `depth` (the record itself is level 1). */
function toRow(data: Record<string, unknown>, depth: number): Row {
  if (depth > QUERY_NESTING_LIMIT) throw new TooDeep();
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, toValue(v, depth + 1)]));
}

const isObject = (data: unknown): data is Record<string, unknown> => typeof data === 'object' && data !== null && !Array.isArray(data);

/** Parses the argument into records, with errors pointing at the offending character where JSON says which. */
function readRecords(argText: string): Row[] {
  const { start, text, offsets } = readQuoted(argText);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    const offset = offsets[position === undefined ? 0 : Math.min(Number(position), offsets.length - 1)] ?? 0;
    throw invalid(offset, `invalid JSON (${message})`);
  }
  try {
    if (isObject(data)) return [toRow(data, 1)];
    if (!Array.isArray(data)) throw invalid(start, 'expected a JSON object or an array of objects');
    return data.map((item, index) => {
      if (!isObject(item)) throw invalid(start, `array element ${index} is not an object`);
      return toRow(item, 2);
    });
  } catch (error) {
    if (error instanceof TooDeep) throw new QueryParseError(ERRORS.NESTING_TOO_DEEP, start, NAME, QUERY_NESTING_LIMIT);
    throw error;
  }
}

class JsonDriver implements QueryDriver {
  readonly #records: readonly Row[];
  #ctx: CommandContext | undefined;

  constructor(records: readonly Row[]) {
    this.#records = records;
  }

  onStart(ctx: CommandContext): void {
    this.#ctx = ctx;
  }

  async run(): Promise<void> {
    const ctx = this.#ctx;
    if (!ctx) throw new Error('json: run() before onStart()');
    for (const record of this.#records) {
      if (ctx.signal.aborted) return;
      // A copy per run, so a downstream command that changes a record cannot change the query's data.
      await ctx.emit({ ...record });
    }
  }

  onClose(): void {}
}

/**
 * `json "JSON"`: a driver that emits records written in the query. The JSON is read at parse time, so bad
 * JSON is a parse error (90003) pointing into the string, and JSON nested too deeply is 90004.
 *
 * @example
 * ```ts
 * await host.query('json "[{\\"a\\": 1}, {\\"a\\": 2}]" | search a > 1');
 * ```
 */
export const jsonCommand: CommandParser = Object.freeze<CommandParser>({
  name: NAME,
  help,
  errors: [ERRORS.INVALID_ARGUMENTS, ERRORS.NESTING_TOO_DEEP],
  parse: (_ctx, argText) => new JsonDriver(readRecords(argText)),
});
